"""Speech from the Voices page (`respeecher.tts`) becomes the folder's speech kind
(`respeecher.speech`) with a conversion step: its rows, finished or in flight, are
renamed and their parameters mapped, so jobs in flight finish under the one kind.

Their originals and conversions were labelled with the bare marker; the one kind
still recognises that (recordings.uploading.carries_marker) and gives them the label
new ones get, the text's first words (recordings.uploading.first_words, copied here
as migrations must not change when the code does)."""

from django.db import migrations

OLD, NEW = "respeecher.tts", "respeecher.speech"
LABEL_MAX = 40
BATCH = 1000


def first_words(text: str) -> str:
    words = " ".join((text or "").split())
    if len(words) <= LABEL_MAX:
        return words
    head = words[:LABEL_MAX]
    head = head[: head.rindex(" ")] if " " in head else head[: LABEL_MAX - 1]
    return head.rstrip(" ,;:") + "…"


def to_one_kind(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    rows = []
    for job in Job.objects.filter(kind=OLD).only("pk", "params").iterator(chunk_size=BATCH):
        old = job.params or {}
        job.kind = NEW
        job.params = {
            "folder_pk": None,
            "folder_id": old.get("folder_id", ""),
            "label": first_words(old.get("text", "")),
            "text": old.get("text", ""),
            "language": old.get("language", ""),
            "voice_id": old.get("voice_id", ""),
            "narration_style_id": old.get("narration_style_id", ""),
            "semitones": old.get("semitones"),
            "calibration_id": old.get("calibration_id", ""),
        }
        rows.append(job)
    Job.objects.bulk_update(rows, ["kind", "params"], batch_size=BATCH)


def to_two_kinds(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    rows = []
    for job in Job.objects.filter(kind=NEW).only("pk", "params").iterator(chunk_size=BATCH):
        new = job.params or {}
        if not new.get("voice_id"):
            continue
        job.kind = OLD
        job.params = {
            key: new.get(key, default)
            for key, default in (
                ("text", ""),
                ("folder_id", ""),
                ("voice_id", ""),
                ("narration_style_id", ""),
                ("language", ""),
                ("semitones", None),
                ("calibration_id", ""),
            )
        }
        rows.append(job)
    Job.objects.bulk_update(rows, ["kind", "params"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0008_each_hold_its_own_column")]

    operations = [migrations.RunPython(to_one_kind, to_two_kinds)]
