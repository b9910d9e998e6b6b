"""The job engine: submission exactly once, polling by account, never backwards, never lost."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import engine, results
from jobs.models import Job, JobEvent, ResultsState, Status
from jobs.signals import job_announced
from jobs.tests.fakes import FakeKind, processing
from providers import retries
from teams.tests.factories import ProviderAccountFactory

KIND = FakeKind.name


def _job(team, account, label="Greeting"):
    return FakeKind.start(account=account, label=label)


def test_creating_a_job_enqueues_its_submission_only_after_commit(
    team, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = _job(team, account)
    assert job.status == Status.QUEUED
    assert len(callbacks) == 2  # submit and the "created" announcement
    assert list(job.events.values_list("status", flat=True)) == [Status.QUEUED]


def test_a_duplicated_submit_message_creates_the_job_once(team, account, upstream):
    job = _job(team, account)
    assert engine.submit(job.pk) == "submitted"
    assert engine.submit(job.pk) == "not-due"
    job.refresh_from_db()
    assert job.status == Status.PROCESSING
    assert job.remote_id == "r1"
    assert upstream.created == 1


def test_a_submit_whose_answer_was_lost_is_found_upstream_not_sent_again(team, account, upstream):
    job = _job(team, account)
    upstream.fail_next_submit = "lost-response"
    now = timezone.now()
    assert engine.submit(job.pk, now=now) == "retry"
    job.refresh_from_db()
    assert job.status == Status.SUBMITTING  # it may exist upstream
    # Before the retry time nothing happens; after it, the job is looked for first.
    assert engine.submit(job.pk, now=now + timedelta(seconds=1)) == "not-due"
    assert engine.submit(job.pk, now=now + timedelta(minutes=10)) == "submitted"
    job.refresh_from_db()
    assert (job.status, job.remote_id, upstream.created) == (Status.PROCESSING, "r1", 1)


def test_a_lost_answer_is_looked_for_only_once_the_provider_had_time_to_act(
    team, account, upstream
):
    job = _job(team, account)
    # The provider took the request but had not made the record when we gave up.
    upstream.fail_next_submit = "slow-lost-response"
    assert engine.submit(job.pk) == "retry"
    soon = timezone.now() + timedelta(seconds=settings.JOBS_UNSURE_WAIT - 2)
    assert engine.submit(job.pk, now=soon) == "not-due"
    upstream.create(job.marker)  # the record appears a little later
    later = timezone.now() + timedelta(seconds=settings.JOBS_UNSURE_WAIT + 1)
    assert engine.submit(job.pk, now=later) == "submitted"
    assert (Job.objects.get(pk=job.pk).remote_id, upstream.created) == ("r1", 1)


def test_a_worker_that_died_mid_submit_is_taken_over_after_its_hold(team, account, upstream):
    job = _job(team, account)
    now = timezone.now()
    # A worker took it, created it upstream, and died before writing anything back.
    Job.objects.filter(pk=job.pk).update(
        status=Status.SUBMITTING, attempts=1, submit_held_until=now + timedelta(seconds=90)
    )
    upstream.create(job.marker)
    assert engine.submit(job.pk, now=now) == "not-due"
    assert engine.submit(job.pk, now=now + timedelta(seconds=91)) == "submitted"
    assert upstream.created == 1
    assert Job.objects.get(pk=job.pk).remote_id == "r1"


def test_a_rate_limited_submit_waits_as_long_as_asked(team, account, upstream):
    job = _job(team, account)
    upstream.fail_next_submit = "rate-limited"
    now = timezone.now()
    engine.submit(job.pk, now=now)
    job.refresh_from_db()
    assert job.status == Status.QUEUED
    assert job.not_before >= now + timedelta(seconds=120)
    assert "limiting" in job.last_error


def test_a_rejected_submit_fails_with_the_providers_reason(team, account, upstream):
    job = _job(team, account)
    upstream.fail_next_submit = "bad-request"
    assert engine.submit(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.failure_message == "name is required"
    assert upstream.created == 0


def test_submission_gives_up_after_the_attempt_limit(settings, team, account, upstream):
    settings.JOBS_MAX_ATTEMPTS = 2
    job = _job(team, account)
    now = timezone.now()
    for step in range(2):
        upstream.fail_next_submit = "rate-limited"
        engine.submit(job.pk, now=now + timedelta(hours=step))
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.failure_message.startswith("Gave up after 2 attempts")


def test_one_poll_tick_asks_once_per_account_and_moves_finished_jobs(team, account, upstream):
    jobs = processing(account, 3)
    upstream.set("r1", "completed")
    upstream.set("r2", "failed", message="source has no audio")
    stats = engine.poll_due()
    assert upstream.fetch_calls == 1
    assert stats == {"jobs": 3, "groups": 1, "changed": 2}
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {
        jobs[0].pk: Status.COMPLETED,
        jobs[1].pk: Status.FAILED,
        jobs[2].pk: Status.PROCESSING,
    }
    assert Job.objects.get(pk=jobs[1].pk).failure_message == "source has no audio"


def _tick_queries(n, team, upstream):
    upstream.records.clear()
    account = ProviderAccountFactory(team=team, provider="a2e")
    processing(account, n)
    for remote_id in list(upstream.records)[: n // 2]:
        upstream.set(remote_id, "completed")
    with CaptureQueriesContext(connection) as queries:
        stats = engine.poll_due()
    Job.objects.all().delete()
    account.delete()
    assert stats["jobs"] == n
    return len(queries)


@pytest.mark.slow
def test_a_poll_tick_costs_the_same_queries_for_10_and_400_jobs(team, upstream):
    assert _tick_queries(10, team, upstream) == _tick_queries(400, team, upstream)


def test_a_late_processing_report_never_moves_a_finished_job_back(team, account, upstream):
    (job,) = processing(account, 1)
    upstream.set("r1", "completed")
    engine.poll_due()
    changed = engine.apply(
        {job.pk: upstream.remote("r1").__class__("r1", "processing", "running")},
        JobEvent.Source.WEBHOOK,
    )
    assert changed == []
    assert Job.objects.get(pk=job.pk).status == Status.COMPLETED


def test_polls_back_off_while_nothing_changes_and_snap_back_when_watched(team, account, upstream):
    (job,) = processing(account, 1)
    now = timezone.now()
    gaps = []
    for _ in range(6):
        Job.objects.filter(pk=job.pk).update(next_poll_at=now)
        engine.poll_due(now=now)
        gaps.append((Job.objects.get(pk=job.pk).next_poll_at - now).total_seconds())
    assert [round(g) for g in gaps] == [10, 20, 40, 60, 60, 60]
    engine.watch(job, now=now)
    assert Job.objects.get(pk=job.pk).next_poll_at <= now + timedelta(seconds=2)


def test_a_watcher_does_not_double_a_poll_that_is_under_way(team, account, upstream):
    (job,) = processing(account, 1)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(next_poll_at=now)
    assert engine.claim_due(now=now) == [job.pk]  # a tick has it in hand (a slow upstream)
    claimed = Job.objects.get(pk=job.pk).next_poll_at
    engine.watch(job, now=now)  # someone opens its page meanwhile
    assert Job.objects.get(pk=job.pk).next_poll_at == claimed  # no second tick takes it
    engine.poll_group([job], KIND, now=now)
    engine.watch(job, now=now)
    assert Job.objects.get(pk=job.pk).next_poll_at <= now + timedelta(seconds=2)


def test_a_job_the_provider_stops_listing_fails_after_a_few_polls(team, account, upstream):
    (job,) = processing(account, 1)
    del upstream.records["r1"]
    for _ in range(3):
        Job.objects.filter(pk=job.pk).update(next_poll_at=timezone.now())
        engine.poll_due()
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "no longer lists" in job.failure_message


def test_each_ending_is_announced_once_even_when_asked_twice(team, account, upstream):
    heard = []

    def listener(sender, job, event, **kwargs):
        heard.append((job.pk, event))

    job_announced.connect(listener)
    try:
        (job,) = processing(account, 1)
        upstream.set("r1", "failed", message="bad source")
        engine.poll_due()
        engine.announce(job.pk)
        engine.announce(job.pk)
    finally:
        job_announced.disconnect(listener)
    assert heard == [(job.pk, "created"), (job.pk, "failed")]


def test_the_reconciler_resends_what_a_lost_message_would_have_done(
    team, account, upstream, monkeypatch
):
    sent = []
    from jobs import tasks

    for name in ("submit", "fetch_results", "announce"):
        monkeypatch.setattr(
            getattr(tasks, name), "delay", lambda pk, name=name: sent.append((name, pk))
        )
    old = timezone.now() - timedelta(minutes=5)
    lost = _job(team, account, label="never submitted")
    fresh = _job(team, account, label="just created")
    Job.objects.filter(pk=lost.pk).update(created_at=old, enqueued_at=old)
    Job.objects.filter(pk=fresh.pk).update(announced="queued")
    counts = engine.reconcile()
    assert ("submit", lost.pk) in sent
    assert ("submit", fresh.pk) not in sent  # its message may still be on its way
    assert counts["submit"] == 1


def test_the_reconciler_does_not_pile_copies_onto_a_busy_broker(team, account, monkeypatch):
    sent = []
    from jobs import tasks

    monkeypatch.setattr(tasks.submit, "delay", lambda pk: sent.append(pk))
    now = timezone.now()
    waiting = _job(team, account, label="behind a long queue")
    Job.objects.filter(pk=waiting.pk).update(enqueued_at=now - timedelta(minutes=5))
    engine.reconcile(now=now)
    # Its copy is now in the broker too: runs within the grace send nothing more.
    engine.reconcile(now=now + timedelta(seconds=5))
    engine.reconcile(now=now + timedelta(seconds=10))
    assert sent == [waiting.pk]
    later = now + timedelta(seconds=settings.JOBS_RECONCILE_AFTER + 1)
    engine.reconcile(now=later)
    assert sent == [waiting.pk, waiting.pk]


def test_a_job_that_just_finished_is_not_announced_twice(team, account, monkeypatch):
    sent = []
    from jobs import tasks

    monkeypatch.setattr(tasks.announce, "delay", sent.append)
    now = timezone.now()
    job = _job(team, account, label="a long dubbing")
    # Made long ago and announced as created; it finishes now, and its own task is
    # on its way with the news.
    Job.objects.filter(pk=job.pk).update(
        enqueued_at=now - timedelta(hours=1),
        announced=Status.QUEUED,
        status=Status.FAILED,
        finished_at=now,
    )
    engine.reconcile(now=now + timedelta(seconds=1))
    assert sent == []
    engine.reconcile(now=now + timedelta(seconds=settings.JOBS_RECONCILE_AFTER + 1))
    assert sent == [job.pk]  # that task was lost: the reconciler says it


def test_results_are_copied_into_storage_with_size_and_checksum(team, account, upstream, settings):
    import hashlib

    import respx

    (job,) = processing(account, 1)
    url = "https://cdn.example.test/out/result.mp4"
    upstream.set("r1", "completed", results=[("result", url)])
    engine.poll_due()
    assert Job.objects.get(pk=job.pk).results_state == ResultsState.PENDING
    body = b"\x00\x00\x00\x18ftypmp42" + b"x" * 5000
    with respx.mock() as mock:
        mock.get(url).respond(200, content=body, headers={"content-type": "video/mp4"})
        assert results.fetch_results(job.pk) == "stored"
    job.refresh_from_db()
    assert job.results_state == ResultsState.STORED
    (stored,) = job.files.all()
    assert stored.size == len(body)
    assert stored.sha256 == hashlib.sha256(body).hexdigest()
    assert stored.media_kind == "video"
    assert stored.file.read() == body


def test_a_second_copy_of_the_results_stands_aside_while_the_first_runs(team, account, upstream):
    import respx

    (job,) = processing(account, 1)
    url = "https://cdn.example.test/out/result.mp4"
    upstream.set("r1", "completed", results=[("result", url)])
    engine.poll_due()
    now = timezone.now()
    lease = timedelta(seconds=settings.JOBS_RESULTS_HOLD)
    # A first copier holds the job (mid-download); the reconciler's copy arrives.
    Job.objects.filter(pk=job.pk).update(results_held_until=now + lease)
    with respx.mock() as mock:
        route = mock.get(url).respond(200, content=b"\x00\x00\x00\x18ftypmp42" + b"x" * 100)
        assert results.fetch_results(job.pk, now=now) == "busy"
        assert route.call_count == 0 and not job.files.exists()
        # The first copier died: once its hold lapses the next copy takes over.
        assert results.fetch_results(job.pk, now=now + lease + timedelta(seconds=1)) == "stored"
    job.refresh_from_db()
    assert (job.results_state, job.results_held_until, job.files.count()) == (
        ResultsState.STORED,
        None,
        1,
    )


def _completed_with_result(team, account, upstream):
    (job,) = processing(account, 1)
    url = "https://cdn.example.test/out/result.mp4"
    upstream.set("r1", "completed", results=[("result", url)])
    engine.poll_due()
    return job, url


def test_a_failed_result_copy_holds_the_job_until_its_own_retry(
    team, account, upstream, monkeypatch
):
    import respx

    from providers import UpstreamError

    # The client's own retries back off between attempts; this test needs none of that wait.
    monkeypatch.setattr(retries, "RETRY", replace(retries.RETRY, cap=0))
    job, url = _completed_with_result(team, account, upstream)
    Job.objects.filter(pk=job.pk).update(results_tries=1)  # its second try fails now
    with respx.mock() as mock:
        mock.get(url).respond(503)
        with pytest.raises(UpstreamError):
            results.fetch_results(job.pk)
    job.refresh_from_db()
    assert job.results_state == ResultsState.PENDING and job.results_tries == 2
    wait = results.results_retry_wait(1)
    # The reconciler sends no copy beside the retry that is coming...
    sent = []
    with pytest.MonkeyPatch.context() as patch:
        from jobs import tasks

        patch.setattr(tasks.fetch_results, "delay", sent.append)
        later = timezone.now() + timedelta(seconds=settings.JOBS_RECONCILE_AFTER + 1)
        engine.reconcile(now=later)
        assert sent == []
        # ...and the retry, when it comes, takes the job up again.
        assert job.results_held_until < timezone.now() + timedelta(seconds=wait)
        engine.reconcile(now=timezone.now() + timedelta(seconds=wait + 60))
        assert sent == [job.pk]


def test_a_result_the_provider_no_longer_has_is_given_up_at_once(team, account, upstream):
    import respx

    job, url = _completed_with_result(team, account, upstream)
    with respx.mock() as mock:
        mock.get(url).respond(404)
        assert results.fetch_results(job.pk) == "failed"
    job.refresh_from_db()
    assert (job.results_state, job.results_held_until) == (ResultsState.FAILED, None)
    assert "Could not copy the result" in job.last_error


def test_canceling_stops_following_the_job(team, account, upstream):
    (job,) = processing(account, 1)
    assert engine.cancel(job).canceled is True
    again = engine.cancel(job)
    assert (again.canceled, again.message) == (False, "job 0 had already finished.")
    job.refresh_from_db()
    assert job.status == Status.CANCELED
    assert job.next_poll_at is None


@pytest.mark.django_db
def test_a_job_of_a_disconnected_account_fails_with_a_reason(team, account, upstream):
    (job,) = processing(account, 1)
    account.delete()
    engine.poll_due()
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "disconnected" in job.failure_message


def test_cancel_while_sending_is_refused_and_the_job_is_still_followed(team, account, upstream):
    # A worker is sending it: marking it canceled now would leave the record it creates
    # at the provider running with nobody watching.
    job = _job(team, account)
    Job.objects.filter(pk=job.pk).update(status=Status.SUBMITTING)
    outcome = engine.cancel(job)
    assert not outcome.canceled and "being sent" in outcome.message
    assert Job.objects.get(pk=job.pk).status == Status.SUBMITTING
    # The sender finishes; the job is followed as usual and can be canceled then.
    Job.objects.filter(pk=job.pk).update(status=Status.QUEUED)
    engine.submit(job.pk)
    assert Job.objects.get(pk=job.pk).status == Status.PROCESSING


def test_a_running_job_is_stopped_at_the_provider_before_it_is_called_canceled(
    team, account, upstream
):
    job = _job(team, account)
    Job.objects.filter(pk=job.pk).update(kind="test.stoppable")
    engine.submit(job.pk)
    job.refresh_from_db()
    outcome = engine.cancel(job)
    assert outcome.canceled and outcome.message == "Greeting canceled."
    assert upstream.canceled == [job.remote_id]
    assert Job.objects.get(pk=job.pk).status == Status.CANCELED


def test_a_refused_upstream_cancel_is_said_and_the_job_keeps_running(team, account, upstream):
    from providers import Unavailable

    job = _job(team, account)
    Job.objects.filter(pk=job.pk).update(kind="test.stoppable")
    engine.submit(job.pk)
    upstream.refuse_cancel = Unavailable("A2E", 503)
    outcome = engine.cancel(Job.objects.get(pk=job.pk))
    assert not outcome.canceled
    assert "did not stop Greeting, so it keeps running" in outcome.message
    job.refresh_from_db()
    assert job.status == Status.PROCESSING and job.next_poll_at is not None


def test_canceling_where_the_provider_cannot_stop_it_says_so(team, account, upstream):
    (job,) = processing(account, 1)
    outcome = engine.cancel(job)
    assert outcome.canceled and "cannot stop it, so it may still finish there" in outcome.message


def test_a_providers_long_failure_text_is_kept_to_200_characters(team, account, upstream):
    (job,) = processing(account, 1)
    upstream.set("r1", "failed", message="E" * 150 + "INTERNAL-BODY" * 100)
    engine.poll_due()
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert len(job.failure_message) <= 200 and job.failure_message.startswith("E" * 150)
    assert "INTERNAL-BODY" * 4 not in job.failure_message


def _failing_copy(job, url, now=None):
    import respx

    from providers import UpstreamError

    with respx.mock() as mock:
        mock.get(url).respond(503)
        with pytest.raises(UpstreamError):
            results.fetch_results(job.pk, now=now)
    job.refresh_from_db()


def test_a_copy_that_keeps_failing_says_how_often_when_next_and_where_the_result_is(
    team, account, upstream, owner_client, monkeypatch
):
    from django.urls import reverse

    monkeypatch.setattr(retries, "RETRY", replace(retries.RETRY, cap=0))
    job, url = _completed_with_result(team, account, upstream)
    _failing_copy(job, url)
    _failing_copy(job, url, now=job.results_next_at)
    assert job.results_tries == 2 and job.results_next_at > timezone.now()
    page = owner_client.get(reverse("job_detail", kwargs={"team": team.slug, "job_id": job.pk}))
    html = page.content.decode()
    assert "Tried two times" in html and "The next try is" in html
    assert f'href="{url}"' in html and "Open the result at A2E" in html
    assert ">Try again</button>" in html
    assert "Copying the result into Voxboard…" not in html


def test_a_copy_failing_past_the_give_up_time_is_given_up_with_a_message(
    team, account, upstream, settings, monkeypatch
):
    monkeypatch.setattr(retries, "RETRY", replace(retries.RETRY, cap=0))
    settings.JOBS_RESULTS_GIVE_UP = 3600
    job, url = _completed_with_result(team, account, upstream)
    _failing_copy(job, url)
    later = job.results_failing_since + timedelta(hours=1, seconds=1)
    import respx

    with respx.mock() as mock:
        mock.get(url).respond(503)
        assert results.fetch_results(job.pk, now=later) == "failed"
    job.refresh_from_db()
    assert job.results_state == ResultsState.FAILED
    assert job.last_error.startswith("Stopped copying the result after 1 hour and 2 tries")


def test_try_again_copies_a_waiting_or_given_up_result_now(
    team, account, upstream, owner_client, monkeypatch, django_capture_on_commit_callbacks
):
    import respx
    from django.urls import reverse

    monkeypatch.setattr(retries, "RETRY", replace(retries.RETRY, cap=0))
    job, url = _completed_with_result(team, account, upstream)
    _failing_copy(job, url)
    retry = reverse("job_results_retry", kwargs={"team": team.slug, "job_id": job.pk})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        owner_client.post(retry)
    job.refresh_from_db()
    assert job.results_next_at is None and len(callbacks) == 1  # the copy, sent now
    with respx.mock() as mock:
        mock.get(url).respond(200, content=b"\x00\x00\x00\x18ftypmp42" + b"\0" * 64)
        assert results.fetch_results(job.pk) == "stored"
    # A copy given up starts afresh.
    Job.objects.filter(pk=job.pk).update(
        results_state=ResultsState.FAILED, results_tries=5, last_error="gave up"
    )
    owner_client.post(retry)
    job.refresh_from_db()
    assert (job.results_state, job.results_tries, job.last_error) == (
        ResultsState.PENDING,
        0,
        "",
    )


def test_a_provider_link_that_is_not_a_web_address_is_never_shown(team, account):
    job = _job(team, account)
    job.result_urls = [["result", "javascript:alert(1)"], ["result", "https://cdn.example/x"]]
    assert job.provider_result_links == ["https://cdn.example/x"]
