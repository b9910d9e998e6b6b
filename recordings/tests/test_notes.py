"""A take's note against the sandbox over real HTTP: added from the folder page's row,
edited and deleted on the take page, each at Respeecher first (the request log shows the
call), mirrored on the row so lists show it; empty or over-long text is refused unsent."""

import json

import pytest
from django.urls import reverse

from activity.models import Activity
from recordings import sync
from recordings.models import Recording
from recordings.tests.factories import RecordingFactory
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _notes_calls(requests_log) -> list[tuple[str, dict]]:
    return [(r["method"], r.get("json")) for r in requests_log() if r["path"].endswith("/notes")]


def _toasts(response) -> list[str]:
    trigger = json.loads(response.headers.get("HX-Trigger") or "{}")
    return [t["message"] for t in trigger.get("toasts", [])]


def test_a_note_added_on_the_folder_row_is_sent_then_shown_without_asking_again(
    member_client, team, take, requests_log
):
    folder_page = member_client.get(take.folder.get_absolute_url()).content.decode()
    note_url = _url(team, "recordings_note", recording_id=take.pk)
    assert f'hx-post="{note_url}"' in folder_page and "Add a note" in folder_page
    requests_log()

    response = member_client.post(
        note_url, {"text": " Breathe before line 2 "}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div class="note" id="note-{take.pk}"')
    assert "Breathe before line 2" in html and "<html" not in html
    assert _toasts(response) == ["Note added at Respeecher."]
    [(method, body)] = _notes_calls(requests_log)
    assert method == "POST" and body == {
        "recording_id": take.remote_id,
        "text": "Breathe before line 2",
    }
    take.refresh_from_db()
    assert take.note_text == "Breathe before line 2" and take.note_remote_id
    assert client_for(take.account).get_recording(take.remote_id).note.text == (
        "Breathe before line 2"
    )
    requests_log()
    # The folder's list shows it from the row: no call to Respeecher.
    page = member_client.get(take.folder.get_absolute_url()).content.decode()
    assert "Breathe before line 2" in page and "Edit the note" in page
    assert requests_log() == []
    # Mirrored as a sync would: the next sync has nothing to rewrite.
    assert not sync.sync_account(take.account, full=True).changed
    assert Activity.objects.filter(team=team, verb="recording.noted").exists()


def test_a_note_is_edited_and_deleted_on_the_take_page(member_client, team, take, requests_log):
    note_url = _url(team, "recordings_note", recording_id=take.pk)
    member_client.post(note_url, {"text": "First thought"})
    take.refresh_from_db()
    note_id = take.note_remote_id
    requests_log()

    response = member_client.post(note_url, {"text": "Second thought"})
    assert response.status_code == 302 and response["Location"] == take.get_absolute_url()
    [(method, body)] = _notes_calls(requests_log)
    assert method == "PUT" and body == {"id": note_id, "text": "Second thought"}
    page = member_client.get(take.get_absolute_url()).content.decode()
    assert "Second thought" in page and "Note saved at Respeecher." in page
    delete_url = _url(team, "recordings_note_delete", recording_id=take.pk)
    # Asked before it goes (app.js reads data-confirm).
    assert (
        f'action="{delete_url}"' in page
        and 'data-confirm="Delete the note on Opening line?' in page
    )

    response = member_client.post(delete_url, HTTP_HX_REQUEST="true")
    assert _toasts(response) == ["Note deleted at Respeecher and here."]
    assert "Second thought" not in response.content.decode()
    [(method, body)] = _notes_calls(requests_log)
    assert method == "DELETE" and body == {"id": note_id}
    take.refresh_from_db()
    assert (take.note_remote_id, take.note_text) == ("", "")
    assert client_for(take.account).get_recording(take.remote_id).note is None
    assert not sync.sync_account(take.account, full=True).changed


def test_a_note_made_at_respeecher_arrives_with_a_sync(member_client, team, take):
    client_for(take.account).create_note(take.remote_id, "Left at Respeecher")
    sync.sync_account(take.account, full=True)
    take.refresh_from_db()
    assert take.note_text == "Left at Respeecher"
    assert (
        "Left at Respeecher" in member_client.get(take.folder.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write the note first: it is empty."),
        ("a\x00b", "The note holds a null character, which cannot be saved: remove it."),
        (
            "x" * (Recording.NOTE_MAX + 1),
            "Keep the note to 1,000 characters or fewer; it has 1,001.",
        ),
    ],
)
def test_an_empty_or_over_long_note_is_refused_unsent(
    member_client, team, take, requests_log, text, message
):
    requests_log()
    url = _url(team, "recordings_note", recording_id=take.pk)
    response = member_client.post(url, {"text": text}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert message in html and 'role="alert"' in html and 'aria-invalid="true"' in html
    assert requests_log() == []
    take.refresh_from_db()
    assert take.note_text == ""
    assert client_for(take.account).get_recording(take.remote_id).note is None


def test_a_note_of_exactly_the_limit_is_sent(member_client, team, take, requests_log):
    requests_log()
    url = _url(team, "recordings_note", recording_id=take.pk)
    member_client.post(url, {"text": "y" * Recording.NOTE_MAX})
    assert [m for m, _ in _notes_calls(requests_log)] == ["POST"]


@pytest.mark.parametrize("name", ["recordings_note", "recordings_note_delete"])
def test_notes_need_a_member_of_the_team(
    client, viewer_client, member_client, team, other_team, name
):
    theirs = RecordingFactory(team=other_team, project__team=other_team)
    assert member_client.post(_url(other_team, name, recording_id=theirs.pk)).status_code == 404
    mine = RecordingFactory(team=team, project__team=team)
    answer = client.post(_url(team, name, recording_id=mine.pk), {"text": "hi"})
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert viewer_client.post(_url(team, name, recording_id=mine.pk)).status_code == 403
