"""The catalog's rows in people's words: genders A2E gives only in names, one sample
control, one set of status words, and "Speak" only for voices the speech page can use."""

import pytest
from django.urls import reverse

from voices import sync
from voices.forms import SpeechForm
from voices.models import Kind, Voice
from voices.tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db


def _catalog(client, team) -> str:
    return client.get(reverse("voices", kwargs={"team": team.slug})).content.decode()


@pytest.mark.integration
def test_a2e_public_voices_take_their_gender_from_their_names(team, connected):
    sync.sync_account(connected["a2e"])

    public = Voice.objects.for_team(team).filter(provider="a2e", kind=Kind.PUBLIC)
    assert public.get(name="Alvaro (male)").gender == "male"
    assert public.get(name="Elvira (female)").gender == "female"


def test_a2e_clones_without_a_gender_take_it_from_their_names():
    from types import SimpleNamespace

    def clone(name, gender):
        return SimpleNamespace(
            id="c1",
            name=name,
            language="en",
            gender=gender,
            status="completed",
            state="completed",
            voice_urls=[],
            raw={},
        )

    assert sync.a2e_clone_record(clone("Narrator (Female)", None))["gender"] == "female"
    assert sync.a2e_clone_record(clone("Narrator (female)", "male"))["gender"] == "male"
    assert sync.a2e_clone_record(clone("Femaleish", None))["gender"] == ""


def test_every_voice_with_a_sample_gets_the_same_sample_control(owner_client, team):
    linked = VoiceFactory(team=team, name="Linked", sample_url="https://cdn.example/l.wav")
    asked = VoiceFactory(team=team, name="Asked", account__provider="respeecher", has_sample=True)
    VoiceFactory(team=team, name="Silent")

    body = _catalog(owner_client, team)

    assert "<audio" not in body  # no player until someone asks for one
    for voice in (linked, asked):
        url = reverse("voice_sample", kwargs={"team": team.slug, "voice_id": voice.pk})
        assert (
            f'<a class="button small" href="{url}"\n         hx-get="{url}" hx-swap="outerHTML" '
            f'aria-label="Play a sample of {voice.name}">▶ Sample</a>'
        ) in body
    assert body.count("▶ Sample") == 2


def test_a_status_pill_is_coloured_by_its_word_not_by_another_rule(owner_client, team):
    # Burki's clone can speak in its calls, but it is archived: the pill says so alone.
    VoiceFactory(team=team, account__provider="burki", status="archived", can_speak=True)
    VoiceFactory(team=team, status="sent", can_speak=False)

    body = _catalog(owner_client, team)

    assert '<span class="pill pill-processing">Archived</span>' in body
    assert '<span class="pill pill-processing">Training</span>' in body
    assert "pill-completed" not in body


def test_speak_is_offered_for_exactly_the_voices_the_speech_form_lists(owner_client, team):
    a2e = VoiceFactory(team=team, name="A2E public", kind=Kind.PUBLIC)
    clone = VoiceFactory(team=team, name="A2E clone")
    respeecher = VoiceFactory(team=team, name="Marketplace", account__provider="respeecher")
    VoiceFactory(team=team, name="Old TTS", account__provider="respeecher", tts_list=True)
    VoiceFactory(team=team, name="Burki clone", account__provider="burki", status="ready")
    VoiceFactory(team=team, name="Training", status="sent", can_speak=False)

    body = _catalog(owner_client, team)

    speech = reverse("voices_speech", kwargs={"team": team.slug})
    offered = {v.name for v in Voice.objects.all() if f'href="{speech}?voice={v.pk}"' in body}
    listed = {v.name for v in SpeechForm(team=team).fields["voice"].queryset}
    assert offered == listed == {a2e.name, clone.name, respeecher.name}
    assert body.count(">Speak</a>") == 3


def test_a_burki_voice_page_does_not_say_it_can_speak(owner_client, team):
    voice = VoiceFactory(team=team, account__provider="burki", status="ready")

    body = owner_client.get(voice.get_absolute_url()).content.decode()

    assert "can speak" not in body and "Speak with this voice" not in body
