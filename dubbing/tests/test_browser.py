"""In a real browser: upload a spoken clip, dub it into German, watch its row finish on
the dubbing list without reloading, see the batch count it done, and play the dubbed
audio. Chromium (Debian's) driven by Playwright; a real Celery worker and beat move the
job, against the session's in-thread sandbox of A2E."""

import re
import shutil
import subprocess

from dashboard.tests.browser import MARKS
from jobs.tests.audio import wav
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, UserFactory

ESPEAK = shutil.which("espeak-ng")
PASSWORD = "a long pass phrase 42"

pytestmark = MARKS


def spoken_clip(path):
    """A few seconds of speech when espeak-ng is there, else a plain tone WAV."""
    if ESPEAK:
        text = "Hello from Voxboard. This short clip is about to be dubbed into German."
        subprocess.run([ESPEAK, "-w", str(path), text], check=True, capture_output=True)  # noqa: S603
    else:
        path.write_bytes(wav(4))
    return path


def test_dub_an_upload_watch_it_finish_live_and_play(
    transactional_db,
    live_server,
    settings,
    browser_page,
    live_workers,
    sandbox_url,
    control,
    tmp_path,
):
    from playwright.sync_api import expect

    settings.PUBLIC_BASE_URL = live_server.url
    user = UserFactory(username="ada", password=PASSWORD)
    team = MembershipFactory(user=user, role=Role.MEMBER).team
    ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )
    clip = spoken_clip(tmp_path / "greeting.wav")
    page = browser_page
    page.set_default_timeout(30_000)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/t/{team.slug}/dubbing/new/")
    expect(page.get_by_role("heading", name="New dubbing")).to_be_visible(timeout=10_000)

    page.get_by_label("Name").fill("Greeting")
    page.get_by_label("Source file", exact=True).set_input_files(str(clip))
    page.get_by_label("Source language").select_option(label="English")
    page.get_by_role("checkbox", name="German").check()
    page.get_by_role("button", name="Start dubbing").click()

    # The upload lands on the dubbing list (or, later, a dubbing page); work from there.
    page.wait_for_url(re.compile(r"/dubbing/(\d+/)?$"))
    page.wait_for_load_state()
    expect(page.get_by_text("Dubbing into 1 language.")).to_be_visible()
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

    # Its row polls itself until the dubbing is done. No reload.
    row = page.get_by_role("row").filter(has_text="Greeting → German")
    expect(row.get_by_text("Completed", exact=True)).to_be_visible(timeout=30_000)
    audio = row.locator("audio, video").first
    audio.wait_for()  # visible: a person can press play
    duration = audio.evaluate(
        """a => new Promise((resolve, reject) => {
             a.addEventListener('loadedmetadata', () => resolve(a.duration));
             a.addEventListener('error', () => reject(new Error('media failed to load')));
             a.preload = 'metadata'; a.load();
           })"""
    )
    assert duration > 0
    audio.evaluate("a => a.play()")
    page.wait_for_function(
        "a => a.ended || a.currentTime > 0", arg=audio.element_handle(), polling=100
    )
    assert page.evaluate("() => window.sameDocument === true"), "the page was reloaded"

    # The batch's progress follows its rows, still without a reload.
    expect(
        page.get_by_text(re.compile(r"\b1 of 1 done")),
        "the batch's progress did not follow its finished row without a reload",
    ).to_be_visible(timeout=10_000)
    assert page.evaluate("() => window.sameDocument === true"), "the page was reloaded"
