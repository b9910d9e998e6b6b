"""A text-to-speech list's voice is marked by a column, not by a "tts:" id prefix."""

from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Concat, Substr

PREFIX = "tts:"


def mark(apps, schema_editor):
    Voice = apps.get_model("voices", "Voice")
    Voice.objects.filter(remote_id__startswith=PREFIX).update(
        tts_list=True, remote_id=Substr("remote_id", len(PREFIX) + 1)
    )


def prefix(apps, schema_editor):
    Voice = apps.get_model("voices", "Voice")
    Voice.objects.filter(tts_list=True).update(remote_id=Concat(Value(PREFIX), "remote_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0007_quality_bands_in_per_cent"),
    ]

    operations = [
        # The old key goes first: without its prefix a voice's id may equal another's.
        migrations.RemoveConstraint(
            model_name="voice",
            name="one_voice_per_remote_record",
        ),
        migrations.AddField(
            model_name="voice",
            name="tts_list",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark, prefix),
        migrations.AddConstraint(
            model_name="voice",
            constraint=models.UniqueConstraint(
                fields=("team", "provider", "tts_list", "remote_id"),
                name="one_voice_per_remote_record",
            ),
        ),
    ]
