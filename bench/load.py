"""Load bench: the deployment shape on this machine (gunicorn with 2 workers, PostgreSQL,
Redis, one Celery worker, beat and the sandbox) under locust users doing what a team
does in a morning, driven headless from Python. Its last line is the summary.

Run as `python bench/load.py`; everything it starts, and its database, goes at the end,
on Ctrl-C too. Nothing at the top of this module may import ssl, threading's users or
Django: gevent patches the standard library first (see the bottom), and the test that
checks the argument parsing and the summary line imports this module as it is.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/voxboard_load"
# Not index 0, which `.ci/run`'s suites use on the same server; flushed at start and end.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
PASSWORD = "load bench pass phrase 1234"  # noqa: S105 -- throwaway users of a throwaway database
# How long the bench waits, after the run, for the jobs started in it to finish.
JOB_GRACE_S = 60
# The max-rps probe's bar: the most req/s served before p95 passes this.
PROBE_P95_MS = 500.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/load.py",
        description="Drive the deployment shape with locust users doing a team's morning.",
    )
    parser.add_argument("--users", type=_positive, default=50, help="simulated people")
    parser.add_argument("--seconds", type=_positive, default=60, help="length of the run")
    parser.add_argument(
        "--max-rps",
        action="store_true",
        help=f"then find the most req/s served with no think time before p95 passes "
        f"{PROBE_P95_MS:g} ms (steps the user count up)",
    )
    parser.add_argument(
        "--probe-seconds", type=_positive, default=20, help="length of each probe step"
    )
    parser.add_argument(
        "--probe-users",
        type=_steps,
        default=[5, 10, 20, 30, 40, 60, 80, 100],
        help="the probe's user counts, comma-separated, ascending",
    )
    parser.add_argument("--voices", type=_positive, default=100_000, help="catalog size")
    parser.add_argument("--speed", type=float, default=1.0, help="the sandbox's clock speed")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="PostgreSQL database to create, use and drop (it must not hold anything)",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="broker and cache")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL (postgres://...)")
    if not args.redis_url.startswith("redis://"):
        parser.error("--redis-url must be a Redis URL (redis://...)")
    return args


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def _steps(text: str) -> list[int]:
    try:
        steps = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of whole numbers") from None
    if not steps or min(steps) < 1 or steps != sorted(set(steps)):
        raise argparse.ArgumentTypeError(f"{text!r}: give ascending positive user counts")
    return steps


# --- figures ---------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Figures:
    users: int
    seconds: int
    requests: int
    errors: int
    p95_ms: float
    rps: float
    max_rps: float | None  # None: the probe was not run
    jobs_started: int
    jobs_finished: int


def summary_line(f: Figures) -> str:
    max_rps = "-" if f.max_rps is None else f"{f.max_rps:.1f}"
    return (
        f"load users={f.users} seconds={f.seconds} requests={f.requests} errors={f.errors} "
        f"p95_ms={f.p95_ms:.1f} rps={f.rps:.1f} max_rps={max_rps} "
        f"jobs_started={f.jobs_started} jobs_finished={f.jobs_finished}"
    )


class Samples:
    """Every request's time and outcome, by route: exact percentiles (locust's own
    round times above 100 ms to 10 ms)."""

    def __init__(self):
        self.by_route: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.reasons: dict[str, int] = {}

    def add(self, route: str, ms: float, error: str | None) -> None:
        self.by_route.setdefault(route, []).append(ms)
        if error:
            self.errors[route] = self.errors.get(route, 0) + 1
            reason = f"{route}: {error[:120]}"
            self.reasons[reason] = self.reasons.get(reason, 0) + 1

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.by_route.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def p95(self) -> float:
        every = [ms for times in self.by_route.values() for ms in times]
        return percentile(every, 0.95) if every else 0.0

    def table(self) -> list[str]:
        """One line per route (busiest first), then all routes together."""
        width = max([len(route) for route in self.by_route] + [len("all routes")])
        lines = [
            f"  {'route':<{width}} {'requests':>8} {'errors':>6} "
            f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        ]
        rows = sorted(self.by_route.items(), key=lambda item: (-len(item[1]), item[0]))
        every = [ms for _, times in rows for ms in times]
        for route, times in [*rows, ("all routes", every)]:
            if not times:
                continue
            errors = self.error_count if route == "all routes" else self.errors.get(route, 0)
            lines.append(
                f"  {route:<{width}} {len(times):>8} {errors:>6} "
                f"{percentile(times, 0.5):>8.1f} {percentile(times, 0.95):>8.1f} "
                f"{percentile(times, 0.99):>8.1f}"
            )
        return lines


# --- reading pages the way htmx does ---------------------------------------------------

# A start tag, attribute values quoted (a `>` inside quotes does not end it).
TAG = re.compile(r"<[a-zA-Z][^\s>/]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S)
EVERY = re.compile(r"\bevery\s+(\d+(?:\.\d+)?)(ms|s)\b")
HX_GET = re.compile(r"\shx-get=\"([^\"]*)\"")
HX_TRIGGER = re.compile(r"\shx-trigger=\"([^\"]*)\"")
NEXT_PAGE = re.compile(r"<a\s[^>]*href=\"([^\"]*after=[^\"]*)\"[^>]*>\s*Next page")


def pollers(page: str) -> list[tuple[str, float]]:
    """What `hx-trigger="every Ns"` makes htmx ask for while the page is open: each
    element's hx-get URL (unescaped) and its interval in seconds, in page order."""
    found = []
    for tag in TAG.findall(page):
        trigger = HX_TRIGGER.search(tag)
        url = HX_GET.search(tag)
        every = EVERY.search(trigger.group(1)) if trigger else None
        if url and every:
            seconds = float(every.group(1)) / (1000 if every.group(2) == "ms" else 1)
            found.append((html.unescape(url.group(1)), seconds))
    return found


def next_page(page: str) -> str | None:
    """The keyset "Next page" link of a paged list (catalog, folder), unescaped."""
    match = NEXT_PAGE.search(page)
    return html.unescape(match.group(1)) if match else None


REFUSAL = re.compile(
    r"<div class=\"toast toast-error\"[^>]*>(.*?)</div>"
    r"|<ul class=\"errorlist[^\"]*\"[^>]*>(.*?)</ul>",
    re.S,
)


def refusal(page: str) -> str:
    """What a form sent back says was wrong: its first error message or field error,
    without tags, or "" when it says none."""
    match = REFUSAL.search(page)
    if not match:
        return ""
    text = re.sub(r"<[^>]+>", " ", match.group(1) or match.group(2) or "")
    return " ".join(html.unescape(text).split())


POLL_ROUTES = [
    (re.compile(r"/jobs/\d+/row/"), "job row (poll)"),
    (re.compile(r"/jobs/badge/"), "jobs badge (poll)"),
    (re.compile(r"/jobs/\d+/"), "job page (poll)"),
    (re.compile(r"/dubbing/\d+/"), "dubbing page (poll)"),
    (re.compile(r"/voices/syncs/\d+/"), "voice sync (poll)"),
]


def poll_route(url: str) -> str:
    for pattern, route in POLL_ROUTES:
        if pattern.search(url):
            return route
    return "other (poll)"


# --- the run ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - run by hand
    args = parse_args(argv)
    from load_run import run  # the part that needs gevent, Django and locust

    try:
        run(args)
    except KeyboardInterrupt:
        # run() has stopped what it started and dropped its database on the way out.
        print("load: interrupted; everything it started is stopped", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":  # pragma: no cover
    # Before anything imports ssl, socket or threading: locust runs its users as greenlets.
    from gevent import monkey

    monkey.patch_all()
    sys.path.insert(0, str(ROOT))
    main()
