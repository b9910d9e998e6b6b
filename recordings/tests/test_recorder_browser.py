"""In a real browser: record a take on a folder's page from Chromium's fake microphone (a
WAV made here, played as the microphone's input), listen back, keep it, and watch it
arrive in the folder; the sandbox gets a WAV of the recorded length with the device's
name as `microphone`. A microphone the browser refuses, and a take under a second, are
explained on the page and send nothing."""

import io
import wave

import httpx
import pytest

from dashboard.tests.browser import MARKS
from jobs.models import Job
from jobs.tests.audio import wav
from recordings import editing
from recordings.models import Recording
from teams.connection import client_for
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, UserFactory

PASSWORD = "a long pass phrase 42"

pytestmark = MARKS

# Press Stop the moment the timer shows `text`.
STOP_AT = """(timer, text) => new Promise(resolve => {
  const stop = timer.closest("[data-recorder]").querySelector("button[data-recorder-stop]");
  const check = () => {
    if (timer.textContent !== text) return false;
    stop.click();
    resolve();
    return true;
  };
  if (!check()) new MutationObserver((_, seen) => check() && seen.disconnect())
    .observe(timer, {childList: true, characterData: true, subtree: true});
})"""


@pytest.fixture
def microphone_prompt() -> str:
    """What Chromium's prompt for the microphone answers: "allow" (its fake prompt says
    yes), or "ask" (no fake prompt: headless Chromium refuses)."""
    return "allow"


@pytest.fixture
def browser_args(tmp_path, microphone_prompt) -> list[str]:
    voice = tmp_path / "voice.wav"
    voice.write_bytes(wav(20.0, rate=48000))  # looped by Chromium: longer than any take
    args = ["--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={voice}"]
    if microphone_prompt == "allow":
        args.append("--use-fake-ui-for-media-stream")
    return args


@pytest.fixture
def folder_page(transactional_db, live_server, settings, browser_page, sandbox_url, control):
    """A member signed in, on a folder's page of a sandbox Respeecher account."""
    settings.PUBLIC_BASE_URL = live_server.url
    user = UserFactory(username="ada", password=PASSWORD)
    team = MembershipFactory(user=user, role=Role.MEMBER).team
    account = ProviderAccountFactory(
        team=team,
        provider="respeecher",
        base_url=f"{sandbox_url}/respeecher",
        secret="sandbox-respeecher",
    )
    project, _ = editing.create_project(account, "Audiobook")
    folder, _ = editing.create_folder(project, "Chapter 1")
    control.delete("/_sandbox/requests").raise_for_status()
    page = browser_page
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}{folder.get_absolute_url()}")
    page.folder = folder
    page.account = account
    return page


def _uploads(control) -> list[dict]:
    log = control.get(
        "/_sandbox/requests", params={"provider": "respeecher", "method": "POST"}
    ).json()
    return [r for r in log["requests"] if r["path"] == "/respeecher/api/recordings"]


def test_record_listen_keep_and_the_take_arrives_as_a_wav_with_its_microphone(
    folder_page, live_workers, sandbox_url, control
):
    from playwright.sync_api import expect

    page, folder = folder_page, folder_page.folder
    card = page.locator("form", has=page.get_by_role("heading", name="Record a take"))
    expect(card).to_be_visible()
    card.get_by_label("Label").fill("Line 12")
    card.get_by_role("button", name="Record").click()

    timer = card.get_by_role("timer")
    expect(timer).to_have_text("0:01")  # the length recorded so far, from the samples
    assert float(card.get_by_role("meter").get_attribute("value")) > 0  # the level moves
    # Stop is pressed as the timer turns 0:03, from inside the page, so that the take's
    # length does not hang on how busy the machine running the test is.
    timer.evaluate(STOP_AT, "0:03")

    player = card.locator("audio")
    expect(player).to_be_visible()
    page.wait_for_function("el => el.duration > 0", arg=player.element_handle())
    heard = player.evaluate("el => el.duration")
    assert heard == pytest.approx(3.0, abs=0.5)
    expect(card).to_contain_text("Listen back, then Keep the")
    assert _uploads(control) == []  # nothing has left the page
    card.get_by_role("button", name="Keep").click()

    expect(page.locator("#toasts")).to_contain_text("Sending your take to Respeecher")
    expect(page.locator("#originals tr.original")).to_have_count(1)
    expect(page.locator("#originals")).to_contain_text("Line 12")

    [sent] = _uploads(control)
    microphone = sent["form"]["microphone"]
    assert microphone and microphone != "file"  # the fake device's name, as the page read it
    [upstream] = client_for(folder.account).iter_originals(folder.remote_id)
    assert upstream.raw["microphone"] == microphone
    audio = httpx.get(f"{sandbox_url}/files/respeecher/recordings/{upstream.id}.wav").content
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
    with wave.open(io.BytesIO(audio)) as take:
        assert (take.getnchannels(), take.getsampwidth()) == (1, 2)
        seconds = take.getnframes() / take.getframerate()
    assert seconds == pytest.approx(3.0, abs=0.5)
    assert seconds == pytest.approx(heard, abs=0.05)  # what was heard is what was sent
    assert Recording.objects.filter(folder=folder, label="Line 12").count() == 1


@pytest.mark.parametrize("microphone_prompt", ["ask"])
def test_a_refused_microphone_is_explained_and_nothing_is_sent(folder_page, control):
    from playwright.sync_api import expect

    page = folder_page
    card = page.locator("form", has=page.get_by_role("heading", name="Record a take"))
    card.get_by_role("button", name="Record").click()

    alert = card.get_by_role("alert")
    expect(alert).to_contain_text("Your browser did not let this page use the microphone")
    expect(alert).to_contain_text("Allow the microphone for this site in your browser's site")
    expect(card.get_by_role("button", name="Record")).to_be_enabled()  # try again once allowed
    expect(card.get_by_role("button", name="Keep")).to_be_hidden()
    assert not Job.objects.exists()
    assert _uploads(control) == []


def test_a_take_under_a_second_cannot_be_kept_and_nothing_is_sent(folder_page, control):
    from playwright.sync_api import expect

    page = folder_page
    card = page.locator("form", has=page.get_by_role("heading", name="Record a take"))
    card.get_by_role("button", name="Record").click()
    card.get_by_role("button", name="Stop").click()

    alert = card.get_by_role("alert")
    expect(alert).to_contain_text("a take needs at least 1 second")
    expect(alert).to_contain_text("Press Re-take and record a little longer.")
    expect(card.get_by_role("button", name="Keep")).to_be_disabled()
    # The file input stays empty: a submit by any other way sends no take.
    assert card.locator("input[type=file]").evaluate("el => el.files.length") == 0
    assert not Job.objects.exists()
    assert _uploads(control) == []

    card.get_by_role("button", name="Re-take").click()  # records again, without the message
    expect(card.get_by_role("button", name="Stop")).to_be_visible()
    expect(alert).to_be_hidden()
