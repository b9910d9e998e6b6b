"""Holds on rows: one taker wins, a lapsed hold is free from the very moment it lapses."""

from datetime import timedelta

from django.utils import timezone

from jobs import engine
from jobs.models import STEP_HOLD, SUBMIT_HOLD, Job, Status
from jobs.tests.test_engine import _job


def _processing(team, account, **fields):
    job = _job(team, account)
    Job.objects.filter(pk=job.pk).update(status=Status.PROCESSING, remote_id="r1", **fields)
    return job


def test_a_follow_up_step_is_held_by_one_poll_only(team, account):
    job = _processing(team, account)
    now = timezone.now()
    assert engine.claim_step(job, 30, now=now)
    assert not engine.claim_step(job, 30, now=now + timedelta(seconds=29))


def test_a_hold_that_lapses_exactly_now_is_free(team, account):
    now = timezone.now()
    job = _processing(team, account, held_until=now)
    assert engine.take_step(job, 30, now=now)


def test_a_hold_lapsing_a_moment_later_is_still_held(team, account):
    now = timezone.now()
    job = _processing(team, account, held_until=now + timedelta(microseconds=1))
    assert not engine.take_step(job, 30, now=now)


def test_a_submit_whose_hold_lapsed_exactly_now_is_taken_over(team, account, upstream):
    now = timezone.now()
    job = _job(team, account)
    Job.objects.filter(pk=job.pk).update(status=Status.SUBMITTING, attempts=1, held_until=now)
    assert engine.submit(job.pk, now=now) == "submitted"


def test_a_taken_hold_proves_its_holder_and_a_freed_one_proves_nobody(team, account):
    now = timezone.now()
    job = _job(team, account)
    rows = Job.objects.filter(pk=job.pk)
    held = SUBMIT_HOLD.take(rows, now, timedelta(seconds=5))
    assert rows.filter(SUBMIT_HOLD.mine(held)).exists()
    assert SUBMIT_HOLD.take(rows, now, timedelta(seconds=5)) is None
    rows.update(**STEP_HOLD.released())
    assert not rows.filter(SUBMIT_HOLD.mine(held)).exists()
    assert SUBMIT_HOLD.take(rows, now, timedelta(seconds=5)) is not None
