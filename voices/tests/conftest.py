"""A team connected to all three providers of the shared sandbox (root conftest)."""

import pytest
from django.urls import reverse

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


@pytest.fixture
def clone_url(team):
    """The team's page for cloning an A2E voice."""
    return reverse("voices_clone", kwargs={"team": team.slug})


@pytest.fixture
def upstream_calls(control):
    """What the sandbox was sent that could change something (all but GETs), from one
    provider, or from all when `provider` is None."""

    def calls(provider="a2e"):
        log = control.get("/_sandbox/requests", params={"provider": provider}).json()
        return [r for r in log["requests"] if r["method"] != "GET"]

    return calls
