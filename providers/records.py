"""Lenient readers for upstream payloads, the shared result types and lazy pagination."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from providers.config import current_settings
from providers.errors import ProtocolError, TooLarge

logger = logging.getLogger("providers.records")

T = TypeVar("T")

# Every job-like result has `.state` in these, beside the provider's own `.status`.
QUEUED, PROCESSING, COMPLETED, FAILED = "queued", "processing", "completed", "failed"
STATES = (QUEUED, PROCESSING, COMPLETED, FAILED)

_seen_lock = threading.Lock()
_seen_unknown: set[tuple[str, str, str]] = set()


def normalise_state(provider: str, kind: str, status: Any, mapping: Mapping[str, str]) -> str:
    """Map a provider status to STATES; an unknown one reads as processing, logged once."""
    value = str(status).strip().lower() if status is not None else ""
    state = mapping.get(value)
    if state is not None:
        return state
    key = (provider, kind, value)
    with _seen_lock:
        first = key not in _seen_unknown
        _seen_unknown.add(key)
    if first:
        # Never guess "failed" or "completed": a wrong terminal state loses a job.
        logger.warning(
            "%s %s has unknown status %r; treating it as processing", provider, kind, status
        )
    return PROCESSING


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[dict]:
    """The dict items of a list; anything else reads as no items."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def string(raw: Mapping[str, Any], *keys: str) -> str | None:
    """The first of `keys` holding a non-empty scalar, as a string."""
    for key in keys:
        value = raw.get(key)
        if value is None or value == "" or isinstance(value, dict | list):
            continue
        return str(value)
    return None


def _first_numeric(
    raw: Mapping[str, Any], keys: tuple[str, ...], convert: Callable[[Any], T]
) -> T | None:
    """`convert` of the first of `keys` it accepts; booleans are never read as numbers."""
    for key in keys:
        value = raw.get(key)
        if isinstance(value, bool) or value is None:
            continue
        try:
            return convert(value)
        except (TypeError, ValueError):
            continue
    return None


def integer(raw: Mapping[str, Any], *keys: str) -> int | None:
    return _first_numeric(raw, keys, lambda value: int(float(value)))


def number(raw: Mapping[str, Any], *keys: str) -> float | None:
    return _first_numeric(raw, keys, float)


def flag(raw: Mapping[str, Any], *keys: str) -> bool | None:
    for key in keys:
        value = raw.get(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return bool(value)
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
    return None


def timestamp(raw: Mapping[str, Any], *keys: str) -> datetime | None:
    """An aware datetime from ISO 8601 (with or without Z) or epoch seconds/milliseconds."""
    for key in keys:
        value = raw.get(key)
        if isinstance(value, bool) or value in (None, ""):
            continue
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(seconds, UTC)
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def string_list(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings, or a comma-separated string, as a tuple."""
    value = raw.get(key)
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(str(item) for item in value if item is not None)
    return ()


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; `total` is the upstream's count of all items, when it gives one."""

    items: tuple[T, ...]
    total: int | None = None
    raw: dict = field(default_factory=dict, repr=False)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Ack:
    """An answer that carries no record: deletes, A2E's `{}` data with a trace id."""

    trace_id: str | None = None
    raw: dict = field(default_factory=dict, repr=False)


def walk(
    fetch: Callable[[int], Page[T]],
    *,
    provider: str,
    page_size: int,
    first: int = 0,
    by_page: bool = False,
    max_records: int | None = None,
) -> Iterator[T]:
    """Yield every item across pages, fetching each page only when the previous is used up.

    The cursor is an offset, or a 1-based page number when `by_page`. Stops on an empty
    page, once `total` items were seen, and on a short page when there is no total.
    A page identical to the previous one (an upstream that ignores the cursor) raises
    ProtocolError, and so does a listing past `max_records` (by default the configured
    SYNC_MAX_RECORDS) TooLarge: a list read only in part must never pass for the whole
    one, or a sync would take what it did not reach for deleted.
    """
    limit = current_settings().max_records if max_records is None else max_records
    cursor, seen, previous, number = first, 0, None, 0
    while True:
        page = fetch(cursor)
        number += 1
        raws = [getattr(item, "raw", item) for item in page.items]
        if not raws:
            return
        if raws == previous:
            raise ProtocolError(
                provider,
                None,
                f"{provider} sent page {number:,} of a list again, the same as page "
                f"{number - 1:,}; the list was not read to its end.",
            )
        if seen + len(raws) > limit:
            raise TooLarge(
                provider,
                None,
                f"{provider} listed more than {limit:,} records (stopped at page {number:,}); "
                "the list was not read to its end.",
            )
        yield from page.items
        seen += len(raws)
        if page.total is not None and seen >= page.total:
            return
        if page.total is None and len(raws) < page_size:
            return
        previous = raws
        cursor = cursor + 1 if by_page else cursor + len(raws)
