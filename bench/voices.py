"""Benchmark of the voice catalog: 100,000 voices served by gunicorn, and a first sync.

Runs on a throwaway SQLite database in a temporary folder (or on DATABASE_URL when set),
with the sandbox as a subprocess for the sync, and gunicorn serving the app with
production settings (DEBUG off, collected static files).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import threading
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
from django.core import signing  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from core import paging  # noqa: E402
from teams.models import Membership, ProviderAccount, Role, Team  # noqa: E402
from voices import sync  # noqa: E402
from voices.models import SORTS, Kind, Voice  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)
PASSWORD = "bench pass phrase 1234"  # noqa: S105 -- a throwaway user
LANGS = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "ja-JP", "pt-BR"]


def seed_voices(team, account, count: int) -> None:
    now = timezone.now()
    batch = []
    for i in range(count):
        batch.append(
            Voice(
                team=team,
                account=account,
                provider=account.provider,
                remote_id=f"bench-{i}",
                kind=Kind.PUBLIC if i % 3 else Kind.CLONE,
                name=f"Voice {secrets.token_hex(4)} {i}",
                language=LANGS[i % len(LANGS)],
                gender="female" if i % 2 else "male",
                status="available",
                can_speak=True,
                fingerprint="bench",
                first_seen_at=now,
                synced_at=now,
            )
        )
        if len(batch) == 5000:
            Voice.objects.bulk_create(batch)
            batch = []
    Voice.objects.bulk_create(batch)


def latencies(client: httpx.Client, path: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.get(path)
        out.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
    return out


def throughput(base: str, cookies, path: str, seconds: float, threads: int = 8):
    """Requests answered by `threads` clients in `seconds`: (count, elapsed seconds)."""
    done = [0] * threads
    stop = time.monotonic() + seconds

    def hammer(slot: int) -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=30) as client:
            while time.monotonic() < stop:
                if client.get(path).status_code != 200:
                    raise SystemExit(f"{path} failed under load")
                done[slot] += 1

    workers = [threading.Thread(target=hammer, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(done), time.monotonic() - started


def side_by_side(base: str, cookies, paths: list[str], seconds: float, rounds: int = 5):
    """Req/s of each path, measured in alternating slices of seconds/rounds each, so a
    machine that gets busier halfway weighs on both figures alike, not on the second."""
    counts = {path: [0, 0.0] for path in paths}
    for i in range(rounds):
        for path in paths if i % 2 == 0 else paths[::-1]:
            count, elapsed = throughput(base, cookies, path, seconds / rounds)
            counts[path][0] += count
            counts[path][1] += elapsed
    return [counts[path][0] / counts[path][1] for path in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voices", type=int, default=100_000)
    parser.add_argument("--synced", type=int, default=10_000, help="voices in the first sync")
    parser.add_argument("--requests", type=int, default=200, help="per latency figure")
    parser.add_argument("--seconds", type=float, default=10, help="per throughput figure")
    args = parser.parse_args()
    say(f"database: {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    team = Team.objects.create(name="Bench", slug=f"bench-{secrets.token_hex(3)}")
    user = get_user_model().objects.create_user(
        f"bench-{team.slug}", password=PASSWORD, is_staff=True, is_superuser=True
    )
    Membership.objects.create(team=team, user=user, role=Role.OWNER)

    port = free_port()
    sandbox = start_sandbox(port, "--respeecher-key", "bench-respeecher")
    try:
        base = f"http://127.0.0.1:{port}"
        httpx.post(
            f"{base}/_sandbox/seed",
            json={"kind": "respeecher.voice", "count": args.synced},
            timeout=120,
        )
        account = ProviderAccount(team=team, provider="respeecher", base_url=f"{base}/respeecher")
        account.set_secret("bench-respeecher")
        account.save()
        started = time.perf_counter()
        result = sync.sync_account(account)
        sync_s = time.perf_counter() - started
        say(f"(a) first sync: {result} in {sync_s:.2f} s")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)

    a2e = ProviderAccount(team=team, provider="a2e", base_url="http://127.0.0.1:9/a2e")
    a2e.set_secret("unused")
    a2e.save()
    started = time.perf_counter()
    seed_voices(team, a2e, args.voices)
    total = Voice.objects.for_team(team).listed().count()
    say(
        f"(b) {args.voices} more voices written in {time.perf_counter() - started:.1f} s; "
        f"{total} in the catalog"
    )

    ordering = SORTS["name"]
    row = Voice.objects.for_team(team).listed().order_by(*ordering)[499 * 50 - 1]
    cursor = signing.dumps([list(ordering), [row.name, row.pk]], salt=paging.SALT, compress=True)
    web_port = free_port()
    web = start_gunicorn(web_port, "--workers", "2", "--threads", "2")
    try:
        web_base = f"http://127.0.0.1:{web_port}"
        client = logged_in(web_base, user.username, PASSWORD)
        catalog = f"/t/{team.slug}/voices/"
        page500 = f"{catalog}?after={cursor}"
        first = client.get(page500).text
        if row.name in first or "Next page" not in first:
            raise SystemExit("page 500 did not start after its cursor")
        latencies(client, catalog, 20)  # warm both workers
        p1 = latencies(client, catalog, args.requests)
        p500 = latencies(client, page500, args.requests)
        say(
            f"(c) catalog page 1: median {statistics.median(p1):.1f} ms, "
            f"p95 {percentile(p1, 0.95):.1f} ms; page 500: median "
            f"{statistics.median(p500):.1f} ms, p95 {percentile(p500, 0.95):.1f} ms"
        )
        admin = "/admin/voices/voice/"
        latencies(client, admin, 5)
        rps, admin_rps = side_by_side(web_base, client.cookies, [catalog, admin], args.seconds)
        say(
            f"(d) 8 clients for {args.seconds:g} s each, in turns: catalog {rps:.1f} req/s, "
            f"admin changelist {admin_rps:.1f} req/s"
        )
        client.close()
    finally:
        web.terminate()
        web.wait(timeout=15)
    say(
        f"voices page1_p95_ms={percentile(p1, 0.95):.1f} "
        f"page500_p95_ms={percentile(p500, 0.95):.1f} rps={rps:.1f} "
        f"admin_rps={admin_rps:.1f} catalog_over_admin={rps / admin_rps:.2f} sync_s={sync_s:.2f}"
    )


if __name__ == "__main__":
    main()
