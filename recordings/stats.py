"""Reading a Respeecher account's usage figures (`/api/stats`, per project, per folder),
kept per account for USAGE_STATS_CACHE_SECONDS so the Usage page costs no upstream call
on every load; a Refresh reads them at once. A failed read keeps what was read before."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateformat import format as date_format

from providers import AuthError, RateLimited, Unavailable, UpstreamError
from recordings.models import Folder, Project
from teams.connection import client_for

# Figures stay in the cache this long after their read, so a provider that is down
# still leaves the last figures on the page; they are *fresh* for the shorter setting.
KEEP_FOR = timedelta(days=7)
COUNTS = ("total", "completed", "in_progress", "failed")


def minutes(seconds: float | None) -> float | None:
    """Respeecher counts seconds; people read minutes (one decimal)."""
    return None if seconds is None else round(seconds / 60, 1)


@dataclass(frozen=True)
class Month:
    first_day: date
    seconds: float | None
    current: bool = False

    @property
    def minutes(self) -> float | None:
        return minutes(self.seconds)

    @property
    def label(self) -> str:
        said = date_format(self.first_day, "F Y")
        return f"{said} (so far)" if self.current else said

    @property
    def short_label(self) -> str:
        """The label under a bar: "Nov 2023"."""
        return date_format(self.first_day, "M Y")


@dataclass(frozen=True)
class Place:
    """Where minutes went: one project (`seconds_*` known) or one folder (counts only)."""

    remote_id: str
    conversions: dict[str, int | None]
    seconds_total: float | None = None
    seconds_month: float | None = None

    @property
    def minutes_total(self) -> float | None:
        return minutes(self.seconds_total)

    @property
    def minutes_month(self) -> float | None:
        return minutes(self.seconds_month)


@dataclass(frozen=True)
class Figures:
    """What one read of the three stats endpoints said; plain data, so it caches."""

    read_at: datetime
    seconds_total: float | None
    seconds_month: float | None
    conversions: dict[str, int | None]
    months: tuple[Month, ...]
    projects: tuple[Place, ...]
    folders: tuple[Place, ...]

    @property
    def minutes_total(self) -> float | None:
        return minutes(self.seconds_total)

    @property
    def minutes_month(self) -> float | None:
        return minutes(self.seconds_month)


@dataclass
class Usage:
    """What the page shows: the figures (fresh, kept, or none) and, when a read failed,
    what to tell people."""

    figures: Figures | None
    problem: str = ""
    read_now: bool = False
    projects: list = field(default_factory=list)
    folders: list = field(default_factory=list)


def _key(account) -> str:
    # The base URL is in the key, so an account moved to another host never shows the
    # old host's figures.
    return f"usage-stats:{account.pk}:{zlib.crc32(account.base_url.encode()):08x}"


def _counts(counts) -> dict[str, int | None]:
    return {name: getattr(counts, name) for name in COUNTS}


def _first_day(text: str) -> date | None:
    """The month a Respeecher date names ("2023-11-08" is November 2023)."""
    try:
        return date(int(text[:4]), int(text[5:7]), 1)
    except (TypeError, ValueError):
        return None


def _months(stats, today: date) -> tuple[Month, ...]:
    """Each earlier month Respeecher lists, oldest first (one bar per month, a month
    listed twice added up), then this month from `current_month`."""
    this_month = today.replace(day=1)
    by_month: dict[date, float | None] = {}
    for row in stats.previous_months:
        first = _first_day(row.month)
        if first is None or first == this_month:
            continue  # this month is `current_month`, below
        known = by_month.get(first, 0.0)
        by_month[first] = None if known is None or row.seconds is None else known + row.seconds
    months = [Month(first, seconds) for first, seconds in sorted(by_month.items())]
    months.append(Month(this_month, stats.time_converted_current_month, current=True))
    return tuple(months)


def _read(account) -> Figures:
    client = client_for(account)
    stats = client.account_stats()
    projects = client.project_stats()
    folders = client.folder_stats()
    now = timezone.now()
    return Figures(
        read_at=now,
        seconds_total=stats.time_converted_total,
        seconds_month=stats.time_converted_current_month,
        conversions=_counts(stats.conversions),
        months=_months(stats, timezone.localdate(now)),
        projects=tuple(
            Place(
                remote_id=p.project_id,
                conversions=_counts(p.conversions),
                seconds_total=p.time_converted_total,
                seconds_month=p.time_converted_current_month,
            )
            for p in projects
        ),
        folders=tuple(
            Place(remote_id=f.folder_id, conversions=_counts(f.conversions)) for f in folders
        ),
    )


def _problem(exc: UpstreamError) -> str:
    """What went wrong, for people; the page adds which figures it shows instead."""
    if isinstance(exc, AuthError):
        return exc.message
    if isinstance(exc, Unavailable | RateLimited) or exc.status_code is None:
        return "Respeecher could not be reached just now; try again in a few minutes."
    return f"Respeecher could not be reached just now ({exc.message}); try again in a few minutes."


def read(account, *, refresh: bool = False) -> Usage:
    """The account's figures: the kept ones while fresh, else (or on `refresh`) read
    anew with the client's own timeouts. A failed read never raises: it says so, and
    keeps the last figures on show."""
    key = _key(account)
    kept: Figures | None = cache.get(key)
    fresh_for = timedelta(seconds=settings.USAGE_STATS_CACHE_SECONDS)
    if kept is not None and not refresh and timezone.now() - kept.read_at < fresh_for:
        # A Refresh that failed since is still said, until a read succeeds.
        failed = cache.get(f"{key}:failed")
        problem = failed[1] if failed and failed[0] > kept.read_at else ""
        return _named(account, Usage(kept, problem=problem))
    try:
        figures = _read(account)
    except UpstreamError as exc:
        problem = _problem(exc)
        cache.set(f"{key}:failed", (timezone.now(), problem), fresh_for.total_seconds())
        return _named(account, Usage(kept, problem=problem))
    cache.set(key, figures, KEEP_FOR.total_seconds())
    cache.delete(f"{key}:failed")
    return _named(account, Usage(figures, read_now=True))


# How the "where the minutes went" tables sort: the query value, and the row's key.
PROJECT_SORTS = {
    "name": lambda row: row.name.lower(),
    "month": lambda row: row.place.seconds_month or 0,
    "total": lambda row: row.place.seconds_total or 0,
    "conversions": lambda row: row.place.conversions["total"] or 0,
}
FOLDER_SORTS = {
    "name": lambda row: row.name.lower(),
    "conversions": lambda row: row.place.conversions["total"] or 0,
    "completed": lambda row: row.place.conversions["completed"] or 0,
    "failed": lambda row: row.place.conversions["failed"] or 0,
}


@dataclass(frozen=True)
class Row:
    name: str
    place: Place
    link: str = ""


def sort_rows(rows: list[Row], sorts: dict, asked: str, default: str) -> tuple[list[Row], str]:
    """`rows` in the order asked (`total`, or `-total` for largest first); an unknown
    order falls back to `default`. Returns the rows and the order used."""
    name = asked.removeprefix("-")
    if name not in sorts:
        asked, name = default, default.removeprefix("-")
    ordered = sorted(rows, key=lambda r: r.name.lower())
    ordered.sort(key=sorts[name], reverse=asked.startswith("-"))
    return ordered, asked


def _named(account, usage: Usage) -> Usage:
    """Project and folder names from the mirror, two queries whatever their number."""
    if usage.figures is None:
        return usage
    projects = {
        p.remote_id: p
        for p in Project.objects.filter(
            account=account, remote_id__in=[p.remote_id for p in usage.figures.projects]
        ).select_related("team")
    }
    folders = {
        f.remote_id: f
        for f in Folder.objects.filter(
            account=account, remote_id__in=[f.remote_id for f in usage.figures.folders]
        ).select_related("project", "team")
    }
    usage.projects = [
        Row(p.name, place, p.get_absolute_url())
        if (p := projects.get(place.remote_id))
        else Row(UNLISTED, place)
        for place in usage.figures.projects
    ]
    usage.folders = [
        Row(f"{f.project.name} / {f.name}", place, f.get_absolute_url())
        if (f := folders.get(place.remote_id))
        else Row(UNLISTED, place)
        for place in usage.figures.folders
    ]
    return usage


UNLISTED = "Not in Voxboard yet (refresh Recordings)"
