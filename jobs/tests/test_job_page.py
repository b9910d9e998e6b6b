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
    assert timeline.rindex("Done at A2E") > timeline.rindex("Processing")
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


def _shown(body: str) -> str:
    """What a person reads on the page outside the collapsed Details: the text of <main>,
    tags and the Details disclosure left out."""
    import re

    main = body.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    main = re.sub(r'(?s)<details class="card raw">.*?</details>', " ", main)
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", main))


def test_a_job_whose_result_is_still_being_copied_is_finishing_not_completed(owner_client, team):
    from jobs.models import ResultsState

    job = JobFactory(
        team=team,
        status=Status.COMPLETED,
        results_state=ResultsState.PENDING,
        results_tries=1,
        last_error="A2E could not be reached",
    )
    JobEvent.objects.create(job=job, status=Status.COMPLETED, source="poll")
    shown = _shown(_page(owner_client, job).content.decode())
    assert "Finishing" in shown and "could not be copied into Voxboard yet" in shown
    assert "Completed" not in shown
    # Once the copy lands, it is done.
    JobFileFactory(job=job)
    type(job).objects.filter(pk=job.pk).update(results_state=ResultsState.STORED)
    assert "Completed" in _shown(_page(owner_client, job).content.decode())


def test_tries_are_said_only_when_sending_took_more_than_one(owner_client, team):
    first_time = JobFactory(team=team, status=Status.COMPLETED, attempts=1)
    never_sent = JobFactory(team=team, status=Status.CANCELED, attempts=0)
    for job in (first_time, never_sent):
        shown = _shown(_page(owner_client, job).content.decode())
        assert "Attempts" not in shown and "Tried" not in shown
    third_time = JobFactory(team=team, status=Status.COMPLETED, attempts=3)
    assert "Tried 3 times" in _shown(_page(owner_client, third_time).content.decode())


def test_a_job_page_has_one_title_and_one_details(owner_client, team):
    job = JobFactory(team=team, status=Status.PROCESSING, label="Trailer (de)")
    body = _page(owner_client, job).content.decode()
    assert _shown(body).count("Trailer (de)") == 1  # the title, not a row repeating it
    assert body.count(">Details<") == 1 and "<summary>Details</summary>" in body
