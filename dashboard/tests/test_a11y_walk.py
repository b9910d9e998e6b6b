"""Every page in a real browser, as the owner of a team with a row of every kind: axe-core
finds no serious or critical accessibility problem, and at a phone's width (390 px) no
page scrolls sideways nor breaks a status pill over two lines. Built on the URL walker,
so a page added later is walked too. axe-core is vendored for this test alone
(`make vendor`), never served to people."""

import os
import re
from pathlib import Path

import httpx
import pytest
import respx
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from dashboard.tests.browser import MARKS
from dashboard.tests.factories import team_with_everything
from dashboard.tests.rawwords import raw_words
from dashboard.tests.urlwalk import walk_urls
from teams.models import Role
from teams.tests.factories import MembershipFactory, TeamFactory

pytestmark = MARKS

AXE = Path(__file__).parent / "vendor" / "axe" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
# Also the size of the README's screenshots.
DESKTOP = {"width": 1280, "height": 800}
MAX_SCREENSHOT_BYTES = 200 * 1024
# A viewer's pages are the owner's without the buttons that change things; these few
# show how that reads.
VIEWER_SHOTS = {"home", "voices", "recordings_folder", "team_settings"}
# Some sub-pixel slack: a phone does not scroll for a pixel of rounding.
PHONE_MAX_SCROLL_WIDTH = 400

# Impacts that fail the walk; "moderate" and "minor" are left to judgement, but for
# these rules: a header a screen reader reads as nothing is a failure whatever axe rates it.
BLOCKING = ("serious", "critical")
ALWAYS = ("empty-table-header",)
RUN_AXE = """async ([impacts, rules]) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => impacts.includes(v.impact) || rules.includes(v.id))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
                summary: (v.nodes[0] && v.nodes[0].failureSummary) || ""}));
}"""
# axe only asks for review when an ARIA reference names no element; a field whose help
# is announced from nowhere is a failure here. Also: the skip link leads somewhere.
BROKEN_REFERENCES = """() => {
  const found = [];
  const attrs = ["aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage"];
  for (const attr of attrs) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) found.push(`${el.id || el.tagName} ${attr}=${id}`);
      }
    }
  }
  const skip = document.querySelector("a.skip-link");
  if (!skip || !document.getElementById(skip.hash.slice(1))) found.push("no working skip link");
  return found;
}"""

# A status pill reads as one word: on a phone it never wraps onto a second line.
BROKEN_PILLS = """() => [...document.querySelectorAll(".pill")]
  .filter(el => el.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(el).fontSize))
  .map(el => el.textContent.trim())"""


def _urls(team, jobs, seeded, takes):
    """(route name, URL) of every page, and a page per status where the object has one."""
    # A job of each status is enough to meet every pill; every kind would take minutes.
    by_status = {}
    for job in jobs:
        by_status.setdefault(job.status, job)
    return walk_urls(team, by_status.values(), seeded, takes)


def _pages(client, urls):
    """The (name, URL)s a GET answers with an HTML page (POST-only and download routes
    are not)."""
    pages = []
    # GETs of exports and downloads record what they did (a failed export, say); undone,
    # so the walk and its screenshots see the team as it was made.
    with transaction.atomic():
        for name, url in urls:
            response = client.get(url)
            # A whole page, not a partial nor a file.
            content_type = response.get("Content-Type", "")
            html = "html" in content_type and b"<html" in response.content[:200]
            if response.status_code == 200 and html:
                pages.append((name, url))
        transaction.set_rollback(True)
    return pages


# Records what the Content-Security-Policy refused, for the walk to read back.
RECORD_CSP = """window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} refused ${e.blockedURI || "inline"}`);
});"""


def _screenshot_dir(tmp_path):
    """Where the walk's screenshots go: a throwaway folder, or the README's
    `docs/screenshots/` when `make screenshots` sets VOXBOARD_SCREENSHOTS."""
    folder = Path(os.environ.get("VOXBOARD_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot_name(who, route):
    return f"{who}-{route.replace(':', '-').replace('_', '-')}.png"


def _walk(page, live_server, pages, who, shots, shoot=lambda route: True):
    """Every page in the browser as `who`, the problems it meets, one line each. Saves a
    1280x800 screenshot of the first page of each route `shoot` accepts into `shots`."""
    errors = []

    # Whatever page is open when a message arrives is the one that caused it.
    def console(message):
        if message.type == "error":
            errors.append((page.url, message.text))

    def crash(error):
        errors.append((page.url, str(error)))

    page.on("console", console)
    page.on("pageerror", crash)
    report, shot = [], set()
    for route, url in pages:
        page.set_viewport_size(DESKTOP)
        page.goto(f"{live_server.url}{url}")
        found = page.evaluate(RUN_AXE, [BLOCKING, ALWAYS])
        found += [
            {"id": "broken-reference", "impact": "serious", "help": problem}
            for problem in page.evaluate(BROKEN_REFERENCES)
        ]
        report += [
            f"{who} {url}: [{v['impact']}] {v['id']} ({v['help']}) at {v.get('targets')}: "
            f"{v.get('summary')}"
            for v in found
        ]
        # The text as rendered, htmx's swaps included, read as test_words reads it.
        report += [f"{who} {url}: shows {p}" for p in raw_words(page.content())]
        if route not in shot and shoot(route):
            shot.add(route)
            page.screenshot(path=shots / _shot_name(who, route), scale="css")
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE_MAX_SCROLL_WIDTH:
            report.append(f"{who} {url}: {width}px wide at 390px")
        if broken := page.evaluate(BROKEN_PILLS):
            report.append(f"{who} {url}: pills broken over two lines at 390px: {broken}")
        report += [
            f"{who} {url}: the policy refused: {v}" for v in page.evaluate("window.__cspViolations")
        ]
    page.remove_listener("console", console)
    page.remove_listener("pageerror", crash)
    report += [
        f"{who} {url.removeprefix(live_server.url)}: console error: {text}" for url, text in errors
    ]
    return report


def test_every_page_passes_axe_and_fits_a_phone(
    transactional_db, live_server, browser_page, tmp_path
):
    team, owner, jobs, seeded, takes = team_with_everything()
    viewer = MembershipFactory(team=team, role=Role.VIEWER, user__username="lena.berg")
    page = browser_page
    # Loaded into every document before its own scripts; the pages' CSP never sees them.
    page.add_init_script(path=AXE)
    page.add_init_script(RECORD_CSP)
    page.set_default_timeout(15_000)
    shots = _screenshot_dir(tmp_path)
    # Nothing leaves the machine: a page that asks a provider meets a polite refusal.
    with respx.mock(assert_all_called=False) as upstream:
        # Burki lists one assistant, so its page shows a checkbox to follow it.
        upstream.get(path__regex=r"/api/v1/assistants$").respond(
            json=[{"id": 7, "name": "Support line"}]
        )
        upstream.route().mock(return_value=httpx.Response(403))
        burki = team.provider_accounts.get(provider="burki")
        urls = _urls(team, jobs, {**seeded, "account_id": burki.pk}, takes)
        client = Client()
        client.force_login(owner.user)
        pages = _pages(client, urls)
        assert len(pages) > 40, "the walk rendered too few pages to mean anything"
        # The pages the issue named: Burki's assistants (checkboxes), the webhook form.
        assert any(url.endswith(f"/providers/{burki.pk}/assistants/") for _, url in pages)
        assert any(url.endswith("/webhooks/new/") for _, url in pages)
        _sign_in(page, live_server, owner.user)
        report = _walk(page, live_server, pages, "owner", shots)

        client.force_login(viewer.user)
        viewer_pages = _pages(client, urls)
        assert len(viewer_pages) > 30, "a viewer was shown too few pages to mean anything"
        page.context.clear_cookies()
        _sign_in(page, live_server, viewer.user)
        report += _walk(page, live_server, viewer_pages, "viewer", shots, VIEWER_SHOTS.__contains__)
    assert not report, "\n".join(report)
    # One screenshot per route, each small enough for the README to show.
    routes = {route for route, _ in pages}
    owner_shots = sorted(shots.glob("owner-*.png"))
    assert len(owner_shots) == len(routes)
    assert all(shot.stat().st_size <= MAX_SCREENSHOT_BYTES for shot in shots.glob("*.png")), [
        (shot.name, shot.stat().st_size) for shot in shots.glob("*.png")
    ]


@pytest.mark.django_db
def test_the_login_page_passes_axe(live_server, browser_page):
    page = browser_page
    page.add_init_script(path=AXE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate(RUN_AXE, [BLOCKING, ALWAYS]) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_MAX_SCROLL_WIDTH


def _sign_in(page, live_server, user):
    """The browser carries `user`'s session, as if they had typed their password."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _links_off_screen(page, width):
    """The section links a person cannot see without scrolling sideways."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll(".mainnav a")]
          .filter(a => {
            const box = a.getBoundingClientRect();
            return box.left < 0 || box.right > width;
          })
          .map(a => a.textContent.trim())""",
        width,
    )


def test_on_a_phone_the_sections_fold_behind_a_menu_button(
    transactional_db, live_server, browser_page
):
    from playwright.sync_api import expect

    member = MembershipFactory(team=TeamFactory(name="Northwind Studio"), role=Role.OWNER)
    home = f"{live_server.url}{reverse('home', kwargs={'team': member.team.slug})}"
    page = browser_page
    _sign_in(page, live_server, member.user)
    page.set_viewport_size(PHONE)
    page.goto(home)
    menu = page.get_by_role("button", name="Menu")
    sections = page.get_by_role("navigation", name="Sections")
    voices = sections.get_by_role("link", name="Voices")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(voices).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(voices).to_be_visible()
    assert _links_off_screen(page, PHONE["width"]) == []
    voices.click()
    expect(page).to_have_url(re.compile(r"/voices/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Escape folds it again and hands the keyboard back to the button.
    menu.click()
    expect(voices).to_be_visible()
    page.keyboard.press("Escape")
    expect(voices).to_be_hidden()
    expect(menu).to_be_focused()

    # On a desktop the sections are in view and there is no button.
    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(voices).to_be_visible()


def test_without_javascript_a_phone_still_shows_every_section(
    transactional_db, live_server, browser_page
):
    member = MembershipFactory(team=TeamFactory(name="Northwind Studio"), role=Role.OWNER)
    context = browser_page.context.browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    _sign_in(page, live_server, member.user)
    page.goto(f"{live_server.url}{reverse('home', kwargs={'team': member.team.slug})}")
    # No button that would do nothing, and every link within the screen's width.
    assert not page.get_by_role("button", name="Menu").is_visible()
    links = page.get_by_role("navigation", name="Sections").get_by_role("link")
    assert links.count() == 8 and all(link.is_visible() for link in links.all())
    assert _links_off_screen(page, PHONE["width"]) == []
    context.close()


# app.js as a slip might leave it: an error logged, a script the policy refuses, a throw.
BROKEN_APP_JS = """console.error("the menu could not start");
const inline = document.createElement("script");
inline.textContent = "window.ran = true";
document.head.appendChild(inline);
throw new Error("app.js stopped");"""


def test_the_walk_fails_on_console_errors_and_refused_scripts(
    transactional_db, live_server, browser_page, tmp_path
):
    member = MembershipFactory(team=TeamFactory(name="Northwind Studio"), role=Role.OWNER)
    page = browser_page
    page.add_init_script(path=AXE)
    page.add_init_script(RECORD_CSP)
    _sign_in(page, live_server, member.user)
    page.route(
        "**/js/app*.js",
        lambda route: route.fulfill(content_type="text/javascript", body=BROKEN_APP_JS),
    )
    home = reverse("home", kwargs={"team": member.team.slug})
    report = "\n".join(_walk(page, live_server, [("home", home)], "owner", tmp_path))
    assert "console error: the menu could not start" in report
    assert "console error: app.js stopped" in report
    assert "the policy refused: script-src-elem refused inline" in report
    assert not page.evaluate("window.ran === true")
