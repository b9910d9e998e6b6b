"""Job announcements (inside the announcement's transaction) and what a team's people
change in the team become activity entries."""

from django.dispatch import receiver

from activity.log import Verb, record
from jobs.models import Status
from jobs.signals import job_announced
from teams.signals import changed

# How each way a job can end is written in the log.
ENDED = {
    Status.COMPLETED: Verb.JOB_COMPLETED,
    Status.FAILED: Verb.JOB_FAILED,
    Status.CANCELED: Verb.JOB_CANCELED,
}


@receiver(job_announced)
def job_activity(sender, job, event, **kwargs):
    if event == "created":
        record(
            job.team,
            Verb.JOB_CREATED,
            actor=job.created_by,
            target=job,
            label=job.label,
            subject=job.kind_label,
        )
        return
    failed = event == Status.FAILED
    record(
        job.team,
        ENDED[event],
        target=job,
        label=job.label,
        subject=job.kind_label,
        outcome="failed" if failed else "ok",
        message=job.failure_message if failed else "",
    )


@receiver(changed)
def team_activity(sender, team, change, **details):
    details.pop("signal", None)
    record(team, Verb(change.value), **details)
