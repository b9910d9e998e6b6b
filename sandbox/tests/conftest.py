"""Fixtures: one sandbox on a free loopback port per test session, reset before each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from dashboard import processes
from sandbox.server import run_in_thread

A2E_TOKEN = "test-a2e-token"
RESPEECHER_KEY = "test-respeecher-key"
BURKI_KEY = "test-burki-key"
# Fast enough that a 60 s clone takes 30 ms, slow enough to see the first state.
FAST = 2000.0


@dataclass
class Sandbox:
    url: str
    http: httpx.Client
    a2e: httpx.Client
    respeecher: httpx.Client
    burki: httpx.Client

    def config(self, **values: Any) -> dict[str, Any]:
        response = self.http.post("/_sandbox/config", json=values)
        assert response.status_code == 200, response.text
        return response.json()

    def seed(self, kind: str, count: int, **params: Any) -> dict[str, Any]:
        response = self.http.post("/_sandbox/seed", json={"kind": kind, "count": count, **params})
        assert response.status_code == 200, response.text
        return response.json()

    def put_file(self, name: str, data: bytes, content_type: str) -> str:
        response = self.http.put(
            f"/_sandbox/files/{name}", content=data, headers={"content-type": content_type}
        )
        assert response.status_code == 200, response.text
        return response.json()["url"]


def wait_until(fetch: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 10.0):
    """Poll `fetch` with short sleeps until `done` holds; fail with the last value if not.
    The sandbox runs in a thread here and moves in milliseconds: hence the short sleeps."""
    return processes.wait_until(fetch, seconds, interval=0.02, what="sandbox state", done=done)


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    url, stop = run_in_thread(
        port=0, a2e_token=A2E_TOKEN, respeecher_key=RESPEECHER_KEY, burki_key=BURKI_KEY
    )
    yield url
    stop()


@pytest.fixture(scope="session")
def clients(sandbox_url: str) -> Iterator[Sandbox]:
    # One set for the session: building an httpx.Client loads CA certificates (~70 ms).
    timeout = httpx.Timeout(15.0)
    built = Sandbox(
        sandbox_url,
        httpx.Client(base_url=sandbox_url, timeout=timeout),
        httpx.Client(
            base_url=sandbox_url + "/a2e",
            headers={"Authorization": f"Bearer {A2E_TOKEN}"},
            timeout=timeout,
        ),
        httpx.Client(
            base_url=sandbox_url + "/respeecher",
            headers={"api-key": RESPEECHER_KEY},
            timeout=timeout,
        ),
        httpx.Client(
            base_url=sandbox_url + "/burki",
            headers={"Authorization": f"Bearer {BURKI_KEY}"},
            timeout=timeout,
        ),
    )
    yield built
    for client in (built.http, built.a2e, built.respeecher, built.burki):
        client.close()


@pytest.fixture
def sandbox(clients: Sandbox) -> Sandbox:
    """The shared sandbox, reset to its seed records and start-up config."""
    assert clients.http.post("/_sandbox/reset").status_code == 200
    return clients
