"""One job's page: its live part changes as a whole when the job ends, and a finished
job leads to what it made."""

import json

from django.urls import reverse

from dubbing.models import Dubbing
from jobs.models import JobEvent, Status
from jobs.tests.factories import JobFactory, JobFileFactory
from recordings.models import Order
from recordings.tests.factories import ProjectFactory, RecordingFactory
from teams.tests.factories import ProviderAccountFactory
from voices.tests.factories import VoiceFactory


def _page(client, job):
    return client.get(reverse("job_detail", kwargs={"team": job.team.slug, "job_id": job.pk}))


def _live(client, job, seen):
    url = reverse("job_detail", kwargs={"team": job.team.slug, "job_id": job.pk})
    return client.get(url, {"seen": seen}, HTTP_HX_REQUEST="true")


def test_an_unfinished_job_page_asks_as_one_region_and_offers_cancel(member_client, team):
    job = JobFactory(team=team, status=Status.PROCESSING)
    body = _page(member_client, job).content.decode()
    live = reverse("job_detail", kwargs={"team": team.slug, "job_id": job.pk})
    # One region asks for the state, the actions, the result and the timeline together;
    # the row inside it does not ask on its own.
    assert f'hx-get="{live}?seen=processing"' in body
    assert body.count('hx-trigger="every 2s"') == 1
    assert ">Cancel</button>" in body

    response = _live(member_client, job, seen="processing")
    part = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in part and ">Cancel</button>" in part
    assert "<html" not in part
    assert "HX-Trigger" not in response


def test_the_live_part_of_a_job_that_just_ended_changes_whole_and_stops(member_client, team):
    job = JobFactory(team=team, status=Status.COMPLETED, announced=Status.COMPLETED)
    JobEvent.objects.create(job=job, status=Status.PROCESSING, source="poll")
    JobEvent.objects.create(job=job, status=Status.COMPLETED, source="poll")
    stored = JobFileFactory(job=job)

    response = _live(member_client, job, seen="processing")
    part = response.content.decode()
    assert response.status_code == 286  # htmx stops asking
    assert "hx-trigger" not in part
    assert '<span class="pill pill-completed">Completed</span>' in part
    assert "Cancel" not in part
    assert 'id="job-result"' in part
    assert reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk}) in part
    timeline = part.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert timeline.rstrip().endswith("</li>")
    assert timeline.rindex("Completed") > timeline.rindex("Processing")
    # The header badge recounts: it listens for jobFinished.
    events = json.loads(response["HX-Trigger"])
    assert events["jobFinished"] == {"id": job.pk, "status": "completed"}


def test_a_finished_clone_job_leads_to_its_voice(owner_client, team):
    job = JobFactory(
        team=team, kind="a2e.voice_clone", status=Status.COMPLETED, remote_id="v-41", params={}
    )
    voice = VoiceFactory(team=team, account=job.account, remote_id="v-41")
    body = _page(owner_client, job).content.decode()
    assert f'<a class="button" href="{voice.get_absolute_url()}">Open the voice</a>' in body


def test_a_running_clone_job_leads_nowhere_yet(owner_client, team):
    job = JobFactory(team=team, kind="a2e.voice_clone", status=Status.PROCESSING, params={})
    VoiceFactory(team=team, account=job.account, remote_id=job.remote_id)
    assert "Open the voice" not in _page(owner_client, job).content.decode()


def test_a_finished_speech_job_leads_to_its_audio(owner_client, team):
    job = JobFactory(team=team, kind="a2e.tts", status=Status.COMPLETED, params={})
    audio = JobFileFactory(job=job)
    url = reverse("job_file", kwargs={"team": team.slug, "file_id": audio.pk})
    body = _page(owner_client, job).content.decode()
    assert f'<a class="button" href="{url}">Listen</a>' in body


def test_a_finished_conversion_job_leads_to_its_take(owner_client, team):
    account = ProviderAccountFactory(team=team, provider="respeecher")
    project = ProjectFactory(team=team, account=account)
    original = RecordingFactory(project=project)
    take = RecordingFactory(project=project, remote_id="conv-7")
    job = JobFactory(
        team=team,
        account=account,
        provider="respeecher",
        kind="respeecher.conversion",
        status=Status.COMPLETED,
        remote_id="conv-7",
        params={},
    )
    Order.objects.create(team=team, job=job, original=original, conversion=take, voice_name="Ann")
    url = reverse("recordings_take", kwargs={"team": team.slug, "recording_id": take.pk})
    body = _page(owner_client, job).content.decode()
    assert f'<a class="button" href="{url}">Open the take</a>' in body


def test_a_finished_dubbing_job_leads_to_its_results(owner_client, team):
    job = JobFactory(team=team, kind="a2e.dubbing", status=Status.COMPLETED)
    Dubbing.objects.create(team=team, job=job, name="Promo", target_lang="de")
    url = reverse("dubbing_detail", kwargs={"team": team.slug, "job_id": job.pk})
    body = _page(owner_client, job).content.decode()
    assert f'<a class="button" href="{url}#result-card">Open the results</a>' in body


def test_a_finished_upload_job_leads_to_its_take(owner_client, team):
    account = ProviderAccountFactory(team=team, provider="respeecher")
    take = RecordingFactory(project=ProjectFactory(team=team, account=account), remote_id="up-3")
    job = JobFactory(
        team=team,
        account=account,
        provider="respeecher",
        kind="respeecher.upload",
        status=Status.COMPLETED,
        remote_id="up-3",
        params={},
    )
    url = reverse("recordings_take", kwargs={"team": team.slug, "recording_id": take.pk})
    body = _page(owner_client, job).content.decode()
    assert f'<a class="button" href="{url}">Open the take</a>' in body
