"""Lists that never end or repeat themselves: `walk` fails naming the provider and the
page rather than reading for ever or passing a part for the whole."""

from __future__ import annotations

import dataclasses

import pytest

from providers import config
from providers.errors import ProtocolError, TooLarge
from providers.records import Page, walk
from providers.respeecher import RespeecherClient

from .hostile import Exchange, HostileServer

KEY = "hostile-test-key"


def _pages(rows_of):
    """A fetch for `walk` whose page at `cursor` holds `rows_of(cursor)`; counts its calls."""
    calls = []

    def fetch(cursor: int) -> Page[dict]:
        calls.append(cursor)
        return Page(items=tuple(rows_of(cursor)))

    return fetch, calls


def test_a_list_whose_pages_never_end_stops_at_the_record_cap():
    fetch, calls = _pages(lambda offset: [{"id": offset + i} for i in range(100)])
    walked = []

    with pytest.raises(TooLarge) as caught:
        walked.extend(walk(fetch, provider="Burki", page_size=100, max_records=250))

    assert caught.value.message == (
        "Burki listed more than 250 records (stopped at page 3); the list was not read to its end."
    )
    assert len(walked) == 200 and calls == [0, 100, 200]


def test_the_record_cap_comes_from_the_settings(http_settings):
    config.configure(**{**dataclasses.asdict(http_settings), "max_records": 120})
    fetch, _calls = _pages(lambda offset: [{"id": offset + i} for i in range(50)])

    with pytest.raises(TooLarge, match="more than 120 records"):
        list(walk(fetch, provider="A2E", page_size=50))


def test_a_list_that_repeats_a_page_fails_naming_the_provider_and_the_page():
    fetch, calls = _pages(lambda page: [{"id": i} for i in range(50)])

    with pytest.raises(ProtocolError) as caught:
        list(walk(fetch, provider="A2E", page_size=50, first=1, by_page=True))

    assert caught.value.message == (
        "A2E sent page 2 of a list again, the same as page 1; the list was not read to its end."
    )
    assert calls == [1, 2]


def test_a_respeecher_that_ignores_the_offset_fails_the_listing(http_settings):
    def same_page(exchange: Exchange) -> None:
        limit = int(exchange.query.get("limit", 50))
        exchange.json({"list": [{"id": f"v{i}", "name": f"Voice {i}"} for i in range(limit)]})

    config.configure(**{**dataclasses.asdict(http_settings), "private_hosts": ["127.0.0.1"]})
    with HostileServer(same_page) as server, pytest.raises(ProtocolError) as caught:
        list(RespeecherClient(server.url, KEY).iter_voices(page_size=10))

    assert "Respeecher sent page 2" in caught.value.message
    assert len(server.requests) == 2
