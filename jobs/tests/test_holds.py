"""Holds on rows: one taker wins, a lapsed hold is free from the very moment it lapses."""

from datetime import timedelta

import respx
from django.conf import settings
from django.utils import timezone

from jobs import engine, results
from jobs.models import RESULTS_HOLD, STEP_HOLD, SUBMIT_HOLD, Job, ResultsState, Status
from jobs.tests.fakes import FakeKind


def _processing(team, account, **fields):
    job = FakeKind.start(account=account)
    Job.objects.filter(pk=job.pk).update(status=Status.PROCESSING, remote_id="r1", **fields)
    return job


def test_a_follow_up_step_is_held_by_one_poll_only(team, account):
    job = _processing(team, account)
    now = timezone.now()
    assert engine.take_step(job, 30, now=now)
    assert not engine.take_step(job, 30, now=now + timedelta(seconds=29))


def test_a_hold_that_lapses_exactly_now_is_free(team, account):
    now = timezone.now()
    job = _processing(team, account, step_held_until=now)
    assert engine.take_step(job, 30, now=now)


def test_a_hold_lapsing_a_moment_later_is_still_held(team, account):
    now = timezone.now()
    job = _processing(team, account, step_held_until=now + timedelta(microseconds=1))
    assert not engine.take_step(job, 30, now=now)


def test_a_submit_whose_hold_lapsed_exactly_now_is_taken_over(team, account, upstream):
    now = timezone.now()
    job = FakeKind.start(account=account)
    Job.objects.filter(pk=job.pk).update(
        status=Status.SUBMITTING, attempts=1, submit_held_until=now
    )
    assert engine.submit(job.pk, now=now) == "submitted"


def test_a_taken_hold_proves_its_holder_and_a_freed_one_proves_nobody(team, account):
    now = timezone.now()
    job = FakeKind.start(account=account)
    rows = Job.objects.filter(pk=job.pk)
    held = SUBMIT_HOLD.take(rows, now, timedelta(seconds=5))
    assert rows.filter(SUBMIT_HOLD.mine(held)).exists()
    assert SUBMIT_HOLD.take(rows, now, timedelta(seconds=5)) is None
    rows.update(**SUBMIT_HOLD.released())
    assert not rows.filter(SUBMIT_HOLD.mine(held)).exists()
    assert SUBMIT_HOLD.take(rows, now, timedelta(seconds=5)) is not None


def test_freeing_a_step_hold_leaves_a_result_copy_held(team, account):
    url = "https://cdn.example.test/out/result.mp4"
    job = FakeKind.start(account=account)
    rows = Job.objects.filter(pk=job.pk)
    rows.update(
        status=Status.COMPLETED,
        remote_id="r1",
        finished_at=timezone.now(),
        result_urls=[("result", url)],
        results_state=ResultsState.PENDING,
    )
    now = timezone.now()
    # A first copier is mid-download when the step hold is freed (as a job's end frees it).
    copying = RESULTS_HOLD.take(rows, now, timedelta(seconds=settings.JOBS_RESULTS_HOLD))
    assert copying is not None
    rows.update(**STEP_HOLD.released())
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(url).respond(200, content=b"\x00\x00\x00\x18ftypmp42" + b"x" * 100)
        # A second copier stands aside: the file is not fetched twice at once.
        assert results.fetch_results(job.pk, now=now) == "busy"
    assert route.call_count == 0 and not job.files.exists()
    assert rows.filter(RESULTS_HOLD.mine(copying)).exists()


def test_freeing_a_step_hold_leaves_a_submit_held(team, account, upstream):
    job = FakeKind.start(account=account)
    rows = Job.objects.filter(pk=job.pk)
    now = timezone.now()
    # A submit task is sending the job when a step hold is freed.
    sending = SUBMIT_HOLD.take(rows, now, timedelta(seconds=settings.JOBS_SUBMIT_HOLD))
    rows.update(status=Status.SUBMITTING, attempts=1)
    rows.update(**STEP_HOLD.released())
    # A second submit task finds it held and sends nothing.
    assert engine.submit(job.pk, now=now) == "not-due"
    assert upstream.created == 0
    assert rows.filter(SUBMIT_HOLD.mine(sending)).exists()
