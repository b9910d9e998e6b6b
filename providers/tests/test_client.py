"""What code working with any provider may ask of its client: check() and credits()."""

from __future__ import annotations

import pytest

from providers.a2e import A2EClient
from providers.burki import BurkiClient
from providers.respeecher import RespeecherClient

A2E = "https://a2e.example.test"
BURKI = "https://burki.example.test"


def test_a2e_credits_are_its_coins(mock):
    mock.get(f"{A2E}/api/v1/user/remainingCoins").respond(
        json={"code": 0, "data": {"coins": 120, "diamonds": 3}}
    )

    coins = A2EClient(A2E, "token").credits()

    assert (coins.coins, coins.diamonds) == (120, 3)


def test_burki_has_no_credits_to_read_and_is_not_asked(mock):
    assert BurkiClient(BURKI, "key").credits() is None
    assert not mock.calls


@pytest.mark.parametrize("client_class", [A2EClient, BurkiClient, RespeecherClient])
def test_every_client_answers_check_credits_and_download(client_class):
    assert all(callable(getattr(client_class, m, None)) for m in ("check", "credits", "download"))
