"""Each hold on a job gets its own column; `held_until`, which three shared, goes.

A job's state says which hold its `held_until` was: only a submitting job can have
the submit hold (it is freed as the job leaves submitting), only a processing one the
step hold (freed as it finishes), and only one whose results are still being copied
the results hold (a step hold is freed when the job finishes, before any copy is
taken). Anything else held nothing: its `held_until` is dropped."""

from django.db import migrations, models


def split(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    held = Job.objects.filter(held_until__isnull=False)
    held.filter(results_state="pending").update(results_held_until=models.F("held_until"))
    rest = held.exclude(results_state="pending")
    rest.filter(status="submitting").update(submit_held_until=models.F("held_until"))
    rest.filter(status="processing").update(step_held_until=models.F("held_until"))


def join(apps, schema_editor):
    # Back to one column: a job's holds never overlap in the states above, so at most
    # one of them is set; a lapsed one is as good as empty.
    Job = apps.get_model("jobs", "Job")
    for column in ("submit_held_until", "step_held_until", "results_held_until"):
        Job.objects.filter(**{f"{column}__isnull": False}).update(held_until=models.F(column))


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0007_results_tries"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="submit_held_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="job",
            name="step_held_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="job",
            name="results_held_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(split, join),
        migrations.RemoveField(model_name="job", name="held_until"),
    ]
