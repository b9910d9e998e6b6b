"""Waiting for `make run`'s processes to answer, so the login is printed once they all do."""

import os
import time
from collections.abc import Callable
from pathlib import Path

import httpx

Check = Callable[[], bool]


def answers(url: str, timeout: float = 2.0) -> Check:
    """A check that holds when `url` answers 2xx."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=timeout).is_success
        except httpx.HTTPError:
            return False

    return check


def process_running(pid_file: Path) -> Check:
    """A check that holds when `pid_file` names a live process (a Celery worker writes
    one when it is ready; a file left by a stopped one names no live process)."""

    def check() -> bool:
        try:
            os.kill(int(pid_file.read_text().strip()), 0)
        except (OSError, ValueError):
            return False
        return True

    return check


def wait_for(
    checks: dict[str, Check],
    *,
    timeout: float,
    interval: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Try every check until each has held once, or `timeout` seconds pass. Returns the
    names of those that never held (empty when all did), in the order given."""
    waiting = dict(checks)
    deadline = clock() + timeout
    while True:
        for name, check in list(waiting.items()):
            if check():
                del waiting[name]
        if not waiting or clock() >= deadline:
            return list(waiting)
        sleep(interval)
