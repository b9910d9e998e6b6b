"""In a real browser (the issue's done-when step 3): open Usage and see a chart with the
sandbox's months, and the same numbers in the table beside it."""

from django.conf import settings
from django.test import Client

from dashboard.tests.browser import MARKS
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory
from usage.tests.test_usage import _folder_of, _seed

pytestmark = MARKS

BARS = """() => [...document.querySelectorAll("svg.chart-bars .chart-item")].map(g => [
  g.querySelector(".chart-label").textContent, g.querySelector(".chart-value").textContent])"""
ROWS = """() => [...document.querySelectorAll("#months tbody tr")].map(tr =>
  [...tr.querySelectorAll("td")].map(td => td.textContent.trim()))"""


def test_usage_shows_the_sandboxs_months_in_a_chart_and_the_same_numbers_in_a_table(
    transactional_db, live_server, browser_page, sandbox_url, control
):
    from playwright.sync_api import expect

    member = MembershipFactory(role=Role.VIEWER)
    ProviderAccountFactory(
        team=member.team,
        provider="respeecher",
        base_url=f"{sandbox_url}/respeecher",
        secret="sandbox-respeecher",
    )
    [original] = _seed(control, "respeecher.recording")
    folder = _folder_of(control, original)
    for seconds, at in ((150, "2024-09-10T10:00:00Z"), (45, "2024-11-02T10:00:00Z")):
        _seed(
            control,
            "respeecher.recording",
            original_id=original,
            folder_id=folder,
            duration=seconds,
            converted_at=at,
        )
    client = Client()
    client.force_login(member.user)
    page = browser_page
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(f"{live_server.url}/t/{member.team.slug}/")
    page.get_by_role("link", name="Usage").click()
    chart = page.get_by_role("img", name="Minutes converted at Respeecher, month by month")
    expect(chart).to_be_visible()

    bars = page.evaluate(BARS)
    rows = page.evaluate(ROWS)
    assert ["Sep 2024", "2.5"] in bars and ["Nov 2024", "0.8"] in bars
    assert ["September 2024", "2.5"] in rows and ["November 2024", "0.8"] in rows
    # Bar for bar, the table says the same numbers in the same order.
    assert [value for _, value in bars] == [value for _, value in rows]
    assert len(bars) == len(rows) >= 3
