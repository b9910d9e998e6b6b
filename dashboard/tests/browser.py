"""What the browser tests share: Debian's Chromium driven by Playwright, and a real
Celery worker and beat on a fast schedule that fetch files from the live server."""

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# A test module that drives the browser sets `pytestmark = MARKS`.
MARKS = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
]

# Poll and tick every second or two, so a job moves while a person would watch.
FAST = {
    "JOBS_TICK_SECONDS": 1,
    "JOBS_POLL_MIN": 1,
    "JOBS_POLL_MAX": 2,
    "JOBS_RECONCILE_SECONDS": 2,
    "JOBS_RECONCILE_AFTER": 5,
}


EXPECT_TIMEOUT_MS = 30_000
PLAYWRIGHT_EXPECT_DEFAULT_MS = 5_000


@pytest.fixture
def browser_args() -> list[str]:
    """More command-line switches for Chromium; a test module overrides this fixture, for
    instance with a fake microphone (`--use-fake-device-for-media-stream`)."""
    return []


@pytest.fixture
def browser_page(monkeypatch, browser_args):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes around it are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    # Expectations wait for workers and live rows, not only the page: Playwright's 5 s
    # is too short when two browser tests share two cores with their workers.
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--autoplay-policy=no-user-gesture-required",
                *browser_args,
            ],
        )
        page = browser.new_page()
        yield page
        browser.close()
    expect.set_options(timeout=PLAYWRIGHT_EXPECT_DEFAULT_MS)


@pytest.fixture
def worker_env() -> dict:
    """More settings for the worker and beat; a test overrides it, for instance with
    `@pytest.mark.parametrize("worker_env", [{"AVATAR_SWEEP_SECONDS": 1}])`."""
    return {}


@pytest.fixture
def live_workers(live_server, settings, tmp_path, worker_env):
    from dashboard import processes

    env = processes.child_env(
        **{**FAST, **worker_env},
        PUBLIC_BASE_URL=live_server.url,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    started = [
        processes.celery("beat", tmp_path / "beat.log", env),
        processes.celery("worker", tmp_path / "worker.log", env),
    ]
    yield started
    for process in started:
        # An idle worker's warm shutdown takes 4 to 7 s here, now and then over 15;
        # nothing a finished test needs is left in it, so it is not waited for longer.
        process.stop(timeout=8)


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in through the login form, as a person does."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
