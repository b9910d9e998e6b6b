"""The world `python -m sandbox` starts (what `make run` tries by hand): a few Respeecher
marketplace voices beside the seed records, with accents and narration styles; the
tests' sandboxes start from the seed records alone."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox import __main__ as cli
from sandbox.seeds import MARKETPLACE, R_ID
from sandbox.server import run_in_thread

KEY = "sandbox-respeecher"


@pytest.fixture(scope="module")
def by_hand() -> Iterator[httpx.Client]:
    url, stop = run_in_thread(port=0, respeecher_key=KEY, marketplace=True)
    with httpx.Client(base_url=f"{url}/respeecher", headers={"api-key": KEY}) as client:
        yield client
    stop()


def _voices(client) -> dict[str, dict]:
    return {
        v["name"]: v for v in client.get("/api/v2/voices", params={"limit": 100}).json()["list"]
    }


def test_the_marketplace_voices_have_accents_and_narration_styles(by_hand):
    voices = _voices(by_hand)
    assert set(voices) == {"string"} | {name for name, *_ in MARKETPLACE}
    market = [v for v in voices.values() if v["id"] != R_ID]
    for voice in market:
        assert voice["visibility"] == "public" and voice["available"] is True
        assert [a["is_default"] for a in voice["accents"]][0] is True
        assert all(a["info"]["locale"] and a["available"] for a in voice["accents"])
        assert len({a["id"] for a in voice["accents"]}) == len(voice["accents"]) >= 2
        styles = voice["narration_styles"]
        assert styles and styles[0]["is_default"] and all(s["tags"] for s in styles)
    # Enough of each to filter and to tell apart.
    assert {v["gender"] for v in market} == {"female", "male"}
    assert len({a["info"]["locale"] for v in market for a in v["accents"]}) >= 4


def test_a_reset_brings_back_the_same_voices_with_the_same_ids(by_hand):
    before = _voices(by_hand)
    by_hand.post(str(by_hand.base_url.join("/_sandbox/reset"))).raise_for_status()
    assert _voices(by_hand) == before


def test_python_m_sandbox_lists_them_unless_told_not_to(monkeypatch):
    started = []
    monkeypatch.setattr(cli, "run", lambda **options: started.append(options["marketplace"]))
    cli.main([])
    cli.main(["--no-marketplace"])
    assert started == [True, False]


def test_a_sandbox_started_for_tests_holds_only_the_seed_voice(sandbox):
    listed = sandbox.respeecher.get("/api/v2/voices").json()["list"]
    assert [v["id"] for v in listed] == [R_ID]
