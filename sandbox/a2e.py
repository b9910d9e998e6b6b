"""The fake A2E API: voice clones, TTS, dubbing, streaming avatar rooms and the account."""

from __future__ import annotations

import math
import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from sandbox import media
from sandbox.api import (
    CORS_ANYONE,
    ApiError,
    Provider,
    absolute_url,
    bearer_token,
    json_body,
    spawn,
)
from sandbox.seeds import a2e_dubbing
from sandbox.state import Job, Store, iso, iso_now, mongo_id

# Real durations at speed 1, in seconds.
CLONE_SECONDS = 60.0
DUBBING_FALLBACK_SECONDS = 90.0
TTS_MAX_CHARS = 1000
QA_CONTEXT_MAX_CHARS = 5000
COINS_PER_ROOM_MINUTE = 1
# The appId every room gets: no Agora project has one like it, so the room page knows to
# show the stand-in below instead of joining Agora (providers.a2e.SANDBOX_APP_ID).
SANDBOX_APP_ID = "a2e0sandbox000000000000000000000"
TRAIN_MODELS = {"a2e", "cartesia", "minimax", "elevenlabs"}

# Error codes: the contract only shows `1001` from clients; the rest are our choice.
CODE_INVALID = 1001
CODE_NOT_FOUND = 1004
CODE_SERVER = 1500


def error(status: int, msg: str, code: int | None = None) -> ApiError:
    if code is None:
        code = {400: CODE_INVALID, 401: 401, 403: 403, 404: 404, 405: 405}.get(status, CODE_SERVER)
    return ApiError(status, {"code": code, "msg": msg})


def invalid(msg: str) -> ApiError:
    return error(400, msg, CODE_INVALID)


def not_found(what: str) -> ApiError:
    return error(400, f"{what} not found", CODE_NOT_FOUND)


def authenticate(request: Request, store: Store) -> None:
    if bearer_token(request) != store.options.a2e_token:
        raise error(401, "Unauthorized: invalid or missing token")


a2e = Provider("a2e", authenticate=authenticate, error=error)
route = a2e.route


def ok(data: Any, *, trace: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"code": 0, "data": data}
    if trace:
        body["trace_id"] = str(uuid.uuid4())
    return body


def _str(body: dict, key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise invalid(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise invalid(f"{key} must be a string")
    return value


def _newest_first(records) -> list[dict]:
    return list(reversed(list(records)))


# Voices -------------------------------------------------------------------------


@route("GET", "/api/v1/userVoice/completedRecord")
async def completed_voices(request: Request, store: Store):
    voices = store.a2e.voices.values()
    return ok([v for v in _newest_first(voices) if v["current_status"] == "completed"])


@route("GET", "/api/v1/userVoice/processingRecord")
async def processing_voices(request: Request, store: Store):
    running = ("sent", "processing")
    voices = store.a2e.voices.values()
    return ok([v for v in _newest_first(voices) if v["current_status"] in running])


@route("POST", "/api/v1/userVoice/training")
async def train_voice(request: Request, store: Store):
    body = await json_body(request, invalid)
    name = _str(body, "name")
    urls = body.get("voice_urls")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise invalid("voice_urls must be a non-empty list of URLs")
    gender = body.get("gender")
    if gender not in ("female", "male"):
        raise invalid("gender must be 'female' or 'male'")
    language = _str(body, "language")
    model = body.get("model")
    if model is not None and model not in TRAIN_MODELS:
        raise invalid(f"model must be one of {sorted(TRAIN_MODELS)}")
    if not isinstance(body.get("denoise", False), bool):
        raise invalid("denoise must be a boolean")
    stamp = iso_now()
    record = {
        "_id": mongo_id(),
        "name": name,
        "voice_urls": urls,
        "train_mode": "best",
        "gender": gender,
        "lang": language,
        "current_status": "sent",
        "createdAt": stamp,
        "updatedAt": stamp,
    }
    store.a2e.voices[record["_id"]] = record

    def on_change(job: Job, stage: str) -> None:
        record["current_status"] = stage
        record["updatedAt"] = iso_now()
        if stage == "failed":
            # Same spelling as the dubbing record's failure field in seed 001.
            record["faild_message"] = job.fail_message

    job = store.add_job(
        Job(
            provider="a2e",
            kind="voice",
            record_id=record["_id"],
            record=record,
            stages=((0.0, "sent"), (0.1, "processing")),
            ok="completed",
            failed="failed",
            duration=CLONE_SECONDS,
            on_change=on_change,
        ),
        started=False,
    )
    failure = store.failure("Voice training failed (sandbox fail rate)")
    spawn(store, _fetch_samples(store, job.key, urls, failure))
    return ok({"_id": record["_id"], "current_status": record["current_status"]})


async def _fetch_samples(store: Store, key: str, urls: list[str], failure: str | None) -> None:
    for url in urls:
        try:
            await media.download_media(url, timeout=store.config.download_timeout)
        except media.DownloadError as exc:
            store.fail_job_now(key, str(exc))
            return
    store.start_job(key, fail_message=failure)


@route("GET", "/api/v1/userVoice/{_id}")
async def voice_detail(request: Request, store: Store):
    voice = store.a2e.voices.get(request.path_params["_id"])
    if voice is None:
        raise not_found("voice")
    return ok(voice)


@route("DELETE", "/api/v1/userVoice/{_id}")
async def delete_voice(request: Request, store: Store):
    _id = request.path_params["_id"]
    if store.a2e.voices.pop(_id, None) is None:
        raise not_found("voice")
    store.cancel_job("a2e", _id)
    return ok(None)


# Public TTS voices and TTS --------------------------------------------------------


async def _params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query_params)
    return await json_body(request, invalid)


async def _voice_list(request: Request, store: Store):
    params = await _params(request)
    country, region = params.get("country"), params.get("region")
    map_type = params.get("voice_map_type")
    groups: dict[str, dict] = {}
    labels = {v["value"]: v["label"] for v in store.a2e.languages}
    for voice in store.a2e.tts_voices.values():
        if country and voice["country"] != country:
            continue
        if region and voice["region"] != region:
            continue
        if map_type and map_type not in (voice["lang"], voice["country"]):
            continue
        group = groups.get(voice["lang"])
        if group is None:
            label = f"{labels.get(voice['country'], voice['country'])} ({voice['region']})"
            group = groups[voice["lang"]] = {"label": label, "value": voice["lang"], "children": []}
        group["children"].append({"label": voice["label"], "value": voice["value"]})
    return ok(list(groups.values()))


route("GET", "/api/v1/anchor/voice_list")(_voice_list)
route("POST", "/api/v1/anchor/voice_list")(_voice_list)


@route("POST", "/api/v1/video/send_tts")
async def send_tts(request: Request, store: Store):
    body = await json_body(request, invalid)
    msg = _str(body, "msg")
    if len(msg) > TTS_MAX_CHARS:
        raise invalid(f"msg must be at most {TTS_MAX_CHARS} characters")
    rate = body.get("speechRate", 1)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.5 <= rate <= 2.0:
        raise invalid("speechRate must be a number from 0.5 to 2.0")
    tts_id, user_voice_id = body.get("tts_id"), body.get("user_voice_id")
    if tts_id:
        voice = store.a2e.tts_voices.get(tts_id)
        if voice is None:
            raise not_found("tts_id")
        lang, gender = voice["lang"], voice["gender"]
    elif user_voice_id:
        if not body.get("country") or not body.get("region"):
            raise invalid("country and region are required with user_voice_id")
        voice = store.a2e.voices.get(user_voice_id)
        if voice is None:
            raise not_found("user_voice_id")
        if voice["current_status"] != "completed":
            raise invalid("voice clone is not completed")
        lang, gender = voice.get("lang") or body["country"], voice.get("gender")
    else:
        raise invalid("either tts_id or user_voice_id is required")
    try:
        wav = await run_in_threadpool(
            media.speech_wav,
            msg,
            engine=store.config.tts_engine,
            lang=lang,
            gender=gender,
            rate=rate,
        )
    except RuntimeError as exc:
        raise error(500, f"TTS engine failed: {exc}") from exc
    path = store.put_file(f"a2e/tts/{mongo_id()}.wav", "audio/wav", wav)
    return ok(absolute_url(request, path))


# Dubbing ------------------------------------------------------------------------


@route("POST", "/api/v1/userDubbing/startDubbing")
async def start_dubbing(request: Request, store: Store):
    body = await json_body(request, invalid)
    name = _str(body, "name")
    source_url = _str(body, "source_url")
    target_lang = _str(body, "target_lang")
    source_lang = _str(body, "source_lang", required=False) or "auto"
    speakers = body.get("num_speakers", 1)
    if isinstance(speakers, bool) or not isinstance(speakers, int) or speakers < 1:
        raise invalid("num_speakers must be a positive integer")
    drop = body.get("drop_background_audio", False)
    if not isinstance(drop, bool):
        raise invalid("drop_background_audio must be a boolean")
    record = a2e_dubbing(
        name,
        source_url,
        target_lang,
        iso_now(),
        source_lang=source_lang,
        num_speakers=speakers,
        drop_background_audio=drop,
    )
    _id, task_id = record["_id"], record["task_id"]
    store.a2e.dubbings[_id] = record
    file_name = f"a2e/dubbing/{task_id}.wav"
    result_url = absolute_url(request, "/files/" + file_name)

    def on_change(job: Job, stage: str) -> None:
        record["current_status"] = stage
        record["updatedAt"] = iso_now()
        if stage == "completed":
            seconds = max(1, record["duration"])
            store.put_file(file_name, "audio/wav", produce=lambda: media.tone_wav(seconds))
            record["result_url"] = result_url
        elif stage == "failed":
            record["faild_message"] = job.fail_message

    job = store.add_job(
        Job(
            provider="a2e",
            kind="dubbing",
            record_id=_id,
            record=record,
            stages=((0.0, "initialized"), (0.1, "processing")),
            ok="completed",
            failed="failed",
            duration=DUBBING_FALLBACK_SECONDS,
            on_change=on_change,
        ),
        started=False,
    )
    failure = store.failure("Dubbing failed (sandbox fail rate)")
    spawn(store, _fetch_source(store, job.key, record, failure))
    return ok(record)


async def _fetch_source(store: Store, key: str, record: dict, failure: str | None) -> None:
    try:
        data, _kind = await media.download_media(
            record["source_url"], timeout=store.config.download_timeout
        )
    except media.DownloadError as exc:
        store.fail_job_now(key, str(exc))
        return
    seconds = await run_in_threadpool(media.media_duration, data)
    seconds = seconds or DUBBING_FALLBACK_SECONDS
    record["duration"] = max(1, round(seconds))
    store.start_job(key, fail_message=failure, duration=seconds)


@route("GET", "/api/v1/userDubbing/allRecords")
async def all_dubbings(request: Request, store: Store):
    page = _positive_int(request, "pageNum", 1)
    size = _positive_int(request, "pageSize", 10)
    rows = _newest_first(store.a2e.dubbings.values())
    start = (page - 1) * size
    return ok({"rows": rows[start : start + size], "count": len(rows)})


def _positive_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise invalid(f"{name} must be a positive integer") from exc
    if value < 1:
        raise invalid(f"{name} must be a positive integer")
    return value


@route("GET", "/api/v1/userDubbing/processingRecord")
async def processing_dubbings(request: Request, store: Store):
    running = ("initialized", "processing")
    rows = _newest_first(store.a2e.dubbings.values())
    return ok([d for d in rows if d["current_status"] in running])


@route("GET", "/api/v1/userDubbing/{_id}")
async def dubbing_detail(request: Request, store: Store):
    record = store.a2e.dubbings.get(request.path_params["_id"])
    if record is None:
        raise not_found("dubbing record")
    return ok(record)


@route("DELETE", "/api/v1/userDubbing/{_id}")
async def delete_dubbing(request: Request, store: Store):
    _id = request.path_params["_id"]
    if store.a2e.dubbings.pop(_id, None) is None:
        raise not_found("dubbing record")
    store.cancel_job("a2e", _id)
    return ok(None)


# Streaming avatar -----------------------------------------------------------------


@route("GET", "/api/v1/streaming-avatar/all_avatars")
async def all_avatars(request: Request, store: Store):
    return ok(store.a2e.avatars)


@route("POST", "/api/v1/streaming-avatar/agora-token")
async def open_room(request: Request, store: Store):
    body = await json_body(request, invalid)
    avatar_id = _str(body, "avatar_id")
    if not any(a["_id"] == avatar_id for a in store.a2e.avatars):
        raise not_found("avatar")
    expire = body.get("expire_seconds", 600)
    if isinstance(expire, bool) or not isinstance(expire, int) or not 1 <= expire <= 86_400:
        raise invalid("expire_seconds must be an integer from 1 to 86400")
    cost = math.ceil(expire / 60) * COINS_PER_ROOM_MINUTE
    if store.a2e.coins < cost:
        raise invalid("Insufficient coins")
    store.a2e.coins -= cost
    channel = secrets.token_hex(3)[:5]
    while channel in store.a2e.rooms:
        channel = secrets.token_hex(3)[:5]
    opened = time.time()
    expires = int(opened) + expire
    store.a2e.rooms[channel] = {
        "avatar_id": avatar_id,
        "opened": opened,
        "expires": expires,
        "cost": cost,
        "qa_context": "",
        "said": [],
    }
    return ok(
        {
            "token": secrets.token_urlsafe(48),
            "appId": SANDBOX_APP_ID,
            "channel": channel,
            "uid": secrets.randbelow(2**31),
            "expire_epoch_timestamp": expires,
            "expire_date_UTC": iso(datetime.fromtimestamp(expires, UTC)),
        }
    )


def _room(store: Store, body: dict) -> dict:
    channel = _str(body, "channel")
    room = store.a2e.rooms.get(channel)
    if room is None or room["expires"] < time.time():
        raise invalid(f"channel {channel} is not open")
    return room


@route("POST", "/api/v1/streaming-avatar/set-qa-context")
async def set_qa_context(request: Request, store: Store):
    body = await json_body(request, invalid)
    room = _room(store, body)
    text = _str(body, "text")
    if len(text) > QA_CONTEXT_MAX_CHARS:
        raise invalid(f"text must be at most {QA_CONTEXT_MAX_CHARS} characters")
    room["qa_context"] = text
    return ok({})


@route("GET", "/api/v1/streaming-avatar/get-qa-context")
async def get_qa_context(request: Request, store: Store):
    room = _room(store, dict(request.query_params))
    return ok(room["qa_context"])


async def _say(request: Request, store: Store, how: str):
    body = await json_body(request, invalid)
    room = _room(store, body)
    text = _str(body, "text")
    # What the avatar says: `speak` verbatim, `ask` an answer from the room's knowledge.
    spoken = text if how == "speak" else answer(room["qa_context"], text)
    n = len(room["said"]) + 1
    engine = store.config.tts_engine
    audio = store.put_file(
        f"a2e/agora/{body['channel']}-{n}-{mongo_id()}.wav",
        "audio/wav",
        # Spoken when first fetched, so speak and ask answer as fast as before.
        produce=lambda: media.speech_wav(spoken, engine=engine),
    )
    said = {"n": n, "how": how, "text": spoken, "at": iso_now(), "audio": audio}
    if how == "ask":
        said["question"] = text
    room["said"].append(said)
    return ok({}, trace=True)


# Words too common to tie a question to a sentence of the context.
_COMMON_WORDS = frozenset(
    (  # noqa: SIM905 -- a word list reads best as words
        "a an and are as at be by can do does did for from had has have how i in is it me my "
        "no not of on or our so than that the their them then there they this to was we were "
        "what when where which who whom why will with would you your"
    ).split()
)
DONT_KNOW = "I'm sorry, I don't know that."


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in _COMMON_WORDS}


def _related(a: str, b: str) -> bool:
    """The same word, or one the start of the other ("open", "opening") when not too short."""
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 4 and long.startswith(short))


def answer(context: str, question: str) -> str:
    """The sandbox's answer to `ask`: the context's first sentence sharing a word with the
    question (common words aside), else a polite "I don't know"."""
    asked = _words(question)
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", context.strip()):
        sentence = sentence.strip()
        if sentence and any(_related(a, w) for a in asked for w in _words(sentence)):
            return sentence
    return DONT_KNOW


@route("POST", "/api/v1/streaming-avatar/ask")
async def ask(request: Request, store: Store):
    return await _say(request, store, "ask")


@route("POST", "/api/v1/streaming-avatar/speak")
async def speak(request: Request, store: Store):
    return await _say(request, store, "speak")


@route("POST", "/api/v1/streaming-avatar/leave")
async def leave(request: Request, store: Store):
    body = await json_body(request, invalid)
    room = _room(store, body)
    used_minutes = math.ceil(max(1.0, time.time() - room["opened"]) / 60)
    store.a2e.coins += max(0, room["cost"] - used_minutes * COINS_PER_ROOM_MINUTE)
    del store.a2e.rooms[body["channel"]]
    return ok({})


# Agora stand-in -------------------------------------------------------------------
# A real room's avatar talks in an Agora channel; the sandbox has none. The page knows
# it from SANDBOX_APP_ID and reads what the avatar said here instead. This is the
# sandbox's own route (a side route: not in ROUTES, held to no A2E contract, no token,
# logged as provider "agora"), public and read-only, so any origin may fetch it.


@a2e.side_route("GET", "/_agora/{channel}/said")
async def stand_in_said(request: Request) -> JSONResponse:
    """`{"said": [{n, how, text, at, audio_url}]}`: what the room said after `?after=N`
    (`ask` items also carry the `question`); 404 once the room is left or expired."""
    store: Store = request.app.state.store
    channel = request.path_params["channel"]
    headers = {**CORS_ANYONE, "Cache-Control": "no-store"}
    room = store.a2e.rooms.get(channel)
    if room is None or room["expires"] < time.time():
        return JSONResponse({"detail": f"channel {channel} is not open"}, 404, headers=headers)
    after = request.query_params.get("after", "0")
    if not after.isdigit():
        return JSONResponse({"detail": "after must be a whole number"}, 400, headers=headers)
    said = [
        {
            **{k: v for k, v in item.items() if k != "audio"},
            "audio_url": absolute_url(request, item["audio"]),
        }
        for item in room["said"]
        if item["n"] > int(after)
    ]
    return JSONResponse({"said": said}, headers=headers)


# Account ------------------------------------------------------------------------


@route("GET", "/api/v1/user/remainingCoins")
async def remaining_coins(request: Request, store: Store):
    return ok({"coins": store.a2e.coins, "diamonds": store.a2e.diamonds})


# The labels in one other language than English, so that asking in a person's language
# (`?lang=`) can be seen to work; any other language is answered in English.
GERMAN_LABELS = {
    "en": "Englisch",
    "es": "Spanisch",
    "fr": "Französisch",
    "de": "Deutsch",
    "it": "Italienisch",
    "pt": "Portugiesisch",
    "ja": "Japanisch",
    "zh": "Chinesisch",
}


async def _languages(request: Request, store: Store):
    if request.query_params.get("lang") == "de":
        return ok(
            [
                {**item, "label": GERMAN_LABELS.get(item["value"], item["label"])}
                for item in store.a2e.languages
            ]
        )
    return ok(store.a2e.languages)


route("GET", "/api/v1/anchor/language_list")(_languages)
route("POST", "/api/v1/anchor/language_list")(_languages)


@route("POST", "/api/v1/tos/transferToStorage")
async def transfer_to_storage(request: Request, store: Store):
    body = await json_body(request, invalid)
    url = _str(body, "url")
    try:
        data, kind = await media.download_media(url, timeout=store.config.download_timeout)
    except media.DownloadError as exc:
        raise invalid(str(exc)) from exc
    name = f"a2e/storage/{mongo_id()}.{media.EXTENSIONS[kind]}"
    path = store.put_file(name, media.CONTENT_TYPES[kind], data)
    return ok({"url": absolute_url(request, path)})
