"""Job pages as a person sees them: live rows that stop when done, timeline, cancel, retry."""

import json
import re

from django.urls import reverse

from jobs.models import Job, JobEvent, Status
from jobs.tests.factories import JobFactory, JobFileFactory


def _row(client, job, seen=None):
    url = reverse("job_row", kwargs={"team": job.team.slug, "job_id": job.pk})
    return client.get(url, {"seen": seen} if seen else {}, HTTP_HX_REQUEST="true")


def test_an_unfinished_row_polls_itself_in_three_queries(
    owner_client, team, django_assert_max_num_queries
):
    job = JobFactory(team=team, status=Status.PROCESSING)
    owner_client.get(reverse("home", kwargs={"team": team.slug}))  # warm the session cache
    with django_assert_max_num_queries(3):
        response = _row(owner_client, job, seen="processing")
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert f'id="job-{job.pk}"' in body
    job.refresh_from_db()
    assert job.watched_until is not None  # someone is looking: it is polled often


def test_a_finished_row_stops_polling_and_toasts_once(owner_client, team):
    job = JobFactory(team=team, status=Status.COMPLETED, announced=Status.COMPLETED)
    response = _row(owner_client, job, seen="processing")
    assert "hx-trigger" not in response.content.decode()
    events = json.loads(response["HX-Trigger"])
    assert events["jobFinished"] == {"id": job.pk, "status": "completed"}
    assert "is ready" in events["toasts"][0]["message"]
    # A row that was already finished when drawn raises nothing.
    assert "HX-Trigger" not in _row(owner_client, job, seen="completed")


def test_the_job_page_shows_the_timeline_and_the_result_player(owner_client, team):
    job = JobFactory(team=team, status=Status.COMPLETED, label="Trailer (de)")
    JobEvent.objects.create(
        job=job, status=Status.PROCESSING, remote_status="initialized", source="submit"
    )
    JobEvent.objects.create(
        job=job, status=Status.COMPLETED, remote_status="completed", source="poll"
    )
    stored = JobFileFactory(job=job)
    # A dubbing job with no dubbing row is shown on the generic job page.
    body = owner_client.get(job.get_absolute_url(), follow=True).content.decode()
    # The timeline says our states in order; the provider's words are kept in Details.
    timeline, details = body.split('<ol class="timeline">')[1].split("<details", 1)
    assert timeline.index("Processing") < timeline.index("Done at A2E")
    assert "initialized" not in timeline and "via polling" not in timeline
    assert "<code>initialized</code>" in details and "<code>poll</code>" in details
    assert reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk}) in body
    assert "<audio controls" in body


def test_a_timeline_says_each_state_once(owner_client, team):
    job = JobFactory(team=team, status=Status.PROCESSING)
    for remote_status in ("initialized", "processing", "postprocessing"):
        JobEvent.objects.create(
            job=job, status=Status.PROCESSING, remote_status=remote_status, source="poll"
        )
    body = owner_client.get(job.get_absolute_url(), follow=True).content.decode()
    timeline = body.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert timeline.count("Processing") == 1


def test_a_stored_result_downloads_with_its_name(owner_client, team):
    stored = JobFileFactory(job__team=team)
    url = reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk})
    response = owner_client.get(url, {"download": 1})
    # Named for the job, not for how it is stored.
    assert response["Content-Disposition"] == f'attachment; filename="{stored.job.label}.wav"'
    assert b"".join(response.streaming_content).startswith(b"RIFF")


def test_a_member_cancels_a_running_job(member_client, team):
    job = JobFactory(team=team, status=Status.PROCESSING, kind="test.fake")
    url = reverse("job_cancel", kwargs={"team": team.slug, "job_id": job.pk})
    member_client.post(url)
    assert Job.objects.get(pk=job.pk).status == Status.CANCELED


def test_retrying_a_failed_job_makes_a_new_linked_job(member_client, team):
    job = JobFactory(team=team, status=Status.FAILED, params={"target_lang": "de"})
    url = reverse("job_retry", kwargs={"team": team.slug, "job_id": job.pk})
    response = member_client.post(url)
    new = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == new.get_absolute_url()
    assert (new.retry_of, new.status, new.params) == (job, Status.QUEUED, {"target_lang": "de"})


def test_a_job_still_running_cannot_be_retried(member_client, team):
    job = JobFactory(team=team, status=Status.PROCESSING)
    member_client.post(reverse("job_retry", kwargs={"team": team.slug, "job_id": job.pk}))
    assert Job.objects.count() == 1


def test_the_header_badge_counts_jobs_in_flight(owner_client, team, other_team):
    JobFactory.create_batch(2, team=team, status=Status.PROCESSING)
    JobFactory(team=team, status=Status.COMPLETED)
    JobFactory(team=other_team, status=Status.PROCESSING)
    body = owner_client.get(reverse("job_badge", kwargs={"team": team.slug})).content.decode()
    assert "2 jobs running" in body


def test_an_empty_job_list_says_where_jobs_come_from(owner_client, team):
    body = owner_client.get(reverse("job_list", kwargs={"team": team.slug})).content.decode()
    assert "No jobs yet" in body


def test_a_completed_row_keeps_asking_until_its_result_is_stored(owner_client, team):
    from jobs.models import ResultsState

    job = JobFactory(team=team, status=Status.COMPLETED, results_state=ResultsState.PENDING)
    copying = _row(owner_client, job, seen="processing")
    assert 'hx-trigger="every 2s"' in copying.content.decode()
    assert "seen=copying" in copying.content.decode()
    assert "HX-Trigger" not in copying  # not ready yet: no toast
    job.results_state = ResultsState.STORED
    job.announced = Status.COMPLETED  # announced once stored, as engine.announce does
    job.save()
    done = _row(owner_client, job, seen="copying")
    assert "hx-trigger" not in done.content.decode()
    assert "is ready" in json.loads(done["HX-Trigger"])["toasts"][0]["message"]


def test_a_completed_row_keeps_asking_until_its_end_is_announced(owner_client, team):
    # The announcement runs the kind's hook (a recording mirrored, a voice saved) in a
    # task of its own; a row that said "done" before it would have pages refresh on
    # jobFinished and miss what the job made, with nothing to refresh them again.
    job = JobFactory(team=team, status=Status.COMPLETED, announced=Status.QUEUED)
    waiting = _row(owner_client, job, seen="processing")
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "HX-Trigger" not in waiting
    Job.objects.filter(pk=job.pk).update(announced=Status.COMPLETED)
    done = _row(owner_client, job, seen="copying")
    assert "hx-trigger" not in done.content.decode()
    assert json.loads(done["HX-Trigger"])["jobFinished"] == {"id": job.pk, "status": "completed"}


def test_a_running_job_without_news_past_the_limit_shows_as_stale(owner_client, team, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.JOBS_STALE_AFTER = 600
    quiet = timezone.now() - timedelta(seconds=601)
    stale = JobFactory(team=team, status=Status.PROCESSING, last_change_at=quiet)
    fresh = JobFactory(team=team, status=Status.PROCESSING)
    done = JobFactory(team=team, status=Status.COMPLETED, last_change_at=quiet)
    assert "pill-stale" in _row(owner_client, stale, seen="processing").content.decode()
    for job in (fresh, done):
        assert "pill-stale" not in _row(owner_client, job, seen="processing").content.decode()


def test_disconnecting_stops_a_running_job_at_the_provider(owner_client, team, upstream):
    from jobs import engine
    from teams.models import ProviderAccount
    from teams.tests.factories import ProviderAccountFactory

    account = ProviderAccountFactory(team=team, provider="a2e")
    job = JobFactory(team=team, account=account, kind="test.stoppable", status=Status.QUEUED)
    engine.submit(job.pk)  # at the fake provider now, which can stop it
    job.refresh_from_db()
    url = reverse("provider_delete", kwargs={"team": team.slug, "account_id": account.pk})
    response = owner_client.post(url, {"stop_running": "1"}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said[0] == "A2E disconnected; its key is gone. Stopped the job still running at A2E."
    assert len(said) == 1
    assert upstream.canceled == [job.remote_id]
    assert Job.objects.get(pk=job.pk).status == Status.CANCELED
    assert not ProviderAccount.objects.filter(pk=account.pk).exists()


def test_the_header_badge_says_in_words_what_is_running(owner_client, team):
    url = reverse("job_badge", kwargs={"team": team.slug})
    quiet = owner_client.get(url).content.decode()
    assert "Nothing running" in quiet and "idle" not in quiet
    JobFactory(team=team, status=Status.QUEUED)
    assert "1 job running" in owner_client.get(url).content.decode()


def test_job_rows_name_what_is_played_or_downloaded(owner_client, team):
    speech = JobFactory(team=team, kind="test.fake", label="Episode 1", status=Status.COMPLETED)
    JobFileFactory(job=speech)
    dub = JobFactory(team=team, label="Trailer", status=Status.COMPLETED)
    JobFileFactory(job=dub, content_type="video/mp4")
    body = owner_client.get(reverse("job_list", kwargs={"team": team.slug})).content.decode()
    assert ">Download Episode 1</a>" in body and 'aria-label="Listen to Episode 1"' in body
    watch = re.search(r'<a href="[^"]+">(Watch the dubbing.*?)</a>', body)
    assert watch and re.sub(r"<[^>]+>", "", watch.group(1)) == "Watch the dubbing: Trailer"
    assert "▶ watch" not in body and ">download<" not in body


def test_the_header_badge_says_its_words_on_first_paint(owner_client, team, other_team):
    JobFactory.create_batch(2, team=team, status=Status.PROCESSING)
    JobFactory(team=other_team, status=Status.PROCESSING)
    body = owner_client.get(reverse("home", kwargs={"team": team.slug})).content.decode()
    badge = re.search(r'<a id="jobs-badge"[^>]*>(.*?)</a>', body, re.S)
    assert badge and badge.group(1) == "2 jobs running"  # not a placeholder htmx replaces
