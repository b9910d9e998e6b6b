"""Waiting before trying again: one backoff policy with jitter, one reading of Retry-After,
and the time limits that keep a task inside the hold it works under.

Plain Python (no Django, nothing of ours), so the provider clients use it as the apps do.
"""

import email.utils
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Backoff:
    """How long to wait after failed tries, and when to stop trying.

    After the n-th failure (counted from 1) the wait is `steps[n-1]` when a schedule of
    steps is given (its last step repeats), otherwise `base` x 2^(n-1); either is capped
    at `cap`, then scaled by a random factor between `jitter[0]` and `jitter[1]`, so that
    callers that failed together do not all come back together. After `max_tries`
    failures there is no wait: the caller gives up.

    Where the users differ, honestly: the HTTP layer sleeps inside one call (short waits,
    50-100 % jitter); jobs, avatar leaves and webhook deliveries come back later (a
    wait of minutes to hours, +-10 %); a result copy waits exactly its doubling step.
    """

    base: float = 1.0
    cap: float = math.inf
    jitter: tuple[float, float] = (0.9, 1.1)
    max_tries: int | None = None
    steps: tuple[float, ...] = ()

    def ceiling(self, failures: int) -> float:
        """The wait after `failures` failed tries before jitter, in seconds."""
        if self.steps:
            step = self.steps[min(max(failures, 1), len(self.steps)) - 1]
        else:
            step = self.base * 2 ** max(0, failures - 1)
        return min(step, self.cap)

    def seconds(self, failures: int, rand: Callable[[], float] = random.random) -> float | None:
        """The jittered wait after `failures` failed tries, or None when they are used up."""
        if self.max_tries is not None and failures >= self.max_tries:
            return None
        low, high = self.jitter
        return self.ceiling(failures) * (low + (high - low) * rand())

    def delay(
        self,
        failures: int,
        *,
        retry_after: float | timedelta | None = None,
        rand: Callable[[], float] = random.random,
    ) -> timedelta | None:
        """`seconds` as a timedelta, for a row's next try. A Retry-After that asks for
        longer stands in for it; a shorter one never brings the next try forward."""
        wait = self.seconds(failures, rand)
        if wait is None:
            return None
        if isinstance(retry_after, timedelta):
            retry_after = retry_after.total_seconds()
        return timedelta(seconds=max(wait, retry_after or 0.0))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header, given as seconds or as an HTTP date
    (`now` by default the present); None when there is none or it is unreadable. A
    moment already past is 0; a date without a zone is read as UTC."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def within(hold: float) -> dict:
    """Celery time limits that stop a task before a hold of `hold` seconds lapses, so
    work is only ever taken over from a worker that can no longer do it."""
    hold = int(hold)
    return {"soft_time_limit": max(1, hold * 2 // 3), "time_limit": max(2, hold * 5 // 6)}
