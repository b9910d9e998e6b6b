"""Speech from the Voices page became the folder's speech kind: a job of the old kind
in flight when the migration runs is renamed, and still finishes under the new one."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dashboard import processes
from jobs.models import Job, Status
from recordings.uploading import RespeecherSpeech
from teams.connection import client_for
from teams.tests.factories import ProviderAccountFactory

BEFORE = [("jobs", "0008_each_hold_its_own_column")]
AFTER = [("jobs", "0009_one_respeecher_speech_kind")]
# The sandbox's seed folder (docs/upstream/examples).
FOLDER = "00000000-0000-0000-0000-000000000001"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_voices_speech_in_flight_finishes_under_the_one_kind(
    team, sandbox_url, control, run_to_the_end
):
    account = ProviderAccountFactory(
        team=team,
        provider="respeecher",
        base_url=f"{sandbox_url}/respeecher",
        secret="sandbox-respeecher",
    )
    seeded = control.post("/_sandbox/seed", json={"kind": "respeecher.voice", "count": 1})
    (voice_id,) = seeded.json()["ids"]
    client = client_for(account)
    text = "Hello from before the kinds were one, spoken in a voice."
    try:
        OldJob = _migrate(BEFORE).get_model("jobs", "Job")
        old = OldJob.objects.create(
            team_id=team.pk,
            account_id=account.pk,
            provider="respeecher",
            kind="respeecher.tts",
            label=f"Speech: {text}",
            status=Status.PROCESSING,
            next_poll_at=timezone.now(),
            params={
                "text": text,
                "folder_id": FOLDER,
                "voice_id": voice_id,
                "narration_style_id": "ns-1",
                "language": "",
                "semitones": None,
                "calibration_id": "",
            },
        )
        # The old kind sent the bare marker as the original's label.
        original = client.create_tts_recording(FOLDER, text, label=old.marker)
        OldJob.objects.filter(pk=old.pk).update(remote_id=original.id)
        _migrate(AFTER)
    finally:
        _migrate(_latest())  # whatever happened, leave the schema the other tests expect
    job = Job.objects.get(pk=old.pk)
    assert job.kind == RespeecherSpeech.name and job.kind_label == "Speech"
    processes.wait_until(
        lambda: client.get_recording(original.id).state == "completed", 10, what="spoken"
    )

    job = run_to_the_end(job)

    assert job.status == Status.COMPLETED, job.failure_message
    assert job.made.label == "Listen" and job.files.get().media_kind == "audio"
    (conversion,) = client.iter_conversions(original.id)
    label = "Hello from before the kinds were one…"
    assert client.get_recording(original.id).label == conversion.label == label
