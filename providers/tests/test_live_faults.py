"""The shared HTTP layer under the sandbox's injected faults, with its request log as witness."""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from providers import config, retries
from providers.a2e import A2EClient
from providers.errors import ProtocolError, Unavailable

from .conftest import LIVE_A2E_TOKEN, poll, wav_bytes

pytestmark = pytest.mark.integration

COINS = "/a2e/api/v1/user/remainingCoins"
CREDITS = "/respeecher/api/credits"
PROJECTS = "/respeecher/api/projects"
ASSISTANTS = "/burki/api/v1/assistants"
START_DUBBING = "/a2e/api/v1/userDubbing/startDubbing"
READ_TIMEOUT = 0.25
# Long enough to outlast the read timeout by far, short enough to end within the test.
HANG = 0.75


@pytest.fixture
def short_read_timeout(http_settings):
    config.configure(**{**dataclasses.asdict(http_settings), "read_timeout": READ_TIMEOUT})
    yield READ_TIMEOUT
    config.configure(**dataclasses.asdict(http_settings))


def started_at(row: dict) -> float:
    return datetime.fromisoformat(row["time"].replace("Z", "+00:00")).timestamp()


def applied(sandbox) -> list[int]:
    return [rule["applied"] for rule in sandbox.faults()]


def settled_log(sandbox, path: str, count: int) -> list[dict]:
    """The log rows for `path` once `count` have landed (a row lands when its answer ends)."""
    return poll(lambda: sandbox.requests(path=path), lambda rows: len(rows) >= count)


def test_429_with_retry_after_is_waited_out_then_the_call_succeeds(sandbox, sleeps):
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    client = A2EClient(sandbox.url + "/a2e", LIVE_A2E_TOKEN, sleep=sleep)
    sandbox.fault(path=COINS, status={"429": 1.0}, retry_after=1, times=1)

    coins = client.remaining_coins()

    limited, answered = sandbox.requests(path=COINS)
    assert coins.coins == 10_000
    assert (limited["status"], limited["fault"]) == (429, "429")
    assert answered["status"] == 200 and "fault" not in answered
    assert sleeps == [1.0]
    # The second attempt reached the sandbox only after the second it was asked to wait
    # (less the log's millisecond rounding).
    assert started_at(answered) - started_at(limited) >= 0.99


def test_503_storm_is_tried_four_times_then_surfaces_as_unavailable(respeecher, sandbox, sleeps):
    sandbox.fault(path=CREDITS, status={"503": 1.0})

    with pytest.raises(Unavailable) as caught:
        respeecher.credits()

    rows = sandbox.requests(path=CREDITS)
    assert [row["status"] for row in rows] == [503] * retries.MAX_ATTEMPTS == [503] * 4
    assert len(sleeps) == 3 and all(0 < s <= retries.BACKOFF_CAP for s in sleeps)
    assert caught.value.status_code == 503 and caught.value.maybe_processed is False


def test_post_answered_503_is_sent_once_and_may_have_been_processed(respeecher, sandbox, sleeps):
    sandbox.fault(path=PROJECTS, method="POST", status={"503": 1.0})

    with pytest.raises(Unavailable) as caught:
        respeecher.create_project("Never twice")

    assert [row["status"] for row in sandbox.requests(path=PROJECTS, method="POST")] == [503]
    assert sleeps == [] and caught.value.maybe_processed is True


def test_malformed_json_is_a_protocol_error_and_is_not_retried(burki, sandbox, sleeps):
    sandbox.fault(path=ASSISTANTS, malformed_json=1.0)

    with pytest.raises(ProtocolError):
        burki.list_assistants()

    [row] = sandbox.requests(path=ASSISTANTS)
    assert row["status"] == 200 and row["fault"] == "malformed_json"
    assert sleeps == []


def test_get_whose_body_is_cut_short_is_tried_again(burki, sandbox, sleeps):
    sandbox.fault(path=ASSISTANTS, truncate=1.0, times=1)

    page = burki.list_assistants()

    cut, whole = sandbox.requests(path=ASSISTANTS)
    assert [a.id for a in page] == [1]
    assert cut["fault"] == "truncate" and "fault" not in whole
    assert len(sleeps) == 1


def test_post_whose_answer_is_cut_short_is_sent_once_and_may_have_been_processed(
    respeecher, sandbox, sleeps
):
    sandbox.fault(path=PROJECTS, method="POST", truncate=1.0)

    with pytest.raises(Unavailable) as caught:
        respeecher.create_project("Cut short")

    assert len(sandbox.requests(path=PROJECTS, method="POST")) == 1
    assert sleeps == [] and caught.value.maybe_processed is True
    assert [p.name for p in respeecher.iter_projects()].count("Cut short") == 1


def test_hang_ends_at_the_read_timeout_as_unavailable_after_every_attempt(
    a2e, sandbox, sleeps, short_read_timeout
):
    sandbox.fault(path=COINS, hang=HANG)

    with pytest.raises(Unavailable) as caught:
        a2e.remaining_coins()

    # Counted as each request arrived: a GET that timed out is worth asking again.
    assert applied(sandbox) == [retries.MAX_ATTEMPTS]
    assert len(sleeps) == retries.MAX_ATTEMPTS - 1
    assert caught.value.status_code is None and caught.value.maybe_processed is False
    assert "did not answer in time" in caught.value.message
    rows = settled_log(sandbox, COINS, retries.MAX_ATTEMPTS)
    assert all(row["fault"] == "hang" and row["duration_ms"] >= HANG * 990 for row in rows)


def test_post_that_times_out_is_not_sent_again_and_may_have_been_processed(
    a2e, sandbox, sleeps, short_read_timeout
):
    source = sandbox.put_file("episode.wav", wav_bytes(1), "audio/wav")
    sandbox.fault(path=START_DUBBING, hang=HANG)

    with pytest.raises(Unavailable) as caught:
        a2e.start_dubbing("Episode 1", source, "es")

    assert applied(sandbox) == [1]
    assert sleeps == []
    assert caught.value.maybe_processed is True
    # Once the hung request ends on the sandbox's side: it was carried out, and only once.
    assert len(settled_log(sandbox, START_DUBBING, 1)) == 1
    assert len(sandbox.requests(path=START_DUBBING)) == 1
    assert [d.name for d in a2e.iter_dubbings()].count("Episode 1") == 1


def test_twenty_parallel_calls_on_one_credential_keep_at_most_four_in_flight(a2e, sandbox):
    latency = 0.3
    sandbox.fault(path=COINS, latency=latency)
    threads = 20
    gate = threading.Barrier(threads)

    def call(_: int) -> float | None:
        gate.wait()
        return a2e.remaining_coins().coins

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(call, range(threads)))

    rows = sandbox.requests(path=COINS)
    assert results == [10_000] * threads and len(rows) == threads
    # Each request's span on the sandbox, trimmed at both ends by far more than the log's
    # millisecond rounding and loopback hand-over, so only real overlap is counted.
    trim = 0.05
    edges = []
    for row in rows:
        start = started_at(row)
        edges += [(start + trim, 1), (start + row["duration_ms"] / 1000 - trim, -1)]
    in_flight = peak = 0
    for _, step in sorted(edges):
        in_flight += step
        peak = max(peak, in_flight)
    assert all(row["duration_ms"] >= latency * 990 for row in rows)
    assert peak == config.current_settings().max_in_flight == 4
