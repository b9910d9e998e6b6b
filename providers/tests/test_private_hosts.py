"""PROVIDER_PRIVATE_HOSTS: an exact origin opens one scheme, host and port to private
addresses, not the whole host; a bare host still works, logged as deprecated."""

from __future__ import annotations

import logging

import pytest

from providers import config


@pytest.mark.parametrize(
    ("base_url", "exempt"),
    [
        ("http://10.0.0.5:8080", {("10.0.0.5", 8080)}),
        ("http://10.0.0.5:8080/burki/api", {("10.0.0.5", 8080)}),
        ("HTTP://10.0.0.5:8080/", {("10.0.0.5", 8080)}),
        ("http://10.0.0.5:9090", set()),  # another port on the same host
        ("http://10.0.0.5", set()),
        ("https://10.0.0.5:8080", set()),  # another scheme
        ("http://10.0.0.6:8080", set()),
        ("http://[fd00::5]:8080", {("fd00::5", 8080)}),
        ("http://self-hosted.internal", {("self-hosted.internal", 80)}),
    ],
)
def test_a_listed_origin_opens_only_its_own_scheme_host_and_port(base_url, exempt):
    private = config.parse_hosts(
        ["http://10.0.0.5:8080", " http://[FD00::5]:8080 ", "http://Self-Hosted.internal:80"]
    )
    assert config.address_policy(base_url, private).exempt == frozenset(exempt)


@pytest.mark.parametrize(
    "entry",
    [
        "http://10.0.0.5:8080/burki",
        "http://10.0.0.5:8080?x=1",
        "http://user@10.0.0.5:8080",
        "ftp://10.0.0.5",
        "http://10.0.0.5:99999",
        "http://",
    ],
)
def test_a_private_entry_that_is_not_an_origin_fails_at_start_up(entry):
    with pytest.raises(ValueError, match="PROVIDER_PRIVATE_HOSTS"):
        config.configure(private_hosts=[entry])


def test_a_bare_private_host_still_works_and_is_logged_as_deprecated(caplog):
    caplog.set_level(logging.WARNING, logger="providers")

    settings = config.configure(private_hosts=["127.0.0.1", "http://10.0.0.5:8080"])

    [record] = [r for r in caplog.records if "PROVIDER_PRIVATE_HOSTS" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "deprecated" in record.getMessage() and "127.0.0.1" in record.getMessage()
    assert "10.0.0.5" not in record.getMessage()
    policy = config.address_policy("http://127.0.0.1:8765/respeecher", settings.private_hosts)
    assert policy.exempt == {("127.0.0.1", 8765)}
