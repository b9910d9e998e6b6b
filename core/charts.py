"""Small charts drawn on the server as SVG: no script, nothing vendored, nothing inline
for the CSP to refuse (colours come from classes in app.css). Each chart is an image
with a <title> naming it and text labels on it; its numbers are also in a table beside
it, for screen readers and for people who copy them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import count

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)

BAR_WIDTH = 44
BAR_GAP = 20
HEIGHT = 160  # the plotting area; labels add their own space
TOP = 22  # room for the value above the tallest bar
BOTTOM = 28  # room for the label under each bar
SIDE = 12


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar ("Nov 2023")
    value: float | None  # None: not known, drawn as no bar with "not known"
    said: str  # the value as people read it, above the bar ("12.5")


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float
    said: str  # for the point's own <title>: "10,000 coins, 5 Mar 14:05"


def _open(kind: str, title: str, desc: str, width: float, height: float) -> str:
    n = next(_ids)
    return format_html(
        '<svg class="chart chart-{}" role="img" aria-labelledby="chart-{}-t chart-{}-d" '
        'viewBox="0 0 {} {}" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{}-t">{}</title><desc id="chart-{}-d">{}</desc>',
        kind,
        n,
        n,
        f"{width:g}",
        f"{height:g}",
        n,
        title,
        n,
        desc,
    )


def bar_chart(title: str, bars: list[Bar], desc: str = "") -> SafeString:
    """One bar per item, its value written above it and its label below."""
    width = SIDE * 2 + max(1, len(bars)) * (BAR_WIDTH + BAR_GAP) - BAR_GAP
    height = TOP + HEIGHT + BOTTOM
    top = max((b.value for b in bars if b.value is not None), default=0) or 1
    parts = [_open("bars", title, desc or title, width, height)]
    parts.append(
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            SIDE,
            TOP + HEIGHT,
            width - SIDE,
            TOP + HEIGHT,
        )
    )
    for i, bar in enumerate(bars):
        x = SIDE + i * (BAR_WIDTH + BAR_GAP)
        middle = x + BAR_WIDTH / 2
        tall = 0 if bar.value is None else max(0.0, bar.value) / top * HEIGHT
        said = bar.said if bar.value is not None else "not known"
        parts.append(
            format_html(
                '<g class="chart-item"><rect class="chart-bar" x="{}" y="{}" width="{}" '
                'height="{}"><title>{}: {}</title></rect>'
                '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>'
                '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text></g>',
                f"{x:g}",
                f"{TOP + HEIGHT - tall:.1f}",
                BAR_WIDTH,
                f"{tall:.1f}",
                bar.label,
                said,
                f"{middle:g}",
                f"{TOP + HEIGHT - tall - 6:.1f}",
                said,
                f"{middle:g}",
                TOP + HEIGHT + 18,
                bar.label,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


LINE_WIDTH = 640
LEFT = 86  # room for the amounts on the left


def line_chart(
    title: str, points: list[Point], *, low: str, high: str, start: str, end: str, desc: str = ""
) -> SafeString:
    """Points over time joined by a line; the lowest and highest amounts are written on
    the left, the first and last times below. `points` are oldest first."""
    height = TOP + HEIGHT + BOTTOM
    parts = [_open("line", title, desc or title, LINE_WIDTH, height)]
    values = [p.value for p in points]
    lowest, highest = min(values, default=0), max(values, default=0)
    span = (highest - lowest) or 1
    first = points[0].at if points else None
    seconds = ((points[-1].at - first).total_seconds() if points else 0) or 1
    inner = LINE_WIDTH - LEFT - SIDE

    def xy(p: Point) -> tuple[float, float]:
        x = LEFT + (
            inner / 2 if len(points) == 1 else (p.at - first).total_seconds() / seconds * inner
        )
        y = TOP + HEIGHT / 2 if highest == lowest else TOP + (highest - p.value) / span * HEIGHT
        return x, y

    parts.append(
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="chart-label" x="{}" y="{}" text-anchor="start">{}</text>'
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT,
            TOP + HEIGHT,
            LINE_WIDTH - SIDE,
            TOP + HEIGHT,
            LEFT - 8,
            TOP + 4,
            high,
            LEFT - 8,
            TOP + HEIGHT,
            low,
            LEFT,
            TOP + HEIGHT + 18,
            start,
            LINE_WIDTH - SIDE,
            TOP + HEIGHT + 18,
            end,
        )
    )
    coords = [xy(p) for p in points]
    if len(coords) > 1:
        joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(format_html('<polyline class="chart-line" points="{}"/>', joined))
    for p, (x, y) in zip(points, coords, strict=True):
        parts.append(
            format_html(
                '<circle class="chart-point" cx="{}" cy="{}" r="4"><title>{}</title></circle>',
                f"{x:.1f}",
                f"{y:.1f}",
                p.said,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped
