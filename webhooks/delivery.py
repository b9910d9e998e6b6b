"""Sending one delivery attempt: take the row's hold, POST the signed body, record the outcome."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from celery.exceptions import SoftTimeLimitExceeded
from django.db.models import F
from django.utils import timezone

from core.retry import Backoff, parse_retry_after
from webhooks import signing
from webhooks.models import (
    DELIVERY_HOLD,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Endpoint,
)
from webhooks.ssrf import UnsafeTarget, transport

logger = logging.getLogger(__name__)

# The wait after each failed attempt: 8 attempts in all, over about 28 hours.
RETRY_SCHEDULE = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# ±10 %, so endpoints that failed together do not all retry together.
RETRY = Backoff(
    steps=tuple(wait.total_seconds() for wait in RETRY_SCHEDULE),
    jitter=(0.9, 1.1),
    max_tries=MAX_ATTEMPTS,
)
# Retry-After beyond this is treated as this: a receiver cannot park a delivery for weeks.
MAX_RETRY_AFTER = timedelta(hours=24)
TIMEOUT = 15.0
# How long a hold (a message on its way, or an attempt in flight) lasts; longer than the
# send task's hard time limit, so a hold only lapses when its holder is gone.
HOLD_FOR = timedelta(minutes=2)
EXCERPT_BYTES = 1024
USER_AGENT = "Voxboard-Webhooks/1"


@dataclass
class Outcome:
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    duration_ms: int = 0
    retry_after: timedelta | None = None
    refused: bool = False  # the SSRF guard stopped it; DNS may change, but we do not insist

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410

    @property
    def retryable(self) -> bool:
        if self.status_code is None:
            # Timeouts and connection errors are retried; a refused target is not.
            return not self.refused
        return self.status_code == 429 or self.status_code >= 500


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A receiver's Retry-After as a wait, at most MAX_RETRY_AFTER."""
    seconds = parse_retry_after(value, now)
    return None if seconds is None else min(timedelta(seconds=seconds), MAX_RETRY_AFTER)


def _client(verify=True) -> httpx.Client:
    # No redirects: a 3xx could point anywhere, and the receiver should fix its URL.
    return httpx.Client(
        transport=transport(verify=verify),
        timeout=TIMEOUT,
        follow_redirects=False,
        trust_env=False,
    )


def post(url: str, secret: str, msg_id: str, body: str, now: datetime) -> Outcome:
    """One signed POST. Never raises for network trouble: it becomes the outcome's error."""
    headers = {
        **signing.signed_headers(secret, msg_id, int(now.timestamp()), body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    started = time.monotonic()
    outcome = Outcome()
    try:
        with (
            _client() as client,
            client.stream("POST", url, content=body.encode(), headers=headers) as response,
        ):
            outcome.status_code = response.status_code
            outcome.retry_after = retry_after(response.headers.get("retry-after"), now)
            excerpt = b""
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= EXCERPT_BYTES:
                    break
            outcome.excerpt = excerpt[:EXCERPT_BYTES].decode("utf-8", errors="replace")
    except UnsafeTarget as exc:
        outcome.refused = True
        outcome.error = f"Refused: {exc}"
    except httpx.TimeoutException:
        outcome.error = f"Timed out after {TIMEOUT:.0f} s."
    except (httpx.HTTPError, SoftTimeLimitExceeded) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"[:500] or "Connection failed."
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome


def take(delivery_id: int, holder: str = "", now: datetime | None = None) -> str | None:
    """Take a due delivery's hold for one attempt. A queued message carries the token
    (`holder`) of the hold taken for it; anyone else may only take a row nobody holds.
    Returns the new token, or None when the row is not due, finished, or held: then a
    duplicate message does nothing."""
    now = now or timezone.now()
    rows = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    )
    return DELIVERY_HOLD.take(rows, now, HOLD_FOR, holder=holder)


def take_due(now: datetime | None = None, limit: int = 200) -> list[tuple[int, str]]:
    """Hold due deliveries nobody holds, for the sweep to enqueue; returns (id, token)
    pairs. The hold lasts HOLD_FOR, so a busy queue is not refilled every sweep."""
    now = now or timezone.now()
    taken = []
    for pk in (
        Delivery.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    ):
        token = DELIVERY_HOLD.take(Delivery.objects.due(now).filter(pk=pk), now, HOLD_FOR)
        if token is not None:
            taken.append((pk, token))
    return taken


def attempt(delivery_id: int, holder: str = "", manual: bool = False) -> DeliveryAttempt | None:
    """Make one attempt of a delivery if its hold can be taken; return the attempt logged."""
    now = timezone.now()
    held = take(delivery_id, holder, now)
    if held is None:
        return None
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        Delivery.objects.filter(pk=delivery.pk, holder=held).update(
            status=DeliveryStatus.ABANDONED,
            next_attempt_at=None,
            last_error="The endpoint is disabled.",
            **DELIVERY_HOLD.released(),
            finished_at=now,
        )
        return None

    outcome = post(endpoint.url, endpoint.get_secret(), delivery.msg_id, delivery.body, now)
    logged = DeliveryAttempt.objects.create(
        delivery=delivery,
        at=now,
        manual=manual,
        status_code=outcome.status_code,
        error=outcome.error[:500],
        duration_ms=outcome.duration_ms,
        response_excerpt=outcome.excerpt,
    )
    _record(delivery, endpoint, held, outcome, now)
    return logged


def _record(delivery, endpoint, held, outcome: Outcome, now: datetime) -> None:
    attempts = delivery.attempts + 1
    changes = {
        "attempts": F("attempts") + 1,
        "last_status_code": outcome.status_code,
        "last_error": _describe(outcome),
        **DELIVERY_HOLD.released(),
    }
    if outcome.succeeded:
        changes.update(status=DeliveryStatus.SUCCEEDED, next_attempt_at=None, finished_at=now)
    elif (
        outcome.retryable
        and (wait := RETRY.delay(attempts, retry_after=outcome.retry_after)) is not None
    ):
        changes.update(next_attempt_at=now + wait)
    else:
        final = DeliveryStatus.FAILED if not outcome.retryable else DeliveryStatus.ABANDONED
        changes.update(status=final, next_attempt_at=None, finished_at=now)
    # Conditional on our hold: if it lapsed and another worker took the row, its
    # outcome stands and ours is only in the attempt log.
    if not Delivery.objects.filter(DELIVERY_HOLD.mine(held), pk=delivery.pk).update(**changes):
        logger.warning("Delivery %s: hold lost during the attempt", delivery.msg_id)
    if outcome.gone:
        disable_endpoint(endpoint, f"Answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC.", now)


def _describe(outcome: Outcome) -> str:
    if outcome.error:
        return outcome.error[:500]
    if outcome.succeeded:
        return ""
    return f"HTTP {outcome.status_code}"


def redeliver(delivery: Delivery, now: datetime | None = None) -> str | None:
    """Re-arm a delivery for an attempt now, under the same webhook-id, whatever its status.
    Returns the hold's token to enqueue with, or None while an attempt is in flight."""
    now = now or timezone.now()
    return DELIVERY_HOLD.take(
        Delivery.objects.filter(pk=delivery.pk),
        now,
        HOLD_FOR,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        finished_at=None,
    )


def disable_endpoint(endpoint: Endpoint, reason: str, now: datetime | None = None) -> None:
    """Switch an endpoint off and give up its waiting deliveries (held ones finish first)."""
    now = now or timezone.now()
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason=reason)
    Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).not_held(now).update(
        status=DeliveryStatus.ABANDONED,
        next_attempt_at=None,
        last_error="The endpoint was disabled.",
        finished_at=now,
    )
