"""Burki's voice samples: the assistant's samples listed, one sample cloned at several
hosts without uploading it again, and its clones compared side by side."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs import engine
from jobs.models import InputFile, Job, Status
from teams.tests.factories import ProviderAccountFactory
from voices.forms import CHOOSE_SAMPLE, ONE_HOST_FOR_UPLOADS
from voices.models import Clone
from voices.tests.factories import sample

BURKI = "/burki/api/v1/assistants/1"


def _samples_url(team):
    return reverse("voices_burki_samples", kwargs={"team": team.slug})


def _clone_url(team):
    return reverse("voices_burki_clone", kwargs={"team": team.slug})


def _seed(control, count=1, **params):
    answer = control.post(
        "/_sandbox/seed", json={"kind": "burki.voice_sample", "count": count, **params}
    )
    answer.raise_for_status()
    return answer.json()["ids"]


def _burki_log(control, method=None):
    rows = control.get("/_sandbox/requests", params={"provider": "burki"}).json()["requests"]
    return [r for r in rows if method is None or r["method"] == method]


@pytest.mark.django_db
def test_the_samples_page_lists_the_assistants_samples(member_client, team, connected, control):
    _seed(control, 2, seconds=40, name_prefix="Greeting")
    body = member_client.get(_samples_url(team)).content.decode()
    assert "Greeting 1" in body and "Greeting 2" in body
    assert "40 seconds" in body and "Uploaded" in body
    listed = [r["path"] for r in _burki_log(control, "GET")]
    assert f"{BURKI}/voice-samples/list" in listed


@pytest.mark.django_db
def test_the_samples_page_says_when_there_are_none(member_client, team, connected, control):
    body = member_client.get(_samples_url(team)).content.decode()
    assert "No samples yet" in body


def test_the_samples_page_asks_anonymous_people_to_log_in(client, team):
    response = client.get(_samples_url(team))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_another_teams_samples_page_is_not_found(member_client, other_team, control, sandbox_url):
    ProviderAccountFactory(
        team=other_team,
        provider="burki",
        base_url=f"{sandbox_url}/burki",
        secret="sandbox-burki",
        options={"assistants": [1]},
    )
    control.delete("/_sandbox/requests").raise_for_status()
    assert member_client.get(_samples_url(other_team)).status_code == 404
    assert _burki_log(control) == []


@pytest.mark.django_db
def test_one_sample_cloned_at_two_hosts_makes_two_jobs_and_uploads_nothing(
    member_client, team, connected, control
):
    [sample_id] = _seed(control, seconds=40, name_prefix="Greeting")
    page = member_client.get(_clone_url(team)).content.decode()
    assert "Greeting 1 (40 s)" in page
    control.delete("/_sandbox/requests").raise_for_status()
    response = member_client.post(
        _clone_url(team),
        {
            "assistant": 1,
            "provider": ["elevenlabs", "resemble"],
            "name": "Greeting",
            "language": "en",
            "voice_sample": sample_id,
        },
    )
    jobs = list(Job.objects.filter(kind="burki.cloned_voice").order_by("pk"))
    assert len(jobs) == 2 and not InputFile.objects.exists()
    assert response["Location"].startswith(_samples_url(team))
    for job in jobs:
        engine.submit(job.pk)
    posts = _burki_log(control, "POST")
    assert not [r for r in posts if "voice-samples/upload" in r["path"]]
    clones = [r["json"] for r in posts if r["path"] == f"{BURKI}/cloned-voices"]
    assert sorted(c["provider"] for c in clones) == ["elevenlabs", "resemble"]
    assert {c["voice_sample_id"] for c in clones} == {sample_id}
    assert set(Clone.objects.values_list("burki_sample_id", flat=True)) == {sample_id}


@pytest.mark.django_db
def test_a_new_recording_is_uploaded_and_then_known_as_its_sample(
    member_client, team, connected, control
):
    member_client.post(
        _clone_url(team),
        {"assistant": 1, "provider": "elevenlabs", "name": "Fresh", "sample": sample(12)},
    )
    job = Job.objects.get(kind="burki.cloned_voice")
    engine.submit(job.pk)
    uploads = [r for r in _burki_log(control, "POST") if "voice-samples/upload" in r["path"]]
    assert len(uploads) == 1
    [made] = [
        r["json"] for r in _burki_log(control, "POST") if r["path"] == f"{BURKI}/cloned-voices"
    ]
    assert Clone.objects.get(job=job).burki_sample_id == made["voice_sample_id"]
    body = member_client.get(_samples_url(team)).content.decode()
    assert "Fresh" in body and "ElevenLabs" in body


NO_UPSTREAM = {
    "no host": ({"provider": []}, "Choose at least one host."),
    "no sample": ({"voice_sample": ""}, CHOOSE_SAMPLE),
    "too long for a host": (
        {"voice_sample": "long"},
        "lasts 400 s; ElevenLabs takes at most 300 s",
    ),
    "a new recording at two hosts": (
        {"voice_sample": "", "sample": "upload"},
        ONE_HOST_FOR_UPLOADS,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(NO_UPSTREAM))
def test_a_clone_that_cannot_be_sent_is_explained_and_nothing_is_called(
    case, member_client, team, connected, control
):
    [short] = _seed(control, seconds=40)
    [long] = _seed(control, seconds=400)
    member_client.get(_clone_url(team))  # reads the hosts and samples once
    control.delete("/_sandbox/requests").raise_for_status()
    changes, message = NO_UPSTREAM[case]
    data = {
        "assistant": 1,
        "provider": ["elevenlabs", "resemble"],
        "name": "X",
        "voice_sample": short,
        **changes,
    }
    if data["voice_sample"] == "long":
        data["voice_sample"] = long
    if data.get("sample") == "upload":
        data["sample"] = sample(12)
    response = member_client.post(_clone_url(team), data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Job.objects.exists() and not InputFile.objects.exists()
    assert _burki_log(control) == []


@pytest.mark.django_db
@pytest.mark.integration
def test_the_clones_of_one_sample_are_compared_side_by_side(
    member_client, team, connected, control, run_to_the_end
):
    [sample_id] = _seed(control, seconds=40, name_prefix="Greeting")
    member_client.post(
        _clone_url(team),
        {
            "assistant": 1,
            "provider": ["elevenlabs", "resemble"],
            "name": "Greeting",
            "voice_sample": sample_id,
        },
    )
    for job in Job.objects.filter(kind="burki.cloned_voice"):
        assert run_to_the_end(job).status == Status.COMPLETED
    response = member_client.get(_samples_url(team), {"assistant": 1})
    body = response.content.decode()
    section = body[body.index(f'id="sample-{sample_id}"') :]
    assert "Clones of this sample, side by side" in section
    assert "ElevenLabs" in section and "Resemble AI" in section
    clones = Clone.objects.select_related("voice").filter(burki_sample_id=sample_id)
    assert len(clones) == 2
    for clone in clones:
        assert clone.voice is not None and clone.voice.quality_said in section
        assert clone.voice.get_absolute_url() in section


@pytest.mark.django_db
def test_the_samples_page_costs_the_same_queries_at_5_samples_and_at_many(
    member_client, team, connected, control
):
    def queries():
        cache.clear()
        member_client.get(_samples_url(team))  # names and session settled
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(_samples_url(team)).status_code == 200
        return len(captured)

    ids = _seed(control, 5, seconds=40)
    _clones(team, connected["burki"], ids)
    at_5 = queries()
    more = _seed(control, 60, seconds=40)
    _clones(team, connected["burki"], more)
    assert queries() == at_5


def _clones(team, account, sample_ids):
    from voices.kinds import BurkiClonedVoice

    for sid in sample_ids:
        for host in ("elevenlabs", "resemble"):
            BurkiClonedVoice.start(
                account=account,
                by=None,
                assistant_id=1,
                provider=host,
                name=f"Clone {sid}",
                voice_sample_id=sid,
            )


@pytest.mark.django_db
def test_when_burki_refuses_the_list_the_samples_page_says_so(
    member_client, team, connected, control
):
    account = connected["burki"]
    account.set_secret("not-the-key")
    account.save()
    response = member_client.get(_samples_url(team))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Burki did not list the samples" in body and "No samples yet" not in body


@pytest.mark.django_db
def test_a_viewer_sees_the_samples_without_the_clone_links(viewer_client, team, connected, control):
    [sample_id] = _seed(control, name_prefix="Greeting")
    body = viewer_client.get(_samples_url(team)).content.decode()
    assert "Greeting 1" in body and f"sample={sample_id}" not in body
