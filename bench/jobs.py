"""Benchmark of the job engine: the cost of one poll tick, and how soon a finished job shows.

Runs on a throwaway SQLite database and filesystem broker in a temporary folder (or on
DATABASE_URL / REDIS_URL when they are set), with a sandbox subprocess, and for the
latencies a real Celery worker and beat with the default schedule.
"""

from __future__ import annotations

import argparse
import atexit
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("DEBUG", "1")
# The sandbox listens on loopback: its host may be a provider base URL (providers/guard.py).
os.environ.setdefault("PROVIDER_PRIVATE_HOSTS", "127.0.0.1")
if "VOXBOARD_VAR_DIR" not in os.environ:
    # Throwaway: its database, broker files and media go when the run ends.
    os.environ["VOXBOARD_VAR_DIR"] = tempfile.mkdtemp(prefix="voxboard-bench-")
    atexit.register(shutil.rmtree, os.environ["VOXBOARD_VAR_DIR"], True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

import django  # noqa: E402

django.setup()
logging.getLogger("httpx").setLevel(logging.WARNING)

import httpx  # noqa: E402
from common import free_port, percentile, say, start_sandbox  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from dashboard import processes  # noqa: E402
from dubbing.kinds import A2EDubbing  # noqa: E402
from dubbing.models import Batch  # noqa: E402
from jobs.models import Job, Status  # noqa: E402
from jobs.tests.audio import wav  # noqa: E402
from jobs.tests.ticks import TickCost, tick_cost  # noqa: E402
from teams.models import Membership, ProviderAccount, Role, Team  # noqa: E402
from webhooks.models import InboundHook  # noqa: E402

A2E_TOKEN = "bench-a2e"  # noqa: S105 -- the sandbox this script starts


def tick(control: httpx.Client, account: ProviderAccount, n: int) -> TickCost:
    """One tick over n in-flight jobs, checked and printed."""
    cost = tick_cost(control, account, n)
    # One tick takes at most JOBS_TICK_LIMIT jobs; the rest wait for the next tick.
    if cost.jobs != min(n, settings.JOBS_TICK_LIMIT):
        raise SystemExit(f"the tick claimed {cost.jobs} of {n} jobs")
    say(
        f"  {n} in flight: the tick polled {cost.jobs} in {cost.ms:.0f} ms, "
        f"{cost.calls} upstream calls, {cost.queries} SQL queries"
    )
    return cost


class Relay:
    """Receives the sandbox's status callbacks: notes when each dubbing completed upstream
    and, when told to, hands the callback on to Voxboard's inbound webhook URL."""

    def __init__(self):
        self.completed: dict[str, float] = {}
        self.forward_to: str | None = None
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["content-length"]))
                data = json.loads(body).get("data", {})
                if data.get("kind") == "dubbing" and data.get("status") == "completed":
                    relay.completed.setdefault(data["id"], time.monotonic())
                if relay.forward_to:
                    headers = {k: self.headers[k] for k in self.headers if k.startswith("webhook")}
                    response = Client(HTTP_HOST="127.0.0.1").post(
                        relay.forward_to, body, content_type="application/json", headers=headers
                    )
                    status = response.status_code
                else:
                    status = 204
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def latency(control, account, user, relay: Relay, source_url: str, count: int, watch: bool):
    """Seconds from the sandbox completing each of `count` dubbings to its row saying so."""
    with transaction.atomic():
        jobs = [
            A2EDubbing.start(
                batch=Batch.objects.create(
                    team=account.team, name=f"latency {i}", source_url=source_url
                ),
                account=account,
                target="de",
                target_label="German",
                by=user,
            )
            for i in range(count)
        ]
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(user)
    shown: dict[int, float] = {}
    last_look = 0.0
    deadline = time.monotonic() + 300
    while len(shown) < count and time.monotonic() < deadline:
        now = time.monotonic()
        if watch and now - last_look >= 2:
            # What an open page does: each unfinished row asks for itself every 2 s.
            last_look = now
            for job in jobs:
                if job.pk not in shown:
                    url = reverse("job_row", kwargs={"team": account.team.slug, "job_id": job.pk})
                    browser.get(url, {"seen": "processing"})
        for pk in Job.objects.filter(
            pk__in=[j.pk for j in jobs], status=Status.COMPLETED
        ).values_list("pk", flat=True):
            shown.setdefault(pk, time.monotonic())
        time.sleep(0.05)
    if len(shown) < count:
        raise SystemExit(f"only {len(shown)} of {count} jobs completed within 300 s")
    remote = dict(Job.objects.filter(pk__in=shown).values_list("pk", "remote_id"))
    # A poll can show a row before the sandbox's callback for it has reached the relay.
    late = time.monotonic() + 10
    while not all(rid in relay.completed for rid in remote.values()):
        if time.monotonic() > late:
            raise SystemExit("the sandbox did not call back for every completed dubbing")
        time.sleep(0.05)
    delays = [max(0.0, shown[pk] - relay.completed[remote[pk]]) for pk in shown]
    say(
        f"  {count} jobs: completion -> row median {statistics.median(delays):.2f} s, "
        f"p95 {percentile(delays, 0.95):.2f} s, max {max(delays):.2f} s"
    )
    return percentile(delays, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=20, help="jobs per latency run")
    args = parser.parse_args()
    say(f"database: {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    port = free_port()
    sandbox = start_sandbox(port, "--a2e-token", A2E_TOKEN)
    base = f"http://127.0.0.1:{port}"
    control = httpx.Client(base_url=base, timeout=120)
    team = Team.objects.create(name="Bench", slug=f"bench-{port}")
    account = ProviderAccount(team=team, provider="a2e", base_url=f"{base}/a2e")
    account.set_secret(A2E_TOKEN)
    account.save()
    user = get_user_model().objects.create_user(f"bench-{port}")
    Membership.objects.create(team=team, user=user, role=Role.MEMBER)
    workers = []
    try:
        say("(a) one poll tick over in-flight A2E dubbing jobs on one account")
        tick_1000 = tick(control, account, 1000)
        tick_10000 = tick(control, account, 10_000)

        say(f"(b) {args.jobs} dubbings of a 3 s source; a real worker and beat, defaults")
        control.post("/_sandbox/reset").raise_for_status()
        relay = Relay()
        source = control.put(
            "/_sandbox/files/bench.wav", content=wav(3), headers={"content-type": "audio/wav"}
        ).raise_for_status()
        control.post("/_sandbox/config", json={"webhook_url": relay.url}).raise_for_status()
        log_dir = Path(os.environ["VOXBOARD_VAR_DIR"])
        env = processes.child_env()
        workers.append(processes.celery("beat", log_dir / "beat.log", env))
        workers.append(processes.celery("worker", log_dir / "worker.log", env, concurrency=2))
        say("  polling, with the rows open in a page:")
        poll_p95 = latency(control, account, user, relay, source.json()["url"], args.jobs, True)

        hook = InboundHook(account=account)
        secret = hook.new_secret()
        hook.save()
        relay.forward_to = reverse(
            "webhook_inbound", kwargs={"provider": "a2e", "token": hook.token}
        )
        control.post("/_sandbox/config", json={"webhook_secret": secret}).raise_for_status()
        say("  inbound webhooks, nobody watching (polling backs off as usual):")
        hook_p95 = latency(control, account, user, relay, source.json()["url"], args.jobs, False)
    finally:
        for process in workers:
            process.stop()
        control.close()
        sandbox.terminate()
        sandbox.wait(timeout=10)
    say(
        f"jobs tick_ms_1000={tick_1000.ms:.0f} upstream_calls_1000={tick_1000.calls} "
        f"tick_ms_10000={tick_10000.ms:.0f} upstream_calls_10000={tick_10000.calls} "
        f"poll_latency_p95_s={poll_p95:.2f} webhook_latency_p95_s={hook_p95:.2f}"
    )


if __name__ == "__main__":
    main()
