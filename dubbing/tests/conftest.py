"""A sandbox for the dubbing tests and a team connected to its A2E."""

import httpx
import pytest

from teams.tests.factories import ProviderAccountFactory


@pytest.fixture(scope="session")
def dubbing_sandbox():
    from sandbox.server import run_in_thread

    url, stop = run_in_thread(port=0, speed=1000, tts_engine="tone")
    yield url
    stop()


@pytest.fixture
def control(dubbing_sandbox):
    client = httpx.Client(base_url=dubbing_sandbox, timeout=60)
    client.post("/_sandbox/reset").raise_for_status()
    yield client
    client.close()


@pytest.fixture
def a2e(team, dubbing_sandbox, control):
    return ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{dubbing_sandbox}/a2e", secret="sandbox-a2e"
    )
