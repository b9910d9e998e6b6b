"""Fixtures for the client tests: a recording sleep, fresh HTTP settings, respx, a live sandbox."""

from __future__ import annotations

import io
import re
import threading
import time
import wave
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
import respx

from providers import config
from providers.a2e import A2EClient
from providers.burki import BurkiClient
from providers.respeecher import RespeecherClient

T = TypeVar("T")


@pytest.fixture(autouse=True)
def http_settings():
    """Every test starts from in-process caps and short timeouts, whatever REDIS_URL says."""
    settings = config.configure(
        redis_url=None, max_in_flight=4, connect_timeout=1.0, read_timeout=2.0, slot_wait=10.0
    )
    yield settings
    config.configure()
    config._settings = None


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def sleep(sleeps):
    """A sleep that only records how long it was asked to wait."""
    return sleeps.append


@pytest.fixture
def mock():
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield router


# --- in-flight caps: handlers that show how many calls were inside at once ---------------


class Concurrency:
    """A respx handler that holds each call briefly and keeps the most seen inside at once.

    `on_enter` runs for each call once it is counted, to look at shared state mid-call.
    """

    def __init__(self, on_enter: Callable[[], None] = lambda: None) -> None:
        self._lock = threading.Lock()
        self._on_enter = on_enter
        self.running = 0
        self.peak = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        self._on_enter()
        time.sleep(0.05)
        with self._lock:
            self.running -= 1
        return httpx.Response(200, json={})


@contextmanager
def one_call_held(
    route: respx.Route,
    call: Callable[[], Any],
    held: Callable[[httpx.Request], bool] = lambda request: True,
) -> Iterator[None]:
    """Run the block while `call` is inside the upstream in another thread, its slot taken.

    Only requests `held` picks are kept waiting; the rest are answered at once.
    """
    inside, release = threading.Event(), threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if held(request):
            inside.set()
            release.wait(5)
        return httpx.Response(200, json={})

    route.mock(side_effect=handler)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(call)
        assert inside.wait(5), "the held call never reached the upstream"
        try:
            yield
        finally:
            release.set()
        pending.result(5)


# --- a live sandbox over loopback, for the integration tests -----------------------------

LIVE_A2E_TOKEN = "live-a2e-token-0001"
LIVE_RESPEECHER_KEY = "live-respeecher-key-0001"
LIVE_BURKI_KEY = "live-burki-key-0001"
# Jobs run 200x faster: a 60 s clone trains in 0.3 s, yet each state is still seen.
LIVE_SPEED = 200.0


@dataclass
class LiveSandbox:
    """The session's sandbox and its control API (no auth, never faulted)."""

    url: str
    control: httpx.Client

    def reset(self) -> None:
        self._ok(self.control.post("/_sandbox/reset"))

    def config(self, **values: Any) -> dict[str, Any]:
        return self._ok(self.control.post("/_sandbox/config", json=values))

    def seed(self, kind: str, count: int, **params: Any) -> dict[str, Any]:
        return self._ok(
            self.control.post("/_sandbox/seed", json={"kind": kind, "count": count, **params})
        )

    def put_file(self, name: str, data: bytes, content_type: str) -> str:
        response = self.control.put(
            f"/_sandbox/files/{name}", content=data, headers={"Content-Type": content_type}
        )
        return self._ok(response)["url"]

    def fault(self, **rule: Any) -> None:
        self._ok(self.control.post("/_sandbox/faults", json=rule))

    def faults(self) -> list[dict[str, Any]]:
        return self._ok(self.control.get("/_sandbox/faults"))["faults"]

    def requests(self, **filters: str) -> list[dict[str, Any]]:
        """The request log, oldest first; filters as `/_sandbox/requests` takes them."""
        return self._ok(self.control.get("/_sandbox/requests", params=filters))["requests"]

    def fetch(self, url: str) -> bytes:
        """A body fetched with bare httpx, to hold the clients' downloads against."""
        response = self.control.get(url)
        response.raise_for_status()
        return response.content

    @staticmethod
    def _ok(response: httpx.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


class RouteWitness:
    """Which client routes answered 2xx in the sandbox's request log, across the session.

    The log is cleared by every reset, so each test's share is read as the test ends.
    """

    def __init__(self) -> None:
        self.seen: set[tuple[str, str, str]] = set()
        # (module, test function) of every test that used the sandbox.
        self.finished: set[tuple[str, str]] = set()

    def record(self, test: tuple[str, str], log: list[dict[str, Any]]) -> None:
        self.finished.add(test)
        for row in log:
            if row["provider"] and row["status"] and 200 <= row["status"] < 300:
                self.seen.add((row["provider"], row["method"], row["path"]))

    def routes_called(self, provider: str, routes: dict[str, tuple[str, str]]) -> set[str]:
        """Names in `routes` witnessed; a literal path wins over a template that also fits."""
        literal = {(m, t) for m, t in routes.values() if "{" not in t}
        patterns = {name: (m, _template_pattern(t)) for name, (m, t) in routes.items()}
        called = set()
        prefix = f"/{provider}"
        for seen_provider, method, path in self.seen:
            if seen_provider != provider:
                continue
            below = path.removeprefix(prefix)
            if (method, below) in literal:
                called |= {n for n, r in routes.items() if r == (method, below)}
                continue
            called |= {
                name
                for name, (m, pattern) in patterns.items()
                if m == method and pattern.fullmatch(below)
            }
        return called


@pytest.fixture(scope="session")
def live_sandbox() -> Iterator[LiveSandbox]:
    # Imported here: only the integration tests need the sandbox (and uvicorn) loaded.
    from sandbox.server import run_in_thread

    url, stop = run_in_thread(
        port=0,
        speed=LIVE_SPEED,
        a2e_token=LIVE_A2E_TOKEN,
        respeecher_key=LIVE_RESPEECHER_KEY,
        burki_key=LIVE_BURKI_KEY,
        # A tone is a real WAV and costs nothing; espeak's timing would vary by machine.
        tts_engine="tone",
    )
    control = httpx.Client(base_url=url, timeout=httpx.Timeout(30.0))
    try:
        yield LiveSandbox(url, control)
    finally:
        control.close()
        stop()


@pytest.fixture(scope="session")
def route_witness() -> RouteWitness:
    return RouteWitness()


@pytest.fixture
def sandbox(live_sandbox, route_witness, request) -> Iterator[LiveSandbox]:
    """The session's sandbox, back at its seed records; its request log is kept as witness."""
    live_sandbox.reset()
    yield live_sandbox
    test = (request.node.module.__name__, request.node.originalname)
    route_witness.record(test, live_sandbox.requests())


@pytest.fixture
def a2e(sandbox, sleep) -> A2EClient:
    return A2EClient(sandbox.url + "/a2e", LIVE_A2E_TOKEN, sleep=sleep)


@pytest.fixture
def respeecher(sandbox, sleep) -> RespeecherClient:
    return RespeecherClient(sandbox.url + "/respeecher", LIVE_RESPEECHER_KEY, sleep=sleep)


@pytest.fixture
def burki(sandbox, sleep) -> BurkiClient:
    return BurkiClient(sandbox.url + "/burki", LIVE_BURKI_KEY, sleep=sleep)


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    """A real mono 16-bit WAV of a quiet square wave, made with the stdlib."""
    frames = int(rate * seconds)
    period = max(2, rate // 220)
    samples = b"".join(
        (b"\x00\x10" if (i % period) < period // 2 else b"\x00\xf0") for i in range(period)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * (frames // period + 1))[: frames * 2])
    return buffer.getvalue()


def poll(fetch: Callable[[], T], done: Callable[[T], bool], seconds: float = 10.0) -> T:
    """Call `fetch` until `done` holds, as a poller of a remote job would; fail if it never does."""
    deadline = time.monotonic() + seconds
    value = fetch()
    while not done(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up polling; last value: {value!r}")
        time.sleep(0.02)
        value = fetch()
    return value


def module_coverage(request, route_witness: RouteWitness, provider: str, routes) -> set[str]:
    """Routes of `routes` no test of the calling module saw answer 2xx.

    Skips unless every other test of the module that uses the sandbox ran first, so a
    `-k` run neither fails for want of the others nor passes on a partial witness.
    """
    module = request.node.module
    siblings = {
        (module.__name__, name)
        for name, function in vars(module).items()
        if name.startswith("test_") and callable(function) and name != request.node.originalname
    }
    if not siblings <= route_witness.finished:
        pytest.skip("route coverage is only judged when the whole module runs")
    return set(routes) - route_witness.routes_called(provider, routes)
