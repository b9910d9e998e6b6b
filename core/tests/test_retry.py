"""The one retry policy: backoff with its cap and jitter, the schedule and the last try,
Retry-After read as seconds or as an HTTP date, and task time limits inside a hold."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from core.retry import Backoff, parse_retry_after, within

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)


def test_backoff_doubles_from_its_base_up_to_its_cap():
    policy = Backoff(base=0.5, cap=8.0, jitter=(1.0, 1.0))

    assert [policy.seconds(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_backoff_is_capped_at_either_end_of_its_jitter():
    policy = Backoff(base=0.5, cap=8.0, jitter=(0.5, 1.0))

    assert policy.seconds(30, rand=lambda: 1.0) == 8.0
    assert policy.seconds(1, rand=lambda: 0.0) == 0.25


def test_jitter_spreads_the_waits_inside_its_range():
    policy = Backoff(base=5, jitter=(0.9, 1.1))

    waits = {policy.delay(1) for _ in range(50)}

    assert len(waits) > 1
    assert all(timedelta(seconds=4.5) <= wait <= timedelta(seconds=5.5) for wait in waits)


def test_a_schedule_gives_each_wait_and_the_tries_run_out():
    policy = Backoff(steps=(5, 300, 1800), jitter=(1.0, 1.0), max_tries=4)

    assert [policy.seconds(n) for n in range(1, 5)] == [5, 300, 1800, None]


def test_a_policy_without_a_last_try_always_waits():
    assert Backoff(base=2, cap=60, jitter=(1.0, 1.0)).seconds(1000) == 60


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        (None, timedelta(seconds=4)),
        (1.0, timedelta(seconds=4)),  # shorter: the schedule stands
        (3600.0, timedelta(hours=1)),  # longer: the receiver's word stands
        (timedelta(minutes=5), timedelta(minutes=5)),
    ],
)
def test_a_longer_retry_after_stands_in_for_the_backoff_and_a_shorter_one_does_not(
    retry_after, wait
):
    policy = Backoff(base=2, jitter=(1.0, 1.0))

    assert policy.delay(2, retry_after=retry_after) == wait


def test_no_delay_once_the_tries_are_used_up_whatever_retry_after_says():
    assert Backoff(max_tries=3).delay(3, retry_after=10.0) is None


def test_retry_after_in_seconds():
    assert parse_retry_after("12", now=NOW) == 12.0
    assert parse_retry_after(" 7 ", now=NOW) == 7.0
    assert parse_retry_after("-5", now=NOW) == 0.0


def test_retry_after_as_an_http_date_is_read_as_seconds_from_now():
    assert parse_retry_after(format_datetime(NOW + timedelta(seconds=30), usegmt=True), NOW) == 30
    later = (NOW + timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, NOW) == 7200


def test_a_retry_after_date_already_past_is_no_wait():
    assert parse_retry_after(format_datetime(NOW - timedelta(minutes=1), usegmt=True), NOW) == 0


@pytest.mark.parametrize("value", [None, "", "soon", "inf", "nan"])
def test_a_missing_or_unreadable_retry_after_is_none(value):
    assert parse_retry_after(value, now=NOW) is None


@pytest.mark.parametrize(
    ("hold", "soft", "hard"),
    [(900, 600, 750), (60, 40, 50), (1, 1, 2)],
)
def test_a_task_is_stopped_before_the_hold_it_works_under_lapses(hold, soft, hard):
    limits = within(hold)

    assert limits == {"soft_time_limit": soft, "time_limit": hard}
    assert limits["soft_time_limit"] < limits["time_limit"] <= max(hold, 2)
