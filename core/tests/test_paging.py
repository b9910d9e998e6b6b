"""Keyset pages: every row once and in order, ties and descending sorts included, one
query a page with no OFFSET, and a bad cursor starting again from the first row."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.paging import keyset_page

User = get_user_model()
START = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def people(db):
    # Few distinct names and join times, so most pages break inside a run of ties.
    return [
        User.objects.create(
            username=f"user{n:02}",
            first_name="ABC"[n % 3],
            date_joined=START + timedelta(days=n % 4),
        )
        for n in range(23)
    ]


def _walk(ordering, size):
    pages, cursor = [], None
    while True:
        page = keyset_page(User.objects.all(), ordering, cursor, size)
        pages.append(page.rows)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize(
    "ordering", [("first_name", "pk"), ("-first_name", "-pk"), ("-date_joined", "username")]
)
def test_the_pages_hold_every_row_once_in_the_sort_order(people, ordering):
    pages = _walk(ordering, 5)

    walked = [row.pk for rows in pages for row in rows]
    assert walked == list(User.objects.order_by(*ordering).values_list("pk", flat=True))
    assert [len(rows) for rows in pages] == [5, 5, 5, 5, 3]


def test_a_full_last_page_says_there_is_no_next_one(people):
    page = keyset_page(User.objects.all(), ("username",), None, len(people))

    assert len(page.rows) == len(people) and page.next_cursor is None


def test_a_later_page_costs_one_query_without_offset(people):
    cursor = keyset_page(User.objects.all(), ("first_name", "pk"), None, 20).next_cursor

    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(User.objects.all(), ("first_name", "pk"), cursor, 5)

    assert len(page.rows) == 3
    assert len(queries) == 1 and "OFFSET" not in queries[0]["sql"].upper()


@pytest.mark.parametrize("cursor", ["", "not-a-cursor", "eyJ4IjoxfQ:1abc:forged"])
def test_a_missing_or_mangled_cursor_starts_from_the_first_row(people, cursor):
    page = keyset_page(User.objects.all(), ("username",), cursor, 5)

    assert [row.username for row in page.rows] == [f"user{n:02}" for n in range(5)]


def test_a_cursor_made_for_another_sort_starts_from_the_first_row(people):
    by_name = keyset_page(User.objects.all(), ("first_name", "pk"), None, 5).next_cursor

    page = keyset_page(User.objects.all(), ("username",), by_name, 5)

    assert page.rows[0].username == "user00"
