"""A sandbox for the catalog's tests, and a team connected to all three of its providers."""

import httpx
import pytest

from teams.tests.factories import ProviderAccountFactory


@pytest.fixture(scope="session")
def voice_sandbox():
    from sandbox.server import run_in_thread

    url, stop = run_in_thread(port=0, speed=1000, tts_engine="tone")
    yield url
    stop()


@pytest.fixture
def control(voice_sandbox):
    client = httpx.Client(base_url=voice_sandbox, timeout=60)
    client.post("/_sandbox/reset").raise_for_status()
    yield client
    client.close()


def _account(team, provider, url, secret, **extra):
    return ProviderAccountFactory(
        team=team, provider=provider, base_url=f"{url}/{provider}", secret=secret, **extra
    )


@pytest.fixture
def connected(team, voice_sandbox, control):
    """The team's A2E, Respeecher and Burki accounts at the sandbox (Burki follows 1)."""
    return {
        "a2e": _account(team, "a2e", voice_sandbox, "sandbox-a2e"),
        "respeecher": _account(team, "respeecher", voice_sandbox, "sandbox-respeecher"),
        "burki": _account(
            team, "burki", voice_sandbox, "sandbox-burki", options={"assistants": [1]}
        ),
    }
