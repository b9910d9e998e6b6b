"""Job announcements become webhook events: job.created, job.completed, job.failed
(inside the announcement's transaction, so each is delivered once per job)."""

from django.dispatch import receiver

from jobs.signals import job_announced
from webhooks.events import EventType, publish

EVENTS = {
    "created": EventType.JOB_CREATED,
    "completed": EventType.JOB_COMPLETED,
    "failed": EventType.JOB_FAILED,
}


@receiver(job_announced)
def job_event(sender, job, event, **kwargs):
    event_type = EVENTS.get(event)
    if event_type is None:
        return  # a canceled job: nobody subscribes to that
    data = {
        "id": job.pk,
        "kind": job.kind,
        "label": job.label,
        "status": job.status,
        "provider": job.provider,
        "remote_id": job.remote_id or None,
        "created_at": job.created_at,
    }
    if event == "failed":
        data["error"] = job.failure_message
    if event != "created":
        data["finished_at"] = job.finished_at
    publish(job.team, event_type, data)
