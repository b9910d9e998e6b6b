"""A wall-clock deadline for a whole upstream call, enforced on every socket operation.

httpx's timeouts bound each read or write on its own, so a server that sends one byte
just inside the read timeout (headers or body) can hold a call for ever. A request
carries its deadline (a `time.monotonic()` instant) in its extensions; the transport
(`providers.guard.GuardedTransport`) makes it the thread's deadline while httpx works on
that request's behalf, and every connect, TLS handshake, read and write then waits at
most until it. Past it they raise httpcore's timeouts, which httpx turns into its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

# The request extension holding the deadline; httpx and httpcore ignore keys they do not know.
EXTENSION = "voxboard.deadline"

_current = threading.local()


@contextmanager
def until(deadline: float | None) -> Iterator[None]:
    """Bound this thread's socket operations by `deadline` for the block (None: no bound)."""
    previous = getattr(_current, "deadline", None)
    _current.deadline = deadline
    try:
        yield
    finally:
        _current.deadline = previous


def bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """`timeout` shortened to the time left before this thread's deadline; `expired`
    raised when there is none left."""
    deadline = getattr(_current, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class BoundedStream(httpcore.NetworkStream):
    """A connection whose every operation waits no longer than the current deadline.

    Pooled connections outlive requests, so the deadline is looked up on each operation
    rather than fixed when the connection opened.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, bounded(timeout, httpcore.ConnectTimeout)
        )
        return BoundedStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class BoundedBody(httpx.SyncByteStream):
    """A response body read under its request's deadline, whenever and wherever it is
    read (a relayed file is read after the view returned)."""

    def __init__(self, inner: httpx.SyncByteStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._inner)
        while True:
            with until(self._deadline):
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        self._inner.close()
