"""Celery tasks for remote jobs: thin shells over jobs.engine, taking ids only."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from jobs import engine
from providers import UpstreamError

# A submit task is killed before its lease (JOBS_SUBMIT_LEASE) ends, so a job is only
# ever taken over from a worker that can no longer send it.
_LEASE = settings.JOBS_SUBMIT_LEASE
SUBMIT_LIMITS = {"soft_time_limit": max(1, _LEASE * 2 // 3), "time_limit": max(2, _LEASE * 5 // 6)}


@shared_task(name="jobs.submit", acks_late=True, **SUBMIT_LIMITS)
def submit(job_id: int) -> str:
    try:
        return engine.submit(job_id)
    except SoftTimeLimitExceeded:
        # The lease lapses and the reconciler retries, looking upstream first.
        return "timed-out"


@shared_task(name="jobs.poll_due", acks_late=True, soft_time_limit=50, time_limit=60)
def poll_due() -> dict:
    return engine.poll_due()


@shared_task(name="jobs.reconcile", acks_late=True, soft_time_limit=50, time_limit=60)
def reconcile() -> dict:
    return engine.reconcile()


# Likewise a result copy is stopped before its hold (JOBS_RESULTS_LEASE) lapses.
_RESULTS = settings.JOBS_RESULTS_LEASE
RESULTS_LIMITS = {
    "soft_time_limit": max(1, _RESULTS * 2 // 3),
    "time_limit": max(2, _RESULTS * 5 // 6),
}


@shared_task(name="jobs.fetch_results", bind=True, acks_late=True, max_retries=6, **RESULTS_LIMITS)
def fetch_results(self, job_id: int) -> str:
    try:
        return engine.fetch_results(job_id)
    except UpstreamError as exc:
        if self.request.retries >= self.max_retries:
            engine.give_up_results(job_id, f"Could not copy the result: {exc.message}")
            return "failed"
        raise self.retry(countdown=min(30 * 2**self.request.retries, 900)) from exc


@shared_task(name="jobs.announce", acks_late=True, soft_time_limit=30, time_limit=45)
def announce(job_id: int) -> list[str]:
    return engine.announce(job_id)
