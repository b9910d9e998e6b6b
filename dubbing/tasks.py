"""Celery tasks for dubbing: thin shells taking ids."""

from celery import shared_task
from django.conf import settings

from dubbing import imports
from teams.models import Provider, ProviderAccount

LIMIT = settings.DUBBING_IMPORT_TIME_LIMIT


@shared_task(
    name="dubbing.run_import", acks_late=True, soft_time_limit=LIMIT, time_limit=LIMIT + 30
)
def run_import(run_id: int) -> str:
    return imports.execute(run_id)


@shared_task(name="dubbing.import_records", acks_late=True, soft_time_limit=50, time_limit=60)
def import_account(account_id: int) -> str:
    """A message sent before imports had runs: it asks for one now, so it is not lost."""
    account = ProviderAccount.objects.filter(pk=account_id, provider=Provider.A2E).first()
    if account is None:
        return "gone"
    _run, created = imports.request_import(account)
    return "requested" if created else "already running"
