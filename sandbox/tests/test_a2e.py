"""A2E: TTS, voice clones and dubbing as jobs over time, avatar rooms, the account."""

from __future__ import annotations

import shutil

import pytest

from .conftest import FAST, wait_until
from .helpers import closed_port_url, tone, wav_seconds


def first_tts_id(sandbox) -> str:
    groups = sandbox.a2e.get("/api/v1/anchor/voice_list").json()["data"]
    return groups[0]["children"][0]["value"]


def tts(sandbox, **body):
    return sandbox.a2e.post("/api/v1/video/send_tts", json=body)


def voice_status(sandbox, voice_id: str) -> dict:
    return sandbox.a2e.get(f"/api/v1/userVoice/{voice_id}").json()["data"]


def dubbing(sandbox, dubbing_id: str) -> dict:
    return sandbox.a2e.get(f"/api/v1/userDubbing/{dubbing_id}").json()["data"]


def test_tts_without_tts_id_or_user_voice_id_is_400_with_nonzero_code(sandbox):
    response = tts(sandbox, msg="Hello")
    assert response.status_code == 400
    assert response.json()["code"] != 0 and response.json()["msg"]


def test_tts_message_over_1000_characters_is_refused(sandbox):
    response = tts(sandbox, msg="a" * 1001, tts_id=first_tts_id(sandbox))
    assert response.status_code == 400 and response.json()["code"] != 0
    assert tts(sandbox, msg="a" * 1000, tts_id=first_tts_id(sandbox)).json()["code"] == 0


def test_tts_with_user_voice_id_needs_country_and_region(sandbox):
    voice_id = sandbox.a2e.get("/api/v1/userVoice/completedRecord").json()["data"][0]["_id"]
    assert tts(sandbox, msg="Hi", user_voice_id=voice_id).status_code == 400
    answer = tts(sandbox, msg="Hi", user_voice_id=voice_id, country="en", region="US")
    assert answer.json()["code"] == 0


def test_tts_speech_rate_outside_half_to_double_is_refused(sandbox):
    assert tts(sandbox, msg="Hi", tts_id=first_tts_id(sandbox), speechRate=3).status_code == 400


def test_tts_with_forced_tone_engine_serves_a_wav_of_about_60_ms_per_character(sandbox):
    sandbox.config(tts_engine="tone")
    text = "x" * 50
    url = tts(sandbox, msg=text, tts_id=first_tts_id(sandbox)).json()["data"]
    assert url.startswith(sandbox.url + "/files/")
    audio = sandbox.http.get(url)
    assert audio.headers["content-type"] == "audio/wav"
    assert wav_seconds(audio.content) == pytest.approx(len(text) * 0.06, rel=0.01)


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng)",
)
def test_tts_with_espeak_engine_serves_spoken_wav(sandbox):
    sandbox.config(tts_engine="espeak")
    url = tts(sandbox, msg="Hello from the sandbox", tts_id=first_tts_id(sandbox)).json()["data"]
    audio = sandbox.http.get(url).content
    assert audio[:4] == b"RIFF"
    assert 0.5 < wav_seconds(audio) < 10


def test_voice_list_filters_by_voice_map_type(sandbox):
    groups = sandbox.a2e.get("/api/v1/anchor/voice_list", params={"voice_map_type": "es-ES"})
    assert [g["value"] for g in groups.json()["data"]] == ["es-ES"]
    posted = sandbox.a2e.post("/api/v1/anchor/voice_list", json={"country": "en", "region": "GB"})
    assert [g["value"] for g in posted.json()["data"]] == ["en-GB"]


def train(sandbox, urls: list[str]) -> str:
    answer = sandbox.a2e.post(
        "/api/v1/userVoice/training",
        json={"name": "Me", "voice_urls": urls, "gender": "female", "language": "en-US"},
    ).json()
    assert answer["code"] == 0 and answer["data"]["current_status"] == "sent"
    return answer["data"]["_id"]


def test_voice_clone_moves_from_sent_to_completed_and_can_speak(sandbox):
    sample = sandbox.put_file("sample.wav", tone(20), "audio/wav")
    voice_id = train(sandbox, [sample])
    processing = sandbox.a2e.get("/api/v1/userVoice/processingRecord").json()["data"]
    assert voice_id in [v["_id"] for v in processing]
    sandbox.config(speed=FAST)
    done = wait_until(
        lambda: voice_status(sandbox, voice_id), lambda v: v["current_status"] != "sent"
    )
    done = wait_until(
        lambda: voice_status(sandbox, voice_id), lambda v: v["current_status"] == "completed"
    )
    assert "faild_message" not in done
    completed = sandbox.a2e.get("/api/v1/userVoice/completedRecord").json()["data"]
    assert voice_id in [v["_id"] for v in completed]
    assert (
        tts(sandbox, msg="Hi", user_voice_id=voice_id, country="en", region="US").json()["code"]
        == 0
    )


def test_voice_clone_fails_with_a_message_at_fail_rate_one(sandbox):
    sandbox.config(speed=FAST, fail_rate=1.0)
    voice_id = train(sandbox, [sandbox.put_file("s.wav", tone(20), "audio/wav")])
    failed = wait_until(
        lambda: voice_status(sandbox, voice_id), lambda v: v["current_status"] == "failed"
    )
    assert failed["faild_message"]


def test_voice_clone_at_fail_rate_one_is_processing_before_it_fails(sandbox):
    # At speed 20 a clone is `sent` for 0.3 s and `processing` until 3 s: long enough to see.
    sandbox.config(speed=20, fail_rate=1.0)
    voice_id = train(sandbox, [sandbox.put_file("s.wav", tone(20), "audio/wav")])
    seen = wait_until(
        lambda: voice_status(sandbox, voice_id), lambda v: v["current_status"] != "sent"
    )
    assert seen["current_status"] == "processing"


def test_voice_clone_fails_when_a_sample_url_is_unreachable(sandbox):
    sandbox.config(speed=FAST, download_timeout=2)
    voice_id = train(sandbox, [closed_port_url()])
    failed = wait_until(
        lambda: voice_status(sandbox, voice_id), lambda v: v["current_status"] == "failed"
    )
    assert "Failed to download" in failed["faild_message"]


def test_voice_clone_fails_when_a_sample_is_not_audio(sandbox):
    sandbox.config(speed=FAST)
    page = sandbox.put_file("page.html", b"<html>not audio</html>", "text/html")
    voice_id = train(sandbox, [page])
    failed = wait_until(
        lambda: voice_status(sandbox, voice_id), lambda v: v["current_status"] == "failed"
    )
    assert "not audio" in failed["faild_message"]


def test_voice_training_validates_its_body(sandbox):
    bad = sandbox.a2e.post("/api/v1/userVoice/training", json={"name": "x", "voice_urls": []})
    assert bad.status_code == 400 and bad.json()["code"] != 0


def test_deleting_a_voice_removes_it(sandbox):
    voice_id = sandbox.seed("a2e.voice", 1)["ids"][0]
    assert sandbox.a2e.delete(f"/api/v1/userVoice/{voice_id}").json()["code"] == 0
    gone = sandbox.a2e.get(f"/api/v1/userVoice/{voice_id}").json()
    assert gone["code"] != 0
    completed = sandbox.a2e.get("/api/v1/userVoice/completedRecord").json()["data"]
    assert voice_id not in [v["_id"] for v in completed]


def start_dubbing(sandbox, source_url: str) -> dict:
    answer = sandbox.a2e.post(
        "/api/v1/userDubbing/startDubbing",
        json={
            "name": "Episode 1",
            "source_url": source_url,
            "source_lang": "auto",
            "target_lang": "es",
            "num_speakers": 1,
            "drop_background_audio": False,
        },
    ).json()
    assert answer["code"] == 0
    return answer["data"]


def test_dubbing_completes_with_a_result_as_long_as_its_source(sandbox):
    source = sandbox.put_file("episode.wav", tone(7), "audio/wav")
    started = start_dubbing(sandbox, source)
    assert started["current_status"] == "initialized"
    assert started["faild_message"] == "" and started["__v"] == 0
    sandbox.config(speed=FAST)
    done = wait_until(
        lambda: dubbing(sandbox, started["_id"]), lambda d: d["current_status"] == "completed"
    )
    assert done["duration"] == 7
    result = sandbox.http.get(done["result_url"])
    assert result.status_code == 200
    assert wav_seconds(result.content) == pytest.approx(7, abs=0.01)


def test_dubbing_fails_with_a_message_for_an_unreachable_source(sandbox):
    sandbox.config(speed=FAST, download_timeout=2)
    started = start_dubbing(sandbox, closed_port_url())
    failed = wait_until(
        lambda: dubbing(sandbox, started["_id"]), lambda d: d["current_status"] == "failed"
    )
    assert failed["faild_message"] and failed["result_url"] == ""


def test_dubbing_fails_at_fail_rate_one(sandbox):
    sandbox.config(speed=FAST, fail_rate=1.0)
    started = start_dubbing(sandbox, sandbox.put_file("a.wav", tone(2), "audio/wav"))
    failed = wait_until(
        lambda: dubbing(sandbox, started["_id"]), lambda d: d["current_status"] == "failed"
    )
    assert failed["faild_message"]


def test_dubbing_accepts_video_containers_by_their_magic_bytes(sandbox):
    sandbox.config(speed=FAST)
    mp4 = b"\x00\x00\x00\x20ftypisom" + b"\x00" * 64
    started = start_dubbing(sandbox, sandbox.put_file("clip.mp4", mp4, "video/mp4"))
    done = wait_until(
        lambda: dubbing(sandbox, started["_id"]), lambda d: d["current_status"] != "initialized"
    )
    assert done["current_status"] in ("processing", "completed")


def test_dubbing_pages_start_at_one_newest_first(sandbox):
    ids = sandbox.seed("a2e.dubbing", 25)["ids"]
    first = sandbox.a2e.get("/api/v1/userDubbing/allRecords", params={"pageNum": 1, "pageSize": 10})
    body = first.json()["data"]
    assert body["count"] == 26  # the seed document's record is there too
    assert [r["_id"] for r in body["rows"]] == ids[::-1][:10]
    third = sandbox.a2e.get("/api/v1/userDubbing/allRecords", params={"pageNum": 3, "pageSize": 10})
    assert len(third.json()["data"]["rows"]) == 6
    assert (
        sandbox.a2e.get("/api/v1/userDubbing/allRecords", params={"pageNum": 0}).status_code == 400
    )


def test_processing_dubbings_lists_only_unfinished_ones(sandbox):
    running = sandbox.seed("a2e.dubbing", 2, status="processing")["ids"]
    sandbox.seed("a2e.dubbing", 3, status="completed")
    rows = sandbox.a2e.get("/api/v1/userDubbing/processingRecord").json()["data"]
    assert sorted(r["_id"] for r in rows) == sorted(running)


def test_deleting_a_dubbing_removes_it_from_the_list(sandbox):
    seed_id = "66ea4dd87db10c73fa29b570"
    assert sandbox.a2e.delete(f"/api/v1/userDubbing/{seed_id}").json()["code"] == 0
    rows = sandbox.a2e.get("/api/v1/userDubbing/allRecords").json()["data"]
    assert rows["count"] == 0


def test_avatar_room_opens_takes_context_speaks_and_leaves_with_a_refund(sandbox):
    coins = sandbox.a2e.get("/api/v1/user/remainingCoins").json()["data"]["coins"]
    avatar = sandbox.a2e.get("/api/v1/streaming-avatar/all_avatars").json()["data"][0]
    room = sandbox.a2e.post(
        "/api/v1/streaming-avatar/agora-token",
        json={"avatar_id": avatar["_id"], "expire_seconds": 600},
    ).json()["data"]
    assert {
        "token",
        "appId",
        "channel",
        "uid",
        "expire_epoch_timestamp",
        "expire_date_UTC",
    } <= room.keys()
    assert sandbox.a2e.get("/api/v1/user/remainingCoins").json()["data"]["coins"] == coins - 10
    channel = room["channel"]
    too_long = {"channel": channel, "text": "x" * 5001}
    assert (
        sandbox.a2e.post("/api/v1/streaming-avatar/set-qa-context", json=too_long).status_code
        == 400
    )
    sandbox.a2e.post(
        "/api/v1/streaming-avatar/set-qa-context", json={"channel": channel, "text": "FAQ"}
    )
    context = sandbox.a2e.get(
        "/api/v1/streaming-avatar/get-qa-context", params={"channel": channel}
    )
    assert context.json()["data"] == "FAQ"
    asked = sandbox.a2e.post(
        "/api/v1/streaming-avatar/ask", json={"channel": channel, "text": "Hi?"}
    )
    assert asked.json()["code"] == 0 and asked.json()["trace_id"]
    assert (
        sandbox.a2e.post("/api/v1/streaming-avatar/leave", json={"channel": channel}).json()["code"]
        == 0
    )
    assert sandbox.a2e.get("/api/v1/user/remainingCoins").json()["data"]["coins"] == coins - 1
    after = sandbox.a2e.post(
        "/api/v1/streaming-avatar/speak", json={"channel": channel, "text": "x"}
    )
    assert after.status_code == 400


def test_languages_answer_to_get_and_post(sandbox):
    got = sandbox.a2e.get("/api/v1/anchor/language_list", params={"lang": "en"}).json()["data"]
    posted = sandbox.a2e.post("/api/v1/anchor/language_list", json={}).json()["data"]
    assert got == posted and {"value": "en", "label": "English"} in got


def test_transfer_to_storage_copies_audio_and_refuses_other_content(sandbox):
    source = sandbox.put_file("t.wav", tone(1), "audio/wav")
    copied = sandbox.a2e.post("/api/v1/tos/transferToStorage", json={"url": source}).json()
    assert sandbox.http.get(copied["data"]["url"]).content == tone(1)
    text = sandbox.put_file("t.txt", b"hello", "text/plain")
    refused = sandbox.a2e.post("/api/v1/tos/transferToStorage", json={"url": text})
    assert refused.status_code == 400 and refused.json()["code"] != 0
