"""Burki insights: the voices that need attention and the comparison of hosts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from teams.tests.factories import ProviderAccountFactory
from voices.models import QualityBand, quality_band
from voices.tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def burki(team):
    return ProviderAccountFactory(team=team, provider="burki")


def _voice(team, account, name, **fields):
    score = fields.pop("quality_score", 0.85)
    return VoiceFactory(
        team=team,
        account=account,
        name=name,
        status=fields.pop("status", "ready"),
        quality_score=score,
        quality_band=quality_band(score),
        synthesis_count=fields.pop("synthesis_count", 10),
        last_used_at=fields.pop("last_used_at", timezone.now() - timedelta(days=1)),
        host=fields.pop("host", "elevenlabs"),
        **fields,
    )


def test_the_documented_quality_bands():
    assert [quality_band(s) for s in (0.95, 0.9, 0.85, 0.75, 0.69, None)] == [
        QualityBand.EXCELLENT,
        QualityBand.EXCELLENT,
        QualityBand.GOOD,
        QualityBand.FAIR,
        QualityBand.POOR,
        "",
    ]


def test_needs_attention_lists_failed_poor_unused_and_never_used(owner_client, team, burki):
    _voice(team, burki, "Healthy")
    _voice(team, burki, "Broken", status="failed", quality_score=None)
    _voice(team, burki, "Muffled", quality_score=0.55)
    _voice(team, burki, "Forgotten", last_used_at=timezone.now() - timedelta(days=31))
    _voice(team, burki, "Untouched", last_used_at=None, synthesis_count=0)
    body = owner_client.get(reverse("voices_burki", kwargs={"team": team.slug})).content.decode()
    assert "cloning failed" in body and "poor quality (0.55)" in body
    assert "unused for 31 days" in body and "never used" in body
    attention = body.split("Needs attention", 1)[1]
    assert "Healthy" not in attention


def test_hosts_are_compared_by_count_quality_and_use(owner_client, team, burki, other_team):
    _voice(team, burki, "A", host="elevenlabs", quality_score=0.9, synthesis_count=30)
    _voice(team, burki, "B", host="elevenlabs", quality_score=0.7, synthesis_count=10)
    _voice(team, burki, "C", host="resemble", quality_score=0.6, synthesis_count=5)
    theirs = ProviderAccountFactory(team=other_team, provider="burki")
    _voice(other_team, theirs, "Not ours", host="inworld")
    response = owner_client.get(reverse("voices_burki", kwargs={"team": team.slug}))
    hosts = {h["host"]: h for h in response.context["hosts"]}
    assert set(hosts) == {"elevenlabs", "resemble"}
    assert hosts["elevenlabs"]["voices"] == 2 and hosts["elevenlabs"]["syntheses"] == 40
    assert hosts["elevenlabs"]["average_quality"] == pytest.approx(0.8)
    assert hosts["elevenlabs"]["voices_bar"] == 200 and hosts["resemble"]["voices_bar"] == 100
    assert "<svg" in response.content.decode()


def test_without_burki_the_page_says_to_connect_it(owner_client, team):
    body = owner_client.get(reverse("voices_burki", kwargs={"team": team.slug})).content.decode()
    assert "Connect Burki" in body


def test_insights_and_the_voice_page_name_the_assistant_a_voice_belongs_to(
    owner_client, team, burki
):
    voice = _voice(
        team,
        burki,
        "Muffled",
        quality_score=0.5,
        assistant_id=4,
        assistant_name="Night desk",
    )
    insights = owner_client.get(reverse("voices_burki", kwargs={"team": team.slug}))
    attention = insights.content.decode().split("Needs attention", 1)[1]
    assert "Night desk" in attention
    page = owner_client.get(voice.get_absolute_url()).content.decode()
    assert "Burki assistant" in page and "Night desk" in page and "#4" in page
