"""The avatar console as a new user tries it, in Chromium against the session's sandbox
with a real Celery worker and beat: open a 2-minute room, speak, set the Q&A context,
ask, leave and see the coins come back; and rooms whose tab was closed without Leave,
left by the page's beacon or, when the beacon cannot arrive, by the heartbeat sweep."""

import re

import pytest

from avatars.models import Room
from dashboard import processes
from dashboard.tests.browser import MARKS
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, UserFactory

pytestmark = MARKS

PASSWORD = "a long pass phrase 42"
STAND_IN = "Sandbox avatar (no Agora here)"
CONTEXT = "We open at nine. Parking is free on Sundays."
# Playwright's expectations wait this long at most (ms).
WAIT = 15_000


@pytest.fixture
def console(transactional_db, live_server, settings, sandbox_url, control, browser_page):
    """A member of a team whose A2E account is the sandbox, on the Avatars page."""
    settings.PUBLIC_BASE_URL = live_server.url
    user = UserFactory(username="ada", password=PASSWORD)
    team = MembershipFactory(user=user, role=Role.MEMBER).team
    ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )
    page = browser_page
    page.set_default_timeout(WAIT)  # expectations wait as browser_page sets them
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Avatars").click()
    page.wait_for_url(re.compile(r"/avatars/$"))
    yield page


def a2e_requests(control, path_end: str) -> list[dict]:
    log = control.get("/_sandbox/requests", params={"provider": "a2e"}).json()["requests"]
    return [r for r in log if r["path"].endswith(path_end)]


def remaining_coins(control) -> float:
    answer = control.get(
        "/a2e/api/v1/user/remainingCoins", headers={"Authorization": "Bearer sandbox-a2e"}
    )
    return answer.json()["data"]["coins"]


def open_room(page, minutes=2) -> Room:
    from playwright.sync_api import expect

    card = page.locator("article.avatar").first
    card.get_by_label("Minutes").fill(str(minutes))
    card.get_by_role("button", name="Open room").click()
    page.wait_for_url(re.compile(r"/avatars/rooms/\d+/$"))
    expect(page.locator(".avatar-video")).to_have_text(STAND_IN)
    return Room.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))


def leave_sent(control, channel: str, seconds: float) -> dict:
    """The sandbox's acknowledged leave for `channel`, waited for up to `seconds`."""

    def sent():
        return [
            r
            for r in a2e_requests(control, "/streaming-avatar/leave")
            if r.get("json", {}).get("channel") == channel and r["status"] == 200
        ]

    return processes.wait_until(sent, seconds, what=f"leave of {channel}")[0]


def test_a_new_user_opens_a_room_speaks_asks_and_leaves_with_the_coins_back(
    console, control, live_workers
):
    from playwright.sync_api import expect

    page = console
    # Before anything is spent: what a room costs and the coins there are.
    cost = page.locator("section[aria-labelledby=cost-heading]")
    expect(cost).to_contain_text("charges coins for the whole length you choose")
    expect(cost).to_contain_text("the unused part comes back")
    coins_before = remaining_coins(control)
    expect(page.locator("#coins-now")).to_have_text(f"{coins_before:,g}")

    room = open_room(page, minutes=2)
    assert room.state == Room.State.LIVE and room.minutes == 2
    stage = page.locator("#avatar-stage")
    expect(stage.locator(".avatar-countdown")).to_have_text(re.compile(r"^(01:[0-5]\d|02:00)$"))

    page.get_by_label("Text", exact=True).fill("Hello from the console")
    page.get_by_role("button", name="Speak").click()
    said = page.locator("#transcript li.line").filter(has_text="Hello from the console")
    expect(said).to_contain_text("Speak")
    expect(said).to_contain_text(re.compile(r"trace \S+"))
    expect(stage.locator(".avatar-captions")).to_have_text("Hello from the console")
    spoken = a2e_requests(control, "/streaming-avatar/speak")
    assert [r["json"]["text"] for r in spoken] == ["Hello from the console"]
    assert spoken[0]["json"]["channel"] == room.channel and spoken[0]["status"] == 200

    page.get_by_label("Q&A context").fill(CONTEXT)
    page.get_by_role("button", name="Set context").click()
    expect(page.locator("#toasts")).to_contain_text("The avatar now answers from this context.")
    contexts = a2e_requests(control, "/streaming-avatar/set-qa-context")
    assert [r["json"]["text"] for r in contexts] == [CONTEXT]

    page.get_by_label("Text", exact=True).fill("Is parking free?")
    page.get_by_role("button", name="Ask").click()
    asked = page.locator("#transcript li.line").filter(has_text="Is parking free?")
    expect(asked).to_contain_text("Ask")
    expect(stage.locator(".avatar-captions")).to_have_text("Parking is free on Sundays.")
    page.screenshot(path="/tmp/avatar-room.png", full_page=True)
    room.refresh_from_db()
    assert room.state == Room.State.LIVE  # nothing above left it

    page.get_by_role("button", name="Leave").click()
    # The "Leaving…" note polls until the worker has left, with what came back.
    expect(page.locator("#room-state")).to_have_text("Left")
    expect(page.locator("#room-history")).to_contain_text("A2E acknowledged the leave.")
    expect(page.locator("#coins-spent")).to_be_visible()
    room.refresh_from_db()
    assert room.close_reason == Room.Reason.LEFT
    # Charged 2 minutes when it opened, left within the first: the sandbox gives the
    # second minute back. The only room on the account: what it lost.
    assert room.coins_refunded > 0 and room.coins_refunded == room.coins_charged / 2
    assert room.coins_spent == coins_before - remaining_coins(control)
    expect(page.locator("#coins-refunded")).to_have_text(f"{room.coins_refunded:g}")
    expect(page.locator("#coins-spent")).to_have_text(f"{room.coins_spent:g}")
    assert len(a2e_requests(control, "/streaming-avatar/leave")) == 1
    expect(page.locator("#avatar-stage")).to_have_count(0)


def test_a_tab_closed_without_leave_is_left_through_its_beacon_at_once(
    console, control, live_workers
):
    page = console
    room = open_room(page)

    page.close(run_before_unload=True)

    # Well within the 45 s: the beacon asks at once, the worker leaves.
    leave_sent(control, room.channel, 45)
    room.refresh_from_db()
    assert room.close_reason == Room.Reason.ABANDONED
    leaving = room.events.get(text__startswith="Leaving")
    assert leaving.text == "Leaving by ada: its page was closed or left without Leave."


SHORT_GRACE = {"AVATAR_HEARTBEAT_GRACE": 5, "AVATAR_SWEEP_SECONDS": 1}


@pytest.mark.parametrize("worker_env", [SHORT_GRACE], ids=["grace-5s"])
def test_a_tab_closed_offline_is_left_by_the_sweep_after_a_short_heartbeat_grace(
    console, control, live_workers
):
    page = console
    room = open_room(page)
    # The network dies: no beacon, no heartbeat reaches us.
    page.context.set_offline(True)
    room.refresh_from_db()
    assert room.state == Room.State.LIVE  # not left before its page was closed

    page.close(run_before_unload=True)

    # No beacon reached us: the sweep leaves the room once its last heartbeat is older
    # than the grace (5 s here, AVATAR_HEARTBEAT_GRACE; 30 s by default).
    leave_sent(control, room.channel, 45)
    room.refresh_from_db()
    assert room.close_reason == Room.Reason.ABANDONED
    leaving = room.events.get(text__startswith="Leaving")
    assert leaving.text == "Leaving: the page went away without leaving (no heartbeat)."
