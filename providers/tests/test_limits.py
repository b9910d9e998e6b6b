"""What a hostile provider server can make a call cost: answers past the body cap, and
answers slower than the call's deadline (lists that never end: test_pages.py)."""

from __future__ import annotations

import dataclasses
import io

import httpx
import pytest

from providers import config, downloads, http
from providers.errors import BadRequest, RateLimited, TooLarge, Unavailable

from .hostile import Exchange, HostileServer, endless_json, trickle

KEY = "hostile-test-key"
CAP = 1024 * 1024


@pytest.fixture(autouse=True)
def limits(http_settings):
    """A 1 MB answer cap and a one-second deadline; the read timeout (2 s) stays longer
    than any pause the trickles make, so only the deadline can end them."""
    settings = dataclasses.asdict(http_settings)
    yield config.configure(
        **{
            **settings,
            "private_hosts": ["127.0.0.1"],
            "max_body_bytes": CAP,
            "deadline": 1.0,
            "file_deadline": 1.0,
        }
    )


def upstream(server: HostileServer) -> http.Upstream:
    return http.Upstream("Hostile", server.url, KEY, {"Authorization": f"Bearer {KEY}"})


# --- the answer cap ---------------------------------------------------------------------


def test_an_endless_answer_is_cut_off_past_the_cap_with_a_plain_error():
    with HostileServer(endless_json) as server, pytest.raises(TooLarge) as caught:
        upstream(server).json("GET", "/voices")

    assert caught.value.message == "Hostile sent an answer larger than 1 MB; it was not read."
    # Not retried, and the server was stopped short: what it sent is the cap, the read
    # in progress and what the two sockets' buffers held when the client hung up.
    assert len(server.requests) == 1
    assert server.sent < 2 * CAP


def test_an_answer_is_read_no_further_than_one_chunk_past_the_cap(mock):
    taken = []

    def endless():
        for _ in range(1000):
            taken.append(downloads.CHUNK_SIZE)
            yield b"x" * downloads.CHUNK_SIZE

    mock.get("https://upstream.test/voices").mock(
        return_value=httpx.Response(200, content=endless())
    )
    client = http.Upstream("Hostile", "https://upstream.test", KEY, {})

    with pytest.raises(TooLarge):
        client.json("GET", "/voices")

    assert sum(taken) <= CAP + downloads.CHUNK_SIZE


def test_an_answer_declared_over_the_cap_is_refused_before_its_body_is_read():
    def declared(exchange: Exchange) -> None:
        exchange.head(Content_Type="application/json", Content_Length=str(400 * CAP))
        for _ in range(64):
            exchange.send(b"0" * 65536)

    with HostileServer(declared) as server, pytest.raises(TooLarge) as caught:
        upstream(server).json("GET", "/voices")

    assert "larger than 1 MB" in caught.value.message
    assert server.sent < CAP


def test_an_error_answer_is_read_only_as_far_as_its_detail_needs():
    def huge_error(exchange: Exchange) -> None:
        exchange.head(400, Content_Type="application/json")
        exchange.send(b'{"detail": "no such voice", "padding": "')
        for _ in range(1000):
            exchange.send(b"x" * 65536)

    with HostileServer(huge_error) as server, pytest.raises(BadRequest) as caught:
        upstream(server).json("GET", "/voices")

    # A 400 stays a 400, its detail read from the start of what was sent.
    assert caught.value.status_code == 400 and "no such voice" in caught.value.detail
    assert server.sent < http.ERROR_BODY_LIMIT + CAP


def test_a_result_file_keeps_its_own_cap_not_the_answer_cap():
    body = b"a" * (2 * CAP)

    def file(exchange: Exchange) -> None:
        exchange.head(Content_Type="audio/wav", Content_Length=str(len(body)))
        exchange.send(body)

    out = io.BytesIO()
    with HostileServer(file) as server:
        saved = upstream(server).download(f"{server.url}/take.wav", out, max_bytes=4 * CAP)

    assert saved.size == len(body) and out.getvalue() == body


# --- the deadline -----------------------------------------------------------------------


def test_an_answer_trickled_a_byte_at_a_time_fails_at_the_deadline():
    with HostileServer(trickle(0.2)) as server, pytest.raises(Unavailable) as caught:
        upstream(server).json("GET", "/voices")

    assert caught.value.message == "Hostile did not answer in time; try again in a few minutes."
    # The deadline spans the call: a GET that ran out of time is not sent again.
    assert len(server.requests) == 1


def test_headers_trickled_a_byte_at_a_time_fail_at_the_deadline():
    # httpx's read timeout starts again with every byte, so alone it never ends this.
    with HostileServer(trickle(0.2, headers=True)) as server, pytest.raises(Unavailable) as caught:
        upstream(server).json("GET", "/voices")

    assert "did not answer in time" in caught.value.message


def test_a_download_that_trickles_fails_at_the_file_deadline(tmp_path):
    with HostileServer(trickle(0.2)) as server, pytest.raises(Unavailable) as caught:
        upstream(server).download(f"{server.url}/take.wav", tmp_path / "take.wav")

    assert "did not answer in time" in caught.value.message
    assert not list(tmp_path.iterdir())


def test_no_retry_starts_that_would_end_past_the_deadline(mock, sleep, sleeps):
    route = mock.get("https://upstream.test/voices").respond(429, headers={"Retry-After": "5"})
    client = http.Upstream("Hostile", "https://upstream.test", KEY, {}, sleep=sleep)

    with pytest.raises(RateLimited) as caught:
        client.json("GET", "/voices")

    # Without the deadline this waits the 5 s asked for and tries three more times; now
    # the caller is told to come back in 5 s, and can reschedule.
    assert route.call_count == 1 and sleeps == []
    assert caught.value.retry_after == 5.0
