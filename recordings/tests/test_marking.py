"""Starring and labelling takes against the sandbox over real HTTP: Respeecher first, the
row from its answer, htmx answered with the small partial, refusals kept with their
reason, and an over-long label stopped before any call (the request log stays empty)."""

import json

import pytest
from django.urls import reverse

from activity.models import Activity
from recordings import sync
from recordings.tests.factories import RecordingFactory
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]

MISSING = "9b1d5b7e-0000-4000-8000-000000000000"  # a well-formed id Respeecher lacks


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _toasts(response) -> list[str]:
    trigger = json.loads(response.headers.get("HX-Trigger") or "{}")
    return [t["message"] for t in trigger.get("toasts", [])]


def test_the_take_page_plays_respeechers_audio_and_waveform_through_us(viewer_client, team, take):
    html = viewer_client.get(_url(team, "recordings_take", recording_id=take.pk)).content
    html = html.decode()
    audio = _url(team, "recordings_media", recording_id=take.pk, part="audio")
    waveform = _url(team, "recordings_media", recording_id=take.pk, part="waveform")
    # Our own origin: the CSP allows media and images from 'self' only.
    assert f'src="{audio}"' in html and f'src="{waveform}"' in html
    assert 'aria-label="Take: Opening line"' in html
    played = viewer_client.get(audio)
    body = b"".join(played.streaming_content)
    assert body.startswith(b"RIFF") and played["Content-Type"] == "audio/wav"
    assert played["Content-Length"] == str(len(body))
    assert played["Content-Security-Policy"] == "sandbox"
    picture = viewer_client.get(waveform)
    assert picture["Content-Type"].startswith("image/")
    assert b"".join(picture.streaming_content)


def test_a_file_respeecher_will_not_send_is_a_502_with_its_reason(
    viewer_client, team, take, control
):
    control.post(
        "/_sandbox/faults", json={"path": "/respeecher/*", "method": "GET", "status": {"500": 1}}
    ).raise_for_status()
    try:
        answer = viewer_client.get(
            _url(team, "recordings_media", recording_id=take.pk, part="audio")
        )
    finally:
        control.delete("/_sandbox/faults")
    assert answer.status_code == 502 and b"Respeecher did not send it" in answer.content


def test_a_take_is_starred_and_unstarred_live_upstream_first(member_client, team, take):
    url = _url(team, "recordings_star", recording_id=take.pk)
    response = member_client.post(url, {"starred": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div class="mark row" id="mark-{take.pk}"')
    assert 'aria-pressed="true"' in html and "<html" not in html
    assert client_for(take.account).get_recording(take.remote_id).starred is True
    take.refresh_from_db()
    assert take.starred

    response = member_client.post(url, {"starred": "0"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in response.content.decode()
    assert client_for(take.account).get_recording(take.remote_id).starred is False
    take.refresh_from_db()
    assert not take.starred
    verbs = list(Activity.objects.filter(team=team).values_list("verb", flat=True))
    assert {"recording.starred", "recording.unstarred"} <= set(verbs)


def test_a_label_is_saved_at_respeecher_then_here(member_client, team, take):
    url = _url(team, "recordings_label", recording_id=take.pk)
    response = member_client.post(url, {"label": "Take two, warmer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'value="Take two, warmer"' in response.content.decode()
    assert client_for(take.account).get_recording(take.remote_id).label == "Take two, warmer"
    take.refresh_from_db()
    assert take.label == "Take two, warmer"
    # The row holds Respeecher's answer as a sync would: the next sync changes nothing.
    assert not sync.sync_account(take.account).changed


def test_without_htmx_a_label_goes_back_to_the_take_page(member_client, team, take):
    url = _url(team, "recordings_label", recording_id=take.pk)
    response = member_client.post(url, {"label": "Plain form"})
    assert response.status_code == 302 and response["Location"] == take.get_absolute_url()
    take.refresh_from_db()
    assert take.label == "Plain form"


def test_a_41_character_label_makes_no_upstream_call(member_client, team, take, requests_log):
    requests_log()  # what setting up the take asked for
    url = _url(team, "recordings_label", recording_id=take.pk)
    response = member_client.post(url, {"label": "x" * 41}, HTTP_HX_REQUEST="true")
    assert "40 characters or fewer" in response.content.decode()
    assert requests_log() == []
    take.refresh_from_db()
    assert take.label == "Opening line"
    assert client_for(take.account).get_recording(take.remote_id).label == "Opening line"


def test_a_refused_star_keeps_the_row_and_toasts_the_reason(member_client, team, respeecher):
    recording = RecordingFactory(
        project__team=team, project__account=respeecher, remote_id=MISSING, label="Kept"
    )
    url = _url(team, "recordings_star", recording_id=recording.pk)
    response = member_client.post(url, {"starred": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    (toast,) = _toasts(response)
    assert toast.startswith("Respeecher did not save the star") and "not found" in toast.lower()
    assert 'aria-pressed="false"' in response.content.decode()
    recording.refresh_from_db()
    assert not recording.starred
    assert Activity.objects.get(team=team, verb="recording.starred").failed

    response = member_client.post(url, {"starred": "1"}, follow=True)
    assert "Respeecher did not save the star" in response.content.decode()


def test_a_refused_label_keeps_the_old_one(member_client, team, respeecher):
    recording = RecordingFactory(
        project__team=team, project__account=respeecher, remote_id=MISSING, label="Kept"
    )
    url = _url(team, "recordings_label", recording_id=recording.pk)
    response = member_client.post(url, {"label": "New"}, HTTP_HX_REQUEST="true")
    (toast,) = _toasts(response)
    assert toast.startswith("Respeecher did not save the label")
    assert 'value="Kept"' in response.content.decode()
    recording.refresh_from_db()
    assert recording.label == "Kept"
