"""Uploads and speech into a folder get a row of their own linking the job to its
folder (the folder's page listed them by a key of the job's parameters); every such job
already here gets one, while its folder is still in the mirror."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

ARRIVALS = {"respeecher.upload": "upload", "respeecher.speech": "speech"}
BATCH = 1000


def backfill(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    Arrival = apps.get_model("recordings", "Arrival")
    Folder = apps.get_model("recordings", "Folder")
    jobs = Job.objects.filter(kind__in=ARRIVALS, arrival__isnull=True).order_by("pk")
    wanted = []
    for job in jobs.only("pk", "team_id", "kind", "params", "created_at").iterator(
        chunk_size=BATCH
    ):
        folder_pk = (job.params or {}).get("folder_pk")
        if isinstance(folder_pk, int):  # speech from the Voices page has none
            wanted.append((job, folder_pk))
    folders = set(
        Folder.objects.filter(pk__in={pk for _, pk in wanted}).values_list("pk", "team_id")
    )
    Arrival.objects.bulk_create(
        [
            Arrival(
                team_id=job.team_id,
                job_id=job.pk,
                folder_id=folder_pk,
                kind=ARRIVALS[job.kind],
                created_at=job.created_at,
            )
            for job, folder_pk in wanted
            if (folder_pk, job.team_id) in folders
        ],
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0009_one_respeecher_speech_kind"),
        ("recordings", "0003_orders"),
        ("teams", "0002_provideraccount_secret_origin"),
    ]

    operations = [
        migrations.CreateModel(
            name="Arrival",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("upload", "Upload"), ("speech", "Speech")], max_length=10
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "folder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="arrivals",
                        to="recordings.folder",
                    ),
                ),
                (
                    "job",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="arrival",
                        to="jobs.job",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="teams.team",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
