"""Fixtures for webhook tests: a controlled clock, fake DNS, a real local receiver, and a
record of what would have been enqueued."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.tests.loopback import LoopbackServer, QuietHandler
from providers import guard
from webhooks import tasks


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | float) -> datetime:
        self.now += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() under test control. It starts at the real time (whole seconds) so
    that the reference library, which reads the real clock, accepts fresh signatures."""
    fake = Clock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr("django.utils.timezone.now", fake)
    return fake


# Names the tests use, and what they resolve to. IP literals resolve to themselves.
FAKE_DNS = {
    "hooks.example.com": ["93.184.215.14"],
    "internal.example.com": ["10.0.0.1"],
    "sneaky.example.com": ["93.184.215.14", "169.254.169.254"],
    "mapped.example.com": ["::ffff:192.168.1.10"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch):
    """Webhook tests never touch real DNS."""

    def resolve(host, port):
        if host in FAKE_DNS:
            return list(FAKE_DNS[host])
        try:
            guard.ipaddress.ip_address(host)
        except ValueError:
            raise OSError(f"fake DNS does not know {host}") from None
        return [host]

    monkeypatch.setattr(guard, "resolve", resolve)
    return FAKE_DNS


@pytest.fixture
def allow_loopback(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def enqueued(monkeypatch):
    """Calls to .delay() on our tasks, recorded instead of sent to the broker."""
    calls = []
    for task in (tasks.send_delivery, tasks.process_inbound):
        name = task.name

        def fake_delay(*args, _name=name, **kwargs):
            calls.append((_name, args, kwargs))

        monkeypatch.setattr(task, "delay", fake_delay)
    return calls


class Receiver:
    """A real HTTP server on 127.0.0.1 answering from a script; it records each request."""

    def __init__(self, tls=None, host="127.0.0.1"):
        self.requests: list[dict] = []
        self.responses: list[tuple[int, dict, bytes]] = []
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length),
                    }
                )
                status, headers, body = (
                    receiver.responses.pop(0) if receiver.responses else (200, {}, b"ok")
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.loopback = LoopbackServer(Handler, tls=tls, host=host)
        self.url = f"{self.loopback.origin}/hook"

    def answer(self, status: int, headers: dict | None = None, body: bytes = b"") -> None:
        self.responses.append((status, headers or {}, body))

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])

    def close(self):
        self.loopback.close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()
