"""Helpers the benchmarks share: printing, a sandbox subprocess on a free port, percentiles."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def say(line: str) -> None:
    print(line, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(port: int, *args: str) -> subprocess.Popen:
    """The sandbox in its own process, so it does not share this one's GIL with the client."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the sandbox exited with {process.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/_sandbox", timeout=1).raise_for_status()
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the sandbox did not start within 20 s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
