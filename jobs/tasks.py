"""Celery tasks for remote jobs: thin shells over jobs.engine, taking ids only."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from core.retry import within
from jobs import engine, errands, once, results
from providers import UpstreamError

# A submit task's hold lasts JOBS_SUBMIT_HOLD, a result copy's JOBS_RESULTS_HOLD.
SUBMIT_LIMITS = within(settings.JOBS_SUBMIT_HOLD)
RESULTS_LIMITS = within(settings.JOBS_RESULTS_HOLD)


@errands.SUBMIT.runs
@shared_task(name="jobs.submit", acks_late=True, **SUBMIT_LIMITS)
def submit(job_id: int) -> str:
    try:
        return engine.submit(job_id)
    except SoftTimeLimitExceeded:
        # The hold lapses and the reconciler retries, looking upstream first.
        return "timed-out"


@shared_task(name="jobs.poll_due", acks_late=True, soft_time_limit=50, time_limit=60)
def poll_due() -> dict:
    return engine.poll_due()


@shared_task(name="jobs.reconcile", acks_late=True, soft_time_limit=50, time_limit=60)
def reconcile() -> dict:
    return engine.reconcile()


# Tried until JOBS_RESULTS_GIVE_UP from the first failure (jobs.results), not for a count.
@errands.FETCH_RESULTS.runs
@shared_task(
    name="jobs.fetch_results", bind=True, acks_late=True, max_retries=None, **RESULTS_LIMITS
)
def fetch_results(self, job_id: int) -> str:
    try:
        return results.fetch_results(job_id)
    except UpstreamError as exc:  # one that may pass: the others were given up at once
        raise self.retry(countdown=results.seconds_to_next_try(job_id)) from exc


@errands.ANNOUNCE.runs
@shared_task(name="jobs.announce", acks_late=True, soft_time_limit=30, time_limit=45)
def announce(job_id: int) -> list[str]:
    return engine.announce(job_id)


@shared_task(name="jobs.purge_submit_keys", acks_late=True, soft_time_limit=50, time_limit=60)
def purge_submit_keys() -> int:
    return once.purge()
