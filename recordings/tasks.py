"""Celery tasks for the Respeecher mirror: thin shells taking ids."""

from celery import shared_task
from django.conf import settings

from recordings import runs

LIMIT = settings.RECORDINGS_SYNC_TIME_LIMIT


@shared_task(
    name="recordings.run_sync", acks_late=True, soft_time_limit=LIMIT, time_limit=LIMIT + 30
)
def run_sync(run_id: int) -> str:
    return runs.execute(run_id)


@shared_task(name="recordings.sync_all", acks_late=True, soft_time_limit=50, time_limit=60)
def sync_all() -> int:
    return runs.request_all()
