"""The Redis in-flight cap: shared between clients, and freed when a holder dies."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from providers import config, http, slots

from .conftest import Concurrency

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
BASE = "https://upstream.test"


def _reachable(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _reachable(REDIS_URL), reason=f"no Redis at {REDIS_URL}")


@pytest.fixture
def credential():
    """A fresh credential per test, so its Redis key is its own; the key is removed after."""
    key = f"test-{uuid.uuid4().hex}"
    yield key
    redis.Redis.from_url(REDIS_URL).delete(slot_key(key))


def slot_key(credential: str) -> str:
    return slots.REDIS_KEY_PREFIX + slots.credential_key("Test", credential)


@needs_redis
def test_redis_cap_holds_across_clients_with_20_parallel_calls(mock, sleep, credential):
    config.configure(redis_url=REDIS_URL, max_in_flight=4, slot_wait=10.0)
    # Two clients of one credential stand for two worker processes.
    clients = [
        http.Upstream("Test", BASE, credential, {"api-key": credential}, sleep=sleep)
        for _ in range(2)
    ]
    store = redis.Redis.from_url(REDIS_URL)
    held_in_redis = 0

    def count_held() -> None:
        nonlocal held_in_redis
        held_in_redis = max(held_in_redis, store.zcard(slot_key(credential)))

    calls = Concurrency(on_enter=count_held)
    route = mock.get(f"{BASE}/things").mock(side_effect=calls)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda i: clients[i % 2].json("GET", "/things"), range(20)))

    assert route.call_count == 20
    assert calls.peak == 4
    assert held_in_redis == 4
    assert store.zcard(slot_key(credential)) == 0


@needs_redis
def test_slot_of_a_crashed_holder_is_freed_when_its_lease_ends(mock, sleep, credential):
    config.configure(redis_url=REDIS_URL, max_in_flight=1, slot_wait=5.0)
    store = redis.Redis.from_url(REDIS_URL)
    seconds, micros = store.time()
    now_ms = seconds * 1000 + micros // 1000
    # A holder that died 300 ms into a lease it will never release.
    store.zadd(slot_key(credential), {"dead-worker": now_ms + 300})
    mock.get(f"{BASE}/things").respond(json={})
    upstream = http.Upstream("Test", BASE, credential, {"api-key": credential}, sleep=sleep)

    started = time.monotonic()
    assert upstream.json("GET", "/things") == {}
    waited = time.monotonic() - started

    assert 0.2 <= waited < 3.0
    assert store.zscore(slot_key(credential), "dead-worker") is None


def test_unreachable_redis_falls_back_to_the_process_cap(mock, sleep, caplog):
    config.configure(redis_url="redis://127.0.0.1:1/0", max_in_flight=2)
    mock.get(f"{BASE}/things").respond(json={"ok": True})
    upstream = http.Upstream("Test", BASE, "key-0123456789", {"api-key": "x"}, sleep=sleep)

    assert upstream.json("GET", "/things") == {"ok": True}
    assert "falls back to this process" in caplog.text


@needs_redis
def test_relays_hold_slots_of_their_own_pool_in_redis(mock, sleep, credential):
    config.configure(redis_url=REDIS_URL, max_in_flight=4, max_relays=4, slot_wait=0.2)
    upstream = http.Upstream("Test", BASE, credential, {"api-key": credential}, sleep=sleep)
    mock.get(f"{BASE}/take.wav").respond(200, content=b"RIFF" + b"\0" * 4096)
    mock.post(f"{BASE}/star").respond(200, json={"starred": True})
    store = redis.Redis.from_url(REDIS_URL)
    try:
        with contextlib.ExitStack() as stalled:
            for _ in range(4):
                stalled.enter_context(upstream.stream("/take.wav"))
            assert store.zcard(slot_key(credential) + ":relay") == 4
            assert upstream.json("POST", "/star") == {"starred": True}
    finally:
        store.delete(slot_key(credential) + ":relay")
