"""The room page's CSP additions: Agora's exact hosts, the sandbox stand-in only when given."""

from urllib.parse import urlsplit

import pytest
from csp.utils import build_policy
from django.conf import settings as django_settings

from dashboard.csp import AGORA_GATEWAYS, origin, room_csp

STAND_IN = "http://127.0.0.1:8765"


def entries(policy):
    return [entry for values in policy.values() for entry in values]


def test_agora_entries_are_exact_https_hosts_or_blob():
    for entry in entries(django_settings.AGORA_CSP):
        if entry == "blob:":
            continue
        parts = urlsplit(entry)
        assert parts.scheme == "https" and parts.hostname and not parts.path, entry
        assert parts.hostname.endswith((".agora.io", ".sd-rtn.com", ".rtnsvc.com", ".rtesvc.com"))


@pytest.mark.parametrize("stand_in", [None, STAND_IN])
def test_room_csp_has_no_wildcard_entries(stand_in):
    policy = room_csp(stand_in)

    assert policy["connect-src"] and policy["worker-src"] == ["blob:"]
    assert not [entry for entry in entries(policy) if "*" in entry]


def test_the_stand_in_origin_appears_only_when_given():
    without = room_csp(None)
    with_stand_in = room_csp(STAND_IN)

    assert STAND_IN not in entries(without)
    assert STAND_IN in with_stand_in["connect-src"] and STAND_IN in with_stand_in["media-src"]
    assert with_stand_in["connect-src"][:-1] == without["connect-src"]


def test_gateway_wildcards_come_only_when_turned_on(settings):
    settings.AGORA_CSP_GATEWAY_WILDCARDS = True

    policy = room_csp(None)

    assert set(AGORA_GATEWAYS["connect-src"]) <= set(policy["connect-src"])
    assert not [e for e in entries(room_csp(None, gateways=False)) if "*" in e]


def test_room_csp_does_not_change_the_settings_it_reads():
    room_csp(STAND_IN, gateways=True)

    assert STAND_IN not in entries(django_settings.AGORA_CSP)
    assert not [e for e in entries(django_settings.AGORA_CSP) if "*" in e]


@pytest.mark.parametrize(
    "bad",
    ["*", "http://127.0.0.1:8765/a2e", "http://a.test; script-src *", "'self'", "ftp://x.test"],
)
def test_anything_but_an_origin_is_refused(bad):
    with pytest.raises(ValueError):
        room_csp(bad)


def test_origin_is_read_from_the_stand_in_url():
    assert origin("http://127.0.0.1:8765/a2e/_agora/ab12c/said?after=1") == STAND_IN
    with pytest.raises(ValueError):
        origin("/a2e/_agora/ab12c/said")


def test_the_header_keeps_self_and_adds_the_room_entries():
    header = build_policy(update=room_csp(STAND_IN))
    directives = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())

    assert directives["connect-src"].startswith("'self' https://webrtc2-ap-web-1.agora.io")
    assert directives["connect-src"].endswith(STAND_IN)
    assert directives["media-src"] == f"'self' blob: {STAND_IN}"
    assert directives["worker-src"] == "blob:"
    assert directives["script-src"] == "'self'"
