"""Benchmark of the Respeecher workspace mirror: a first sync of 10,000 takes, a re-sync
of unchanged projects, and a 10,000-take folder's originals page under gunicorn.

Runs on a throwaway SQLite database in a temporary folder (or DATABASE_URL when set),
with the sandbox as a subprocess and gunicorn serving the app with production settings.
The summary line has every figure issue 12 names; the ones whose feature has not landed
yet (exports, conversion ticks) print `n/a`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
from common import production_env  # noqa: E402

production_env()

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

import httpx  # noqa: E402
from common import free_port, logged_in, percentile, say, start_gunicorn, start_sandbox  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from recordings import sync  # noqa: E402
from recordings.models import Folder  # noqa: E402
from teams.models import Membership, ProviderAccount, Role, Team  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("recordings.sync").setLevel(logging.WARNING)
PASSWORD = "bench pass phrase 1234"  # noqa: S105 -- a throwaway user


def upstream_calls(control: httpx.Client) -> int:
    log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
    return log["count"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--takes", type=int, default=10_000, help="in one folder")
    parser.add_argument("--requests", type=int, default=200, help="per latency figure")
    args = parser.parse_args()
    say(f"database: {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    team = Team.objects.create(name="Bench", slug=f"bench-{secrets.token_hex(3)}")
    user = get_user_model().objects.create_user(f"bench-{team.slug}", password=PASSWORD)
    Membership.objects.create(team=team, user=user, role=Role.MEMBER)

    port = free_port()
    sandbox = start_sandbox(port, "--respeecher-key", "bench-respeecher")
    try:
        base = f"http://127.0.0.1:{port}"
        control = httpx.Client(base_url=base, timeout=120)
        control.post(
            "/_sandbox/seed", json={"kind": "respeecher.recording", "count": args.takes}
        ).raise_for_status()
        account = ProviderAccount(team=team, provider="respeecher", base_url=f"{base}/respeecher")
        account.set_secret("bench-respeecher")
        account.save()
        control.delete("/_sandbox/requests")
        started = time.perf_counter()
        result = sync.sync_account(account)
        sync_s = time.perf_counter() - started
        first_calls = upstream_calls(control)
        say(f"(a) first sync: {result} in {sync_s:.2f} s, {first_calls} upstream calls")
        control.delete("/_sandbox/requests")
        started = time.perf_counter()
        sync.sync_account(account)
        resync_calls = upstream_calls(control)
        say(
            f"(b) re-sync, nothing changed: {resync_calls} upstream calls in "
            f"{time.perf_counter() - started:.3f} s"
        )
        control.close()
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)

    folder = Folder.objects.filter(team=team).annotate(n=Count("recordings")).order_by("-n").first()
    connection.close()
    web_port = free_port()
    web = start_gunicorn(web_port, "--workers", "2", "--threads", "2")
    try:
        client = logged_in(f"http://127.0.0.1:{web_port}", user.username, PASSWORD)
        page = f"/t/{team.slug}/recordings/folders/{folder.pk}/"
        times = []
        for _ in range(20 + args.requests):  # the first 20 warm both workers
            started = time.perf_counter()
            answer = client.get(page)
            times.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{page} answered {answer.status_code}")
        times = times[20:]
        say(
            f"(c) originals page of a {folder.n}-take folder: median "
            f"{statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
        )
        client.close()
    finally:
        web.terminate()
        web.wait(timeout=15)
    say(
        f"recordings sync_10000_s={sync_s:.2f} resync_unchanged_calls={resync_calls} "
        f"originals_page_p95_ms={percentile(times, 0.95):.1f} "
        "export_1gb_peak_rss_mb=n/a tick_calls_500=n/a"
    )


if __name__ == "__main__":
    main()
