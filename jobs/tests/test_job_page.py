"""One job's page: its live part changes as a whole when the job ends."""

import json

from django.urls import reverse

from jobs.models import JobEvent, Status
from jobs.tests.factories import JobFactory, JobFileFactory


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
