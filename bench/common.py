"""Helpers the benchmarks share: printing, a sandbox subprocess on a free port, percentiles."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def production_env(**extra: str) -> None:
    """The environment of a bench run under production settings (DEBUG off) on a
    throwaway var/ folder, with the sandbox's loopback host allowed as a provider; call
    it before django.setup(). `extra` sets further variables outright."""
    import os
    import secrets
    import tempfile

    # The sandbox listens on loopback: its host may be a provider base URL (providers/guard.py).
    os.environ.setdefault("PROVIDER_PRIVATE_HOSTS", "127.0.0.1")
    if "VOXBOARD_VAR_DIR" not in os.environ:
        import atexit
        import shutil

        # Throwaway: its database, broker files and media go when the run ends.
        var_dir = tempfile.mkdtemp(prefix="voxboard-bench-")
        atexit.register(shutil.rmtree, var_dir, True)
        os.environ["VOXBOARD_VAR_DIR"] = var_dir
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    if "VOXBOARD_ENCRYPTION_KEYS" not in os.environ:
        from cryptography.fernet import Fernet

        os.environ["VOXBOARD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    os.environ["DEBUG"] = "0"
    os.environ.update(extra)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")


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


def start_gunicorn(port: int, *options: str) -> subprocess.Popen:
    """The app under gunicorn on loopback with the given options (workers, class...),
    in this environment; returns once /healthz answers."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dashboard.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            *options,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def logged_in(base: str, username: str, password: str) -> httpx.Client:
    """An HTTP client logged in through the login form, as a browser would be."""
    client = httpx.Client(base_url=base, timeout=30)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"]
    answer = client.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": base + "/accounts/login/"},
    )
    if answer.status_code != 302:
        raise SystemExit(f"login failed: {answer.status_code}")
    return client


def worker_pid(master: int) -> int:
    """gunicorn's one worker: the process whose parent is the master."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            return int(entry.name)
    raise SystemExit("gunicorn's worker was not found")


def memory_kb(pid: int) -> dict[str, int]:
    """A process's resident set now (VmRSS) and at its peak so far (VmHWM), in kB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0])
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
