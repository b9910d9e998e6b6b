"""Fixtures for job engine tests: a fresh fake upstream and an account to run jobs on."""

import pytest

from jobs.tests import fakes
from teams.tests.factories import ProviderAccountFactory


@pytest.fixture(autouse=True)
def upstream(monkeypatch):
    fresh = fakes.FakeUpstream()
    monkeypatch.setattr(fakes, "UPSTREAM", fresh)
    return fresh


@pytest.fixture
def account(team):
    return ProviderAccountFactory(team=team, provider="a2e")
