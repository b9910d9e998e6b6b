"""The Agora stand-in: what a sandbox room said, with speech, for the room page to show."""

from __future__ import annotations

import shutil
import time
from types import SimpleNamespace

import pytest

from sandbox import a2e as fake_a2e
from sandbox.server import ROUTES

from .helpers import wav_seconds


def open_room(sandbox, seconds: int = 120) -> dict:
    avatar = sandbox.a2e.get("/api/v1/streaming-avatar/all_avatars").json()["data"][0]
    answer = sandbox.a2e.post(
        "/api/v1/streaming-avatar/agora-token",
        json={"avatar_id": avatar["_id"], "expire_seconds": seconds},
    )
    return answer.json()["data"]


def post(sandbox, action: str, channel: str, text: str) -> dict:
    body = {"channel": channel, "text": text}
    answer = sandbox.a2e.post(f"/api/v1/streaming-avatar/{action}", json=body).json()
    assert answer["code"] == 0, answer
    return answer


def said(sandbox, channel: str, **params):
    # No token: the page fetches it from another origin without A2E's credentials.
    return sandbox.http.get(f"/a2e/_agora/{channel}/said", params=params)


def test_rooms_carry_the_sandbox_app_id(sandbox):
    assert open_room(sandbox)["appId"] == fake_a2e.SANDBOX_APP_ID


def test_speak_is_said_verbatim_in_order_and_read_after_a_number(sandbox):
    channel = open_room(sandbox)["channel"]

    post(sandbox, "speak", channel, "Hello from the console")
    post(sandbox, "speak", channel, "And again.")
    everything = said(sandbox, channel)
    newer = said(sandbox, channel, after=1)

    assert everything.status_code == 200
    items = everything.json()["said"]
    assert [(i["n"], i["how"], i["text"]) for i in items] == [
        (1, "speak", "Hello from the console"),
        (2, "speak", "And again."),
    ]
    assert all(i["at"] and i["audio_url"].startswith(sandbox.url + "/files/") for i in items)
    assert [i["n"] for i in newer.json()["said"]] == [2]
    assert said(sandbox, channel, after=2).json() == {"said": []}


def test_ask_is_answered_from_the_rooms_context(sandbox):
    channel = open_room(sandbox)["channel"]
    context = "We open at nine. Parking is free on Sundays!\nCall us any time."
    post(sandbox, "set-qa-context", channel, context)

    post(sandbox, "ask", channel, "Is parking free?")
    post(sandbox, "ask", channel, "When are you opening?")
    post(sandbox, "ask", channel, "What is the meaning of life?")

    items = said(sandbox, channel).json()["said"]
    assert [(i["how"], i["question"], i["text"]) for i in items] == [
        ("ask", "Is parking free?", "Parking is free on Sundays!"),
        ("ask", "When are you opening?", "We open at nine."),
        ("ask", "What is the meaning of life?", fake_a2e.DONT_KNOW),
    ]


def test_ask_without_a_context_says_it_does_not_know(sandbox):
    channel = open_room(sandbox)["channel"]

    post(sandbox, "ask", channel, "Anyone home?")

    assert said(sandbox, channel).json()["said"][0]["text"] == fake_a2e.DONT_KNOW


def test_the_audio_url_serves_speech_of_the_text_to_any_origin(sandbox):
    sandbox.config(tts_engine="tone")
    channel = open_room(sandbox)["channel"]
    post(sandbox, "speak", channel, "Hello from the console")

    url = said(sandbox, channel).json()["said"][0]["audio_url"]
    audio = sandbox.http.get(url)

    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.headers["access-control-allow-origin"] == "*"
    assert wav_seconds(audio.content) == pytest.approx(len("Hello from the console") * 0.06, 0.01)


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng)",
)
def test_the_audio_is_spoken_by_espeak_when_asked_for(sandbox):
    sandbox.config(tts_engine="espeak")
    channel = open_room(sandbox)["channel"]
    post(sandbox, "speak", channel, "Hello from the console")

    audio = sandbox.http.get(said(sandbox, channel).json()["said"][0]["audio_url"])

    assert audio.content[:4] == b"RIFF" and wav_seconds(audio.content) > 0.5


def test_answers_allow_any_origin_and_are_not_cached(sandbox):
    channel = open_room(sandbox)["channel"]

    answer = said(sandbox, channel, after=0)

    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["cache-control"] == "no-store"


def test_a_left_room_is_gone_with_404_readable_from_any_origin(sandbox):
    channel = open_room(sandbox)["channel"]
    post(sandbox, "speak", channel, "Bye")
    post(sandbox, "leave", channel, "")

    gone = said(sandbox, channel)

    assert gone.status_code == 404
    assert gone.headers["access-control-allow-origin"] == "*"
    assert said(sandbox, "nochannel").status_code == 404


def test_an_expired_room_is_gone(sandbox, monkeypatch):
    channel = open_room(sandbox, seconds=60)["channel"]
    assert said(sandbox, channel).status_code == 200

    later = time.time() + 61
    monkeypatch.setattr(fake_a2e, "time", SimpleNamespace(time=lambda: later))

    assert said(sandbox, channel).status_code == 404


def test_a_bad_after_is_400(sandbox):
    channel = open_room(sandbox)["channel"]

    assert said(sandbox, channel, after="-1").status_code == 400


def test_the_stand_in_is_no_a2e_route_and_is_logged_as_agora(sandbox):
    channel = open_room(sandbox)["channel"]
    sandbox.http.delete("/_sandbox/requests")

    said(sandbox, channel)
    log = sandbox.http.get("/_sandbox/requests", params={"path": "/_agora/"}).json()
    a2e_calls = sandbox.http.get("/_sandbox/requests", params={"provider": "a2e"}).json()

    assert not [route for route in ROUTES if "_agora" in route[2]]
    assert [entry["provider"] for entry in log["requests"]] == ["agora"]
    assert a2e_calls["count"] == 0


@pytest.mark.parametrize(
    ("context", "question", "expected"),
    [
        ("Opening hours: nine to five.", "When are you open?", "Opening hours: nine to five."),
        ("The sky is blue. Grass is green.", "What colour is grass?", "Grass is green."),
        ("The sky is blue.", "What is the time?", fake_a2e.DONT_KNOW),
        ("", "Anything?", fake_a2e.DONT_KNOW),
        # "is" and "the" are too common to tie a question to a sentence.
        ("It is the end.", "Is the cat here?", fake_a2e.DONT_KNOW),
    ],
)
def test_answer_takes_the_first_sentence_sharing_a_word(context, question, expected):
    assert fake_a2e.answer(context, question) == expected
