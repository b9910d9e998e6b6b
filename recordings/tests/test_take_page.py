"""The take page's own Delete (confirmed, at Respeecher first, then back to the folder)
and its export of the starred conversions only, against the sandbox over real HTTP."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from recordings.models import Recording
from recordings.tests.factories import RecordingFactory
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def test_the_take_page_deletes_its_take_after_asking(member_client, team, take, requests_log):
    delete_url = _url(team, "recordings_take_delete", recording_id=take.pk)
    page = member_client.get(take.get_absolute_url()).content.decode()
    assert f'href="{delete_url}"' in page
    requests_log()

    confirm = member_client.get(delete_url).content.decode()
    assert "Delete “Opening line”?" in confirm and "cannot be undone" in confirm
    assert requests_log() == []  # asking sends nothing

    answer = member_client.post(delete_url)

    assert answer.status_code == 302 and answer["Location"] == take.folder.get_absolute_url()
    calls = [(r["method"], r["path"]) for r in requests_log()]
    assert calls == [("DELETE", f"/respeecher/api/recordings/{take.remote_id}")]
    assert not Recording.objects.filter(pk=take.pk).exists()
    folder_page = member_client.get(answer["Location"]).content.decode()
    assert "Deleted “Opening line” at Respeecher and here." in folder_page


def test_deleting_a_take_needs_a_member_of_its_team(
    client, viewer_client, member_client, team, other_team
):
    theirs = RecordingFactory(team=other_team, project__team=other_team)
    url = _url(other_team, "recordings_take_delete", recording_id=theirs.pk)
    assert member_client.get(url).status_code == 404
    assert member_client.post(url).status_code == 404
    mine = RecordingFactory(team=team, project__team=team)
    url = _url(team, "recordings_take_delete", recording_id=mine.pk)
    answer = client.get(url)
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert viewer_client.post(url).status_code == 403
    assert Recording.objects.filter(pk=mine.pk).exists()


def _names(response) -> list[dict]:
    body = b"".join(response.streaming_content)
    return json.loads(zipfile.ZipFile(io.BytesIO(body)).read("manifest.json"))


def test_the_take_page_exports_only_the_starred(member_client, team, take, control, requests_log):
    made = control.post(
        "/_sandbox/seed",
        json={
            "kind": "respeecher.recording",
            "count": 2,
            "folder_id": take.folder.remote_id,
            "original_id": take.remote_id,
            "state": "done",
        },
    ).json()["ids"]
    client_for(take.account).update_recording(made[0], starred=True)
    starred_url = _url(team, "recordings_take_export", recording_id=take.pk) + "?starred=1"
    assert f'href="{starred_url}"' in member_client.get(take.get_absolute_url()).content.decode()
    requests_log()

    answer = member_client.get(starred_url)

    assert answer.status_code == 200
    assert [r["id"] for r in _names(answer)] == [made[0]]
    [call] = [r for r in requests_log() if r["path"].endswith("/api/recordings/export")]
    assert "starred_only=true" in call["query"]
    every = member_client.get(_url(team, "recordings_take_export", recording_id=take.pk))
    assert {r["id"] for r in _names(every)} >= set(made)
    [call] = [r for r in requests_log() if r["path"].endswith("/api/recordings/export")]
    assert "starred_only" not in call["query"]
