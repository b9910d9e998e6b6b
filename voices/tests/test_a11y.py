"""The catalog and a voice's page for people using a screen reader: every sample player
and every star button has a name."""

import pytest
from django.urls import reverse

from dashboard.tests.a11y import button_name, elements, unnamed_media
from voices.tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db


def _stars(body):
    return [(a, t) for _tag, a, t in elements(body, "button") if "star" in a.get("class", "")]


def test_every_star_says_which_voice_it_favours_and_whether_it_is_on(member_client, team):
    VoiceFactory(team=team, name="Ada", favorite=True)
    VoiceFactory(team=team, account__provider="respeecher", name="Bo")
    body = member_client.get(reverse("voices", kwargs={"team": team.slug})).content.decode()
    stars = {button_name(a, t): a["aria-pressed"] for a, t in _stars(body)}
    # The name stays put when pressed; the glyph (★/☆) is hidden from the name.
    assert stars == {"Star: Ada": "true", "Star: Bo": "false"}


def test_a_star_answered_by_htmx_keeps_its_name(member_client, team):
    voice = VoiceFactory(team=team, name="Cy")
    url = reverse("voice_favorite", kwargs={"team": team.slug, "voice_id": voice.pk})
    body = member_client.post(url, {"favorite": "1"}, HTTP_HX_REQUEST="true").content.decode()
    [(attrs, text)] = _stars(body)
    assert button_name(attrs, text) == "Star: Cy" and attrs["aria-pressed"] == "true"


def test_every_sample_player_names_its_voice(member_client, team):
    voice = VoiceFactory(team=team, name="Dee", sample_url="https://cdn.example/dee.mp3")
    catalog = member_client.get(reverse("voices", kwargs={"team": team.slug})).content.decode()
    sample = reverse("voice_sample", kwargs={"team": team.slug, "voice_id": voice.pk})
    # The catalog's rows offer one control, which asks for the player when pressed.
    [button] = [a for _tag, a, _text in elements(catalog, "a") if a.get("hx-get") == sample]
    assert button["aria-label"] == "Play a sample of Dee"
    player = member_client.get(sample).content.decode()
    page = member_client.get(voice.get_absolute_url()).content.decode()
    for body in (player, page):
        assert elements(body, "audio") and not unnamed_media(body)
        assert all("Dee" in a["aria-label"] for _tag, a, _text in elements(body, "audio"))
