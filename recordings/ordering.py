"""Placing orders (originals into voices, each conversion a job), retrying a failed
conversion, and what happens here when a conversion ends: the mirror, the webhook."""

from django.db import transaction

from activity.log import Verb, record
from jobs import engine
from jobs.models import UNFINISHED, Job, Status
from providers.respeecher import Recording as RemoteRecording
from recordings import sync
from recordings.kinds import RespeecherConversion
from recordings.models import Order, Recording
from webhooks.events import EventType, publish


def place(originals, targets, *, by, calibration_id="") -> list[Job]:
    """One job per original and voice, written together; they are sent once committed."""
    with transaction.atomic():
        jobs = [
            RespeecherConversion.start(
                original=original, target=target, by=by, calibration_id=calibration_id
            )
            for original in originals
            for target in targets
        ]
        if jobs:
            team = jobs[0].team
            voices = ", ".join(t.voice.name for t in targets)
            record(
                team,
                Verb.CONVERSION_ORDERED,
                actor=by,
                target=originals[0].folder,
                label=f"{len(originals)} take(s) of {originals[0].folder} into {voices}"[:200],
            )
    return jobs


def retry(conversion: Recording, *, by) -> tuple[Job | None, str]:
    """Ask Respeecher to make a failed conversion again (orders/retry), linked to the
    job that first ordered it when there is one. Returns (the retry, a message)."""
    if not conversion.is_failed:
        return None, "Only a failed conversion can be retried."
    if conversion.original is None:
        return None, "This conversion's original is not in the mirror; refresh first."
    with transaction.atomic():
        # One retry at a time: a double click, or Retry again while the first is queued
        # (the mirror says failed until it ends), finds the retry already under way.
        Recording.objects.select_for_update().filter(pk=conversion.pk).first()
        running = (
            Order.objects.filter(conversion=conversion, job__status__in=UNFINISHED)
            .select_related("job")
            .first()
        )
        if running is not None:
            return running.job, "It was already sent again."
        first = (
            Job.objects.filter(recording_order__conversion=conversion, status=Status.FAILED)
            .order_by("-pk")
            .first()
        )
        if first is None:
            first = (
                Job.objects.filter(
                    kind=RespeecherConversion.name,
                    remote_id=conversion.remote_id,
                    account=conversion.account,
                    status=Status.FAILED,
                )
                .order_by("-pk")
                .first()
            )
        if first is not None:
            job, made = engine.retry(first, user=by)
            return job, "" if made else "It was already sent again."
        return RespeecherConversion.start_retry(conversion=conversion, by=by), ""


def finished(job: Job) -> None:
    """Called once per job as its end is announced (inside that transaction): mirror the
    conversion Respeecher made, link it to the order, and tell the team's webhooks."""
    order = Order.objects.select_related("original", "original__folder").filter(job=job).first()
    if order is None:
        return
    conversion = None
    if job.account is not None and job.remote_id and job.remote.get("type"):
        remote = RemoteRecording.from_raw(job.remote)
        original = order.original
        row = sync.recording_record(remote, original.project_id, original.folder_id)
        conversion = sync.save_one(Recording, job.account, row)
        if conversion.original_id != original.pk:
            Recording.objects.filter(pk=conversion.pk).update(original=original)
            conversion.original = original
        Order.objects.filter(pk=order.pk).update(conversion=conversion)
    if job.status not in (Status.COMPLETED, Status.FAILED):
        return  # canceled: nothing was made, nobody asked to hear about it
    completed = job.status == Status.COMPLETED
    event = (
        EventType.RECORDING_CONVERSION_COMPLETED
        if completed
        else EventType.RECORDING_CONVERSION_FAILED
    )
    data = {
        "job": job.pk,
        "original": order.original.remote_id,
        "conversion": job.remote_id or None,
        "voice": order.voice_name,
        "label": job.label,
        "status": job.status,
    }
    if not completed:
        data["error"] = job.failure_message
    publish(job.team, event, data)
    record(
        job.team,
        Verb.CONVERSION_DONE if completed else Verb.CONVERSION_FAILED,
        target=conversion or order.original,
        label=job.label,
        outcome="ok" if completed else "failed",
        message="" if completed else job.failure_message,
    )
