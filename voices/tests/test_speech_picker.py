"""The speech form's voice list in a large catalog: not every voice as an option (100,000
would be megabytes of page), but the chosen one, the team's clones, the voices spoken with
last and what a typed name finds; any speakable voice is still accepted."""

import pytest
from django.urls import reverse

from dashboard.tests.a11y import elements
from voices import forms
from voices.models import Generation, Kind
from voices.tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(team, connected, monkeypatch):
    """A catalog past the list's limit (3 here): twelve public voices, a clone."""
    monkeypatch.setattr(forms, "VOICES_LISTED", 3)
    a2e = connected["a2e"]
    public = [
        VoiceFactory(team=team, account=a2e, kind=Kind.PUBLIC, name=f"Crowd {n:02}", can_speak=True)
        for n in range(10)
    ]
    public.append(
        VoiceFactory(team=team, account=a2e, kind=Kind.PUBLIC, name="Narrator Emma", can_speak=True)
    )
    public.append(
        VoiceFactory(team=team, account=a2e, kind=Kind.PUBLIC, name="Leonard", can_speak=True)
    )
    clone = VoiceFactory(team=team, account=a2e, kind=Kind.CLONE, name="Our host", can_speak=True)
    return {"public": public, "clone": clone}


def _url(team, **params):
    url = reverse("voices_speech", kwargs={"team": team.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _listed(body):
    """The names in the voice list, without their kind and language."""
    names, in_picker = [], False
    for tag, attrs, text in elements(body, "select", "option"):
        if tag == "select":
            in_picker = attrs.get("name") == "voice"
        elif in_picker and attrs.get("value"):
            names.append(text.split(" · ")[0])
    return names


def _help(body):
    [(_t, _a, text)] = [e for e in elements(body, "span") if e[1].get("id") == "voice-find-help"]
    return text


def test_a_large_catalog_lists_the_clones_and_the_voices_spoken_with_last(
    member_client, team, catalog, member
):
    spoken = catalog["public"][4]
    member_client.post(_url(team), {"voice": spoken.pk, "text": "Hello.", "speech_rate": "1.0"})
    assert Generation.objects.filter(team=team, voice=spoken).exists()
    body = member_client.get(_url(team)).content.decode()
    assert sorted(_listed(body)) == sorted(["Our host", spoken.name])
    assert "type part of a name to find any other" in _help(body)
    # The box to find one by name, which works without JavaScript too (Find).
    [box] = [a for _t, a, _x in elements(body, "input") if a.get("name") == "voice_q"]
    assert box["form"] == "voice-find" and box.get("aria-label")


def test_a_typed_name_lists_the_voices_it_finds(member_client, team, catalog):
    body = member_client.get(_url(team, voice_q="nar")).content.decode()
    # "nar" begins a word of "Narrator Emma", not of "Leonard".
    assert sorted(_listed(body)) == ["Narrator Emma", "Our host"]
    assert _help(body).startswith("Found 1.")
    body = member_client.get(_url(team, voice_q="crowd")).content.decode()
    assert len([n for n in _listed(body) if n.startswith("Crowd")]) == 10


def test_a_name_that_finds_nothing_says_so(member_client, team, catalog):
    body = member_client.get(_url(team, voice_q="zebra")).content.decode()
    assert _listed(body) == ["Our host"]
    assert "No voice's name has “zebra”" in _help(body)


def test_the_voice_picked_in_the_catalog_is_listed_and_chosen(member_client, team, catalog):
    leonard = catalog["public"][-1]
    body = member_client.get(_url(team, voice=leonard.pk)).content.decode()
    assert "Leonard" in _listed(body)
    [chosen] = [a for _t, a, _x in elements(body, "option") if a.get("value") == str(leonard.pk)]
    assert "selected" in chosen


def test_any_speakable_voice_is_accepted_though_the_list_does_not_show_it(
    member_client, team, catalog
):
    unlisted = catalog["public"][7]
    response = member_client.post(
        _url(team), {"voice": unlisted.pk, "text": "Good morning.", "speech_rate": "1.0"}
    )
    assert response.status_code == 302
    assert Generation.objects.filter(team=team, voice=unlisted).count() == 1


def test_a_small_catalog_lists_every_voice_with_a_filter_in_the_page(
    member_client, team, connected
):
    for name in ("Ann", "Bea", "Cy"):
        VoiceFactory(
            team=team, account=connected["a2e"], kind=Kind.PUBLIC, name=name, can_speak=True
        )
    body = member_client.get(_url(team)).content.decode()
    assert _listed(body) == ["Ann", "Bea", "Cy"]
    assert not [a for _t, a, _x in elements(body, "input") if a.get("name") == "voice_q"]
    assert [a for _t, a, _x in elements(body, "input") if a.get("data-filter-select")]


def test_typing_a_name_asks_for_the_voice_list_alone_and_nothing_upstream(
    member_client, team, catalog, control
):
    before = len(
        control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()["requests"]
    )
    answer = member_client.get(
        _url(team, voice_q="nar"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="id_voice"
    )
    body = answer.content.decode()
    # What the find box swaps in: the list and the line under it, not the page.
    assert sorted(_listed(body)) == ["Narrator Emma", "Our host"]
    assert _help(body).startswith("Found 1.")
    assert "<textarea" not in body and "History" not in body
    after = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()["requests"]
    assert len(after) == before  # Respeecher's folders are not asked for
