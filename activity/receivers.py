"""Job announcements become activity entries (inside the announcement's transaction)."""

from django.dispatch import receiver

from activity.log import record
from jobs.models import Status
from jobs.signals import job_announced


@receiver(job_announced)
def job_activity(sender, job, event, **kwargs):
    if event == "created":
        record(
            job.team,
            "job.created",
            actor=job.created_by,
            target=job,
            label=job.label,
            subject=job.kind_label,
        )
        return
    failed = event == Status.FAILED
    record(
        job.team,
        f"job.{event}",
        target=job,
        label=job.label,
        subject=job.kind_label,
        outcome="failed" if failed else "ok",
        message=job.failure_message if failed else "",
    )
