"""A team whose Respeecher account is the shared sandbox (root conftest), and its seeding."""

import io

import pytest

from recordings import sync
from recordings.models import Folder, Recording
from sandbox import media
from teams.connection import client_for
from teams.tests.factories import ProviderAccountFactory


@pytest.fixture
def respeecher(team, sandbox_url, control):
    return ProviderAccountFactory(
        team=team,
        provider="respeecher",
        base_url=f"{sandbox_url}/respeecher",
        secret="sandbox-respeecher",
    )


@pytest.fixture
def seed(control):
    """Bulk-create frozen Respeecher records in the sandbox; returns their ids."""

    def seed(kind: str, count: int, **params) -> list[str]:
        answer = control.post("/_sandbox/seed", json={"kind": kind, "count": count, **params})
        answer.raise_for_status()
        return answer.json().get("ids", [])  # ids come back only up to 1,000

    return seed


@pytest.fixture
def take(respeecher, seed):
    """An original uploaded to a new sandbox folder and mirrored, so it has Respeecher's
    audio and waveform links: "Opening line", one second of tone. (Some modules have a
    `take` of their own.)"""
    folder_id = seed("respeecher.folder", 1)[0]
    audio = io.BytesIO(media.tone_wav(1.0))
    uploaded = client_for(respeecher).upload_recording(
        folder_id, audio, label="Opening line", filename="opening.wav"
    )
    sync.sync_account(respeecher)
    assert Folder.objects.filter(remote_id=folder_id).exists()
    return Recording.objects.get(account=respeecher, remote_id=uploaded.id)


@pytest.fixture
def requests_log(control):
    """The sandbox's Respeecher requests since the last call (each call clears the log)."""

    def read() -> list[dict]:
        log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
        control.delete("/_sandbox/requests").raise_for_status()
        return log["requests"]

    return read


@pytest.fixture
def world(respeecher, seed, control):
    """Two marketplace voices, a folder with two finished uploads, mirrored here."""
    seed("respeecher.voice", 2, name_prefix="Narrator")
    project = seed("respeecher.project", 1)[0]
    folder = seed("respeecher.folder", 1, project_id=project)[0]
    seed("respeecher.recording", 2, folder_id=folder)
    from recordings import sync
    from recordings.models import Folder, Recording
    from voices import sync as voices_sync
    from voices.models import Voice

    sync.sync_account(respeecher)
    voices_sync.sync_account(respeecher)
    control.delete("/_sandbox/requests").raise_for_status()
    folder = Folder.objects.get(remote_id=folder)
    return {
        "folder": folder,
        "voices": list(
            Voice.objects.filter(account=respeecher, name__startswith="Narrator").order_by("name")
        ),
        "takes": list(Recording.objects.originals().filter(folder=folder).order_by("pk")),
    }
