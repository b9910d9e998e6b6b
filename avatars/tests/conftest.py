"""A team whose A2E account is the shared sandbox, and the sandbox's A2E request log."""

import pytest

from teams.tests.factories import ProviderAccountFactory

LILY = "6710b8b8c8d8e8f801a2b3c4"
MARCUS = "6710b8b8c8d8e8f801a2b3c5"


@pytest.fixture
def a2e(team, sandbox_url, control):
    return ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )


@pytest.fixture
def a2e_log(control):
    """The sandbox's A2E requests since the last call (each call clears the log)."""

    def read() -> list[dict]:
        log = control.get("/_sandbox/requests", params={"provider": "a2e"}).json()
        control.delete("/_sandbox/requests").raise_for_status()
        return log["requests"]

    return read


@pytest.fixture
def coins(a2e):
    """The sandbox account's coins now, as A2E answers them."""
    from teams.connection import client_for

    return lambda: client_for(a2e).remaining_coins().coins
