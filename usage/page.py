"""What the Usage page shows beside Respeecher's figures: each account's balance history
(one point per credits check) and what recent jobs and avatar rooms spent, where known.

It lives in an app of its own because it reads avatar rooms: avatars imports the
project package (dashboard.csp), so the home page's package cannot import avatars back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dateformat import format as date_format

from avatars.coins import said as coins_said
from avatars.models import Room
from core import charts
from core.words import number
from jobs.models import Job
from teams.models import BalancePoint, BalanceUnit

# The most recent checks of each balance shown (chart and table alike); older points
# stay in the database until BALANCE_HISTORY_DAYS and in the admin.
HISTORY_POINTS = 60
# Recent jobs and rooms listed under "What recent work spent".
SPENT_ROWS = 20


def amount_said(amount: float | None, unit: str) -> str:
    if amount is None:
        return "not known"
    return (
        f"{number(amount)} {BalanceUnit(unit).label}"
        if unit in BalanceUnit.values
        else number(amount)
    )


def _stamp(at: datetime) -> str:
    return date_format(timezone.localtime(at), "j M Y, H:i")


@dataclass
class Series:
    account: object
    unit: str
    points: list  # BalancePoint, oldest first

    @property
    def title(self) -> str:
        return f"{self.account.get_provider_display()} {BalanceUnit(self.unit).label} over time"

    @property
    def chart(self):
        points = [
            charts.Point(
                p.read_at, p.amount, f"{amount_said(p.amount, p.unit)}, {_stamp(p.read_at)}"
            )
            for p in self.points
        ]
        amounts = [p.amount for p in self.points]
        return charts.line_chart(
            self.title,
            points,
            low=number(min(amounts)),
            high=number(max(amounts)),
            start=_stamp(self.points[0].read_at),
            end=_stamp(self.points[-1].read_at),
            desc=(
                f"{len(points)} checks, from {amount_said(self.points[0].amount, self.unit)} "
                f"to {amount_said(self.points[-1].amount, self.unit)}."
            ),
        )

    @property
    def newest_first(self) -> list:
        return self.points[::-1]


def balance_history(team, accounts) -> list[Series]:
    """Each account's balance in each unit it reports, its last HISTORY_POINTS checks:
    one query, however many points there are."""
    ranked = (
        BalancePoint.objects.for_team(team)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("account_id"), F("unit")], order_by=F("read_at").desc()
            )
        )
        .filter(rank__lte=HISTORY_POINTS)
        .order_by("account_id", "unit", "read_at")
    )
    by_account = {a.pk: a for a in accounts}
    series: dict[tuple[int, str], Series] = {}
    for point in ranked:
        account = by_account.get(point.account_id)
        if account is None:
            continue
        key = (point.account_id, point.unit)
        series.setdefault(key, Series(account, point.unit, [])).points.append(point)
    return list(series.values())


@dataclass
class Spent:
    """One recent job or room, and what it spent as far as anyone can tell."""

    what: str
    link: str
    provider: str
    at: datetime
    spent: str
    known: bool
    why: str = ""


ROOM_WHY_OPEN = "still open: counted once it is left"


def _room_spent(room) -> Spent:
    what = f"Avatar room with {room.avatar_name or 'an avatar'}"
    spent, known, why = "not known", False, ""
    if room.coins_unknown:
        why = room.coins_unknown
    elif room.coins_spent is not None and room.is_closed:
        spent, known = coins_said(room.coins_spent), True
    elif room.coins_charged is not None:
        why = ROOM_WHY_OPEN
    else:
        why = "not measured"
    return Spent(what, room.get_absolute_url(), "A2E", room.created_at, spent, known, why)


def _job_spent(job) -> Spent:
    return Spent(
        job.label or job.kind_label,
        job.get_absolute_url(),
        job.provider_label,
        job.created_at,
        "not known",
        False,
        # No provider says what one job cost: the table's note says so once, not per row.
        "",
    )


def recent_spending(team) -> list[Spent]:
    """The team's latest jobs and avatar rooms together, newest first (two queries)."""
    rooms = Room.objects.for_team(team).select_related("team").order_by("-created_at")[:SPENT_ROWS]
    jobs = Job.objects.for_team(team).select_related("team").order_by("-created_at")[:SPENT_ROWS]
    rows = [_room_spent(r) for r in rooms] + [_job_spent(j) for j in jobs]
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:SPENT_ROWS]


def month_chart(figures):
    """Respeecher's minutes converted per month, as bars."""
    bars = [charts.Bar(m.short_label, m.minutes, number(m.minutes)) for m in figures.months]
    return charts.bar_chart(
        "Minutes converted at Respeecher, month by month",
        bars,
        desc=f"{len(bars)} months; the last bar is this month so far.",
    )
