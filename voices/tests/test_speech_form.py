"""The speech form as a producer meets it: voices grouped by provider, a Respeecher
folder marked required before sending, and the chosen voice kept after Speak."""

import pytest
from django.urls import reverse

from dashboard.tests.a11y import elements
from jobs.models import Job
from voices.models import Generation, Kind
from voices.tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db

# The sandbox's seed Respeecher folder.
SEED_FOLDER = "00000000-0000-0000-0000-000000000001"


def _speech_url(team):
    return reverse("voices_speech", kwargs={"team": team.slug})


def _respeecher_voice(team, account, name="Rita"):
    return VoiceFactory(
        team=team,
        account=account,
        kind=Kind.PUBLIC,
        name=name,
        can_speak=True,
        raw={"narration_styles": [{"id": "ns1", "is_default": True, "name": "Calm"}]},
    )


def _groups(body):
    """{optgroup label: [option texts]} of the voice picker; "" holds ungrouped voices."""
    groups, in_picker, group = {}, False, ""
    for tag, attrs, text in elements(body, "select", "optgroup", "option"):
        if tag == "select":
            in_picker, group = attrs.get("name") == "voice", ""
        elif in_picker and tag == "optgroup":
            group = attrs["label"]
        elif in_picker and attrs.get("value"):
            groups.setdefault(group, []).append(text)
    return groups


def _field(body, tag, name):
    [attrs] = [a for _t, a, _x in elements(body, tag) if a.get("name") == name]
    return attrs


def test_the_voice_picker_groups_voices_under_their_providers_names(member_client, team, connected):
    VoiceFactory(team=team, account=connected["a2e"], kind=Kind.PUBLIC, name="Ann", can_speak=True)
    _respeecher_voice(team, connected["respeecher"], name="Rita")
    body = member_client.get(_speech_url(team)).content.decode()
    groups = _groups(body)
    assert set(groups) == {"A2E", "Respeecher"}
    assert [t.split(" · ")[0] for t in groups["A2E"]] == ["Ann"]
    assert [t.split(" · ")[0] for t in groups["Respeecher"]] == ["Rita"]


def test_a_respeecher_voice_without_a_folder_is_refused_with_the_folder_marked(
    member_client, team, connected, control
):
    voice = _respeecher_voice(team, connected["respeecher"])
    # Before sending: the folder is required and says so, on the page and to the browser.
    chosen = member_client.get(_speech_url(team), {"voice": voice.pk}).content.decode()
    folder = _field(chosen, "select", "folder")
    assert "required" in folder
    [(_t, _a, label)] = [e for e in elements(chosen, "label") if e[1].get("for") == folder["id"]]
    assert "required" in label

    response = member_client.post(_speech_url(team), {"voice": voice.pk, "text": "Hi"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose the folder to make the speech in." in body
    # The message is the folder's own: announced with it, pointing at an element that exists.
    folder = _field(body, "select", "folder")
    assert folder.get("aria-invalid") == "true"
    ids = {a.get("id") for _t, a, _x in elements(body, "ul", "span", "div", "p")}
    described = folder["aria-describedby"].split()
    assert described and all(i in ids for i in described)
    assert f'id="{folder["id"]}_error"' in body
    assert not Job.objects.exists() and not Generation.objects.exists()
    log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
    assert [r for r in log["requests"] if r["method"] == "POST"] == []


def test_after_speak_the_form_comes_back_with_the_same_voice_and_folder(
    member_client, team, connected
):
    _respeecher_voice(team, connected["respeecher"], name="Other")
    voice = _respeecher_voice(team, connected["respeecher"], name="Rita")
    response = member_client.post(
        _speech_url(team),
        {"voice": voice.pk, "text": "Chapter one.", "folder": SEED_FOLDER},
        follow=True,
    )
    assert Generation.objects.filter(team=team, voice=voice).exists()
    body = response.content.decode()
    [chosen] = [a for _t, a, _x in elements(body, "option") if a.get("value") == str(voice.pk)]
    assert "selected" in chosen
    # Its provider's settings are still there, with the folder it spoke into.
    [folder] = [a for _t, a, _x in elements(body, "option") if a.get("value") == SEED_FOLDER]
    assert "selected" in folder
    # The text was spoken: the box is empty for the next line.
    [(_t, _a, text)] = [e for e in elements(body, "textarea") if e[1].get("name") == "text"]
    assert text == ""


def test_every_field_of_the_speech_form_is_labelled_and_described_by_what_exists(
    member_client, team, connected
):
    VoiceFactory(team=team, account=connected["a2e"], kind=Kind.CLONE, name="Mine", can_speak=True)
    _respeecher_voice(team, connected["respeecher"])
    body = member_client.get(_speech_url(team)).content.decode()
    labelled = {a.get("for") for _t, a, _x in elements(body, "label")}
    ids = {a.get("id") for _t, a, _x in elements(body, *TAGS) if a.get("id")}
    form_fields = [
        a
        for _t, a, _x in elements(body, "input", "select", "textarea")
        if a.get("type") not in ("hidden", "search") and a.get("name")
    ]
    assert {a["name"] for a in form_fields} >= {"voice", "text", "folder", "semitones", "region"}
    for attrs in form_fields:
        assert attrs.get("id") in labelled, attrs["name"]
        for target in (attrs.get("aria-describedby") or "").split():
            assert target in ids, (attrs["name"], target)
    # Words a producer uses: no "short code", pitch says what it does.
    assert "short code" not in body and "Pitch (semitones)" in body


TAGS = ("span", "ul", "div", "p", "small")
