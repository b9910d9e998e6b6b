"""Benchmark of what a hostile provider server can make a call cost, at the default limits."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
# Run as `python bench/limits.py`, the script's own folder is on sys.path, not the repo.
sys.path.insert(0, str(ROOT))
# The hostile server listens on loopback: its host may be a provider base URL.
os.environ.setdefault("PROVIDER_PRIVATE_HOSTS", "127.0.0.1")

import httpx  # noqa: E402
from common import free_port, say  # noqa: E402

from providers import UpstreamError, config, http  # noqa: E402
from providers.respeecher import RespeecherClient  # noqa: E402

KEY = "bench-hostile-key"
MB = 1024 * 1024
# The recordings sync's page size.
PAGE_SIZE = 100


# --- the hostile server, run as its own process (`--serve PORT`) -------------------------


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; with Nagle's algorithm on, each page
    # would wait 40 ms for the client's delayed ACK and the bench would time that.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            if parts.path == "/huge":
                self._huge(int(query.get("mb", 400)))
            elif parts.path == "/trickle":
                self._trickle(float(query.get("every", 2)), headers=False)
            elif parts.path == "/trickle-headers":
                self._trickle(float(query.get("every", 2)), headers=True)
            elif parts.path == "/api/projects":
                self._projects(int(query.get("offset", 0)), int(query.get("limit", PAGE_SIZE)))
            else:
                self._json({"status": "ready"})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on us: what the bench wants to see

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _json(self, body: object) -> None:
        data = json.dumps(body).encode()
        self._head(200, {"Content-Type": "application/json", "Content-Length": str(len(data))})
        self.wfile.write(data)

    def _huge(self, megabytes: int) -> None:
        """A valid JSON list of `megabytes` MB with no declared length, as fast as it goes."""
        self._head(200, {"Content-Type": "application/json", "Connection": "close"})
        item = b'"' + b"x" * 1021 + b'",'  # 1 KB
        block = item * 1024
        self.wfile.write(b"[")
        for _ in range(megabytes):
            self.wfile.write(block)
        self.wfile.write(b"0]")

    def _trickle(self, every: float, *, headers: bool) -> None:
        """One byte each `every` seconds, of the body or of the whole answer."""
        body = b"[" + b"0," * 500 + b"0]"
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
        if headers:
            data = head + body
        else:
            self._head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
            self.wfile.flush()
            data = body
        for byte in data:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(every)

    def _projects(self, offset: int, limit: int) -> None:
        """Respeecher's project list, a full page for any offset, for ever."""
        rows = [
            {"id": f"p{n:08d}", "name": f"Project {n}", "created_at": "2025-01-01T00:00:00Z"}
            for n in range(offset, offset + limit)
        ]
        self._json({"list": rows, "pagination": {}})

    def log_message(self, *args: object) -> None:
        pass


def serve(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Hostile)
    server.daemon_threads = True
    server.serve_forever()


def start_server(port: int) -> subprocess.Popen:
    """The hostile server in its own process, so its memory and GIL are not ours."""
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], cwd=ROOT)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the hostile server did not start")


# --- measurements ------------------------------------------------------------------------


def memory_kb(field: str) -> int:
    """VmRSS or VmHWM (peak RSS) of this process, in KB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/self/status")


def attempt(call: Callable[[], object]) -> tuple[float, float, str]:
    """Seconds `call` took, the peak RSS growth it caused in MB, and how it ended."""
    # Resets VmHWM to the current RSS (Linux 4.0+), so an earlier peak cannot stand in
    # for this call's; where refused, the figure is an upper bound.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    before = memory_kb("VmRSS")
    started = time.perf_counter()
    try:
        call()
        outcome = "answered"
    except UpstreamError as exc:
        outcome = f"{type(exc).__name__}: {exc.message}"
    elapsed = time.perf_counter() - started
    growth = max(0, memory_kb("VmHWM") - before) / 1024
    return elapsed, growth, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--huge-mb", type=int, default=400, help="size of the huge answer")
    parser.add_argument("--every", type=float, default=2.0, help="seconds between trickled bytes")
    parser.add_argument("--max-records", type=int, default=1_000_000, help="SYNC_MAX_RECORDS")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    os.chdir(ROOT)
    # The defaults of dashboard/settings.py (UPSTREAM_*, SYNC_MAX_RECORDS), stated here so
    # the bench needs no Django; this process's own in-flight cap, whatever REDIS_URL says.
    settings = config.configure(
        redis_url=None,
        connect_timeout=5.0,
        read_timeout=30.0,
        max_body_bytes=20 * MB,
        deadline=60.0,
        max_records=args.max_records,
    )
    say(
        f"limits: answers {settings.max_body_bytes // MB} MB, deadline {settings.deadline:g} s, "
        f"read timeout {settings.read_timeout:g} s, {settings.max_records:,} records a list"
    )
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    upstream = http.Upstream("Hostile", base, KEY, {})
    try:
        # Warm the pool and the code paths, so the figures are the answers' own.
        upstream.json("GET", "/")
        httpx.get(base + "/", timeout=5)

        say(f"(a) a {args.huge_mb} MB JSON answer, no declared length")
        huge_s, huge_mb, outcome = attempt(
            lambda: upstream.json("GET", "/huge", params={"mb": args.huge_mb})
        )
        say(f"  {huge_s:.2f} s, peak RSS +{huge_mb:.1f} MB: {outcome}")

        say(f"(b) an answer whose body comes one byte every {args.every:g} s")
        trickle_s, _mb, outcome = attempt(
            lambda: upstream.json("GET", "/trickle", params={"every": args.every})
        )
        say(f"  {trickle_s:.1f} s: {outcome}")

        say(f"(c) an answer whose headers come one byte every {args.every:g} s")
        headers_s, _mb, outcome = attempt(
            lambda: upstream.json("GET", "/trickle-headers", params={"every": args.every})
        )
        say(f"  {headers_s:.1f} s: {outcome}")

        say(f"(d) a Respeecher project list that never ends, {PAGE_SIZE} a page")
        client = RespeecherClient(base, KEY)
        walked = 0

        def walk() -> None:
            nonlocal walked
            for _project in client.iter_projects(page_size=PAGE_SIZE):
                walked += 1

        pages_s, pages_mb, outcome = attempt(walk)
        pages = walked // PAGE_SIZE + 1
        say(
            f"  {walked:,} records in {pages:,} pages, {pages_s:.1f} s, "
            f"peak RSS +{pages_mb:.1f} MB (records not kept): {outcome}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    say(
        f"limits huge_{args.huge_mb}mb_peak_rss_mb={huge_mb:.1f} huge_s={huge_s:.2f} "
        f"trickle_body_s={trickle_s:.1f} trickle_headers_s={headers_s:.1f} "
        f"endless_pages={pages} endless_pages_s={pages_s:.1f}"
    )


if __name__ == "__main__":
    main()
