"""The issue's "Done when", tried as a new user would in a real browser: open Recordings,
make a project and a folder, upload a wav, an mp3 and a flac, order all three into two
voices, watch the six conversions finish live, star two takes and export the starred
ones as a zip. Chromium driven by Playwright; a real Celery worker and beat move the
jobs, against the session's in-thread sandbox."""

import io
import json
import re
import zipfile

from dashboard.tests.browser import MARKS
from jobs.tests.audio import wav
from recordings.models import Recording
from recordings.tests.test_originals_in import flac, mp3
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, UserFactory

PASSWORD = "a long pass phrase 42"
VOICES = ("Walkthrough 000001", "Walkthrough 000002")

pytestmark = MARKS

# Runs in every page before its own scripts: notes each live job row's statuses in the
# originals list as they change, so the test can tell the rows moved on their own.
WATCH_ROWS = """
window.rowsSeen = {};
new MutationObserver(() => {
  for (const row of document.querySelectorAll("#originals tr.job-row")) {
    const seen = (window.rowsSeen[row.id] ||= []);
    const status = [...row.classList].find(c => c.startsWith("status-")).slice(7);
    if (seen[seen.length - 1] !== status) seen.push(status);
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def test_new_user_uploads_orders_watches_stars_and_exports(
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
    ProviderAccountFactory(
        team=team,
        provider="respeecher",
        base_url=f"{sandbox_url}/respeecher",
        secret="sandbox-respeecher",
    )
    # Two marketplace voices at Respeecher, as a real account lists many.
    control.post(
        "/_sandbox/seed",
        json={
            "kind": "respeecher.voice",
            "count": 2,
            "name_prefix": "Walkthrough",
            "visibility": "public",
        },
    ).raise_for_status()
    page = browser_page
    page.set_default_timeout(20_000)
    page.add_init_script(WATCH_ROWS)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    nav = page.get_by_role("navigation", name="Sections")

    # The voice catalog's Refresh brings Respeecher's voices in.
    nav.get_by_role("link", name="Voices").click()
    sync = page.locator("#sync-respeecher")
    sync.get_by_role("button", name="Refresh").click()
    expect(sync).to_contain_text(re.compile(r"\brefreshed (just now|.* ago)"))
    expect(page.locator("#voice-rows")).to_contain_text(VOICES[1])

    # 1-2. Recordings from the nav; a project and a folder through their forms.
    nav.get_by_role("link", name="Recordings").click()
    expect(page.get_by_role("heading", name="Recordings")).to_be_visible()
    page.get_by_role("link", name="New project").click()
    page.get_by_label("Name").fill("Audiobook")
    page.get_by_role("button", name="Make the project").click()
    expect(page.get_by_role("heading", name="Audiobook")).to_be_visible()
    page.get_by_label("New folder").fill("Chapter 1")
    page.get_by_role("button", name="Make the folder").click()
    page.locator("#folders").get_by_role("link", name="Chapter 1").click()
    expect(page.get_by_role("heading", name="Chapter 1")).to_be_visible()

    # 3. Three takes chosen in the file picker and sent with the progress bar.
    takes = {"one.wav": wav(0.5), "two.mp3": mp3(), "three.flac": flac()}
    kinds = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac"}
    page.get_by_label("Audio files").set_input_files(
        [
            {"name": name, "mimeType": kinds[name.rsplit(".", 1)[1]], "buffer": data}
            for name, data in takes.items()
        ]
    )
    page.get_by_role("button", name="Upload to Respeecher").click()
    expect(page.locator("#folder-jobs .job-row .pill-completed")).to_have_count(3)
    originals = page.locator("#originals tr.original")
    expect(originals).to_have_count(3)
    for name in takes:
        expect(page.locator("#originals")).to_contain_text(name)

    # 4. All three ticked, into two voices. Conversions take a few seconds from here on,
    # so their rows are seen moving.
    control.post("/_sandbox/config", json={"speed": 5}).raise_for_status()
    page.get_by_label("All on this page").check()
    page.get_by_role("button", name="Convert into voices…").click()
    expect(page.get_by_role("heading", name="Convert into voices")).to_be_visible()
    chosen = page.locator("main p", has_text="3 takes:")
    for name in takes:
        expect(chosen).to_contain_text(name)
    for name in VOICES:
        page.get_by_role("checkbox", name=name, exact=True).check()
    page.get_by_role("button", name="Convert").click()

    # 5. Six live rows, each finishing on its own: no reload.
    expect(page.locator("#toasts")).to_contain_text("Ordered 6 conversion(s)")
    page.evaluate("() => { window.stillThisPage = true; }")
    done = page.locator("#originals tr.conversion", has_text="Ready")
    expect(done).to_have_count(6, timeout=30_000)
    for name in VOICES:  # every take into each voice
        expect(done.filter(has_text=name)).to_have_count(3)
    expect(page.locator("#originals tr.job-row")).to_have_count(0)
    assert page.evaluate("() => window.stillThisPage === true")
    seen = page.evaluate("() => window.rowsSeen")
    assert len(seen) == 6, seen
    for statuses in seen.values():
        assert statuses[0] != "completed", seen  # each row came in unfinished
    # The first row to finish says so itself (its news refreshes the list); a row whose
    # job ends in the second before that refresh turns straight into its done conversion.
    assert any(statuses[-1] == "completed" for statuses in seen.values()), seen

    # 6. Star two takes on their pages; the project's starred export holds just them.
    starred = ["one.wav", "two.mp3"]
    for name in starred:
        page.locator("#originals tr.original", has_text=name).get_by_role("link").click()
        star = page.get_by_role("button", name=f"Star: {name}", exact=True)
        star.click()
        expect(star).to_have_attribute("aria-pressed", "true")
        page.go_back()
    page.get_by_role("link", name="Audiobook").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export starred takes (zip)").click()
    with zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        sizes = {n: len(archive.read(n)) for n in names}
    # Respeecher names each take by its id, in its folder, with the kind of its audio.
    takes_starred = {t.file_name: t for t in Recording.objects.filter(team=team, starred=True)}
    assert sorted(takes_starred) == sorted(starred)
    entries = {
        name: f"Chapter 1/{take.remote_id}.{name.rsplit('.', 1)[1]}"
        for name, take in takes_starred.items()
    }
    assert names == sorted([*entries.values(), "manifest.json"])
    assert {m["id"] for m in manifest} == {t.remote_id for t in takes_starred.values()}
    assert {name: sizes[entry] for name, entry in entries.items()} == {
        name: len(takes[name]) for name in starred
    }
