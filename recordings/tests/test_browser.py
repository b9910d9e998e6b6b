"""In a real browser: drop a wav, an mp3 and a flac on a folder's page, send them with
the progress bar, and watch each upload's row finish and the takes join the folder's
list without reloading. Chromium (Debian's) driven by Playwright; a real Celery worker
and beat send and poll the jobs, against the session's in-thread sandbox."""

import base64

from dashboard import processes
from dashboard.tests.browser import MARKS
from jobs.tests.audio import wav
from recordings import editing
from recordings.models import Recording
from recordings.tests.test_originals_in import flac, mp3
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, UserFactory

PASSWORD = "a long pass phrase 42"

pytestmark = MARKS

DROP = """files => {
  const dropped = new DataTransfer();
  for (const [name, data, type] of files) {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    dropped.items.add(new File([bytes], name, {type}));
  }
  const zone = document.querySelector("[data-drop-zone]");
  for (const name of ["dragenter", "dragover", "drop"]) {
    const init = {dataTransfer: dropped, bubbles: true, cancelable: true};
    zone.dispatchEvent(new DragEvent(name, init));
  }
}"""


def test_drop_three_takes_send_them_and_watch_them_arrive_live(
    transactional_db,
    live_server,
    settings,
    browser_page,
    live_workers,
    sandbox_url,
    control,
):
    from playwright.sync_api import expect

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
    page = browser_page
    page.set_default_timeout(30_000)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}{folder.get_absolute_url()}")

    takes = [
        ("one.wav", wav(0.5), "audio/wav"),
        ("two.mp3", mp3(), "audio/mpeg"),
        ("three.flac", flac(), "audio/flac"),
    ]
    page.evaluate(DROP, [[n, base64.b64encode(d).decode(), t] for n, d, t in takes])
    expect(page.locator("[data-drop-list]")).to_have_text("3 chosen: one.wav, two.mp3, three.flac")
    page.get_by_label("Label").first.fill("Scene 4")
    page.get_by_role("button", name="Upload to Respeecher").click()

    # Sent by script with the progress bar; the folder's page comes back with the news.
    expect(page.locator("#toasts")).to_contain_text("Sending 3 files to Respeecher")
    page.evaluate("() => { window.stillThisPage = true; }")
    rows = page.locator("#folder-jobs .job-row")
    expect(rows).to_have_count(3)
    expect(page.locator("#folder-jobs .job-row .pill-completed")).to_have_count(3)
    # The originals list refreshed itself as the jobs finished: no reload.
    expect(page.locator("#originals tr.original")).to_have_count(3)
    expect(page.locator("#originals")).to_contain_text("three.flac")
    assert page.evaluate("() => window.stillThisPage === true")

    processes.wait_until(
        lambda: Recording.objects.filter(folder=folder, label="Scene 4").count() == 3,
        10,
        what="three takes mirrored",
    )
