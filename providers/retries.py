"""Which failed attempts of one call are sent again, and after how long; the backoff
itself is `core.retry`'s."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from core.retry import Backoff
from providers.errors import UpstreamError

MAX_ATTEMPTS = 4
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Only these may be sent again after they could have reached the server.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Failures that prove the request never left this machine, so any method may be retried.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after which a GET is worth repeating.
TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# Waits inside one call are short and spread wide (50-100 % of the step), since many
# workers may have hit the same busy provider at once.
RETRY = Backoff(base=BACKOFF_BASE, cap=BACKOFF_CAP, jitter=(0.5, 1.0), max_tries=MAX_ATTEMPTS)


@dataclass(frozen=True)
class Failure:
    """One failed attempt: what the retry decision weighs, and the error it ends in."""

    method: str
    # Built only when raised: building a transport failure's error logs it as final.
    error: Callable[[], UpstreamError]
    # The answer's status; None when the transport failed (then `cause` says how).
    status: int | None = None
    cause: httpx.TransportError | None = None
    retry_after: float | None = None

    @property
    def outcome(self) -> str:
        """Words for the retry's log line: "answered 503", "failed (ReadTimeout)"."""
        if self.cause is not None:
            return f"failed ({type(self.cause).__name__})"
        return f"answered {self.status}"


def retry_wait(failure: Failure, attempt: int, max_retry_wait: float) -> float | None:
    """Seconds to wait before sending again after failed attempt `attempt`, or None to stop.

    Only what cannot do harm twice is sent again: any method whose connection never
    opened, and an idempotent one after a timeout, a dropped connection, a 429 or a
    502-504. Other answers (4xx above all) are final. A Retry-After stands in for the
    backoff; one longer than `max_retry_wait` is left to the caller, which can reschedule
    rather than hold a worker.
    """
    idempotent = failure.method in IDEMPOTENT_METHODS
    if failure.cause is not None:
        retryable = isinstance(failure.cause, NEVER_SENT) or (
            idempotent and isinstance(failure.cause, TRANSIENT)
        )
    else:
        retryable = idempotent and failure.status in RETRY_STATUSES
    wait = RETRY.seconds(attempt) if retryable else None
    if wait is None:
        return None
    if failure.retry_after is not None:
        if failure.retry_after > max_retry_wait:
            return None
        wait = failure.retry_after
    return wait
