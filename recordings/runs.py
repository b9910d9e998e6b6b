"""Starting and running mirrors of a Respeecher workspace: one live run per account."""

from activity.log import Verb, record
from recordings import sync
from recordings.models import SyncRun
from teams.models import Provider, ProviderAccount
from teams.runs import Runs


def _enqueue(run_id: int) -> None:
    from recordings.tasks import run_sync

    run_sync.delay(run_id)


def _done(run: SyncRun, tally: sync.SyncResult) -> None:
    # A scheduled sync that found nothing new is not news; one a person asked for is.
    if tally.changed or run.requested_by_id:
        record(
            run.team,
            Verb.RECORDING_SYNCED,
            actor=run.requested_by,
            label=str(run.account),
            message=str(tally),
        )


def _failed(run: SyncRun, message: str) -> None:
    record(
        run.team,
        Verb.RECORDING_SYNC_FAILED,
        actor=run.requested_by,
        label=str(run.account),
        outcome="failed",
        message=message,
    )


RUNS = Runs(
    SyncRun,
    sync=lambda account, progress, full=False: sync.sync_account(
        account, progress=progress, full=full
    ),
    enqueue=_enqueue,
    accounts=lambda: ProviderAccount.objects.filter(provider=Provider.RESPEECHER),
    on_done=_done,
    on_failed=_failed,
    options=lambda run: {"full": run.full},
)
execute = RUNS.execute
request_all = RUNS.request_all


def request_sync(account: ProviderAccount, user=None, *, full: bool = False):
    """The account's live run or a new one; (run, created). Asking for a full reading
    while a run waits to start makes that run full; one already running stays as it is."""
    if not full:
        return RUNS.request(account, user=user)
    run, created = RUNS.request(account, user=user, full=True)
    waiting = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED)
    if not created and not run.full and waiting.update(full=True):
        run.full = True
    return run, created
