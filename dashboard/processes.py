"""Start and stop real worker, beat and sandbox processes for integration tests and
benchmarks, sharing the calling process's database and broker."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database this process is using right now (the test database
    under pytest), so a child process writes to the same place."""
    d = connection.settings_dict
    if "sqlite" in d["ENGINE"]:
        return f"sqlite:///{d['NAME']}"
    auth = d["USER"] + (f":{d['PASSWORD']}" if d.get("PASSWORD") else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def child_env(**overrides) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url(),
        VOXBOARD_VAR_DIR=str(settings.VAR_DIR),
        PYTHONUNBUFFERED="1",
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class Process:
    """A child in its own session, so a kill reaches its pool children too."""

    def __init__(self, args, env, log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, nothing acknowledged."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log.close()

    def stop(self, timeout: float = 15) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def celery(kind: str, log_path: Path, env: dict, concurrency: int = 2) -> Process:
    args = [sys.executable, "-m", "celery", "-A", "dashboard"]
    if kind == "worker":
        args += [
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    else:
        args += ["beat", "--loglevel=INFO", "--schedule", str(log_path.with_suffix(".schedule"))]
    return Process(args, env, log_path)


def wait_until(
    fetch: Callable[[], Any],
    timeout: float = 10.0,
    interval: float = 0.25,
    what: str = "condition",
    done: Callable[[Any], bool] = bool,
):
    """Call `fetch` every `interval` seconds until `done` holds for what it returns, and
    return that; after `timeout` seconds, fail naming `what` and the last value. The one
    waiting loop of the tests and the bench scripts, for the waits on another process."""
    deadline = time.monotonic() + timeout
    value = fetch()
    while not done(value):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout} s; last value: {value!r}")
        time.sleep(interval)
        value = fetch()
    return value
