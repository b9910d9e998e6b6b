"""Behaviour of the shared HTTP layer: retries, waits, the in-flight cap, errors, redaction."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from providers import USER_AGENT, __version__, config, downloads, http, pool, retries
from providers.errors import (
    AuthError,
    BadRequest,
    NotFound,
    ProtocolError,
    RateLimited,
    Unavailable,
)
from providers.redact import mask, redact

from .conftest import Concurrency, one_call_held

BASE = "https://upstream.test"
KEY = "sk-live-0123456789abcdef"


@pytest.fixture
def upstream(sleep):
    return http.Upstream("Test", BASE, KEY, {"Authorization": f"Bearer {KEY}"}, sleep=sleep)


def test_requests_carry_user_agent_and_credentials(mock, upstream):
    route = mock.get(f"{BASE}/things").respond(json={"ok": True})

    assert upstream.json("GET", "/things") == {"ok": True}

    sent = route.calls.last.request
    assert sent.headers["User-Agent"] == USER_AGENT == f"Voxboard/{__version__}"
    assert sent.headers["Authorization"] == f"Bearer {KEY}"


def test_429_with_retry_after_is_waited_then_retried(mock, upstream, sleeps):
    route = mock.get(f"{BASE}/things").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "slow down"}),
            httpx.Response(200, json=[1]),
        ]
    )

    assert upstream.json("GET", "/things") == [1]

    assert route.call_count == 2
    assert sleeps == [7.0]


def test_retry_after_longer_than_max_wait_is_left_to_the_caller(mock, upstream, sleeps):
    route = mock.get(f"{BASE}/things").respond(429, headers={"Retry-After": "120"})

    with pytest.raises(RateLimited) as caught:
        upstream.json("GET", "/things")

    assert caught.value.retry_after == 120.0
    assert "try again in 120 seconds" in caught.value.message
    assert route.call_count == 1
    assert sleeps == []


def test_503_storm_is_retried_then_raises_unavailable(mock, upstream, sleeps):
    route = mock.get(f"{BASE}/things").respond(503, text="<html>busy</html>")

    with pytest.raises(Unavailable) as caught:
        upstream.json("GET", "/things")

    assert route.call_count == retries.MAX_ATTEMPTS == 4
    assert caught.value.status_code == 503
    assert caught.value.provider == "Test"
    # Three waits, each within its capped exponential band (jitter keeps 50-100%).
    assert len(sleeps) == 3
    for attempt, waited in enumerate(sleeps, start=1):
        ceiling = min(retries.BACKOFF_CAP, retries.BACKOFF_BASE * 2 ** (attempt - 1))
        assert ceiling / 2 <= waited <= ceiling


@pytest.mark.parametrize(
    ("method", "status", "cause", "attempt", "retried"),
    [
        ("GET", 503, None, 1, True),
        ("GET", 429, None, 3, True),
        ("GET", 503, None, retries.MAX_ATTEMPTS, False),
        ("GET", 404, None, 1, False),
        ("GET", 422, None, 1, False),
        ("GET", 500, None, 1, False),
        ("POST", 503, None, 1, False),
        ("GET", None, httpx.ReadTimeout("slow"), 1, True),
        ("POST", None, httpx.ReadTimeout("slow"), 1, False),
        ("POST", None, httpx.ConnectError("refused"), 1, True),
        ("DELETE", None, httpx.RemoteProtocolError("cut"), 1, False),
    ],
)
def test_retry_decision_sends_again_only_what_cannot_do_harm(
    method, status, cause, attempt, retried
):
    failure = retries.Failure(method, lambda: Unavailable("Test"), status=status, cause=cause)

    wait = retries.retry_wait(failure, attempt, max_retry_wait=30.0)

    assert (wait is not None) is retried
    if retried:
        ceiling = min(retries.BACKOFF_CAP, retries.BACKOFF_BASE * 2 ** (attempt - 1))
        assert ceiling / 2 <= wait <= ceiling


@pytest.mark.parametrize(("retry_after", "wait"), [(7.0, 7.0), (0.0, 0.0), (31.0, None)])
def test_retry_decision_waits_as_long_as_retry_after_asks_up_to_the_limit(retry_after, wait):
    failure = retries.Failure(
        "GET", lambda: Unavailable("Test"), status=429, retry_after=retry_after
    )

    assert retries.retry_wait(failure, 1, max_retry_wait=30.0) == wait


def test_malformed_json_raises_protocol_error(mock, upstream):
    mock.get(f"{BASE}/things").respond(200, text='{"code": 0, "data": [')

    with pytest.raises(ProtocolError) as caught:
        upstream.json("GET", "/things")

    assert caught.value.status_code == 200
    assert "could not read" in caught.value.message


def test_post_is_not_retried_after_read_timeout(mock, upstream, sleeps):
    route = mock.post(f"{BASE}/jobs").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(Unavailable) as caught:
        upstream.json("POST", "/jobs", json={"name": "x"})

    assert route.call_count == 1
    assert sleeps == []
    assert caught.value.maybe_processed is True


def test_post_is_not_retried_on_503(mock, upstream):
    route = mock.post(f"{BASE}/jobs").respond(503)

    with pytest.raises(Unavailable) as caught:
        upstream.json("POST", "/jobs", json={"name": "x"})

    assert route.call_count == 1
    assert caught.value.maybe_processed is True


def test_post_is_retried_when_the_connection_never_opened(mock, upstream, sleeps):
    route = mock.post(f"{BASE}/jobs").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"id": 1})]
    )

    assert upstream.json("POST", "/jobs", json={"name": "x"}) == {"id": 1}

    assert route.call_count == 2
    assert len(sleeps) == 1


def test_upload_retried_after_connect_error_sends_the_whole_file_again(mock, upstream, tmp_path):
    sample = tmp_path / "sample.wav"
    sample.write_bytes(b"RIFF" + bytes(range(256)) * 400)
    bodies = []

    def handler(request):
        bodies.append(request.read())
        if len(bodies) == 1:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json={"ok": True})

    mock.post(f"{BASE}/upload").mock(side_effect=handler)

    with downloads.opened(sample) as handle:
        upstream.json("POST", "/upload", files={"data": downloads.file_part(handle)})

    assert len(bodies) == 2
    assert sample.read_bytes() in bodies[1]


def test_get_is_retried_after_read_timeout(mock, upstream):
    route = mock.get(f"{BASE}/things").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json=[])]
    )

    assert upstream.json("GET", "/things") == []
    assert route.call_count == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequest),
        (401, AuthError),
        (403, AuthError),
        (404, NotFound),
        (409, BadRequest),
        (413, BadRequest),
        (422, BadRequest),
    ],
)
def test_4xx_is_not_retried(mock, upstream, sleeps, status, error):
    route = mock.get(f"{BASE}/things").respond(status, json={"detail": "nope"})

    with pytest.raises(error) as caught:
        upstream.json("GET", "/things")

    assert route.call_count == 1
    assert sleeps == []
    assert caught.value.status_code == status


def test_fastapi_422_becomes_field_errors(mock, upstream):
    detail = [
        {"loc": ["body", "name"], "msg": "field required", "type": "value_error.missing"},
        {"loc": ["query", "limit"], "msg": "not an int", "type": "type_error.integer"},
    ]
    mock.post(f"{BASE}/things").respond(422, json={"detail": detail})

    with pytest.raises(BadRequest) as caught:
        upstream.json("POST", "/things", json={})

    assert caught.value.field_errors == {"name": ["field required"], "limit": ["not an int"]}
    assert "name: field required" in caught.value.message


def test_in_process_cap_holds_with_20_parallel_calls(mock, upstream):
    calls = Concurrency()
    route = mock.get(f"{BASE}/things").mock(side_effect=calls)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda _: upstream.json("GET", "/things"), range(20)))

    assert route.call_count == 20
    assert calls.peak == 4


def test_other_credentials_have_their_own_cap(mock, sleep):
    config.configure(redis_url=None, max_in_flight=1, connect_timeout=1.0, read_timeout=2.0)
    first = http.Upstream("Test", BASE, "key-one-0000", {"api-key": "key-one-0000"}, sleep=sleep)
    second = http.Upstream("Test", BASE, "key-two-0000", {"api-key": "key-two-0000"}, sleep=sleep)

    with one_call_held(
        mock.get(f"{BASE}/things"),
        lambda: first.json("GET", "/things"),
        held=lambda request: request.headers["api-key"] == "key-one-0000",
    ):
        # The first key's only slot is taken; the second key is not held up by it.
        assert second.json("GET", "/things") == {}


def test_a_full_cap_times_out_as_unavailable(mock, sleep):
    config.configure(redis_url=None, max_in_flight=1, slot_wait=0.05)
    upstream = http.Upstream("Test", BASE, KEY, {"api-key": KEY}, sleep=sleep)

    with (
        one_call_held(mock.get(f"{BASE}/things"), lambda: upstream.json("GET", "/things")),
        pytest.raises(Unavailable, match="Too many calls"),
    ):
        upstream.json("GET", "/things")


def test_secrets_are_redacted_from_logs_and_errors(mock, upstream, caplog):
    caplog.set_level(logging.DEBUG, logger="providers")
    mock.get(f"{BASE}/things").respond(401, json={"detail": f"Invalid key {KEY}"})
    mock.get(f"{BASE}/other").mock(
        side_effect=[httpx.ConnectError(f"Authorization: Bearer {KEY}"), httpx.Response(200)]
    )

    with pytest.raises(AuthError) as caught:
        upstream.json("GET", "/things")
    upstream.request("GET", "/other")

    assert caplog.records, "the failures should have been logged"
    assert KEY not in caplog.text
    assert "***cdef" in caplog.text
    assert KEY not in str(caught.value) and KEY not in (caught.value.detail or "")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Authorization: Bearer abcdefghijklmnop", "Authorization: Bearer ***mnop"),
        ("{'api-key': 'abcdefghijklmnop'}", "{'api-key': '***mnop'}"),
        ("api-key=short", "api-key=***"),
        ("no secrets here", "no secrets here"),
    ],
)
def test_redact_masks_auth_header_values(line, expected):
    assert redact(line) == expected


def test_redact_masks_given_secrets_anywhere():
    assert redact(f"url?token={KEY}&x=1", (KEY,)) == "url?token=***cdef&x=1"
    assert mask("short") == "***"


def test_empty_credential_is_an_auth_error():
    with pytest.raises(AuthError, match="No Test API key"):
        http.Upstream("Test", BASE, "", {})


def test_one_pooled_client_per_base_url_across_threads():
    with ThreadPoolExecutor(max_workers=16) as threads:
        clients = list(threads.map(lambda _: pool.pooled_client("https://a.test"), range(64)))

    assert len({id(c) for c in clients}) == 1
    assert pool.pooled_client("https://b.test") is not clients[0]


def test_configure_sets_the_timeouts_of_new_clients():
    config.configure(connect_timeout=1.5, read_timeout=9.0)

    timeout = pool.pooled_client("https://a.test").timeout

    assert (timeout.connect, timeout.read) == (1.5, 9.0)


def test_without_configure_redis_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setattr(config, "_settings", None)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")

    assert config.current_settings().redis_url == "redis://127.0.0.1:6379/15"
    assert config.current_settings().max_in_flight == 4


def test_download_streams_to_a_path_with_size_and_sha256(mock, upstream, tmp_path):
    body = bytes(range(256)) * 1000
    mock.get(f"{BASE}/export").respond(
        200,
        content=body,
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": 'attachment; filename="project.zip"',
        },
    )
    dest = tmp_path / "out.zip"

    result = upstream.download("/export", dest)

    assert dest.read_bytes() == body
    assert result.size == len(body)
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.filename == "project.zip"
    assert result.content_type == "application/zip"
    assert result.path == str(dest)


class _BrokenStream(httpx.SyncByteStream):
    def __iter__(self):
        yield b"x" * 1000
        raise httpx.ReadError("connection reset")


def test_failed_download_leaves_no_file_behind(mock, upstream, tmp_path):
    mock.get(f"{BASE}/export").mock(return_value=httpx.Response(200, stream=_BrokenStream()))
    dest = tmp_path / "out.zip"

    with pytest.raises(Unavailable):
        upstream.download("/export", dest)

    assert list(tmp_path.iterdir()) == []


def test_download_redirect_to_another_host_sends_no_credentials(mock, upstream, tmp_path):
    mock.get(f"{BASE}/export").respond(302, headers={"Location": "https://cdn.test/f.zip"})
    cdn = mock.get("https://cdn.test/f.zip").respond(200, content=b"zip")

    result = upstream.download("/export", tmp_path / "f.zip")

    assert result.size == 3
    assert "Authorization" not in cdn.calls.last.request.headers


def test_redirected_api_call_is_a_protocol_error(mock, upstream):
    mock.get(f"{BASE}/things").respond(301, headers={"Location": "https://elsewhere.test/"})

    with pytest.raises(ProtocolError, match="redirect|could not read"):
        upstream.json("GET", "/things")


def test_browsers_that_stop_reading_leave_the_api_calls_their_slots(mock, sleep):
    config.configure(redis_url=None, max_in_flight=4, max_relays=4, slot_wait=0.05)
    upstream = http.Upstream("Test", BASE, KEY, {"api-key": KEY}, sleep=sleep)
    mock.get(f"{BASE}/take.wav").respond(200, content=b"RIFF" + b"\0" * 4096)
    mock.post(f"{BASE}/star").respond(200, json={"starred": True})

    with contextlib.ExitStack() as stalled:
        # Four browsers opened a take's audio and then stopped reading it.
        for _ in range(4):
            stalled.enter_context(upstream.stream("/take.wav"))
        assert upstream.json("POST", "/star") == {"starred": True}
        # The relays have a cap of their own: a fifth waits, then is told so.
        with pytest.raises(Unavailable, match="Too many calls"), upstream.stream("/take.wav"):
            pass


def test_a_redirect_to_an_address_that_cannot_be_read_is_a_protocol_error(mock, sleep, tmp_path):
    upstream = http.Upstream("Test", BASE, KEY, {"api-key": KEY}, sleep=sleep)
    mock.get(f"{BASE}/result").respond(302, headers={"Location": "http://[bad/x"})

    with pytest.raises(ProtocolError, match="gave an address that cannot be used"):
        upstream.download("/result", tmp_path / "out.bin")
    with pytest.raises(ProtocolError), upstream.stream("/result"):
        pass
