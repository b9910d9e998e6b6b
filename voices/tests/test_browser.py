"""In a real browser: upload a sample, watch the clone train without reloading, speak with
the new voice and play the result. Chromium (Debian's) driven by Playwright; a real
Celery worker and beat move the jobs, against the sandbox."""

from dashboard import processes
from dashboard.tests.browser import MARKS, log_in
from jobs.tests.audio import wav
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, UserFactory
from voices.models import Voice

pytestmark = MARKS


def test_clone_train_live_then_speak_and_play(
    transactional_db,
    live_server,
    settings,
    browser_page,
    live_workers,
    sandbox_url,
    control,
    tmp_path,
):
    settings.PUBLIC_BASE_URL = live_server.url
    user = UserFactory(username="ada", password="a long pass phrase 42")
    membership = MembershipFactory(user=user, role=Role.MEMBER)
    team = membership.team
    ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )
    sample = tmp_path / "ada.wav"
    sample.write_bytes(wav(16))
    page = browser_page
    page.set_default_timeout(60_000)

    log_in(page, live_server.url, "ada", "a long pass phrase 42")
    page.goto(f"{live_server.url}/t/{team.slug}/voices/clone/")
    page.fill("input[name=name]", "Ada")
    page.select_option("select[name=gender]", "female")
    page.set_input_files("input[name=samples]", str(sample))
    page.click("text=Start training")

    # The job page: its row polls itself until the clone is trained. No reload.
    page.wait_for_url("**/jobs/*/")
    url_before = page.url
    page.locator(".job-state .pill-completed").wait_for()
    assert page.url == url_before

    # The finished clone joins the catalog as the worker announces the job.
    processes.wait_until(
        lambda: Voice.objects.filter(team=team, name="Ada").exists(), 30, what="voice saved"
    )
    page.goto(f"{live_server.url}/t/{team.slug}/voices/speech/")
    page.select_option("select[name=voice]", label="Ada · Clone · English")
    # The page asks for the clone's own fields; once they are in, the group is named for
    # the chosen voice's provider. Typing before then would be wiped by the swap.
    page.get_by_text("A2E settings").wait_for()
    assert page.locator("select[name=narration_style]").count() == 0
    page.fill("textarea[name=text]", "Hello, this is Ada speaking.")
    page.select_option("select[name=country]", label="English")
    page.fill("input[name=region]", "US")
    page.click("button:has-text('Speak')")
    audio = page.locator(".job-row audio").first
    audio.wait_for()  # visible: a person can press play
    duration = audio.evaluate(
        """a => new Promise((resolve, reject) => {
             a.addEventListener('loadedmetadata', () => resolve(a.duration));
             a.addEventListener('error', () => reject(new Error('audio failed to load')));
             a.preload = 'metadata'; a.load();
           })"""
    )
    assert duration > 0
    audio.evaluate("a => a.play()")
    page.wait_for_function("() => document.querySelector('.job-row audio').currentTime > 0")


def test_choosing_a_voice_shows_only_its_providers_settings(
    transactional_db, live_server, browser_page, sandbox_url, control
):
    from playwright.sync_api import expect

    from voices.models import Kind
    from voices.tests.factories import VoiceFactory

    user = UserFactory(username="ada", password="a long pass phrase 42")
    team = MembershipFactory(user=user, role=Role.MEMBER).team
    a2e, respeecher = (
        ProviderAccountFactory(
            team=team, provider=name, base_url=f"{sandbox_url}/{name}", secret=f"sandbox-{name}"
        )
        for name in ("a2e", "respeecher")
    )
    ann = VoiceFactory(team=team, account=a2e, kind=Kind.PUBLIC, name="Ann", can_speak=True)
    rita = VoiceFactory(
        team=team,
        account=respeecher,
        kind=Kind.PUBLIC,
        name="Rita",
        can_speak=True,
        raw={"narration_styles": [{"id": "ns1", "is_default": True, "name": "Calm"}]},
    )
    page = browser_page
    log_in(page, live_server.url, "ada", "a long pass phrase 42")
    page.goto(f"{live_server.url}/t/{team.slug}/voices/speech/")
    folder = page.locator("select[name=folder]")
    speed = page.locator("input[name=speech_rate]")

    page.select_option("select[name=voice]", str(ann.pk))
    expect(speed).to_be_visible()
    expect(folder).to_be_hidden()
    expect(page.locator("input[name=semitones]")).to_be_hidden()

    page.select_option("select[name=voice]", str(rita.pk))
    expect(folder).to_be_visible()
    expect(folder).to_have_attribute("required", "")
    expect(page.get_by_label("Folder (required)")).to_be_visible()
    expect(speed).to_be_hidden()

    # A quick change of mind: the settings shown are the last voice's, even when the first
    # voice's settings were still on their way (its answer must not win, nor drop the next).
    for _ in range(3):
        page.select_option("select[name=voice]", str(ann.pk))
        page.select_option("select[name=voice]", str(rita.pk))
        expect(page.get_by_text("Respeecher settings")).to_be_visible()
        expect(folder).to_be_visible()
        expect(speed).to_be_hidden()


def test_in_a_large_catalog_a_typed_name_finds_the_voice_to_speak_with(
    transactional_db, live_server, browser_page, sandbox_url, control, monkeypatch
):
    from playwright.sync_api import expect

    from voices import forms
    from voices.models import Kind
    from voices.tests.factories import VoiceFactory

    monkeypatch.setattr(forms, "VOICES_LISTED", 3)  # the live server runs in this process
    user = UserFactory(username="ada", password="a long pass phrase 42")
    team = MembershipFactory(user=user, role=Role.MEMBER).team
    a2e = ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )
    for n in range(6):
        VoiceFactory(team=team, account=a2e, kind=Kind.PUBLIC, name=f"Crowd {n}", can_speak=True)
    emma = VoiceFactory(
        team=team, account=a2e, kind=Kind.PUBLIC, name="Narrator Emma", can_speak=True
    )
    page = browser_page
    log_in(page, live_server.url, "ada", "a long pass phrase 42")
    page.goto(f"{live_server.url}/t/{team.slug}/voices/speech/")
    voice = page.locator("select[name=voice]")
    expect(voice.locator("option", has_text="Narrator Emma")).to_have_count(0)

    # Typed as a person types: the list is asked for again once typing pauses.
    page.get_by_label("Find a voice by name").press_sequentially("narr", delay=60)
    expect(voice.locator("option", has_text="Narrator Emma")).to_have_count(1)
    expect(page.locator("#voice-find-help")).to_contain_text("Found 1.")
    expect(voice.locator("option", has_text="Crowd")).to_have_count(0)

    # The found voice is chosen like any other: its provider's settings come.
    page.select_option("select[name=voice]", str(emma.pk))
    expect(page.get_by_text("A2E settings")).to_be_visible()
    expect(page.locator("input[name=speech_rate]")).to_be_visible()
