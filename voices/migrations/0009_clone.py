"""Clones get a row of their own beside their job; every clone job already here gets
one, linked to the voice it made when that is in the catalog."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CLONE_KINDS = ("a2e.voice_clone", "burki.cloned_voice")
BATCH = 1000


def backfill(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    Clone = apps.get_model("voices", "Clone")
    Voice = apps.get_model("voices", "Voice")
    jobs = Job.objects.filter(kind__in=CLONE_KINDS, clone__isnull=True).order_by("pk")
    rows = []
    for job in jobs.iterator(chunk_size=BATCH):
        voice = None
        if job.status == "completed" and job.remote_id and job.account_id:
            voice = Voice.objects.filter(
                account_id=job.account_id, tts_list=False, remote_id=job.remote_id
            ).first()
        rows.append(
            Clone(
                team_id=job.team_id,
                job_id=job.pk,
                voice=voice,
                name=str((job.params or {}).get("name") or job.label)[:200],
                created_by_id=job.created_by_id,
                created_at=job.created_at,
            )
        )
    Clone.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0009_one_respeecher_speech_kind"),
        ("teams", "0002_provideraccount_secret_origin"),
        ("voices", "0008_voice_tts_list"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Clone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "job",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clone",
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
                (
                    "voice",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="clones",
                        to="voices.voice",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
