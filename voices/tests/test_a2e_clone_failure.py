"""A failed A2E clone says why, from A2E's own record of it (`faild_message`, as the
sandbox and seed 001 spell it), and what to do next: on its job's page and row, and on
the voice's page."""

import pytest
from django.urls import reverse

from jobs.models import Job, Status
from voices.kinds import A2E_CLONE_ADVICE, A2E_CLONE_TIPS
from voices.tests.factories import VoiceFactory, sample
from voices.tests.test_clone_and_speech import live_server_client


@pytest.mark.integration
def test_a_failed_a2e_clone_says_a2es_reason_and_what_to_do(
    transactional_db,
    live_server,
    settings,
    team,
    member,
    connected,
    control,
    run_to_the_end,
    clone_url,
):
    settings.PUBLIC_BASE_URL = live_server.url
    control.post("/_sandbox/config", json={"fail_rate": 1.0}).raise_for_status()
    client = live_server_client(member)
    fields = {"name": "Narrator", "gender": "female", "language": "en", "samples": [sample(16)]}
    client.post(clone_url, fields)
    job = run_to_the_end(Job.objects.get(kind="a2e.voice_clone"))
    assert job.status == Status.FAILED

    # The reason was read from the clone's own record at A2E.
    log = control.get("/_sandbox/requests", params={"provider": "a2e"}).json()["requests"]
    assert f"/a2e/api/v1/userVoice/{job.remote_id}" in [r["path"] for r in log]
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Voice training failed (sandbox fail rate)" in page
    assert A2E_CLONE_ADVICE in page
    row = client.get(reverse("job_list", kwargs={"team": team.slug})).content.decode()
    assert "Voice training failed (sandbox fail rate)" in row and A2E_CLONE_ADVICE in row


def test_a_failed_a2e_voice_page_says_why_and_offers_a_new_clone(member_client, team, a2e_account):
    # A2E's record of a clone that failed, as its lists and `userVoice/{_id}` give it.
    raw = {
        "_id": "665f0c",
        "name": "Narrator",
        "current_status": "failed",
        "faild_message": "The sample has more than one speaker.",
    }
    voice = VoiceFactory(team=team, account=a2e_account, status="failed", can_speak=False, raw=raw)
    page = member_client.get(voice.get_absolute_url()).content.decode()
    assert "A2E could not make this voice: The sample has more than one speaker." in page
    assert A2E_CLONE_TIPS in page
    assert reverse("voices_clone", kwargs={"team": team.slug}) in page


def test_a_ready_voice_page_says_nothing_of_failure(member_client, team, a2e_account):
    voice = VoiceFactory(team=team, account=a2e_account, raw={"faild_message": ""})
    page = member_client.get(voice.get_absolute_url()).content.decode()
    assert "could not make this voice" not in page
