"""In-flight caps per credential: Redis slots shared by all processes, or this process's own."""

from __future__ import annotations

import hashlib
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import redis

from providers.errors import Unavailable
from providers.redact import log

if TYPE_CHECKING:
    from providers.config import Settings

# The holders are a sorted set of tokens scored by lease expiry, so a worker that dies
# while holding a slot frees it when its lease runs out. Redis's clock is the only one.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""
_REFRESH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return n
"""
REDIS_KEY_PREFIX = "voxboard:providers:inflight:"

_lock = threading.Lock()
_local_slots: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_redis_clients: dict[tuple[int, str], redis.Redis] = {}


def credential_key(provider: str, credential: str) -> str:
    """A stable, non-reversible name for one provider credential."""
    return hashlib.sha256(f"{provider}\0{credential}".encode()).hexdigest()[:32]


def forget_local_slots() -> None:
    """Drop this process's semaphores, so new settings start from empty caps."""
    with _lock:
        _local_slots.clear()


def _redis(url: str) -> redis.Redis:
    key = (os.getpid(), url)
    with _lock:
        client = _redis_clients.get(key)
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            _redis_clients[key] = client
    return client


class Slot:
    """One held in-flight slot; `refresh()` extends a Redis lease during long downloads."""

    def __init__(self, release: Callable[[], None], refresh: Callable[[], None]) -> None:
        self.release = release
        self.refresh = refresh


def _local_slot(key: str, settings: Settings) -> Slot | None:
    with _lock:
        semaphore = _local_slots.get((key, settings.max_in_flight))
        if semaphore is None:
            semaphore = threading.BoundedSemaphore(settings.max_in_flight)
            _local_slots[(key, settings.max_in_flight)] = semaphore
    if not semaphore.acquire(timeout=settings.slot_wait):
        return None
    return Slot(semaphore.release, lambda: None)


def _redis_slot(key: str, settings: Settings) -> Slot | None:
    client = _redis(settings.redis_url or "")
    name = REDIS_KEY_PREFIX + key
    token = uuid.uuid4().hex
    lease_ms = int(settings.slot_lease * 1000)
    deadline = time.monotonic() + settings.slot_wait
    pause = 0.02
    while not client.eval(_ACQUIRE, 1, name, settings.max_in_flight, lease_ms, token):
        if time.monotonic() >= deadline:
            return None
        time.sleep(pause * (0.5 + random.random()))
        pause = min(pause * 2, 0.25)

    def refresh() -> None:
        try:
            client.eval(_REFRESH, 1, name, lease_ms, token)
        except redis.RedisError as exc:
            # A lapsed lease only lets one more call in; the download itself is fine.
            log(logging.WARNING, "could not extend an in-flight slot: %s", exc)

    return Slot(release=lambda: client.zrem(name, token), refresh=refresh)


@contextmanager
def in_flight_slot(key: str, provider: str, settings: Settings) -> Iterator[Slot]:
    """Hold one of the credential's `max_in_flight` slots for the duration of the block."""
    slot = None
    if settings.redis_url:
        try:
            slot = _redis_slot(key, settings)
        except redis.RedisError as exc:
            # The cap is politeness towards the upstream; losing Redis must not stop all
            # calls, so fall back to this process's own cap.
            log(logging.WARNING, "in-flight cap falls back to this process: %s", exc)
            slot = _local_slot(key, settings)
    else:
        slot = _local_slot(key, settings)
    if slot is None:
        raise Unavailable(
            provider,
            message=f"Too many calls to {provider} are already running; try again shortly.",
        )
    try:
        yield slot
    finally:
        try:
            slot.release()
        except redis.RedisError as exc:
            log(logging.WARNING, "could not release an in-flight slot (lease expires): %s", exc)
