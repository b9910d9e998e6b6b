"""Celery tasks for dubbing: thin shells taking ids."""

from celery import shared_task

from dubbing.imports import import_records
from teams.models import Provider, ProviderAccount


@shared_task(name="dubbing.import_records", acks_late=True, soft_time_limit=600, time_limit=660)
def import_account(account_id: int) -> str:
    account = ProviderAccount.objects.filter(pk=account_id, provider=Provider.A2E).first()
    if account is None:
        return "gone"
    # Safe to run twice: records already here are recognised by their A2E id.
    return str(import_records(account))
