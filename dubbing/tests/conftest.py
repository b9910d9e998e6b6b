"""A team connected to the A2E of the shared sandbox (root conftest)."""

import pytest

from teams.tests.factories import ProviderAccountFactory


@pytest.fixture
def a2e(team, sandbox_url, control):
    return ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )
