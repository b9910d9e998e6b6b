"""Deleting a dubbing: at A2E first, then here with its stored result, never under a
worker that is busy with it."""

from django.db import transaction

from dubbing.models import Batch
from jobs import kinds
from jobs.models import Job, ResultsState, Status
from providers import NotFound, UpstreamError
from teams.connection import client_for


def delete(dubbing, here_only=False) -> str | None:
    """Delete a dubbing at A2E, then here with its stored result. Returns the reason
    when it cannot be deleted now (A2E refused, or a worker is busy with it); then
    nothing is deleted here. `here_only` forgets it here and leaves A2E alone (for a
    record A2E no longer has but will not say so)."""
    with transaction.atomic():
        # Read under a lock: a worker may have moved it since the page was drawn.
        job = (
            Job.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(pk=dubbing.job_id)
            .first()
        )
        if job is None:
            return None  # deleted meanwhile: nothing left to do
        if job.status == Status.SUBMITTING:
            # Being sent right now: deleting here could orphan what the worker creates.
            return "It is being sent to A2E right now; try again in a minute."
        if job.results_state == ResultsState.PENDING:
            return "Its result is being copied here right now; try again in a minute."
        if job.status == Status.QUEUED:
            # Not sent yet: stop any submit from taking it while A2E is asked below.
            Job.objects.filter(pk=job.pk).update(status=Status.CANCELED)
    if job.remote_id and job.account is not None and not here_only:
        try:
            kinds.get(job.kind).cancel(job, client_for(job.account))  # deletes it at A2E
        except NotFound:
            pass  # already gone at A2E
        except UpstreamError as exc:
            return exc.message
    files = [f.file for f in job.files.all()]
    with transaction.atomic():
        batch = Batch.objects.select_for_update().filter(pk=dubbing.batch_id).first()
        Job.objects.filter(pk=job.pk).delete()  # its Dubbing, events and file rows too
        if batch is not None and not batch.dubbings.exists():
            source = batch.source
            batch.delete()
            if source is not None and not Batch.objects.filter(source=source).exists():
                transaction.on_commit(lambda: source.file.delete(save=False))
                source.delete()
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])
    return None
