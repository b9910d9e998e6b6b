"""Cloning a voice at Burki: the sample checked against the chosen host's limits, the
clone followed until ready, and the voice in the catalog; bad samples never leave."""

import pytest
from django.urls import reverse

from jobs.models import InputFile, Job, Status
from voices import sync
from voices.models import Kind, Voice
from voices.tests.factories import sample


def _url(team):
    return reverse("voices_burki_clone", kwargs={"team": team.slug})


@pytest.mark.django_db
@pytest.mark.integration
def test_a_burki_clone_is_followed_until_ready_and_joins_the_catalog(
    member_client, team, connected, control, run_to_the_end
):
    # The catalog already knows assistant 1's name, from a sync before the clone.
    sync.sync_account(connected["burki"])
    page = member_client.get(_url(team)).content.decode()
    assert "ElevenLabs" in page and "10 to 300 seconds" in page
    response = member_client.post(
        _url(team),
        {
            "assistant": 1,
            "provider": "elevenlabs",
            "name": "Helper",
            "language": "en",
            "sample": sample(12),
        },
    )
    job = Job.objects.get(kind="burki.cloned_voice")
    assert response["Location"] == job.get_absolute_url()
    job = run_to_the_end(job)
    assert job.status == Status.COMPLETED, job.failure_message
    voice = Voice.objects.get(team=team, provider="burki", name="Helper")
    assert voice.kind == Kind.CLONE and voice.assistant_id == 1 and voice.host == "elevenlabs"
    assert voice.remote_id == job.remote_id
    assert voice.assistant_name == "Front desk"  # not blanked until the next sync
    assert (job.clone.name, job.clone.voice) == ("Helper", voice)


BAD = {
    "not audio": (sample(name="x.wav", data=b"plain text, no audio here" * 20), "is not mp3"),
    "too short": (sample(5), "at least 10 s"),
    "too long": (sample(301), "at most 300 s"),
    "too big": (
        sample(name="big.wav", data=b"RIFF" + b"\0" * (26 * 1024 * 1024)),
        "larger than 25 MB",
    ),
    "empty": (sample(name="e.wav", data=b""), "The submitted file is empty."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD))
def test_a_sample_outside_the_hosts_limits_is_explained_and_not_sent(
    case, member_client, team, connected, control, upstream_calls
):
    member_client.get(_url(team))  # reads the hosts' limits once
    control.delete("/_sandbox/requests").raise_for_status()
    upload, message = BAD[case]
    response = member_client.post(
        _url(team),
        {"assistant": 1, "provider": "elevenlabs", "name": "X", "sample": upload},
    )
    assert message in response.content.decode()
    assert not Job.objects.exists() and not InputFile.objects.exists()
    assert control.get("/_sandbox/requests").json()["requests"] == []
    assert upstream_calls("burki") == []


@pytest.mark.django_db
def test_without_followed_assistants_the_page_says_what_to_do(member_client, team, connected):
    account = connected["burki"]
    account.options = {}
    account.save()
    body = member_client.get(_url(team)).content.decode()
    assert "Pick the Burki assistants to follow first" in body
