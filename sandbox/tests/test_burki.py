"""Burki: assistants, voice-sample uploads with their limits, cloned voices over time."""

from __future__ import annotations

from .conftest import FAST, wait_until
from .helpers import tone


def upload(sandbox, data: bytes, filename="sample.wav", assistant=1, **fields):
    return sandbox.burki.post(
        f"/api/v1/assistants/{assistant}/voice-samples/upload",
        data={"name": "Sample", "tags": "calm, warm", **fields},
        files={"file": (filename, data, "audio/wav")},
    )


def clone(sandbox, sample_id: int, provider="elevenlabs", assistant=1):
    return sandbox.burki.post(
        f"/api/v1/assistants/{assistant}/cloned-voices",
        json={
            "voice_sample_id": sample_id,
            "provider": provider,
            "name": "Clone",
            "language": "en",
        },
    )


def voices(sandbox, assistant=1, **params) -> list[dict]:
    response = sandbox.burki.get(f"/api/v1/assistants/{assistant}/cloned-voices", params=params)
    body = response.json()
    assert body["success"] is True
    return body["cloned_voices"]


def voice(sandbox, voice_id: int) -> dict:
    return next(v for v in voices(sandbox) if v["id"] == voice_id)


def test_assistants_page_with_skip_and_limit(sandbox):
    sandbox.seed("burki.assistant", 12)
    everyone = sandbox.burki.get("/api/v1/assistants").json()
    assert len(everyone) == 13
    page = sandbox.burki.get("/api/v1/assistants", params={"skip": 10, "limit": 2}).json()
    assert [a["id"] for a in page] == [everyone[10]["id"], everyone[11]["id"]]
    assert sandbox.burki.get("/api/v1/assistants", params={"skip": -1}).status_code == 422


def test_unknown_assistant_is_404_detail(sandbox):
    response = sandbox.burki.get("/api/v1/assistants/999/cloned-voices")
    assert response.status_code == 404 and response.json() == {"detail": "Assistant not found"}


def test_uploaded_sample_is_listed_with_its_duration_and_tags(sandbox):
    answer = upload(sandbox, tone(12)).json()
    assert answer["success"] is True
    sample = answer["voice_sample"]
    assert sample["status"] == "uploaded" and set(sample) == {
        "id",
        "name",
        "filename",
        "status",
        "created_at",
    }
    listed = sandbox.burki.get("/api/v1/assistants/1/voice-samples/list").json()["voice_samples"]
    assert listed[0]["duration_seconds"] == 12.0
    assert listed[0]["tags"] == ["calm", "warm"]
    assert listed[0]["original_filename"] == "sample.wav"


def test_sample_over_the_size_limit_is_400_and_far_over_is_413(sandbox):
    sandbox.config(burki_max_sample_bytes=200_000)
    too_big = upload(sandbox, tone(12.6))  # about 201 kB
    assert too_big.status_code == 400 and too_big.json()["detail"].startswith("File too large")
    far_too_big = upload(sandbox, tone(30))
    assert far_too_big.status_code == 413 and "detail" in far_too_big.json()


def test_sample_in_an_unsupported_format_is_422_with_a_text_detail(sandbox):
    response = upload(sandbox, b"just some text", filename="notes.txt")
    assert response.status_code == 422
    assert response.json() == {"detail": "Unsupported audio format: txt"}


def test_sample_without_a_file_is_422(sandbox):
    response = sandbox.burki.post(
        "/api/v1/assistants/1/voice-samples/upload", data={"name": "x"}, files={"other": b"x"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_sample_shorter_than_ten_seconds_is_400(sandbox):
    assert upload(sandbox, tone(3)).status_code == 400


def test_cloned_voice_goes_from_processing_to_ready_with_a_quality_score(sandbox):
    sample_id = upload(sandbox, tone(11)).json()["voice_sample"]["id"]
    created = clone(sandbox, sample_id).json()
    assert created["success"] is True and created["cloned_voice"]["status"] == "processing"
    voice_id = created["cloned_voice"]["id"]
    assert voice_id in [v["id"] for v in voices(sandbox, status="processing")]
    sandbox.config(speed=FAST)
    ready = wait_until(lambda: voice(sandbox, voice_id), lambda v: v["status"] == "ready")
    assert 0.0 <= ready["quality_score"] <= 1.0
    assert ready["synthesis_count"] == 0 and ready["last_used_at"] is None
    samples = sandbox.burki.get(
        "/api/v1/assistants/1/voice-samples/list", params={"status": "ready"}
    )
    assert [s["id"] for s in samples.json()["voice_samples"]] == [sample_id]


def test_cloned_voice_fails_with_a_message_at_fail_rate_one(sandbox):
    sample_id = upload(sandbox, tone(11)).json()["voice_sample"]["id"]
    sandbox.config(speed=FAST, fail_rate=1.0)
    voice_id = clone(sandbox, sample_id, provider="resemble").json()["cloned_voice"]["id"]
    failed = wait_until(lambda: voice(sandbox, voice_id), lambda v: v["status"] == "failed")
    assert failed["error_message"]


def test_cloned_voice_request_is_validated(sandbox):
    sample_id = upload(sandbox, tone(11)).json()["voice_sample"]["id"]
    assert clone(sandbox, sample_id, provider="acme").status_code == 422
    assert clone(sandbox, 999).status_code == 404
    missing = sandbox.burki.post("/api/v1/assistants/1/cloned-voices", json={"provider": "inworld"})
    assert missing.status_code == 422 and isinstance(missing.json()["detail"], list)


def test_cloned_voices_filter_by_status_and_provider(sandbox):
    sandbox.seed("burki.cloned_voice", 6, assistant_id=1, status="ready", provider="inworld")
    sandbox.seed("burki.cloned_voice", 4, assistant_id=1, status="archived", provider="resemble")
    assert len(voices(sandbox, provider="inworld")) == 6
    assert len(voices(sandbox, status="archived")) == 4
    assert [v["id"] for v in voices(sandbox, status="ready", provider="elevenlabs")] == [1]
    assert (
        sandbox.burki.get(
            "/api/v1/assistants/1/cloned-voices", params={"status": "gone"}
        ).status_code
        == 422
    )


def test_cloning_providers_list_their_requirements(sandbox):
    body = sandbox.burki.get("/api/v1/assistants/1/voice-cloning/providers").json()
    providers = {p["provider"]: p for p in body["providers"]}
    assert set(providers) == {"elevenlabs", "resemble", "inworld"}
    assert providers["elevenlabs"]["requirements"]["max_duration"] == 300


def test_one_assistant_is_answered_bare_as_the_sdk_reads_it(sandbox):
    [aid] = sandbox.seed("burki.assistant", 1, name_prefix="Night desk")["ids"]
    response = sandbox.burki.get(f"/api/v1/assistants/{aid}")
    assert response.status_code == 200
    assistant = response.json()
    assert (assistant["id"], assistant["name"], assistant["is_active"]) == (
        aid,
        "Night desk 1",
        True,
    )
    assert "success" not in assistant
    missing = sandbox.burki.get("/api/v1/assistants/999")
    assert missing.status_code == 404 and missing.json() == {"detail": "Assistant not found"}
    assert sandbox.burki.get("/api/v1/assistants/front-desk").status_code == 422


def test_the_organisation_list_holds_every_assistants_voices(sandbox):
    [aid] = sandbox.seed("burki.assistant", 1)["ids"]
    [other] = sandbox.seed("burki.cloned_voice", 1, assistant_id=aid, provider="inworld")["ids"]
    response = sandbox.burki.get("/api/v1/assistants/cloned-voices")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"cloned_voices"}
    owners = {v["id"]: v["assistant_id"] for v in body["cloned_voices"]}
    assert owners == {1: 1, 2: 1, other: aid}
    # The per-assistant list stays the seed page's shape, without the owner.
    assert all("assistant_id" not in v for v in voices(sandbox, assistant=aid))


def test_the_organisation_list_filters_by_status_and_provider(sandbox):
    sandbox.seed("burki.cloned_voice", 3, assistant_id=1, status="archived", provider="inworld")
    listed = sandbox.burki.get(
        "/api/v1/assistants/cloned-voices", params={"status": "archived", "provider": "inworld"}
    ).json()["cloned_voices"]
    assert len(listed) == 3 and {v["status"] for v in listed} == {"archived"}
    bad = sandbox.burki.get("/api/v1/assistants/cloned-voices", params={"provider": "acme"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "provider"]


def test_a_burki_without_the_organisation_list_reads_it_as_an_assistant_id(sandbox):
    sandbox.config(burki_organisation_voices=False)
    response = sandbox.burki.get("/api/v1/assistants/cloned-voices")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "assistant_id"]
    assert len(voices(sandbox)) == 2  # the per-assistant list still answers
    sandbox.http.post("/_sandbox/reset").raise_for_status()
    assert sandbox.burki.get("/api/v1/assistants/cloned-voices").status_code == 200


def test_a_seeded_sample_is_listed_and_cloned_on_two_hosts_without_an_upload(sandbox):
    ids = sandbox.seed("burki.voice_sample", 2, seconds=40, name_prefix="Greeting")["ids"]
    listed = sandbox.burki.get("/api/v1/assistants/1/voice-samples/list").json()
    assert [(s["id"], s["name"]) for s in listed["voice_samples"]] == [
        (ids[0], "Greeting 1"),
        (ids[1], "Greeting 2"),
    ]
    assert listed["voice_samples"][0]["duration_seconds"] == 40.0
    made = [clone(sandbox, ids[0], provider=p).json() for p in ("elevenlabs", "resemble")]
    assert [m["cloned_voice"]["provider"] for m in made] == ["elevenlabs", "resemble"]
    assert len({m["cloned_voice"]["id"] for m in made}) == 2


def test_a_sample_seed_for_an_unknown_assistant_is_refused(sandbox):
    response = sandbox.http.post(
        "/_sandbox/seed", json={"kind": "burki.voice_sample", "count": 1, "assistant_id": 9}
    )
    assert response.status_code == 400
