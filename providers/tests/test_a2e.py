"""A2EClient against the seed examples and the contract, at the HTTP boundary (respx)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime

import httpx
import pytest

from providers import a2e
from providers.a2e import A2EClient
from providers.errors import AuthError, BadRequest, ProtocolError
from providers.tests.examples import example

BASE = "https://a2e.test"
TOKEN = "a2e-token-0123456789"


@pytest.fixture
def client(sleep):
    return A2EClient(BASE, TOKEN, sleep=sleep)


def ok(data, **extra):
    return {"code": 0, "data": data, **extra}


def test_completed_voices_read_the_seed_example(mock, client):
    payload = example("a2e_voice_completed_record.json")
    route = mock.get(f"{BASE}/api/v1/userVoice/completedRecord").respond(json=payload)

    [voice] = client.list_completed_voices()

    assert route.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert voice.id == "67bc2c2cc0f5208c812f9438"
    assert voice.name == "your voice clone name"
    assert voice.status == "completed" and voice.state == "completed"
    assert voice.voice_urls[0].endswith("/11月13日.MP3")
    assert (voice.train_mode, voice.gender, voice.language) == ("best", "female", "en-US")
    assert voice.created_at == datetime(2025, 2, 24, 8, 22, 4, 285000, tzinfo=UTC)
    assert voice.raw == payload["data"][0]


def test_dubbing_detail_reads_the_seed_example_with_its_typos(mock, client):
    payload = example("a2e_dubbing_detail.json")
    mock.get(f"{BASE}/api/v1/userDubbing/66ea4dd87db10c73fa29b570").respond(json=payload)

    dubbing = client.get_dubbing("66ea4dd87db10c73fa29b570")

    assert dubbing.id == "66ea4dd87db10c73fa29b570"
    assert dubbing.state == "completed"
    assert dubbing.result_url.endswith("/GdVzeatVpmYRR3vE01nA_9714_en.mp3")
    assert dubbing.duration == 51 and dubbing.num_speakers == 1
    assert dubbing.drop_background_audio is False and dubbing.deleted is False
    assert dubbing.source_lang == "auto" and dubbing.target_lang == "en"
    assert dubbing.task_id == "GdVzeatVpmYRR3vE01nA_9714_en"
    assert dubbing.failed_message is None  # "" in the seed: no failure
    assert dubbing.raw["__v"] == 0 and "faild_message" in dubbing.raw


@pytest.mark.parametrize("key", ["faild_message", "failed_message"])
def test_failed_dubbing_reads_either_spelling_of_the_message(mock, client, key):
    item = {**example("a2e_dubbing_detail.json")["data"], "current_status": "failed"}
    item.pop("faild_message")
    item[key] = "source has no speech"
    mock.get(f"{BASE}/api/v1/userDubbing/x").respond(json=ok(item))

    dubbing = client.get_dubbing("x")

    assert dubbing.state == "failed"
    assert dubbing.failed_message == "source has no speech"


def test_speak_sends_the_seed_request_and_reads_the_trace_id(mock, client):
    request = example("a2e_streaming_speak_request.json")
    route = mock.post(f"{BASE}/api/v1/streaming-avatar/speak").respond(
        json=example("a2e_streaming_speak.json")
    )

    ack = client.speak(request["channel"], request["text"])

    assert json.loads(route.calls.last.request.content) == request
    assert ack.trace_id == "306b2b82-ab37-449c-82af-1bd68c264572"


def test_speak_bad_request_is_a_bad_request(mock, client):
    mock.post(f"{BASE}/api/v1/streaming-avatar/speak").respond(
        400, json={"code": 1001, "msg": "channel not found"}
    )

    with pytest.raises(BadRequest, match="channel not found") as caught:
        client.speak("nope", "hello")

    assert caught.value.status_code == 400


def test_non_zero_code_with_http_400_is_kept_on_the_error(mock, client):
    mock.get(f"{BASE}/api/v1/userVoice/nope").respond(
        400, json={"code": 1004, "msg": "voice not found"}
    )

    with pytest.raises(BadRequest) as caught:
        client.get_voice("nope")

    assert caught.value.code == 1004
    assert caught.value.status_code == 400


def test_non_zero_code_with_http_200_is_an_error(mock, client):
    mock.get(f"{BASE}/api/v1/user/remainingCoins").respond(
        json={"code": 1001, "msg": "insufficient permission"}
    )

    with pytest.raises(BadRequest) as caught:
        client.remaining_coins()

    assert caught.value.code == 1001
    assert caught.value.provider == "A2E"
    assert "insufficient permission" in caught.value.message


def test_401_is_an_auth_error(mock, client):
    mock.get(f"{BASE}/api/v1/user/remainingCoins").respond(401, json={"code": 401, "msg": "x"})

    with pytest.raises(AuthError):
        client.check()


def test_answer_without_code_is_a_protocol_error(mock, client):
    mock.get(f"{BASE}/api/v1/user/remainingCoins").respond(json={"coins": 3})

    with pytest.raises(ProtocolError):
        client.remaining_coins()


def test_unknown_status_reads_as_processing_and_is_logged_once(mock, client, caplog):
    caplog.set_level(logging.WARNING, logger="providers")
    item = {"_id": "v1", "current_status": "queued_for_gpu_a2e_test"}
    mock.get(f"{BASE}/api/v1/userVoice/processingRecord").respond(json=ok([item, item]))

    voices = client.list_processing_voices()
    client.list_processing_voices()

    assert [v.state for v in voices] == ["processing", "processing"]
    warnings = [r for r in caplog.records if "queued_for_gpu_a2e_test" in r.getMessage()]
    assert len(warnings) == 1


def test_missing_optional_fields_do_not_crash(mock, client):
    mock.get(f"{BASE}/api/v1/userDubbing/x").respond(json=ok({"_id": "x", "extra": [1]}))

    dubbing = client.get_dubbing("x")

    assert dubbing.id == "x" and dubbing.state == "processing"
    assert dubbing.result_url is None and dubbing.created_at is None
    assert dubbing.raw == {"_id": "x", "extra": [1]}


def test_dubbings_are_paged_lazily_from_page_one(mock, client):
    rows = [{"_id": str(i), "current_status": "initialized"} for i in range(3)]

    def handler(request):
        page = int(request.url.params["pageNum"])
        size = int(request.url.params["pageSize"])
        chunk = rows[(page - 1) * size : page * size]
        return httpx.Response(200, json=ok({"rows": chunk, "count": len(rows)}))

    route = mock.get(f"{BASE}/api/v1/userDubbing/allRecords").mock(side_effect=handler)

    dubbings = client.iter_dubbings(page_size=2)
    first = next(dubbings)
    assert route.call_count == 1
    rest = list(dubbings)

    assert [d.id for d in [first, *rest]] == ["0", "1", "2"]
    assert first.state == "queued"
    assert [c.request.url.params["pageNum"] for c in route.calls] == ["1", "2"]


def test_send_tts_returns_the_audio_url(mock, client):
    route = mock.post(f"{BASE}/api/v1/video/send_tts").respond(
        json=ok("https://cdn.test/tts/1.mp3")
    )

    url = client.send_tts("Hello", user_voice_id="v1", country="en", region="US", speech_rate=1.2)

    assert url == "https://cdn.test/tts/1.mp3"
    assert json.loads(route.calls.last.request.content) == {
        "msg": "Hello",
        "user_voice_id": "v1",
        "country": "en",
        "region": "US",
        "speechRate": 1.2,
    }


def test_send_tts_needs_exactly_one_voice(client):
    with pytest.raises(ValueError):
        client.send_tts("Hello")
    with pytest.raises(ValueError):
        client.send_tts("Hello", tts_id="t", user_voice_id="v")
    with pytest.raises(ValueError):
        client.send_tts("Hello", user_voice_id="v")


def test_result_download_from_the_cdn_does_not_send_the_token(mock, client, tmp_path):
    body = b"ID3" + b"\x00" * 5000
    cdn = mock.get("https://cdn.test/dubbing/x.mp3").respond(content=body)

    result = client.download("https://cdn.test/dubbing/x.mp3", tmp_path / "x.mp3")

    assert "Authorization" not in cdn.calls.last.request.headers
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert (tmp_path / "x.mp3").read_bytes() == body


def test_open_room_reads_the_token_answer(mock, client):
    route = mock.post(f"{BASE}/api/v1/streaming-avatar/agora-token").respond(
        json=ok(
            {
                "token": "agora",
                "appId": "app",
                "channel": "f84fd",
                "uid": 123,
                "expire_epoch_timestamp": 1735300000,
                "expire_date_UTC": "2024-12-27T11:46:40Z",
            }
        )
    )

    room = client.open_avatar_room("avatar-1", 300)

    assert json.loads(route.calls.last.request.content) == {
        "avatar_id": "avatar-1",
        "expire_seconds": 300,
    }
    assert (room.token, room.app_id, room.channel, room.uid) == ("agora", "app", "f84fd", "123")
    assert room.expires_at == datetime(2024, 12, 27, 11, 46, 40, tzinfo=UTC)


# One call per ENDPOINTS entry, with an answer of the contract's shape: every route has a
# method that really calls it, and a new route without a test here fails the check below.
CALLS = {
    "list_completed_voices": (lambda c: c.list_completed_voices(), []),
    "list_processing_voices": (lambda c: c.list_processing_voices(), []),
    "train_voice": (
        lambda c: c.train_voice("n", ["https://s.test/a.mp3"], "female", "en", model="a2e"),
        {"_id": "v", "current_status": "sent"},
    ),
    "get_voice": (lambda c: c.get_voice("ID1"), {"_id": "ID1"}),
    "delete_voice": (lambda c: c.delete_voice("ID1"), {}),
    "list_tts_voices": (
        lambda c: c.list_tts_voices(country="en", region="US"),
        [{"label": "English", "value": "en", "children": [{"label": "Ann", "value": "t1"}]}],
    ),
    "send_tts": (lambda c: c.send_tts("hi", tts_id="t1"), "https://cdn.test/a.mp3"),
    "start_dubbing": (
        lambda c: c.start_dubbing("n", "https://s.test/v.mp4", "en"),
        {"_id": "d", "current_status": "initialized"},
    ),
    "list_dubbings": (lambda c: c.list_dubbings(), {"rows": [], "count": 0}),
    "list_processing_dubbings": (lambda c: c.list_processing_dubbings(), []),
    "get_dubbing": (lambda c: c.get_dubbing("ID1"), {"_id": "ID1"}),
    "delete_dubbing": (lambda c: c.delete_dubbing("ID1"), {}),
    "list_streaming_avatars": (lambda c: c.list_streaming_avatars(), [{"_id": "a", "name": "A"}]),
    "open_avatar_room": (lambda c: c.open_avatar_room("a", 60), {"token": "t"}),
    "set_qa_context": (lambda c: c.set_qa_context("ch", "ctx"), {}),
    "get_qa_context": (lambda c: c.get_qa_context("ch"), "ctx"),
    "ask_avatar": (lambda c: c.ask_avatar("ch", "q?"), {}),
    "speak": (lambda c: c.speak("ch", "hi"), {}),
    "leave_avatar_room": (lambda c: c.leave_avatar_room("ch"), {}),
    "remaining_coins": (lambda c: c.remaining_coins(), {"coins": 10, "diamonds": 2}),
    "list_languages": (lambda c: c.list_languages(), [{"value": "en", "label": "English"}]),
    "transfer_to_storage": (
        lambda c: c.transfer_to_storage("https://s.test/a.mp3"),
        {"url": "https://a2e-storage.test/a.mp3"},
    ),
}


def test_every_endpoint_has_a_call_here():
    assert set(CALLS) == set(a2e.ENDPOINTS.values())


@pytest.mark.parametrize(("route", "name"), list(a2e.ENDPOINTS.items()), ids=str)
def test_every_endpoint_is_called_by_its_method(mock, client, route, name):
    method, template = route
    path = re.sub(r"\{[^}]+\}", "ID1", template)
    call, data = CALLS[name]
    upstream = mock.route(method=method, url=f"{BASE}{path}").respond(json=ok(data))

    result = call(client)

    assert upstream.call_count == 1
    assert result is not None


def test_stand_in_url_is_below_the_base_url_for_the_sandbox_app_id():
    url = a2e.stand_in_url("http://127.0.0.1:8765/a2e/", a2e.SANDBOX_APP_ID, "ab12c")

    assert url == "http://127.0.0.1:8765/a2e/_agora/ab12c/said"


def test_stand_in_url_quotes_the_channel():
    url = a2e.stand_in_url("http://127.0.0.1:8765/a2e", a2e.SANDBOX_APP_ID, "a/b c")

    assert url == "http://127.0.0.1:8765/a2e/_agora/a%2Fb%20c/said"


@pytest.mark.parametrize("app_id", ["0123456789abcdef0123456789abcdef", "", "A2E0SANDBOX"])
def test_stand_in_url_is_none_for_a_real_agora_app_id(app_id):
    assert a2e.stand_in_url("https://video.a2e.ai", app_id, "ab12c") is None
