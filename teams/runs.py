"""One live run per account, for work an account does on a run row people can watch
(a voice sync, a recordings sync): asking twice gets the run already going."""

from django.db import transaction
from django.utils import timezone

from teams.models import ProviderAccount

INTERRUPTED = "Interrupted: its worker stopped. Started again."


def request(account: ProviderAccount, model, *, live, failed, enqueue, user=None):
    """The account's live run of `model`, or a new one, enqueued after commit with
    `enqueue(run_pk)`; returns (run, created). `live` are the statuses of a run still
    going; one left going by a dead worker (`is_stuck`) is marked `failed` and replaced."""
    with transaction.atomic():
        # Lock the account row so two clicks at once make one run.
        ProviderAccount.objects.select_for_update().filter(pk=account.pk).first()
        running = model.objects.filter(account=account, status__in=live).first()
        if running is not None and not running.is_stuck:
            return running, False
        if running is not None:
            model.objects.filter(pk=running.pk, status__in=live).update(
                status=failed, message=INTERRUPTED, finished_at=timezone.now()
            )
        run = model.objects.create(team=account.team, account=account, requested_by=user)
        transaction.on_commit(lambda: enqueue(run.pk))
    return run, True
