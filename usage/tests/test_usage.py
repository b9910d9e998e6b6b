"""The Usage page, through the page a person uses: Respeecher's minutes (chart and table
from the sandbox's own stats), the figures kept per account, Refresh, a provider that is
down, the balance history one credits check at a time, and what work spent."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from avatars.tests.factories import RoomFactory
from jobs.tests.factories import JobFactory
from teams.models import BalancePoint
from teams.tests.factories import ProviderAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def respeecher(team, sandbox_url, control):
    return ProviderAccountFactory(
        team=team,
        provider="respeecher",
        base_url=f"{sandbox_url}/respeecher",
        secret="sandbox-respeecher",
    )


@pytest.fixture
def stats_calls(control):
    """How many times Respeecher's stats were asked for since the last call."""

    def read() -> int:
        log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
        control.delete("/_sandbox/requests").raise_for_status()
        return sum(1 for r in log["requests"] if r["path"].endswith("/api/stats"))

    return read


def _seed(control, kind, count=1, **params):
    answer = control.post("/_sandbox/seed", json={"kind": kind, "count": count, **params})
    answer.raise_for_status()
    return answer.json()["ids"]


@pytest.fixture
def converted(control):
    """Conversions in two earlier months and this one, in a project of the sandbox."""
    [original] = _seed(control, "respeecher.recording")
    _convert(control, original, 2, duration=90, converted_at="2024-01-15T10:00:00Z")
    _convert(control, original, 1, duration=30, converted_at="2024-02-03T09:00:00Z")
    _convert(control, original, 1, duration=120)
    return original


def _convert(control, original, count, **params):
    """`count` conversions of `original` seeded in its folder (`duration`, `converted_at`)."""
    folder = _folder_of(control, original)
    return _seed(
        control, "respeecher.recording", count, original_id=original, folder_id=folder, **params
    )


def _folder_of(control, recording_id):
    answer = control.get(
        f"/respeecher/api/recordings/{recording_id}", headers={"api-key": "sandbox-respeecher"}
    )
    answer.raise_for_status()
    return answer.json()["parent_folder_id"]


def _url(team, **query):
    url = reverse("usage", kwargs={"team": team.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def chart_bars(html: str) -> dict[str, str]:
    """The month chart as drawn: each bar's label and the value written above it."""
    svg = re.search(r'<svg class="chart chart-bars".*?</svg>', html, re.S).group(0)
    values = re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', svg)
    labels = re.findall(r'<text class="chart-label"[^>]*>([^<]*)</text>', svg)
    return dict(zip(labels, values, strict=True))


def table_rows(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table class="table" id="{table_id}">.*?</table>', html, re.S).group(0)
    body = table.split("<tbody>", 1)[1]
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


# Walls ------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, team):
    response = client.get(_url(team))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_teams_usage_is_not_found(owner_client, other_team):
    assert owner_client.get(_url(other_team)).status_code == 404
    refresh = reverse("usage_refresh", kwargs={"team": other_team.slug})
    assert owner_client.post(refresh).status_code == 404


def test_a_viewer_sees_the_page_without_a_refresh_button(viewer_client, team, respeecher):
    response = viewer_client.get(_url(team))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Respeecher minutes converted" in html
    assert 'aria-current="page">Usage<' in html
    assert "usage/refresh/" not in html


def test_without_respeecher_the_page_says_how_to_connect_it(owner_client, team):
    html = owner_client.get(_url(team)).content.decode()
    assert "Respeecher is not connected." in html
    assert "Connect Respeecher" in html


# Respeecher's figures ------------------------------------------------------------------


def test_the_chart_shows_the_sandboxs_months_and_the_table_the_same_numbers(
    viewer_client, team, respeecher, control, converted
):
    html = viewer_client.get(_url(team)).content.decode()

    stats = control.get("/respeecher/api/stats", headers={"api-key": "sandbox-respeecher"}).json()
    said = stats["time_converted"]
    months = {m["month"][:7]: m["duration"] for m in said["previous_monthes"]}
    assert months["2024-01"] == 180 and months["2024-02"] == 30  # the sandbox's own months

    bars = chart_bars(html)
    rows = table_rows(html, "months")
    # Every earlier month the sandbox listed, oldest first, then this month so far.
    this_month = timezone.localdate().strftime("%b %Y")
    expected = {
        datetime.strptime(m, "%Y-%m").strftime("%b %Y"): f"{round(s / 60, 1):g}"
        for m, s in sorted(months.items())
    }
    expected[this_month] = f"{round(said['current_month'] / 60, 1):g}"
    assert bars == expected
    assert bars["Jan 2024"] == "3" and bars["Feb 2024"] == "0.5" and bars[this_month] == "2"
    # The table carries the same numbers, month for month.
    assert [value for _, value in rows] == list(expected.values())
    assert [label for label, _ in rows][:-1] == [
        datetime.strptime(m, "%Y-%m").strftime("%B %Y") for m in sorted(months)
    ]
    assert rows[-1][0].endswith("(so far)")
    assert 'role="img"' in html and "<title" in html
    # Totals, from the same answer.
    assert f"{round(said['total'] / 60, 1):g} minutes" in _text(html)


def test_where_the_minutes_went_sorts_by_the_column_asked(
    owner_client, team, respeecher, control, converted
):
    [other_original] = _seed(control, "respeecher.recording")
    _convert(control, other_original, 1, duration=600)
    largest = owner_client.get(_url(team, sort="-total")).content.decode()
    smallest = owner_client.get(_url(team, sort="total")).content.decode()

    def totals(html):
        return [float(row[2]) for row in table_rows(html, "projects")]

    assert totals(largest) == sorted(totals(largest), reverse=True)
    assert totals(smallest) == sorted(totals(smallest))
    assert totals(largest)[0] == 10  # 600 seconds in the second project
    assert 'aria-sort="ascending"' in smallest


def test_figures_are_kept_so_a_second_load_asks_respeecher_nothing(
    viewer_client, team, respeecher, stats_calls
):
    stats_calls()
    assert viewer_client.get(_url(team)).status_code == 200
    assert stats_calls() == 1
    assert viewer_client.get(_url(team)).status_code == 200
    assert stats_calls() == 0


def test_figures_older_than_the_setting_are_read_again(
    viewer_client, team, respeecher, stats_calls, settings
):
    settings.USAGE_STATS_CACHE_SECONDS = 0
    stats_calls()
    viewer_client.get(_url(team))
    viewer_client.get(_url(team))
    assert stats_calls() == 2


def test_refresh_reads_respeecher_once_even_with_figures_kept(
    member_client, team, respeecher, stats_calls
):
    member_client.get(_url(team))
    stats_calls()
    response = member_client.post(reverse("usage_refresh", kwargs={"team": team.slug}))
    assert response.status_code == 302 and response["Location"] == _url(team)
    assert stats_calls() == 1
    member_client.get(_url(team))
    assert stats_calls() == 0


def test_respeecher_down_says_so_and_keeps_the_last_figures(
    viewer_client, member_client, team, respeecher, control, converted
):
    first = viewer_client.get(_url(team)).content.decode()
    assert chart_bars(first)["Jan 2024"] == "3"
    control.post(
        "/_sandbox/faults", json={"path": "/respeecher/api/stats*", "status": {"500": 1.0}}
    ).raise_for_status()

    refreshed = member_client.post(
        reverse("usage_refresh", kwargs={"team": team.slug}), follow=True
    )
    html = refreshed.content.decode()
    assert refreshed.status_code == 200
    assert "Respeecher could not be reached just now" in html
    assert "try again in a few minutes" in html
    # The figures read before stay on the page, said to be the last ones read.
    assert "The figures below are the last ones read" in html
    assert chart_bars(html)["Jan 2024"] == "3"


def test_respeecher_down_with_nothing_kept_says_so_without_figures(
    viewer_client, team, respeecher, control
):
    control.post(
        "/_sandbox/faults", json={"path": "/respeecher/api/stats*", "status": {"500": 1.0}}
    ).raise_for_status()
    response = viewer_client.get(_url(team))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Respeecher could not be reached just now" in html
    assert "There are no figures to show until Respeecher answers." in html
    assert 'class="chart chart-bars"' not in html


# Balance history -----------------------------------------------------------------------


def history_points(html: str) -> tuple[list[str], list[list[str]]]:
    """The balance chart's points (their titles) and its table's rows."""
    svg = re.search(r'<svg class="chart chart-line".*?</svg>', html, re.S).group(0)
    points = re.findall(r'<circle class="chart-point"[^>]*><title>([^<]*)</title>', svg)
    table = html.split('class="history-table"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = [
        [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    return points, rows


def test_two_checks_make_two_points_in_the_chart_and_the_table(
    owner_client, team, respeecher, control
):
    test = reverse("provider_test", kwargs={"team": team.slug, "account_id": respeecher.pk})
    owner_client.post(test)
    owner_client.post(test)  # the same figure again: still a point, that is the history

    assert BalancePoint.objects.filter(account=respeecher, unit="credits").count() == 2
    html = owner_client.get(_url(team)).content.decode()
    points, rows = history_points(html)
    assert len(points) == 2 and len(rows) == 2
    assert all(p.startswith("3,600 credits, ") for p in points)
    assert [amount for _, amount in rows] == ["3,600", "3,600"]
    assert "Respeecher credits over time" in html


def test_a_failed_check_adds_no_point(owner_client, team, respeecher, control):
    control.post(
        "/_sandbox/faults", json={"path": "/respeecher/api/credits", "status": {"500": 1.0}}
    ).raise_for_status()
    test = reverse("provider_test", kwargs={"team": team.slug, "account_id": respeecher.pk})
    owner_client.post(test)
    assert not BalancePoint.objects.filter(account=respeecher).exists()


def test_points_older_than_the_horizon_are_dropped_as_a_check_writes(team, settings):
    from teams.connection import record_balance

    settings.BALANCE_HISTORY_DAYS = 30
    account = ProviderAccountFactory(team=team, provider="a2e", credits={"coins": 10.0})
    old = BalancePoint.objects.create(
        team=team,
        account=account,
        unit="coins",
        amount=12,
        read_at=timezone.now() - timedelta(days=31),
    )
    kept = BalancePoint.objects.create(
        team=team,
        account=account,
        unit="coins",
        amount=11,
        read_at=timezone.now() - timedelta(days=29),
    )
    account.last_checked_at = timezone.now()
    record_balance(account)
    assert set(BalancePoint.objects.filter(account=account).values_list("amount", flat=True)) == {
        kept.amount,
        10.0,
    }
    assert not BalancePoint.objects.filter(pk=old.pk).exists()


# What work spent -----------------------------------------------------------------------


def test_rooms_show_the_coins_measured_and_jobs_say_not_known(owner_client, team):
    a2e = ProviderAccountFactory(team=team, provider="a2e")
    RoomFactory(
        team=team,
        account=a2e,
        avatar_name="Lena",
        state="left",
        coins_charged=10,
        coins_refunded=4,
        left_at=timezone.now(),
    )
    RoomFactory(
        team=team,
        account=a2e,
        avatar_name="Otto",
        state="left",
        coins_unknown="A2E's coins could not be read just before or after it opened",
    )
    JobFactory(team=team, account=a2e, label="Spring teaser into German")
    text = _text(owner_client.get(_url(team)).content.decode())
    assert "Avatar room with Lena A2E" in text and "6 coins" in text
    assert "not known (A2E's coins could not be read just before or after it opened)" in text
    assert "Spring teaser into German A2E" in text
    assert "Spring teaser into German A2E just now not known" in text
    assert "No provider says what one job cost" in text


def test_the_page_costs_the_same_queries_at_5_and_50_rows(owner_client, team):
    a2e = ProviderAccountFactory(team=team, provider="a2e")
    owner_client.get(_url(team))  # the first visit also notes the team in the session

    def count(n):
        now = timezone.now()
        BalancePoint.objects.bulk_create(
            BalancePoint(
                team=team,
                account=a2e,
                unit="coins",
                amount=100 - i,
                read_at=now - timedelta(minutes=i),
            )
            for i in range(n)
        )
        for _ in range(n):
            JobFactory(team=team, account=a2e)
            RoomFactory(team=team, account=a2e, state="left", coins_charged=2, coins_refunded=1)
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(_url(team)).status_code == 200
        return len(queries)

    assert count(5) == count(45)


def test_the_chart_draws_a_known_figure_and_marks_an_unknown_one():
    from core.charts import Bar, bar_chart

    svg = bar_chart("Minutes", [Bar("Jan 2024", 3, "3"), Bar("Feb 2024", None, "")])
    assert 'role="img"' in svg and "<title" in svg
    assert ">not known</text>" in svg
    assert bar_chart("<b>", []).count("<b>") == 0  # titles are escaped


def test_a_month_respeecher_dates_mid_month_is_read_as_that_month():
    from providers.respeecher import AccountStats
    from recordings.stats import _months

    stats = AccountStats.from_raw(
        {
            "time_converted": {
                "total": 60,
                "current_month": 0,
                "previous_monthes": [{"month": "2023-11-08", "duration": 60}],
            }
        }
    )
    months = _months(stats, datetime(2024, 3, 5, tzinfo=UTC).date())
    assert [(m.label, m.minutes) for m in months] == [
        ("November 2023", 1.0),
        ("March 2024 (so far)", 0.0),
    ]


def test_the_sandbox_counts_a_seeded_conversion_in_the_month_it_was_converted(control):
    [original] = _seed(control, "respeecher.recording")
    _convert(control, original, 1, duration=42, converted_at="2024-05-20T08:00:00Z")
    stats = control.get("/respeecher/api/stats", headers={"api-key": "sandbox-respeecher"}).json()
    assert {"month": "2024-05-01", "duration": 42} in stats["time_converted"]["previous_monthes"]
    bad = control.post(
        "/_sandbox/seed",
        json={"kind": "respeecher.recording", "original_id": original, "converted_at": "soon"},
    )
    assert bad.status_code == 400
