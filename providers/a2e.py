"""Client for A2E (video.a2e.ai): voice clones, text-to-speech, dubbing and streaming avatars."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from providers import client
from providers.errors import BadRequest, ProtocolError
from providers.mapping import fastapi_detail
from providers.records import (
    COMPLETED,
    FAILED,
    PROCESSING,
    QUEUED,
    Ack,
    Page,
    as_dict,
    dicts,
    flag,
    integer,
    normalise_state,
    number,
    string,
    string_list,
    timestamp,
    walk,
)

PROVIDER = "A2E"

# Every route this client calls, by method name. Entries marked weak come from one
# secondary source (see docs/upstream/a2e.md): correct them here, nowhere else.
ROUTES: dict[str, tuple[str, str]] = {
    "list_completed_voices": ("GET", "/api/v1/userVoice/completedRecord"),
    "list_processing_voices": ("GET", "/api/v1/userVoice/processingRecord"),  # weak
    "train_voice": ("POST", "/api/v1/userVoice/training"),
    "get_voice": ("GET", "/api/v1/userVoice/{voice_id}"),  # weak
    "delete_voice": ("DELETE", "/api/v1/userVoice/{voice_id}"),  # weak
    # weak: POST in the seed's menu, GET in newer docs; the newer docs win.
    "list_tts_voices": ("GET", "/api/v1/anchor/voice_list"),
    "send_tts": ("POST", "/api/v1/video/send_tts"),
    "start_dubbing": ("POST", "/api/v1/userDubbing/startDubbing"),
    "list_dubbings": ("GET", "/api/v1/userDubbing/allRecords"),
    "list_processing_dubbings": ("GET", "/api/v1/userDubbing/processingRecord"),  # weak
    "get_dubbing": ("GET", "/api/v1/userDubbing/{dubbing_id}"),
    "delete_dubbing": ("DELETE", "/api/v1/userDubbing/{dubbing_id}"),  # weak
    "list_streaming_avatars": ("GET", "/api/v1/streaming-avatar/all_avatars"),
    "open_avatar_room": ("POST", "/api/v1/streaming-avatar/agora-token"),
    "set_qa_context": ("POST", "/api/v1/streaming-avatar/set-qa-context"),
    "get_qa_context": ("GET", "/api/v1/streaming-avatar/get-qa-context"),  # weak: unpublished
    "ask_avatar": ("POST", "/api/v1/streaming-avatar/ask"),
    "speak": ("POST", "/api/v1/streaming-avatar/speak"),
    "leave_avatar_room": ("POST", "/api/v1/streaming-avatar/leave"),
    "remaining_coins": ("GET", "/api/v1/user/remainingCoins"),
    # weak: POST `{}` or GET `?lang=`; GET as for the voice list.
    "list_languages": ("GET", "/api/v1/anchor/language_list"),
    "transfer_to_storage": ("POST", "/api/v1/tos/transferToStorage"),
}
ENDPOINTS = client.endpoints(ROUTES)

VOICE_STATES = {"sent": QUEUED, "processing": PROCESSING, "completed": COMPLETED, "failed": FAILED}
DUBBING_STATES = {
    "initialized": QUEUED,
    "processing": PROCESSING,
    "completed": COMPLETED,
    "failed": FAILED,
}


@dataclass(frozen=True)
class Voice:
    """A user voice clone (finished or still training)."""

    id: str
    name: str | None
    status: str | None
    state: str
    voice_urls: tuple[str, ...]
    train_mode: str | None
    gender: str | None
    language: str | None
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict = field(repr=False)
    # Why training failed, as A2E said it; "" or None while it has not failed.
    failed_message: str | None = None

    @classmethod
    def from_raw(cls, raw: dict) -> Voice:
        status = string(raw, "current_status", "status")
        return cls(
            id=string(raw, "_id", "id") or "",
            name=string(raw, "name"),
            status=status,
            state=normalise_state(PROVIDER, "voice", status, VOICE_STATES),
            voice_urls=string_list(raw, "voice_urls"),
            train_mode=string(raw, "train_mode"),
            gender=string(raw, "gender"),
            language=string(raw, "lang", "language"),
            created_at=timestamp(raw, "createdAt", "created_at"),
            updated_at=timestamp(raw, "updatedAt", "updated_at"),
            raw=raw,
            # Spelt as the dubbing record's (seed 001's example: faild_message).
            failed_message=string(raw, "failed_message", "faild_message"),
        )


@dataclass(frozen=True)
class TTSOption:
    label: str | None
    tts_id: str | None
    raw: dict = field(repr=False)


@dataclass(frozen=True)
class TTSVoiceGroup:
    """A group of public TTS voices; each option's `tts_id` goes to `send_tts`."""

    label: str | None
    value: str | None
    options: tuple[TTSOption, ...]
    raw: dict = field(repr=False)

    @classmethod
    def from_raw(cls, raw: dict) -> TTSVoiceGroup:
        return cls(
            label=string(raw, "label"),
            value=string(raw, "value"),
            options=tuple(
                TTSOption(label=string(c, "label"), tts_id=string(c, "value"), raw=c)
                for c in dicts(raw.get("children"))
            ),
            raw=raw,
        )


@dataclass(frozen=True)
class Dubbing:
    """A dubbing task; `result_url` is on A2E's CDN and should be copied when completed."""

    id: str
    name: str | None
    status: str | None
    state: str
    source_url: str | None
    source_lang: str | None
    target_lang: str | None
    num_speakers: int | None
    drop_background_audio: bool | None
    duration: int | None
    result_url: str | None
    failed_message: str | None
    task_id: str | None
    reference_id: str | None
    deleted: bool | None
    user_id: str | None
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict = field(repr=False)

    @classmethod
    def from_raw(cls, raw: dict) -> Dubbing:
        status = string(raw, "current_status", "status")
        return cls(
            id=string(raw, "_id", "id") or "",
            name=string(raw, "name"),
            status=status,
            state=normalise_state(PROVIDER, "dubbing", status, DUBBING_STATES),
            source_url=string(raw, "source_url"),
            source_lang=string(raw, "source_lang"),
            target_lang=string(raw, "target_lang"),
            num_speakers=integer(raw, "num_speakers"),
            drop_background_audio=flag(raw, "drop_background_audio"),
            duration=integer(raw, "duration"),
            result_url=string(raw, "result_url"),
            # The seed's example spells it faild_message; its schema says failed_message.
            failed_message=string(raw, "failed_message", "faild_message"),
            task_id=string(raw, "task_id"),
            reference_id=string(raw, "reference_id"),
            deleted=flag(raw, "deleted"),
            user_id=string(raw, "user_id"),
            created_at=timestamp(raw, "createdAt", "created_at"),
            updated_at=timestamp(raw, "updatedAt", "updated_at"),
            raw=raw,
        )


@dataclass(frozen=True)
class StreamingAvatar:
    id: str
    name: str | None
    raw: dict = field(repr=False)

    @classmethod
    def from_raw(cls, raw: dict) -> StreamingAvatar:
        return cls(id=string(raw, "_id", "id") or "", name=string(raw, "name"), raw=raw)


@dataclass(frozen=True)
class AvatarRoom:
    """An open streaming-avatar room; coins are charged until it is left or expires."""

    token: str | None
    app_id: str | None
    channel: str | None
    uid: str | None
    expires_at: datetime | None
    raw: dict = field(repr=False)

    @classmethod
    def from_raw(cls, raw: dict) -> AvatarRoom:
        return cls(
            token=string(raw, "token"),
            app_id=string(raw, "appId", "app_id"),
            channel=string(raw, "channel"),
            uid=string(raw, "uid"),
            expires_at=timestamp(raw, "expire_epoch_timestamp", "expire_date_UTC"),
            raw=raw,
        )


# The appId the sandbox answers from `agora-token`: its marker. No Agora project has an
# appId like it, so a room with it has no Agora channel behind it; the room page shows
# the sandbox's stand-in instead, which reads what the room said from `stand_in_url`.
# The sandbox (sandbox/a2e.py) spells it the same way; a test holds the two together.
SANDBOX_APP_ID = "a2e0sandbox000000000000000000000"
# Below the A2E base URL; the sandbox serves it outside A2E's own API (`/api/...`).
STAND_IN_PATH = "/_agora/{channel}/said"


def stand_in_url(base_url: str, app_id: str, channel: str) -> str | None:
    """The absolute URL of the sandbox's stand-in for a room's channel, or None.

    None for any appId but the sandbox's: that room is a real Agora channel. `base_url`
    is the account's A2E base URL (the sandbox's `/a2e` prefix included).
    """
    if app_id != SANDBOX_APP_ID or not channel:
        return None
    return base_url.rstrip("/") + STAND_IN_PATH.format(channel=quote(channel, safe=""))


@dataclass(frozen=True)
class Coins:
    coins: float | None
    diamonds: float | None
    raw: dict = field(repr=False)


@dataclass(frozen=True)
class Language:
    value: str | None
    label: str | None
    raw: dict = field(repr=False)


def a2e_error_detail(body: Any) -> tuple[str | None, dict[str, list[str]]]:
    """A2E failures carry `{"code": non-zero, "msg": "..."}`, whatever the HTTP status."""
    if isinstance(body, dict) and isinstance(body.get("msg"), str) and body["msg"]:
        return body["msg"], {}
    return fastapi_detail(body)


def a2e_error_code(body: Any) -> int | str | None:
    """The non-zero `code` of an A2E failure, which arrives with HTTP 200 or 400 alike."""
    if isinstance(body, dict) and body.get("code") not in (None, 0, "0", ""):
        return body["code"]
    return None


class A2EClient(client.Client):
    """One A2E account, authenticated by its bearer token."""

    provider = PROVIDER
    routes = ROUTES
    error_detail = staticmethod(a2e_error_detail)
    error_code = staticmethod(a2e_error_code)

    def _call(self, name: str, path_params: dict[str, str] | None = None, **kwargs: Any) -> dict:
        """The whole envelope of a successful call; a non-zero `code` raises."""
        envelope = self._json(name, path_params, **kwargs)
        if not isinstance(envelope, dict) or "code" not in envelope:
            raise self._http.fail(ProtocolError, 200, f"{name}: no `code` in the answer")
        code = envelope["code"]
        if code not in (0, "0"):
            detail, _ = a2e_error_detail(envelope)
            raise self._http.fail(BadRequest, 200, detail or f"error code {code}", code=code)
        return envelope

    def _data(self, name: str, path_params: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self._call(name, path_params, **kwargs).get("data")

    def _record(self, name: str, path_params: dict[str, str] | None = None, **kwargs: Any) -> dict:
        data = self._data(name, path_params, **kwargs)
        if not isinstance(data, dict):
            raise self._http.fail(ProtocolError, 200, f"{name}: `data` is not an object")
        return data

    def _rows(self, name: str, **kwargs: Any) -> list[dict]:
        data = self._data(name, **kwargs)
        # Lists come bare or, where paged, as {rows, count}.
        return dicts(data.get("rows") if isinstance(data, dict) else data)

    def _ack(self, name: str, path_params: dict[str, str] | None = None, **kwargs: Any) -> Ack:
        envelope = self._call(name, path_params, **kwargs)
        return Ack(trace_id=string(envelope, "trace_id"), raw=envelope)

    # Account

    def remaining_coins(self) -> Coins:
        """The account's coins and diamonds; cheap enough for a "Test connection" button."""
        data = as_dict(self._data("remaining_coins"))
        return Coins(coins=number(data, "coins"), diamonds=number(data, "diamonds"), raw=data)

    check = credits = remaining_coins

    def list_languages(self, lang: str = "en") -> list[Language]:
        return [
            Language(value=string(r, "value"), label=string(r, "label"), raw=r)
            for r in self._rows("list_languages", params={"lang": lang})
        ]

    def transfer_to_storage(self, url: str) -> str:
        """Copy a public URL into A2E's own storage and return the new URL."""
        data = self._data("transfer_to_storage", json={"url": url})
        stored = data if isinstance(data, str) else string(as_dict(data), "url")
        if not stored:
            raise self._http.fail(ProtocolError, 200, "transfer_to_storage: no url in `data`")
        return stored

    # Voices and text-to-speech

    def list_completed_voices(self) -> list[Voice]:
        return [Voice.from_raw(r) for r in self._rows("list_completed_voices")]

    def list_processing_voices(self) -> list[Voice]:
        return [Voice.from_raw(r) for r in self._rows("list_processing_voices")]

    def train_voice(
        self,
        name: str,
        voice_urls: list[str],
        gender: str,
        language: str,
        *,
        model: str | None = None,
        denoise: bool | None = None,
    ) -> Voice:
        """Start training a clone from public sample URLs; poll `get_voice` for the result."""
        body: dict[str, Any] = {
            "name": name,
            "voice_urls": list(voice_urls),
            "gender": gender,
            "language": language,
        }
        if model is not None:
            body["model"] = model
        if denoise is not None:
            body["denoise"] = denoise
        return Voice.from_raw(self._record("train_voice", json=body))

    def get_voice(self, voice_id: str) -> Voice:
        return Voice.from_raw(self._record("get_voice", {"voice_id": voice_id}))

    def delete_voice(self, voice_id: str) -> Ack:
        return self._ack("delete_voice", {"voice_id": voice_id})

    def list_tts_voices(
        self,
        *,
        country: str | None = None,
        region: str | None = None,
        voice_map_type: str | None = None,
    ) -> list[TTSVoiceGroup]:
        params = {"country": country, "region": region, "voice_map_type": voice_map_type}
        return [TTSVoiceGroup.from_raw(r) for r in self._rows("list_tts_voices", params=params)]

    def send_tts(
        self,
        text: str,
        *,
        tts_id: str | None = None,
        user_voice_id: str | None = None,
        country: str | None = None,
        region: str | None = None,
        speech_rate: float | None = None,
    ) -> str:
        """Speak `text` with a public voice (`tts_id`) or a clone; returns the audio URL."""
        if (tts_id is None) == (user_voice_id is None):
            raise ValueError("pass exactly one of tts_id and user_voice_id")
        body: dict[str, Any] = {"msg": text}
        if tts_id is not None:
            body["tts_id"] = tts_id
        else:
            if not (country and region):
                raise ValueError("a user_voice_id needs country and region")
            body.update(user_voice_id=user_voice_id, country=country, region=region)
        if speech_rate is not None:
            body["speechRate"] = speech_rate
        data = self._data("send_tts", json=body)
        url = data if isinstance(data, str) else string(as_dict(data), "url", "audio_url")
        if not url:
            raise self._http.fail(ProtocolError, 200, "send_tts: no audio URL in `data`")
        return url

    # Dubbing

    def start_dubbing(
        self,
        name: str,
        source_url: str,
        target_lang: str,
        *,
        source_lang: str = "auto",
        num_speakers: int = 1,
        drop_background_audio: bool = False,
    ) -> Dubbing:
        body = {
            "name": name,
            "source_url": source_url,
            "source_lang": source_lang,
            "target_lang": target_lang,
            "num_speakers": num_speakers,
            "drop_background_audio": drop_background_audio,
        }
        return Dubbing.from_raw(self._record("start_dubbing", json=body))

    def list_dubbings(self, page: int = 1, page_size: int = 50) -> Page[Dubbing]:
        """One page (numbered from 1) of all dubbing tasks, newest first as A2E sends them."""
        data = self._data("list_dubbings", params={"pageNum": page, "pageSize": page_size})
        data = {"rows": data} if isinstance(data, list) else as_dict(data)
        return Page(
            items=tuple(Dubbing.from_raw(r) for r in dicts(data.get("rows"))),
            total=integer(data, "count", "total"),
            raw=data,
        )

    def iter_dubbings(self, page_size: int = 50) -> Iterator[Dubbing]:
        return walk(
            lambda page: self.list_dubbings(page, page_size),
            provider=self._http.provider,
            page_size=page_size,
            first=1,
            by_page=True,
        )

    def list_processing_dubbings(self) -> list[Dubbing]:
        return [Dubbing.from_raw(r) for r in self._rows("list_processing_dubbings")]

    def get_dubbing(self, dubbing_id: str) -> Dubbing:
        return Dubbing.from_raw(self._record("get_dubbing", {"dubbing_id": dubbing_id}))

    def delete_dubbing(self, dubbing_id: str) -> Ack:
        return self._ack("delete_dubbing", {"dubbing_id": dubbing_id})

    # Streaming avatar

    def list_streaming_avatars(self) -> list[StreamingAvatar]:
        return [StreamingAvatar.from_raw(r) for r in self._rows("list_streaming_avatars")]

    def open_avatar_room(self, avatar_id: str, expire_seconds: int) -> AvatarRoom:
        """Open a room; coins for all of `expire_seconds` are charged now, so always leave it."""
        body = {"avatar_id": avatar_id, "expire_seconds": expire_seconds}
        return AvatarRoom.from_raw(self._record("open_avatar_room", json=body))

    def set_qa_context(self, channel: str, text: str) -> Ack:
        return self._ack("set_qa_context", json={"channel": channel, "text": text})

    def get_qa_context(self, channel: str) -> str | None:
        data = self._data("get_qa_context", params={"channel": channel})
        return data if isinstance(data, str) else string(as_dict(data), "text", "context")

    def ask_avatar(self, channel: str, text: str) -> Ack:
        """Ask a question; the avatar speaks the answer in the room."""
        return self._ack("ask_avatar", json={"channel": channel, "text": text})

    def speak(self, channel: str, text: str) -> Ack:
        return self._ack("speak", json={"channel": channel, "text": text})

    def leave_avatar_room(self, channel: str) -> Ack:
        return self._ack("leave_avatar_room", json={"channel": channel})
