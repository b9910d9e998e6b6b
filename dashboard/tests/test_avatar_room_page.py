"""static/js/avatar-room.js in Chromium, before the avatars app renders the real page: a
stand-in room page (the stage the room page will render, under the room page's CSP)
served from loopback with fake beat and leave endpoints, against the session's sandbox
and its Agora stand-in on another origin."""

import html
import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from csp.utils import build_policy

from dashboard import processes
from dashboard.csp import origin, room_csp
from dashboard.tests.browser import MARKS
from providers import a2e

pytestmark = MARKS

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "avatar-room.js"
TOKEN = "csrf-token-for-the-test"
SANDBOX_A2E_TOKEN = "sandbox-a2e"  # the sandbox's default, as the session's is started

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Room</title>
<script src="/static/avatar-room.js" defer></script></head>
<body hx-headers='{{"X-CSRFToken": "{token}"}}'>
<div id="avatar-stage" data-app-id="{app_id}" data-channel="{channel}" data-token="{room_token}"
     data-uid="{uid}" data-expires-at="{expires_at}" data-stand-in-url="{stand_in_url}"
     data-beat-url="/beat/" data-leave-url="/leave/" data-state="{state}"
     data-beat-seconds="{beat_seconds}">
  <div class="avatar-video" aria-label="Avatar video"></div>
  <p class="avatar-captions" aria-live="polite"></p>
  <p class="avatar-countdown" aria-live="off"></p>
</div>
<form method="post" action="/leave/">
  <input type="hidden" name="csrfmiddlewaretoken" value="{token}">
  <button type="submit">Leave</button>
</form>
</body></html>"""


class FakeRoomSite:
    """The room page and its beat and leave endpoints, as the Django side will answer them."""

    def __init__(self, room: dict, stand_in_url: str, *, beat_seconds=1, expires_in=120):
        self.room = room
        self.stand_in_url = stand_in_url
        self.beat_seconds = beat_seconds
        self.expires_at = datetime.now(UTC) + timedelta(seconds=expires_in)
        self.state = "live"
        self.beats: list[tuple[float, str | None]] = []
        self.leaves: list[tuple[str, str]] = []
        # What each page watched by `last_word` sent on its way out (see there).
        self.last_words: list[list[str]] = []
        self.csp = build_policy(update=room_csp(origin(stand_in_url)))
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 -- the stdlib's name
                if self.path == "/":
                    self._answer(200, "text/html; charset=utf-8", site.page().encode())
                elif self.path == "/static/avatar-room.js":
                    self._answer(200, "text/javascript", SCRIPT.read_bytes())
                else:
                    self._answer(404, "text/plain", b"not found")

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/beat/":
                    site.beats.append((time.monotonic(), self.headers.get("X-CSRFToken")))
                    answer = {"state": site.state, "ends_at": site.expires_at.isoformat()}
                    self._answer(200, "application/json", json.dumps(answer).encode())
                elif self.path == "/last-word/":
                    site.last_words.append(json.loads(body))
                    self._answer(204, "text/plain", b"")
                elif self.path == "/leave/":
                    site.leaves.append((self.headers.get("Content-Type", ""), body.decode()))
                    site.state = "left"
                    self.send_response(303)
                    self.send_header("Location", "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._answer(404, "text/plain", b"not found")

            def _answer(self, status, content_type, body):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Security-Policy", site.csp)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def page(self) -> str:
        values = {
            "token": TOKEN,
            "app_id": self.room["appId"],
            "channel": self.room["channel"],
            "room_token": self.room["token"],
            "uid": self.room["uid"],
            "expires_at": self.expires_at.isoformat(),
            "stand_in_url": self.stand_in_url,
            "state": self.state,
            "beat_seconds": self.beat_seconds,
        }
        return PAGE.format(**{k: html.escape(str(v)) for k, v in values.items()})

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def a2e_api(sandbox_url, control):
    client = httpx.Client(
        base_url=f"{sandbox_url}/a2e/api/v1/streaming-avatar",
        headers={"Authorization": f"Bearer {SANDBOX_A2E_TOKEN}"},
        timeout=30,
    )
    yield client
    client.close()


@pytest.fixture
def room(a2e_api):
    avatar = a2e_api.get("/all_avatars").json()["data"][0]
    answer = a2e_api.post("/agora-token", json={"avatar_id": avatar["_id"], "expire_seconds": 120})
    return answer.json()["data"]


@pytest.fixture
def site_for(room, sandbox_url):
    sites = []

    def make(**options) -> FakeRoomSite:
        url = a2e.stand_in_url(f"{sandbox_url}/a2e", room["appId"], room["channel"])
        sites.append(FakeRoomSite(room, url, **options))
        return sites[-1]

    yield make
    for site in sites:
        site.close()


def say(a2e_api, room, action, text):
    answer = a2e_api.post(f"/{action}", json={"channel": room["channel"], "text": text})
    assert answer.json()["code"] == 0, answer.text


def wait_for(what: str, check, seconds: float = 15.0):
    return processes.wait_until(lambda: check(), seconds, interval=0.1, what=what, done=bool)


# Installed into a page after its own script: every beacon and fetch it sends from now on
# is noted, and its last pagehide listener (it runs after the page's own) beacons the
# notes to /last-word/. Once they arrive, whatever the page sent on its way out has been
# sent before them: nothing is left to wait for.
WATCH_OUTGOING = """() => {
  const sent = [];
  const beacon = navigator.sendBeacon.bind(navigator);
  const fetch = window.fetch.bind(window);
  navigator.sendBeacon = (url, body) => { sent.push(String(url)); return beacon(url, body); };
  window.fetch = (input, init) => {
    sent.push(String(input.url || input));
    return fetch(input, init);
  };
  window.addEventListener("pagehide", () => { beacon("/last-word/", JSON.stringify(sent)); });
}"""


def last_word(site, page):
    """Watch what `page` sends from now until it goes (WATCH_OUTGOING); returns a function
    that waits for the page's last word and gives what it sent to the room's site."""
    page.evaluate(WATCH_OUTGOING)
    heard = len(site.last_words)

    def sent_on_the_way_out() -> list[str]:
        wait_for("the page's last word", lambda: len(site.last_words) > heard)
        return [url for url in site.last_words[heard] if url in ("/beat/", "/leave/")]

    return sent_on_the_way_out


def test_stand_in_captions_and_speaks_beats_and_sends_a_beacon_on_close(
    browser_page, a2e_api, room, site_for
):
    from playwright.sync_api import expect

    site = site_for(beat_seconds=1)
    page = browser_page
    page.set_default_timeout(15_000)
    refused = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))

    page.goto(site.url)
    expect(page.locator(".avatar-video")).to_have_text("Sandbox avatar (no Agora here)")
    expect(page.locator(".avatar-countdown")).to_have_text(re.compile(r"^(01:[0-5]\d|02:00)$"))

    say(a2e_api, room, "speak", "Hello from the console")
    expect(page.locator(".avatar-captions")).to_have_text("Hello from the console")
    spoken = page.get_by_label("Avatar speech: Hello from the console")
    expect(spoken).to_have_count(1)
    # The audio really loads from the sandbox's origin, under the room page's CSP.
    page.wait_for_function("el => el.duration > 0", arg=spoken.element_handle())

    say(a2e_api, room, "set-qa-context", "We open at nine. Parking is free on Sundays.")
    say(a2e_api, room, "ask", "Is parking free?")
    expect(page.locator(".avatar-captions")).to_have_text("Parking is free on Sundays.")
    expect(page.locator("#avatar-stage audio")).to_have_count(2)

    wait_for("three beats", lambda: len(site.beats) >= 3)
    gaps = [b[0] - a[0] for a, b in zip(site.beats, site.beats[1:], strict=False)]
    assert all(0.5 < gap < 2.5 for gap in gaps), gaps
    assert {token for _, token in site.beats} == {TOKEN}

    page.close(run_before_unload=True)

    wait_for("the leave beacon", lambda: site.leaves)
    content_type, body = site.leaves[0]
    assert content_type.startswith("multipart/form-data")
    assert 'name="reason"\r\n\r\nabandoned' in body
    assert f'name="csrfmiddlewaretoken"\r\n\r\n{TOKEN}' in body
    assert not refused, refused


def test_a_room_closed_elsewhere_reloads_into_its_end_and_sends_no_beacon(
    browser_page, a2e_api, room, site_for
):
    from playwright.sync_api import expect

    site = site_for(beat_seconds=1)
    page = browser_page
    page.set_default_timeout(15_000)
    page.goto(site.url)
    expect(page.locator(".avatar-video")).to_have_text("Sandbox avatar (no Agora here)")

    site.state = "expired"

    expect(page.locator("#avatar-stage")).to_have_attribute("data-state", "expired")
    expect(page.locator(".avatar-video")).to_have_text("")
    beats = len(site.beats)
    sent = last_word(site, page)
    page.close(run_before_unload=True)
    assert sent() == []
    assert site.leaves == [] and len(site.beats) == beats


def test_pressing_leave_posts_the_form_and_sends_no_beacon(browser_page, room, site_for):
    from playwright.sync_api import expect

    site = site_for(beat_seconds=60)
    page = browser_page
    page.set_default_timeout(15_000)
    page.goto(site.url)
    expect(page.locator(".avatar-video")).to_have_text("Sandbox avatar (no Agora here)")

    leaving = last_word(site, page)
    page.get_by_role("button", name="Leave").click()

    expect(page.locator("#avatar-stage")).to_have_attribute("data-state", "left")
    assert leaving() == []  # the room page went with its form, and no beacon
    closing = last_word(site, page)
    page.close(run_before_unload=True)
    assert closing() == []
    assert [content_type for content_type, _ in site.leaves] == [
        "application/x-www-form-urlencoded"
    ]


def test_the_countdown_says_expired_at_zero_and_beats_once(browser_page, room, site_for):
    from playwright.sync_api import expect

    site = site_for(beat_seconds=60, expires_in=2)
    page = browser_page
    page.set_default_timeout(15_000)
    page.goto(site.url)

    expect(page.locator(".avatar-countdown")).to_have_text("Expired")
    wait_for("the expiry beat", lambda: len(site.beats) == 1)
