"""The control API: reset, bulk seeding, the request log, fault injection, config, webhooks."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json

import httpx
import pytest

from .conftest import FAST, wait_until
from .helpers import Receiver, tone

SECRET_BYTES = b"sandbox-webhook-test-secret-0001"
SECRET = "whsec_" + base64.b64encode(SECRET_BYTES).decode()


def fault(sandbox, **rule) -> None:
    response = sandbox.http.post("/_sandbox/faults", json=rule)
    assert response.status_code == 200, response.text


@pytest.mark.slow
def test_seeding_100000_respeecher_voices_makes_them_all_listable(sandbox):
    answer = sandbox.seed("respeecher.voice", 100_000)
    assert answer["count"] == 100_000 and "ids" not in answer
    page = sandbox.respeecher.get("/api/v2/voices", params={"limit": 5, "offset": 99_990}).json()
    assert page["pagination"]["count"] == 100_001
    assert len(page["list"]) == 5


@pytest.mark.slow
def test_seeding_100000_a2e_voices_makes_them_all_completed(sandbox):
    sandbox.seed("a2e.voice", 100_000)
    data = sandbox.a2e.get("/api/v1/userVoice/completedRecord").json()["data"]
    assert len(data) == 100_001


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("a2e.tts_voice", {"lang": "it-IT"}),
        ("respeecher.project", {}),
        ("respeecher.recording", {}),
        ("burki.assistant", {}),
    ],
)
def test_every_seed_kind_returns_its_new_ids(sandbox, kind, params):
    assert len(sandbox.seed(kind, 3, **params)["ids"]) == 3


def test_seed_kind_must_be_known(sandbox):
    assert sandbox.http.post("/_sandbox/seed", json={"kind": "nope", "count": 1}).status_code == 400


def test_reset_forgets_created_records_and_restores_the_seeds(sandbox):
    sandbox.seed("burki.assistant", 3)
    sandbox.config(speed=5)
    sandbox.http.post("/_sandbox/reset")
    assert len(sandbox.burki.get("/api/v1/assistants").json()) == 1
    assert sandbox.http.get("/_sandbox/config").json()["speed"] == 1.0


def test_request_log_records_calls_and_filters_them(sandbox):
    sandbox.http.delete("/_sandbox/requests")
    sandbox.a2e.get("/api/v1/user/remainingCoins")
    sandbox.burki.get("/api/v1/assistants", params={"skip": 0})
    sandbox.http.get("/burki/api/v1/assistants")
    rows = sandbox.http.get("/_sandbox/requests").json()["requests"]
    assert [(r["provider"], r["method"], r["status"]) for r in rows] == [
        ("a2e", "GET", 200),
        ("burki", "GET", 200),
        ("burki", "GET", 401),
    ]
    assert rows[1]["path"] == "/burki/api/v1/assistants" and rows[1]["query"] == "skip=0"
    assert rows[0]["time"].endswith("Z")
    burki = sandbox.http.get("/_sandbox/requests", params={"provider": "burki"}).json()
    assert burki["count"] == 2
    coins = sandbox.http.get("/_sandbox/requests", params={"path": "*/remainingCoins"}).json()
    assert coins["count"] == 1
    assert sandbox.http.get("/_sandbox/requests", params={"method": "POST"}).json()["count"] == 0
    sandbox.http.delete("/_sandbox/requests")
    assert sandbox.http.get("/_sandbox/requests").json()["count"] == 0


def test_fault_503_at_share_one_answers_503_in_the_providers_shape(sandbox):
    fault(sandbox, path="/respeecher/*", status={"503": 1.0})
    response = sandbox.respeecher.get("/api/projects")
    assert response.status_code == 503 and response.json() == {"detail": "Service Unavailable"}
    a2e = sandbox.a2e.get("/api/v1/user/remainingCoins")
    assert a2e.status_code == 200
    sandbox.http.delete("/_sandbox/faults")
    assert sandbox.respeecher.get("/api/projects").status_code == 200


def test_fault_429_carries_retry_after(sandbox):
    fault(sandbox, path="/burki/*", status={"429": 1.0}, retry_after=7)
    response = sandbox.burki.get("/api/v1/assistants")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


def test_fault_limited_by_times_stops_after_that_many_requests(sandbox):
    fault(sandbox, path="/a2e/*", method="GET", status={"502": 1.0}, times=2)
    codes = [sandbox.a2e.get("/api/v1/user/remainingCoins").status_code for _ in range(3)]
    assert codes == [502, 502, 200]


def test_fault_malformed_json_is_not_parseable(sandbox):
    fault(sandbox, path="/a2e/api/v1/user/remainingCoins", malformed_json=1.0)
    response = sandbox.a2e.get("/api/v1/user/remainingCoins")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_fault_truncated_body_breaks_the_read(sandbox):
    fault(sandbox, path="/burki/*", truncate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox.burki.get("/api/v1/assistants/1/cloned-voices")


def test_fault_hang_outlasts_a_short_client_timeout(sandbox):
    fault(sandbox, path="/respeecher/api/credits", hang=2)
    with pytest.raises(httpx.ReadTimeout):
        sandbox.respeecher.get("/api/credits", timeout=0.3)


def test_post_that_hangs_past_its_client_is_still_carried_out_once(sandbox):
    fault(sandbox, path="/respeecher/api/projects", method="POST", hang=0.5)
    with pytest.raises(httpx.ReadTimeout):
        sandbox.respeecher.post("/api/projects", json={"name": "Slow"}, timeout=0.1)
    wait_until(
        lambda: sandbox.http.get("/_sandbox/requests", params={"method": "POST"}).json(),
        lambda log: log["count"] == 1,
    )
    names = [p["name"] for p in sandbox.respeecher.get("/api/projects").json()["list"]]
    assert names.count("Slow") == 1


def test_fault_latency_still_answers(sandbox):
    fault(sandbox, path="/respeecher/api/credits", latency=0.05)
    assert sandbox.respeecher.get("/api/credits").status_code == 200
    logged = sandbox.http.get("/_sandbox/requests", params={"path": "/respeecher/api/credits"})
    assert logged.json()["requests"][-1]["fault"] == "latency"


def test_bad_fault_rules_are_refused(sandbox):
    assert sandbox.http.post("/_sandbox/faults", json={"status": {"404": 1}}).status_code == 400
    assert sandbox.http.post("/_sandbox/faults", json={"status": {"500": 2}}).status_code == 400
    assert sandbox.http.post("/_sandbox/faults", json={"colour": "red"}).status_code == 400


def test_config_refuses_bad_values(sandbox):
    assert sandbox.http.post("/_sandbox/config", json={"speed": 0}).status_code == 400
    assert sandbox.http.post("/_sandbox/config", json={"fail_rate": 2}).status_code == 400
    assert (
        sandbox.http.post("/_sandbox/config", json={"webhook_secret": "plain"}).status_code == 400
    )


def test_job_status_changes_are_posted_as_signed_webhooks(sandbox):
    receiver = Receiver()
    try:
        sandbox.config(webhook_url=receiver.url, webhook_secret=SECRET)
        sample = sandbox.burki.post(
            "/api/v1/assistants/1/voice-samples/upload",
            files={"file": ("s.wav", tone(11), "audio/wav")},
        ).json()["voice_sample"]
        created = sandbox.burki.post(
            "/api/v1/assistants/1/cloned-voices",
            json={"voice_sample_id": sample["id"], "provider": "elevenlabs", "name": "Hook"},
        ).json()["cloned_voice"]
        sandbox.config(speed=FAST)
        wait_until(lambda: list(receiver.received), lambda got: len(got) >= 1)
    finally:
        receiver.close()
    delivery = receiver.received[0]
    headers = {k.lower(): v for k, v in delivery["headers"].items()}
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + delivery["body"]
    expected = base64.b64encode(hmac.new(SECRET_BYTES, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    event = json.loads(delivery["body"])
    assert event["type"] == "burki.cloned_voice.ready"
    assert event["data"]["id"] == created["id"] and event["data"]["record"]["status"] == "ready"
    log = sandbox.http.get("/_sandbox/webhooks").json()["deliveries"]
    assert log[0]["status"] == 204


def test_many_concurrent_requests_are_all_answered(sandbox):
    async def burst() -> list[int]:
        async with httpx.AsyncClient(
            base_url=sandbox.url + "/burki", headers=dict(sandbox.burki.headers)
        ) as client:
            responses = await asyncio.gather(
                *(client.get("/api/v1/assistants/1/cloned-voices") for _ in range(200))
            )
        return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * 200
