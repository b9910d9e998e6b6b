"""A team connected to all three providers of the shared sandbox (root conftest)."""

import pytest

from teams.tests.factories import ProviderAccountFactory


def _account(team, provider, url, secret, **extra):
    return ProviderAccountFactory(
        team=team, provider=provider, base_url=f"{url}/{provider}", secret=secret, **extra
    )


@pytest.fixture
def connected(team, sandbox_url, control):
    """The team's A2E, Respeecher and Burki accounts at the sandbox (Burki follows 1)."""
    return {
        "a2e": _account(team, "a2e", sandbox_url, "sandbox-a2e"),
        "respeecher": _account(team, "respeecher", sandbox_url, "sandbox-respeecher"),
        "burki": _account(team, "burki", sandbox_url, "sandbox-burki", options={"assistants": [1]}),
    }
