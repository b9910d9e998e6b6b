"""Copying a completed job's result files from the provider into our storage."""

import mimetypes
import os
import tempfile
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.models import RESULTS_HOLD, Job, JobFile, ResultsState
from providers import UpstreamError
from teams.connection import client_for


def results_retry_wait(attempt: int) -> int:
    """Seconds before the next try to copy a result, after `attempt` failed ones."""
    return min(30 * 2**attempt, 900)


def fetch_results(job_id: int, now=None, attempt: int = 0) -> str:
    """Copy a completed job's result files into our storage, then announce it. Held
    with RESULTS_HOLD for JOBS_RESULTS_LEASE, so a second copy of the task (the
    reconciler re-sends one while a large download runs) stands aside instead of
    copying the same file at once; a copier that died is taken over when it lapses.
    A failed copy keeps the hold until its task retries (`results_retry_wait`), so
    the reconciler does not start another chain of tries beside it; one the provider
    refuses for good (a 404, a bad credential) is given up at once."""
    # engine imports this module for its callers; these names are only needed at call time.
    from jobs.engine import PERMANENT, enqueue_on_commit

    now = now or timezone.now()
    pending = Job.objects.filter(pk=job_id, results_state=ResultsState.PENDING)
    length = timedelta(seconds=settings.JOBS_RESULTS_LEASE)
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
    except UpstreamError:
        # Until just before the task's retry arrives, which takes it up again.
        wait = timedelta(seconds=results_retry_wait(attempt) - 1)
        mine.update(**{RESULTS_HOLD.until: timezone.now() + wait})
        raise
    except BaseException:
        mine.update(**RESULTS_HOLD.released())  # killed by its time limit: the reconciler's turn
        raise
    mine.filter(results_state=ResultsState.PENDING).update(
        results_state=ResultsState.STORED, **RESULTS_HOLD.released()
    )
    enqueue_on_commit("announce", job.pk)
    return "stored"


def give_up_results(job_id: int, message: str) -> None:
    from jobs.engine import enqueue_on_commit

    with transaction.atomic():
        if Job.objects.filter(pk=job_id, results_state=ResultsState.PENDING).update(
            results_state=ResultsState.FAILED, last_error=message, **RESULTS_HOLD.released()
        ):
            enqueue_on_commit("announce", job_id)


def _store_one(job: Job, client, role: str, url: str) -> JobFile:
    """Download one result into storage; a file already stored for the role is kept
    (a copier whose hold lapsed mid-download may find the next one has finished)."""
    existing = job.files.filter(role=role).first()
    if existing is not None:
        return existing
    name = PurePosixPath(url.split("?", 1)[0]).name or f"{role}.bin"
    tmp_dir = os.path.join(settings.MEDIA_ROOT, "tmp")
    os.makedirs(tmp_dir, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=tmp_dir)
    os.close(fd)
    try:
        download = client.download(url, tmp_path, max_bytes=settings.RESULTS_MAX_MB * 1024 * 1024)
        content_type = download.content_type or mimetypes.guess_type(name)[0] or ""
        stored = JobFile(
            job=job,
            role=role,
            content_type=content_type.split(";")[0].strip(),
            size=download.size,
            sha256=download.sha256,
            source_url=url[:2000],
        )
        with open(tmp_path, "rb") as handle:
            stored.file.save(download.filename or name, File(handle), save=False)
        try:
            with transaction.atomic():
                stored.save()
        except IntegrityError:
            # Another copier (whose hold outlived ours) stored it first: keep theirs.
            stored.file.delete(save=False)
            return job.files.get(role=role)
        return stored
    finally:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
