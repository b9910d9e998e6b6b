"""A Respeecher voice's page: a player for each accent's sample, and marking a narration
style or an accent as the voice's favourite at Respeecher. Against the sandbox."""

import pytest
from django.urls import reverse

from voices import sync
from voices.models import Voice
from voices.tests.factories import VoiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def respeecher_log(control):
    """The sandbox's Respeecher requests since the last call (each call clears the log)."""

    def read() -> list[dict]:
        log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
        control.delete("/_sandbox/requests").raise_for_status()
        return log["requests"]

    return read


@pytest.fixture
def marcus(team, connected, control, respeecher_log):
    """A marketplace voice with three accents and two narration styles."""
    seed = {"kind": "respeecher.voice", "count": 1, "name_prefix": "Marcus"}
    seed.update(accents=["GB", "US", "AU"], narration_styles=2)
    control.post("/_sandbox/seed", json=seed).raise_for_status()
    sync.sync_account(connected["respeecher"])
    respeecher_log()
    return Voice.objects.get(team=team, provider="respeecher", name="Marcus 000001")


def test_each_accent_has_a_player_fetched_only_when_played(
    member_client, team, marcus, respeecher_log
):
    page = member_client.get(marcus.get_absolute_url()).content.decode()
    assert respeecher_log() == []  # drawing the page asks Respeecher nothing
    assert len(marcus.accents) == 3
    for accent in marcus.accents:
        src = reverse(
            "voice_accent_audio",
            kwargs={"team": team.slug, "voice_id": marcus.pk, "accent_id": accent["id"]},
        )
        assert f'preload="none" src="{src}"' in page
        assert f"with the {accent['name']} accent" in page
    british = next(a for a in marcus.accents if a["name"] == "British RP")
    audio = member_client.get(
        reverse(
            "voice_accent_audio",
            kwargs={"team": team.slug, "voice_id": marcus.pk, "accent_id": british["id"]},
        )
    )
    assert audio.status_code == 200
    assert b"".join(audio.streaming_content)[:4] == b"RIFF"
    asked = [r for r in respeecher_log() if r["path"].endswith("/api/v2/accents/samples")]
    assert [r["query"] for r in asked] == [f"accent_id={british['id']}"]


def test_an_accent_the_voice_does_not_have_is_not_asked_for(
    member_client, team, marcus, respeecher_log
):
    url = reverse(
        "voice_accent_audio",
        kwargs={"team": team.slug, "voice_id": marcus.pk, "accent_id": "not-an-accent"},
    )
    assert member_client.get(url).status_code == 404
    assert respeecher_log() == []


def test_a_style_and_an_accent_are_made_favourites_at_respeecher(
    member_client, team, marcus, respeecher_log
):
    style, accent = marcus.narration_styles[-1], marcus.accents[-1]
    kwargs = {"team": team.slug, "voice_id": marcus.pk}
    url = reverse("voice_favourite_style", kwargs=kwargs)
    page = member_client.post(url, {"narration_style_id": style["id"]}, follow=True)
    page = page.content.decode()
    assert f"“{style['name']}” is a favourite narration style of this voice" in page
    member_client.post(
        reverse("voice_favourite_accent", kwargs=kwargs), {"accent_id": accent["id"]}
    )
    sent = [r["json"] for r in respeecher_log() if r["path"].endswith("/api/v2/voices/settings")]
    assert sent == [
        {"voice_id": marcus.remote_id, "narration_style_id": style["id"]},
        {"voice_id": marcus.remote_id, "accent_id": accent["id"]},
    ]
    marcus = Voice.objects.get(pk=marcus.pk)
    assert [s["favourite"] for s in marcus.narration_styles][-1] is True
    assert [a["favourite"] for a in marcus.accents][-1] is True
    page = member_client.get(marcus.get_absolute_url()).content.decode()
    assert page.count('<span class="pill">Favourite</span>') == 2


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("voice_favourite_style", {}, "narration styles"),
        ("voice_favourite_style", {"narration_style_id": "nope"}, "narration styles"),
        ("voice_favourite_accent", {"narration_style_id": "x"}, "accents"),
    ],
)
def test_a_favourite_that_is_not_the_voices_asks_nothing(
    member_client, team, marcus, respeecher_log, name, data, said
):
    url = reverse(name, kwargs={"team": team.slug, "voice_id": marcus.pk})
    page = member_client.post(url, data, follow=True).content.decode()
    assert f"Choose one of this voice&#x27;s {said}." in page
    assert respeecher_log() == []


def test_the_accent_player_and_favourites_are_walled_off(
    client, member_client, team, other_team, marcus
):
    accent = marcus.accents[0]["id"]
    audio = reverse(
        "voice_accent_audio",
        kwargs={"team": team.slug, "voice_id": marcus.pk, "accent_id": accent},
    )
    favourite = reverse("voice_favourite_accent", kwargs={"team": team.slug, "voice_id": marcus.pk})
    assert client.get(audio).status_code == 302  # to the sign-in page
    assert client.post(favourite, {"accent_id": accent}).status_code == 302
    theirs = VoiceFactory(team=other_team)
    kwargs = {"team": team.slug, "voice_id": theirs.pk}
    audio = reverse("voice_accent_audio", kwargs={**kwargs, "accent_id": accent})
    assert member_client.get(audio).status_code == 404
    favourite = reverse("voice_favourite_accent", kwargs=kwargs)
    assert member_client.post(favourite, {"accent_id": accent}).status_code == 404
