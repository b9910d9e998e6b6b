"""A URL httpx cannot parse, from a provider's record, ends as a plain ProtocolError:
never an InvalidURL or ValueError that a view turns into a 500 or a cut-off download."""

from __future__ import annotations

import pytest

from providers import http
from providers.errors import ProtocolError

BASE = "https://upstream.test"
KEY = "sk-live-0123456789abcdef"


@pytest.fixture
def upstream(sleep):
    return http.Upstream("Test", BASE, KEY, {"Authorization": f"Bearer {KEY}"}, sleep=sleep)


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.test:not-a-port/take.wav",
        "https://[::1/take.wav",
        "https://cdn\x00.test/take.wav",
    ],
)
def test_an_unparseable_url_is_a_protocol_error_with_a_plain_message(mock, upstream, url):
    with pytest.raises(ProtocolError) as raised, upstream.stream(url):
        pass
    assert raised.value.message == "Test gave an address that cannot be used."

    with pytest.raises(ProtocolError):
        upstream.json("GET", url)
    assert not mock.calls
