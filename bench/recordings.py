"""Benchmark of the Respeecher workspace mirror: a first sync of 10,000 takes, a re-sync
of unchanged projects, a 10,000-take folder's originals page under gunicorn, and a 1 GB
project export streamed through a gunicorn worker, and one poll tick over 500
conversions in flight in 3 folders.

Runs on a throwaway SQLite database in a temporary folder (or DATABASE_URL when set),
with the sandbox as a subprocess and gunicorn serving the app with production settings.
The summary line has every figure issue 12 names.
"""

from __future__ import annotations

import argparse
import atexit
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
from common import (  # noqa: E402
    free_port,
    logged_in,
    memory_kb,
    percentile,
    say,
    start_gunicorn,
    start_sandbox,
    worker_pid,
)
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from jobs import engine  # noqa: E402
from jobs.models import Job, Status  # noqa: E402
from recordings import sync  # noqa: E402
from recordings.kinds import RespeecherConversion  # noqa: E402
from recordings.models import Folder, Project  # noqa: E402
from recordings.tests.factories import conversion_jobs_in_flight  # noqa: E402
from teams.models import Membership, ProviderAccount, Role, Team  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("recordings.sync").setLevel(logging.WARNING)
PASSWORD = "bench pass phrase 1234"  # noqa: S105 -- a throwaway user
MB = 1024 * 1024


def upstream_calls(control: httpx.Client) -> int:
    log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
    return log["count"]


def tick_calls(control: httpx.Client, account, conversions: int, originals: int) -> int:
    """Upstream calls of one poll tick over `conversions` in flight (two per original),
    spread over 3 folders that also hold their `originals` (uploaded before the orders,
    so the conversions are each folder's newest records); every job is due."""
    project = control.post(
        "/_sandbox/seed", json={"kind": "respeecher.project", "count": 1, "name_prefix": "Tick"}
    ).json()["ids"][0]
    folders = control.post(
        "/_sandbox/seed", json={"kind": "respeecher.folder", "count": 3, "project_id": project}
    ).json()["ids"]
    takes = []  # (folder, original)
    for i, folder in enumerate(folders):
        count = originals // 3 + (1 if i < originals % 3 else 0)
        ids = control.post(
            "/_sandbox/seed",
            json={"kind": "respeecher.recording", "count": count, "folder_id": folder},
        ).json()["ids"]
        takes += [(folder, original) for original in ids]
    jobs = []
    for n, (folder, original) in enumerate(takes):
        per_take = conversions // len(takes) + (1 if n < conversions % len(takes) else 0)
        if not per_take:
            continue
        ids = control.post(
            "/_sandbox/seed",
            json={
                "kind": "respeecher.recording",
                "count": per_take,
                "folder_id": folder,
                "state": "processing",
                "original_id": original,
            },
        ).json()["ids"]
        jobs += conversion_jobs_in_flight(
            account, folder_id=folder, original_id=original, remote_ids=ids
        )
    control.delete("/_sandbox/requests")
    started = time.perf_counter()
    stats = engine.poll_due()
    took = time.perf_counter() - started
    calls = upstream_calls(control)
    still = Job.objects.filter(kind=RespeecherConversion.name, status=Status.PROCESSING).count()
    if stats["jobs"] != len(jobs) or still != len(jobs):
        raise SystemExit(f"the tick polled {stats['jobs']} of {len(jobs)} ({still} in flight)")
    say(
        f"(e) one tick over {len(jobs)} conversions in flight ({len(takes)} originals in 3 "
        f"folders): {calls} upstream calls in {took:.2f} s"
    )
    return calls


def export_peak(client: httpx.Client, team, project, size_mb: int, pid: int) -> float:
    """Download the project's export through the worker; its peak RSS growth in MB."""
    url = f"/t/{team.slug}/recordings/projects/{project.pk}/export/"

    def download(url: str) -> tuple[int, int | None]:
        received = 0
        with client.stream("GET", url, timeout=600) as answer:
            if answer.status_code != 200:
                raise SystemExit(f"{url} answered {answer.status_code}")
            length = answer.headers.get("Content-Length")
            for chunk in answer.iter_bytes(256 * 1024):
                received += len(chunk)
        return received, int(length) if length else None

    smallest = Project.objects.filter(team=team).exclude(pk=project.pk).with_counts()
    seed_project = smallest.order_by("recording_count").first()
    if seed_project is not None:  # a small one first: code paths loaded, pools open
        download(f"/t/{team.slug}/recordings/projects/{seed_project.pk}/export/")
    before = memory_kb(pid)
    started = time.perf_counter()
    received, length = download(url)
    took = time.perf_counter() - started
    after = memory_kb(pid)
    if received < size_mb * MB or received != length:
        raise SystemExit(f"the export came short: {received} bytes of {length}")
    say(
        f"(d) a {received / MB:.0f} MB export (Content-Length {length}) in {took:.1f} s, "
        f"{received / MB / took:.0f} MB/s; worker VmHWM {before['VmHWM'] / 1024:.1f} -> "
        f"{after['VmHWM'] / 1024:.1f} MB (VmRSS now {after['VmRSS'] / 1024:.1f} MB)"
    )
    return (after["VmHWM"] - before["VmHWM"]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--takes", type=int, default=10_000, help="in one folder")
    parser.add_argument("--requests", type=int, default=200, help="per latency figure")
    parser.add_argument("--export-mb", type=int, default=1024, help="size of the exported zip")
    parser.add_argument("--in-flight", type=int, default=500, help="conversions in one tick")
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
        # A project whose export carries a generated padding of the size asked for, made
        # a block at a time by the sandbox; mirrored here by one more sync.
        padded = control.post(
            "/_sandbox/seed",
            json={
                "kind": "respeecher.project",
                "count": 1,
                "name_prefix": "Export",
                "export_padding_bytes": args.export_mb * MB,
            },
        )
        padded.raise_for_status()
        sync.sync_account(account)
        big_project = Project.objects.get(team=team, remote_id=padded.json()["ids"][0])
        control.close()
    except BaseException:
        sandbox.terminate()
        raise
    # It serves the export at the end; whatever fails before then, it is not left running.
    atexit.register(sandbox.terminate)

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
    with httpx.Client(base_url=base, timeout=120) as control:
        ticked = tick_calls(control, account, args.in_flight, args.in_flight // 2)
    # One sync worker, as the dubbing upload bench: the export's whole cost is its own.
    export_port = free_port()
    web = start_gunicorn(
        export_port, "--workers", "1", "--worker-class", "sync", "--timeout", "600"
    )
    try:
        client = logged_in(f"http://127.0.0.1:{export_port}", user.username, PASSWORD)
        export_growth = export_peak(client, team, big_project, args.export_mb, worker_pid(web.pid))
        client.close()
    finally:
        web.terminate()
        web.wait(timeout=15)
        sandbox.terminate()
        sandbox.wait(timeout=10)
    export_figure = f"export_{'1gb' if args.export_mb == 1024 else f'{args.export_mb}mb'}"
    say(
        f"recordings sync_10000_s={sync_s:.2f} resync_unchanged_calls={resync_calls} "
        f"originals_page_p95_ms={percentile(times, 0.95):.1f} "
        f"{export_figure}_peak_rss_mb={export_growth:.1f} "
        f"tick_calls_{args.in_flight}={ticked}"
    )


if __name__ == "__main__":
    main()
