"""Benchmark of copying a large result from a provider into storage: the copier's peak
memory and time for a 200 MB file, into the local media folder and into an S3 bucket
(moto's server), each in a process of its own."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
from common import free_port, say  # noqa: E402

MB = 1024 * 1024
BUCKET = "bench-media"
KEYS = {"S3_ACCESS_KEY_ID": "bench", "S3_SECRET_ACCESS_KEY": "bench"}


# --- the provider's file server, its own process (`--serve PORT`) ------------------------


class Files(BaseHTTPRequestHandler):
    """`/a2e/files/<N>mb.wav`: a WAV header and N MB of samples, with its length."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        megabytes = int(self.path.rsplit("/", 1)[-1].removesuffix("mb.wav"))
        size = megabytes * MB
        head = b"RIFF" + (size - 8).to_bytes(4, "little") + b"WAVEfmt "
        block = bytes(range(256)) * (MB // 256)
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        try:
            self.wfile.write(head + block[len(head) :])
            for _ in range(megabytes - 1):
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


def serve(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Files)
    server.daemon_threads = True
    server.serve_forever()


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    import socket

    for _ in range(200):
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start")


# --- one copy, in a process of its own (`--copy local|s3`) -------------------------------


def own_memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/self/status")


def copy(files_port: int, megabytes: int) -> None:
    """Set up Django (the storage from the environment), then copy a 1 MB result (warm-up:
    code loaded, pools and the S3 client made) and the large one through
    jobs.results.fetch_results; print the large copy's peak RSS growth and seconds."""
    import contextlib

    import django

    django.setup()
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from core import storage
    from jobs import results
    from jobs.models import Job, ResultsState, Status
    from teams.models import ProviderAccount, Team

    call_command("migrate", verbosity=0)
    team = Team.objects.create(name="Bench", slug="bench")
    account = ProviderAccount(
        team=team, provider="a2e", base_url=f"http://127.0.0.1:{files_port}/a2e"
    )
    account.set_secret("bench-a2e")
    account.save()

    def one(size_mb: int) -> Job:
        url = f"http://127.0.0.1:{files_port}/a2e/files/{size_mb}mb.wav"
        job = Job.objects.create(
            team=team,
            account=account,
            provider="a2e",
            kind="a2e.dubbing",
            label=f"{size_mb} MB",
            status=Status.COMPLETED,
            results_state=ResultsState.PENDING,
            result_urls=[["result", url]],
        )
        if results.fetch_results(job.pk) != "stored":
            job.refresh_from_db()
            raise SystemExit(f"the copy failed: {job.last_error}")
        return job

    one(1)
    with contextlib.suppress(OSError):  # VmHWM back to the current RSS (Linux 4.0+)
        Path("/proc/self/clear_refs").write_text("5")
    before = own_memory_kb("VmRSS")
    started = time.perf_counter()
    job = one(megabytes)
    took = time.perf_counter() - started
    growth = (own_memory_kb("VmHWM") - before) / 1024
    (stored,) = job.files.all()
    size = default_storage.size(stored.file.name)
    if size != megabytes * MB or stored.size != size:
        raise SystemExit(f"the copy is {size} bytes, not {megabytes * MB}")
    where = "bucket" if storage.in_bucket() else "local folder"
    say(f"  {megabytes} MB into the {where} in {took:.1f} s, peak RSS +{growth:.1f} MB")
    print(f"figure {growth:.1f} {took:.2f}", flush=True)


def run_copy(mode: str, files_port: int, megabytes: int, extra: dict[str, str]) -> tuple[str, str]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="voxboard-bench-") as var_dir:
        env = {
            **os.environ,
            "VOXBOARD_VAR_DIR": var_dir,
            "DEBUG": "0",
            "SECRET_KEY": "bench-secret-key-not-for-use-anywhere-else-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "VOXBOARD_ENCRYPTION_KEYS": "lG3y1Q2m0QG1o3n6nY8m3Yk8m8m4t2n0Vt1YQpC3F2U=",
            "PROVIDER_PRIVATE_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "RESULTS_MAX_MB": str(megabytes + 1),
            **extra,
        }
        env.pop("DATABASE_URL", None)  # a throwaway SQLite under var_dir
        child = subprocess.run(
            [sys.executable, __file__, "--copy", mode, "--files-port", str(files_port)]
            + ["--mb", str(megabytes)],
            env=env,
            capture_output=True,
            text=True,
        )
    lines = child.stdout.splitlines()
    for line in lines:
        if not line.startswith("figure "):
            say(line)
    figures = [line.split()[1:] for line in lines if line.startswith("figure ")]
    if child.returncode != 0 or not figures:
        raise SystemExit(f"the {mode} copy failed:\n{child.stdout}\n{child.stderr[-3000:]}")
    return figures[0][0], figures[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--copy", choices=["local", "s3"], help=argparse.SUPPRESS)
    parser.add_argument("--files-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mb", type=int, default=200, help="size of the result")
    parser.add_argument("--storage", choices=["local", "s3", "both"], default="both")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.copy:
        copy(args.files_port, args.mb)
        return

    files_port, s3_port = free_port(), free_port()
    files = subprocess.Popen([sys.executable, __file__, "--serve", str(files_port)], cwd=ROOT)
    # moto's S3 in its own process, so its memory is not the copier's.
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures = {}
    try:
        wait_for_port(files_port, files, "the file server")
        wait_for_port(s3_port, moto, "moto's S3 server")
        endpoint = f"http://127.0.0.1:{s3_port}"
        if args.storage in ("local", "both"):
            say(f"(a) a {args.mb} MB result copied into the local media folder")
            figures["local"] = run_copy("local", files_port, args.mb, {})
        if args.storage in ("s3", "both"):
            import boto3

            boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="bench",
                aws_secret_access_key="bench",  # noqa: S106 - moto's throwaway server
            ).create_bucket(Bucket=BUCKET)
            say(f"(b) a {args.mb} MB result copied into an S3 bucket (moto, another process)")
            figures["s3"] = run_copy(
                "s3",
                files_port,
                args.mb,
                {"S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": endpoint, **KEYS},
            )
    finally:
        for process in (files, moto):
            process.terminate()
            process.wait(timeout=10)
    say(
        "results "
        + " ".join(
            f"copy_{args.mb}mb_{mode}_peak_rss_mb={rss} copy_{args.mb}mb_{mode}_s={seconds}"
            for mode, (rss, seconds) in figures.items()
        )
    )


if __name__ == "__main__":
    main()
