"""Benchmark of dubbing: a 200 MB upload's cost in the web worker's memory, the import of
5,000 existing A2E records, and one source dubbed into three languages end to end.

Runs on a throwaway SQLite database and filesystem broker in a temporary folder (or on
DATABASE_URL / REDIS_URL when set), with the sandbox as a subprocess, gunicorn serving
the app with production settings (DEBUG off), and for the batch a real Celery worker and
beat at the default schedule.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
from common import (  # noqa: E402
    free_port,
    logged_in,
    memory_kb,
    production_env,
    say,
    start_gunicorn,
    start_sandbox,
    worker_pid,
)

WEB_PORT = free_port()
# The sandbox fetches uploaded sources from the gunicorn this script starts.
production_env(PUBLIC_BASE_URL=f"http://127.0.0.1:{WEB_PORT}", DUBBING_MAX_UPLOAD_MB="1024")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

import httpx  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dashboard import processes  # noqa: E402
from dubbing.imports import import_records  # noqa: E402
from dubbing.lookups import languages_for  # noqa: E402
from dubbing.models import Batch, Dubbing  # noqa: E402
from jobs.models import InputFile, Job, ResultsState, Status  # noqa: E402
from jobs.tests.audio import wav  # noqa: E402
from teams.models import Membership, ProviderAccount, Role, Team  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)
PASSWORD = "bench pass phrase 1234"  # noqa: S105 -- a throwaway user
A2E_TOKEN = "bench-a2e"  # noqa: S105 -- the sandbox this script starts
MB = 1024 * 1024


def wav_header(data_bytes: int, rate: int = 44100) -> bytes:
    """A PCM 16-bit mono WAV header for `data_bytes` of samples that follow it."""
    fmt = (
        b"fmt "
        + (16).to_bytes(4, "little")
        + (1).to_bytes(2, "little")  # PCM
        + (1).to_bytes(2, "little")  # mono
        + rate.to_bytes(4, "little")
        + (rate * 2).to_bytes(4, "little")
        + (2).to_bytes(2, "little")
        + (16).to_bytes(2, "little")
    )
    data = b"data" + data_bytes.to_bytes(4, "little")
    return (
        b"RIFF"
        + (4 + len(fmt) + len(data) + data_bytes).to_bytes(4, "little")
        + b"WAVE"
        + fmt
        + data
    )


class Multipart:
    """A multipart/form-data body streamed part by part: the file's bytes come from a
    generator, so this process never holds the upload whole. Its length is known up front
    (Django reads a request body by Content-Length, not chunked)."""

    def __init__(self, fields: list[tuple[str, str]], file_field: str, filename: str):
        self.boundary = f"bench{uuid.uuid4().hex}"
        head = []
        for name, value in fields:
            head.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n"
            )
        head.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{filename}"\r\nContent-Type: audio/wav\r\n\r\n'
        )
        self.head = "".join(head).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()

    def headers(self, file_size: int) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(len(self.head) + file_size + len(self.tail)),
        }

    def body(self, file_chunks):
        yield self.head
        yield from file_chunks
        yield self.tail


def big_wav_chunks(data_bytes: int):
    yield wav_header(data_bytes)
    chunk = bytes(range(256)) * (MB // 256)  # a 1 MB saw tooth, sent again and again
    left = data_bytes
    while left:
        piece = chunk[: min(left, len(chunk))]
        left -= len(piece)
        yield piece


def upload(client, team, name: str, targets: list[str], chunks, size: int) -> httpx.Response:
    fields = [
        ("name", name),
        ("source_lang", "auto"),
        *[("targets", t) for t in targets],
        ("num_speakers", "1"),
    ]
    form = Multipart(fields, "source", f"{name.replace(' ', '-')}.wav")
    headers = form.headers(size)
    headers["X-CSRFToken"] = client.cookies["csrftoken"]
    headers["Referer"] = str(client.base_url) + f"/t/{team.slug}/dubbing/new/"
    answer = client.post(
        f"/t/{team.slug}/dubbing/new/", content=form.body(chunks), headers=headers, timeout=600
    )
    if answer.status_code != 302:
        raise SystemExit(f"the upload {name!r} was refused: {answer.status_code}")
    return answer


def forget_dubbings(team) -> None:
    """Drop the team's batches, jobs and stored sources (their files too), so the worker
    started later has nothing of them to send."""
    for stored in InputFile.objects.filter(team=team):
        stored.file.delete(save=False)
    Dubbing.objects.filter(team=team).delete()
    Batch.objects.filter(team=team).delete()
    Job.objects.filter(team=team).delete()
    InputFile.objects.filter(team=team).delete()


def upload_peak(client, team, target: str, size_mb: int, pid: int) -> float:
    form = client.get(f"/t/{team.slug}/dubbing/new/")
    if form.status_code != 200 or f'value="{target}"' not in form.text:
        raise SystemExit(f"the new-dubbing form did not offer {target}: {form.status_code}")
    small = wav(2)
    upload(client, team, "warm-up", [target], [small], len(small))
    before = memory_kb(pid)
    size = size_mb * MB
    started = time.perf_counter()
    upload(client, team, "big", [target], big_wav_chunks(size - 44), size)
    took = time.perf_counter() - started
    after = memory_kb(pid)
    growth = (after["VmHWM"] - before["VmHWM"]) / 1024
    stored = InputFile.objects.filter(team=team).order_by("-pk").first()
    if stored is None or stored.size != size:
        raise SystemExit(f"the {size_mb} MB source was not stored whole")
    say(
        f"  {size_mb} MB accepted in {took:.1f} s; worker VmHWM {before['VmHWM'] / 1024:.1f} -> "
        f"{after['VmHWM'] / 1024:.1f} MB (VmRSS now {after['VmRSS'] / 1024:.1f} MB)"
    )
    return growth


def wait_for_log(process: processes.Process, text: str, timeout: float) -> None:
    processes.wait_until(
        lambda: text in process.output(), timeout, interval=0.1, what=f"{text!r} in the log"
    )


def batch_time(client, team, targets: list[str], timeout: float) -> float:
    small = wav(2)
    started = time.monotonic()
    upload(client, team, "three languages", targets, [small], len(small))
    batch = Batch.objects.get(team=team, name="three languages")

    def done():
        row = Batch.objects.with_progress().get(pk=batch.pk)
        failed = Job.objects.filter(dubbing__batch=batch, status=Status.FAILED).first()
        if failed:
            raise SystemExit(f"a dubbing failed: {failed.last_error or failed.remote_message}")
        stored = Job.objects.filter(
            dubbing__batch=batch, results_state=ResultsState.STORED, files__isnull=False
        ).distinct()
        return row.total == row.done == len(targets) and stored.count() == len(targets)

    processes.wait_until(done, timeout, interval=0.05, what="3 of 3 completed and stored")
    elapsed = time.monotonic() - started
    events = Job.objects.filter(dubbing__batch=batch).values_list(
        "params__target_lang", "created_at", "finished_at"
    )
    for lang, created, finished in events:
        say(f"  {lang}: completed {(finished - created).total_seconds():.2f} s after its row")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--upload-mb", type=int, default=200)
    parser.add_argument("--records", type=int, default=5000, help="A2E records to import")
    parser.add_argument(
        "--speed", type=float, default=1000, help="sandbox speed (1 = jobs take real time)"
    )
    args = parser.parse_args()
    bench_started = time.monotonic()
    var_dir = Path(os.environ["VOXBOARD_VAR_DIR"])
    say(f"database: {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    team = Team.objects.create(name="Bench", slug=f"bench-{secrets.token_hex(3)}")
    user = get_user_model().objects.create_user(f"bench-{team.slug}", password=PASSWORD)
    Membership.objects.create(team=team, user=user, role=Role.OWNER)

    port = free_port()
    sandbox = start_sandbox(port, "--a2e-token", A2E_TOKEN, "--speed", str(args.speed))
    base = f"http://127.0.0.1:{port}"
    control = httpx.Client(base_url=base, timeout=300)
    account = ProviderAccount(team=team, provider="a2e", base_url=f"{base}/a2e")
    account.set_secret(A2E_TOKEN)
    account.save()
    languages = [value for value, _ in languages_for(account)]
    targets = [lang for lang in ("de", "fr", "es") if lang in languages] or languages[:3]
    if len(targets) < 3:
        raise SystemExit(f"the sandbox lists only {languages}")
    web = start_gunicorn(WEB_PORT, "--workers", "1", "--worker-class", "sync", "--timeout", "600")
    workers: list[processes.Process] = []
    try:
        client = logged_in(f"http://127.0.0.1:{WEB_PORT}", user.username, PASSWORD)
        say(f"(a) a {args.upload_mb} MB WAV upload to gunicorn, one sync worker")
        growth = upload_peak(client, team, targets[0], args.upload_mb, worker_pid(web.pid))
        forget_dubbings(team)

        say(f"(c) one 2 s WAV into {', '.join(targets)}; worker and beat, default schedule")
        say(f"  sandbox speed {args.speed:g}")
        env = processes.child_env()
        workers.append(processes.celery("worker", var_dir / "worker.log", env, concurrency=2))
        workers.append(processes.celery("beat", var_dir / "beat.log", env))
        wait_for_log(workers[0], "ready.", 60)
        batch_s = batch_time(client, team, targets, 300)
        say(f"  3 of 3 completed with results stored {batch_s:.2f} s after the POST")
        for process in workers:
            process.stop()
        workers = []
        client.close()

        say(f"(b) import of {args.records} completed A2E dubbing records")
        control.post("/_sandbox/reset").raise_for_status()
        control.post(
            "/_sandbox/seed",
            json={"kind": "a2e.dubbing", "count": args.records, "status": "completed"},
        ).raise_for_status()
        importer = Team.objects.create(name="Import", slug=f"import-{secrets.token_hex(3)}")
        imported = ProviderAccount(team=importer, provider="a2e", base_url=f"{base}/a2e")
        imported.set_secret(A2E_TOKEN)
        imported.save()
        marks = []
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = import_records(imported, on_page=lambda page: marks.append(len(queries)))
        import_s = time.perf_counter() - started
        rows = Dubbing.objects.filter(team=importer, imported=True).count()
        if rows < args.records:
            raise SystemExit(f"only {rows} of {args.records} records were imported")
        say(f"  {result} in {import_s:.2f} s; {rows} dubbing rows")
        per_page = [b - a for a, b in zip([0, *marks], marks, strict=False)]
        say(
            f"  SQL queries per full page: first {per_page[0]}, middle "
            f"{per_page[len(per_page) // 2]}, last full {per_page[-2]} (of {len(per_page)})"
        )
        started = time.perf_counter()
        again = import_records(imported)
        say(f"  again, nothing new: {again} in {time.perf_counter() - started:.2f} s")
    finally:
        for process in workers:
            process.stop()
        web.terminate()
        web.wait(timeout=15)
        control.close()
        sandbox.terminate()
        sandbox.wait(timeout=10)
    say(f"run time {time.monotonic() - bench_started:.0f} s")
    say(
        f"dubbing upload_{args.upload_mb}mb_peak_rss_mb={growth:.1f} "
        f"import_{args.records}_s={import_s:.2f} batch3_s={batch_s:.2f}"
    )


if __name__ == "__main__":
    main()
