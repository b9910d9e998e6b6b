"""How jobs answer what teams asks (teams/signals.py), and stored files leaving with
their rows: a deleted result or upload (one at a time, or a whole team's) is removed
from storage once the deletion commits, so no orphan file stays behind."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from jobs import engine
from jobs.models import InputFile, Job, JobFile
from teams.signals import disconnecting, work_running


def _running(account):
    return Job.objects.filter(account=account).unfinished().order_by("created_at")


@receiver(work_running)
def running_jobs(sender, account, **kwargs):
    return list(_running(account).values_list("label", flat=True))


@receiver(disconnecting)
def stop_jobs(sender, account, user=None, **kwargs):
    """Cancel each unfinished job: for each, None when nothing of it runs on, else why."""
    outcomes = (engine.cancel(job, user=user) for job in _running(account))
    return [None if o.canceled and o.at_provider else o.message for o in outcomes]


@receiver(post_delete, sender=JobFile)
@receiver(post_delete, sender=InputFile)
def delete_stored_file(sender, instance, **kwargs):
    if instance.file and instance.file.name:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
