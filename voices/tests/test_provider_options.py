"""Options the providers offer reach them: what a person picks on a form is in the
request the sandbox records, within the provider's own limits."""

import pytest
from django.urls import reverse

from jobs import engine
from jobs.models import Job
from voices.tests.factories import sample

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _sent(upstream_calls, path):
    (request,) = [r for r in upstream_calls(provider=None) if r["path"].endswith(path)]
    return request["json"]


def _burki_url(team):
    return reverse("voices_burki_clone", kwargs={"team": team.slug})


def test_an_a2e_clone_is_trained_with_the_chosen_model_and_denoising(
    member_client, team, connected, control, clone_url, upstream_calls
):
    member_client.post(
        clone_url,
        {
            "name": "Narrator",
            "gender": "male",
            "language": "en",
            "model": "cartesia",
            "denoise": "on",
            "sample_urls": "https://samples.example/narrator.wav",
        },
    )
    control.delete("/_sandbox/requests")
    engine.submit(Job.objects.get(team=team).pk)
    sent = _sent(upstream_calls, "/userVoice/training")
    assert (sent["model"], sent["denoise"]) == ("cartesia", True)


def test_an_a2e_clone_without_denoising_leaves_it_to_a2e(
    member_client, team, connected, control, clone_url, upstream_calls
):
    member_client.post(
        clone_url,
        {
            "name": "Plain",
            "gender": "female",
            "language": "en",
            "sample_urls": "https://s.example/a.wav",
        },
    )
    control.delete("/_sandbox/requests")
    engine.submit(Job.objects.get(team=team).pk)
    assert "denoise" not in _sent(upstream_calls, "/userVoice/training")


def test_an_unknown_a2e_model_is_refused_before_anything_is_sent(
    member_client, team, connected, control, clone_url
):
    response = member_client.post(
        clone_url,
        {
            "name": "X",
            "gender": "male",
            "language": "en",
            "model": "gpt",
            "sample_urls": "https://s.example/a.wav",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Job.objects.exists()


def test_a_burki_clone_carries_description_tags_and_enhance_quality(
    member_client, team, connected, control, upstream_calls
):
    page = member_client.get(_burki_url(team)).content.decode()
    # Assistants by the name Burki gives them, not "Assistant 1".
    assert '<option value="1" selected>Front desk</option>' in page
    member_client.post(
        _burki_url(team),
        {
            "assistant": 1,
            "provider": "elevenlabs",
            "name": "Helper",
            "description": "Warm, for the front desk",
            "tags": "warm, calm, warm",
            "sample": sample(12),
        },
    )
    control.delete("/_sandbox/requests")
    engine.submit(Job.objects.get(team=team).pk)
    sent = _sent(upstream_calls, "/cloned-voices")
    assert sent["description"] == "Warm, for the front desk"
    assert sent["tags"] == ["warm", "calm"]
    assert sent["enhance_quality"] is False  # the box was left unticked


def test_too_many_burki_tags_are_refused_before_anything_is_sent(
    member_client, team, connected, control
):
    response = member_client.post(
        _burki_url(team),
        {
            "assistant": 1,
            "provider": "elevenlabs",
            "name": "Helper",
            "tags": ",".join(f"t{i}" for i in range(11)),
            "enhance_quality": "on",
            "sample": sample(12),
        },
    )
    assert "At most 10 tags." in response.content.decode()
    assert not Job.objects.exists()
