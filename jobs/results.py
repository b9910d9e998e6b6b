"""Copying a completed job's result files from the provider into our storage."""

import mimetypes
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core import storage
from core.retry import Backoff
from jobs.engine import PERMANENT
from jobs.errands import ANNOUNCE, FETCH_RESULTS
from jobs.models import RESULTS_HOLD, Job, JobFile, ResultsState, Status
from providers import UpstreamError
from providers.client import ProviderClient
from teams.connection import client_for

# A result copy's tries: 30 s, doubling to 15 minutes, no jitter (one copier per job).
RESULTS_RETRY = Backoff(base=30, cap=900, jitter=(1.0, 1.0))


def results_retry_wait(attempt: int) -> int:
    """Seconds before the next try to copy a result, after `attempt` + 1 failed ones."""
    return int(RESULTS_RETRY.seconds(attempt + 1))


def fetch_results(job_id: int, now=None) -> str:
    """Copy a completed job's result files into our storage, then announce it. Held
    with RESULTS_HOLD for JOBS_RESULTS_HOLD, so a second copy of the task (the
    reconciler re-sends one while a large download runs) stands aside instead of
    copying the same file at once; a copier that died is taken over when it lapses.
    A failed copy keeps the hold until its next try is due (`results_retry_wait`, by
    the tries counted on the row, so a chain the reconciler restarts goes on waiting
    longer), and the page says how many tries failed and when the next one is. One the
    provider refuses for good (a 404, a bad credential) is given up at once; one that
    keeps failing, after JOBS_RESULTS_GIVE_UP from its first failure."""
    now = now or timezone.now()
    pending = Job.objects.filter(pk=job_id, results_state=ResultsState.PENDING)
    length = timedelta(seconds=settings.JOBS_RESULTS_HOLD)
    hold = RESULTS_HOLD.take(pending, now, length)
    if hold is None:
        return "busy" if pending.exists() else "nothing"
    job = Job.objects.select_related("account").get(pk=job_id)
    mine = Job.objects.filter(RESULTS_HOLD.mine(hold), pk=job.pk)
    if job.account is None:
        give_up_results(job.pk, "The provider account was disconnected.")
        return "failed"
    try:
        client = client_for(job.account)
        have = set(job.files.values_list("role", flat=True))
        for role, url in job.result_urls:
            if role not in have:
                _store_one(job, client, role, url)
    except PERMANENT as exc:
        give_up_results(job.pk, f"Could not copy the result: {exc.message}")
        return "failed"
    except UpstreamError as exc:
        now = max(now, timezone.now())  # after the try, which may have taken a while
        tries = job.results_tries + 1
        since = job.results_failing_since or now
        if now - since >= timedelta(seconds=settings.JOBS_RESULTS_GIVE_UP):
            hours = settings.JOBS_RESULTS_GIVE_UP / 3600
            span = f"{hours:g} hour{'s' if hours != 1 else ''}"
            give_up_results(
                job.pk, f"Stopped copying the result after {span} and {tries} tries: {exc.message}"
            )
            return "failed"
        wait = timedelta(seconds=results_retry_wait(tries - 1))
        # The hold lasts until just before the next try, which takes it up again.
        mine.update(
            results_tries=tries,
            results_next_at=now + wait,
            results_failing_since=since,
            last_error=exc.message,
            **{RESULTS_HOLD.until: now + wait - timedelta(seconds=1)},
        )
        raise
    except BaseException:
        mine.update(**RESULTS_HOLD.released())  # killed by its time limit: the reconciler's turn
        raise
    mine.filter(results_state=ResultsState.PENDING).update(
        results_state=ResultsState.STORED,
        results_next_at=None,
        last_error="",
        **RESULTS_HOLD.released(),
    )
    ANNOUNCE.send_on_commit(job.pk)
    return "stored"


def try_again(job: Job) -> bool:
    """Copy a job's results again now (the person pressed "Try again"): a copy waiting
    for its next try is taken up at once; one given up starts afresh, its tries and its
    time to give up counted anew. False when there is nothing to copy, or a try is
    running right now."""
    now = timezone.now()
    copying = Job.objects.filter(pk=job.pk, status=Status.COMPLETED).exclude(result_urls=[])
    with transaction.atomic():
        moved = copying.filter(
            Q(results_next_at__isnull=False) | RESULTS_HOLD.free(now),
            results_state=ResultsState.PENDING,
        ).update(results_next_at=None, **RESULTS_HOLD.released())
        moved += copying.filter(results_state=ResultsState.FAILED).update(
            results_state=ResultsState.PENDING,
            results_tries=0,
            results_next_at=None,
            results_failing_since=None,
            last_error="",
            **RESULTS_HOLD.released(),
        )
        if moved:
            FETCH_RESULTS.send_on_commit(job.pk)
    return bool(moved)


def seconds_to_next_try(job_id: int) -> int:
    """When the copy's next try is due, from now (at least a second)."""
    due = Job.objects.filter(pk=job_id).values_list("results_next_at", flat=True).first()
    if due is None:
        return results_retry_wait(0)
    return max(1, int((due - timezone.now()).total_seconds()))


def give_up_results(job_id: int, message: str) -> None:
    with transaction.atomic():
        if Job.objects.filter(pk=job_id, results_state=ResultsState.PENDING).update(
            results_state=ResultsState.FAILED, last_error=message, **RESULTS_HOLD.released()
        ):
            ANNOUNCE.send_on_commit(job_id)


def _store_one(job: Job, client: ProviderClient, role: str, url: str) -> JobFile:
    """Stream one result from the provider into storage (in parts, into a bucket), never
    held whole; a file already stored for the role is kept (a copier whose hold lapsed
    mid-download may find the next one has finished)."""
    existing = job.files.filter(role=role).first()
    if existing is not None:
        return existing
    stored = JobFile(job=job, role=role, source_url=url[:2000])
    name = PurePosixPath(url.split("?", 1)[0]).name or f"{role}.bin"
    with storage.writing(stored.file.field.generate_filename(stored, name)) as out:
        download = client.download(url, out, max_bytes=settings.RESULTS_MAX_MB * 1024 * 1024)
    stored.file.name = out.name
    content_type = download.content_type or mimetypes.guess_type(name)[0] or ""
    stored.content_type = content_type.split(";")[0].strip()
    stored.size, stored.sha256 = download.size, download.sha256
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        # Another copier (whose hold outlived ours) stored it first: keep theirs, and
        # drop ours unless both were written under one name (a bucket's may be).
        theirs = job.files.get(role=role)
        if theirs.file.name != stored.file.name:
            stored.file.delete(save=False)
        return theirs
    return stored
