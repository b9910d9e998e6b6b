"""A team whose Respeecher account is the shared sandbox (root conftest), and its seeding."""

import pytest

from teams.tests.factories import ProviderAccountFactory


@pytest.fixture
def respeecher(team, sandbox_url, control):
    return ProviderAccountFactory(
        team=team,
        provider="respeecher",
        base_url=f"{sandbox_url}/respeecher",
        secret="sandbox-respeecher",
    )


@pytest.fixture
def seed(control):
    """Bulk-create frozen Respeecher records in the sandbox; returns their ids."""

    def seed(kind: str, count: int, **params) -> list[str]:
        answer = control.post("/_sandbox/seed", json={"kind": kind, "count": count, **params})
        answer.raise_for_status()
        return answer.json().get("ids", [])  # ids come back only up to 1,000

    return seed


@pytest.fixture
def requests_log(control):
    """The sandbox's Respeecher requests since the last call (each call clears the log)."""

    def read() -> list[dict]:
        log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
        control.delete("/_sandbox/requests").raise_for_status()
        return log["requests"]

    return read
