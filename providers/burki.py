"""Client for Burki (api.burki.dev): assistants, their voice samples and cloned voices."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import IO, Any

from providers import client
from providers.downloads import file_part, opened
from providers.errors import BadRequest, NotFound, ProtocolError, UpstreamError
from providers.mapping import fastapi_detail
from providers.records import (
    COMPLETED,
    FAILED,
    PROCESSING,
    QUEUED,
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

PROVIDER = "Burki"

# Every route this client calls, by method name. Entries marked weak come from one
# secondary source (see docs/upstream/burki.md): correct them here, nowhere else.
ROUTES: dict[str, tuple[str, str]] = {
    "list_assistants": ("GET", "/api/v1/assistants"),
    "get_assistant": ("GET", "/api/v1/assistants/{assistant_id}"),
    "list_organisation_cloned_voices": ("GET", "/api/v1/assistants/cloned-voices"),
    "list_cloned_voices": ("GET", "/api/v1/assistants/{assistant_id}/cloned-voices"),  # weak
    "create_cloned_voice": ("POST", "/api/v1/assistants/{assistant_id}/cloned-voices"),  # weak
    "upload_voice_sample": ("POST", "/api/v1/assistants/{assistant_id}/voice-samples/upload"),
    "list_voice_samples": ("GET", "/api/v1/assistants/{assistant_id}/voice-samples/list"),
    "list_cloning_providers": (
        "GET",
        "/api/v1/assistants/{assistant_id}/voice-cloning/providers",
    ),
}
ENDPOINTS = client.endpoints(ROUTES)

# An archived voice did finish cloning; `ClonedVoice.archived` tells it apart.
CLONED_VOICE_STATES = {
    "processing": PROCESSING,
    "ready": COMPLETED,
    "failed": FAILED,
    "archived": COMPLETED,
}
SAMPLE_STATES = {"uploaded": QUEUED, "processing": PROCESSING, "ready": COMPLETED, "failed": FAILED}
DEFAULT_PAGE_SIZE = 100

# How a Burki without the organisation's cloned-voice list answers it: 404 or 405 when
# no route fits, 422 when its `/{assistant_id}` route takes the word for an id.
ROUTE_REFUSED = (404, 405, 422)
# A refusal is remembered this long per base URL and key, then the list is tried again,
# so a self-hosted Burki upgraded in place is noticed without restarting anything.
REFUSAL_MEMORY = 3600.0
# Keyed by a digest of (base URL, key), never the key itself; the value is when
# (time.monotonic) the organisation's list was refused. Per process, on purpose: a
# process that has not asked yet pays one refused call, and nothing is stored anywhere.
_organisation_list_refused: dict[str, float] = {}


@dataclass(frozen=True)
class Assistant:
    id: int | None
    name: str | None
    raw: dict = field(repr=False)

    @classmethod
    def from_raw(cls, raw: dict) -> Assistant:
        return cls(id=integer(raw, "id"), name=string(raw, "name"), raw=raw)


@dataclass(frozen=True)
class ClonedVoice:
    """A voice cloned from a sample, hosted at `provider` (elevenlabs, resemble, inworld).
    `assistant_id` is the assistant it belongs to, when the answer or the call said."""

    id: int | None
    name: str | None
    provider: str | None
    provider_voice_id: str | None
    language: str | None
    gender: str | None
    status: str | None
    state: str
    quality_score: float | None
    created_at: datetime | None
    last_used_at: datetime | None
    synthesis_count: int | None
    raw: dict = field(repr=False)
    assistant_id: int | None = None

    @classmethod
    def from_raw(cls, raw: dict) -> ClonedVoice:
        status = string(raw, "status")
        return cls(
            id=integer(raw, "id"),
            name=string(raw, "name"),
            provider=string(raw, "provider"),
            provider_voice_id=string(raw, "provider_voice_id"),
            language=string(raw, "language"),
            gender=string(raw, "gender"),
            status=status,
            state=normalise_state(PROVIDER, "cloned voice", status, CLONED_VOICE_STATES),
            quality_score=number(raw, "quality_score"),
            created_at=timestamp(raw, "created_at"),
            last_used_at=timestamp(raw, "last_used_at"),
            synthesis_count=integer(raw, "synthesis_count"),
            raw=raw,
            assistant_id=integer(raw, "assistant_id"),
        )

    @property
    def archived(self) -> bool:
        return self.status == "archived"

    @property
    def quality_band(self) -> str | None:
        """Burki's bands: excellent >= 0.9, good >= 0.8, fair >= 0.7, else poor (re-train)."""
        score = self.quality_score
        if score is None:
            return None
        if score >= 0.9:
            return "excellent"
        if score >= 0.8:
            return "good"
        if score >= 0.7:
            return "fair"
        return "poor"


@dataclass(frozen=True)
class ClonedVoices:
    """Every cloned voice the account reaches, and how they were found: the organisation's
    list, or (from a Burki that refuses it) the lists of the assistants asked for, with
    the ones Burki no longer has in `missing_assistants`."""

    voices: tuple[ClonedVoice, ...]
    organisation_wide: bool
    missing_assistants: tuple[int, ...] = ()


@dataclass(frozen=True)
class VoiceSample:
    id: int | None
    name: str | None
    filename: str | None
    content_type: str | None
    file_size: int | None
    duration_seconds: float | None
    status: str | None
    state: str
    error_message: str | None
    tags: tuple[str, ...]
    created_at: datetime | None
    raw: dict = field(repr=False)

    @classmethod
    def from_raw(cls, raw: dict) -> VoiceSample:
        status = string(raw, "status")
        return cls(
            id=integer(raw, "id"),
            name=string(raw, "name"),
            filename=string(raw, "original_filename", "filename"),
            content_type=string(raw, "content_type"),
            file_size=integer(raw, "file_size"),
            duration_seconds=number(raw, "duration_seconds"),
            status=status,
            state=normalise_state(PROVIDER, "voice sample", status, SAMPLE_STATES),
            error_message=string(raw, "error_message"),
            tags=string_list(raw, "tags"),
            created_at=timestamp(raw, "created_at"),
            raw=raw,
        )


@dataclass(frozen=True)
class CloningProvider:
    """A TTS provider that can clone voices, with its sample requirements."""

    provider: str | None
    name: str | None
    formats: tuple[str, ...]
    min_duration: float | None
    max_duration: float | None
    max_size: int | None
    raw: dict = field(repr=False)

    @classmethod
    def from_raw(cls, raw: dict) -> CloningProvider:
        requirements = as_dict(raw.get("requirements"))
        return cls(
            provider=string(raw, "provider"),
            name=string(raw, "name"),
            formats=string_list(requirements, "formats"),
            min_duration=number(requirements, "min_duration"),
            max_duration=number(requirements, "max_duration"),
            max_size=integer(requirements, "max_size"),
            raw=raw,
        )


class BurkiClient(client.Client):
    """One Burki account, authenticated by its bearer API key."""

    provider = PROVIDER
    routes = ROUTES

    def __init__(
        self, base_url: str, api_key: str, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        super().__init__(base_url, api_key, sleep=sleep)
        digest = hashlib.sha256(f"{self._http.base_url}\n{api_key}".encode())
        self._account_key = digest.hexdigest()

    def _json(self, name: str, assistant_id: int | str | None = None, **kwargs: Any) -> Any:
        path_params = {"assistant_id": assistant_id} if assistant_id is not None else None
        return super()._json(name, path_params, **kwargs)

    def _unwrap(self, name: str, body: Any, key: str) -> Any:
        """`body[key]` of a `{"success": true, key: ...}` answer; a bare value passes through."""
        if not isinstance(body, dict):
            return body
        if flag(body, "success") is False:
            detail, fields = fastapi_detail(body)
            raise self._http.fail(BadRequest, 200, detail, field_errors=fields)
        if key not in body:
            raise self._http.fail(ProtocolError, 200, f"{name}: no `{key}` in the answer")
        return body[key]

    def _one(self, name: str, body: Any, key: str) -> dict:
        value = self._unwrap(name, body, key)
        if not isinstance(value, dict):
            raise self._http.fail(ProtocolError, 200, f"{name}: `{key}` is not an object")
        return value

    # Assistants

    def list_assistants(self, skip: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> Page[Assistant]:
        """One page of assistants; with limit=1 it is the "Test connection" call."""
        body = self._json("list_assistants", params={"skip": skip, "limit": limit})
        # Lists come bare or as {items, total, skip, limit}.
        if isinstance(body, list):
            rows, total, raw = dicts(body), None, {"items": body}
        elif isinstance(body, dict):
            rows, total, raw = dicts(body.get("items")), integer(body, "total"), body
        else:
            raise self._http.fail(ProtocolError, 200, "list_assistants: expected a list")
        return Page(items=tuple(Assistant.from_raw(r) for r in rows), total=total, raw=raw)

    def check(self) -> Page[Assistant]:
        return self.list_assistants(limit=1)

    def credits(self) -> None:
        """Burki shows no balance to spend: there is nothing to read."""
        return None

    def iter_assistants(self, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[Assistant]:
        return walk(
            lambda skip: self.list_assistants(skip, page_size),
            provider=self._http.provider,
            page_size=page_size,
        )

    def get_assistant(self, assistant_id: int) -> Assistant:
        """One assistant; Burki answers it bare (its SDK reads it so), a wrapper is accepted."""
        body = self._json("get_assistant", assistant_id)
        if isinstance(body, dict) and "id" not in body and "assistant" in body:
            body = self._one("get_assistant", body, "assistant")
        if not isinstance(body, dict):
            raise self._http.fail(ProtocolError, 200, "get_assistant: expected an object")
        return Assistant.from_raw(body)

    # Cloned voices

    def list_organisation_cloned_voices(
        self, *, status: str | None = None, provider: str | None = None
    ) -> list[ClonedVoice]:
        """Every cloned voice of the key's organisation, across assistants (not paged)."""
        params = {"status": status, "provider": provider}
        body = self._json("list_organisation_cloned_voices", params=params)
        rows = dicts(self._unwrap("list_organisation_cloned_voices", body, "cloned_voices"))
        return [ClonedVoice.from_raw(r) for r in rows]

    def all_cloned_voices(
        self,
        assistant_ids: Iterable[int],
        *,
        status: str | None = None,
        provider: str | None = None,
    ) -> ClonedVoices:
        """The organisation's list when Burki has it; else the lists of `assistant_ids`.

        Which one works is remembered for this base URL and key (REFUSAL_MEMORY), so a
        Burki without the organisation's list costs one refused call, not one per sync.
        """
        refused_at = _organisation_list_refused.get(self._account_key)
        if refused_at is None or time.monotonic() - refused_at > REFUSAL_MEMORY:
            try:
                voices = self.list_organisation_cloned_voices(status=status, provider=provider)
            except UpstreamError as exc:
                if not _route_refused(exc):
                    raise
                _organisation_list_refused[self._account_key] = time.monotonic()
            else:
                _organisation_list_refused.pop(self._account_key, None)
                return ClonedVoices(voices=tuple(voices), organisation_wide=True)
        found: list[ClonedVoice] = []
        missing: list[int] = []
        for assistant_id in dict.fromkeys(assistant_ids):
            try:
                listed = self.list_cloned_voices(assistant_id, status=status, provider=provider)
            except NotFound:
                missing.append(assistant_id)  # deleted at Burki, and its voices with it
                continue
            found.extend(replace(v, assistant_id=assistant_id) for v in listed)
        return ClonedVoices(
            voices=tuple(found), organisation_wide=False, missing_assistants=tuple(missing)
        )

    def list_cloned_voices(
        self, assistant_id: int, *, status: str | None = None, provider: str | None = None
    ) -> list[ClonedVoice]:
        """All cloned voices of an assistant (not paged), optionally filtered."""
        params = {"status": status, "provider": provider}
        body = self._json("list_cloned_voices", assistant_id, params=params)
        rows = dicts(self._unwrap("list_cloned_voices", body, "cloned_voices"))
        return [ClonedVoice.from_raw(r) for r in rows]

    def create_cloned_voice(
        self,
        assistant_id: int,
        voice_sample_id: int,
        provider: str,
        name: str,
        *,
        description: str | None = None,
        language: str | None = None,
        enhance_quality: bool | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> ClonedVoice:
        """Start cloning a sample at `provider`; the voice starts as processing."""
        body: dict[str, Any] = {
            "voice_sample_id": voice_sample_id,
            "provider": provider,
            "name": name,
            "description": description,
            "language": language,
            "enhance_quality": enhance_quality,
            "tags": tags,
            "metadata": metadata,
        }
        body = {k: v for k, v in body.items() if v is not None}
        answer = self._json("create_cloned_voice", assistant_id, json=body)
        return ClonedVoice.from_raw(self._one("create_cloned_voice", answer, "cloned_voice"))

    # Voice samples

    def upload_voice_sample(
        self,
        assistant_id: int,
        file: str | os.PathLike[str] | IO[bytes],
        *,
        name: str | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
        filename: str | None = None,
    ) -> VoiceSample:
        """Upload an audio sample (mp3, wav, flac, m4a, ogg; at most 50 MB), streamed from disk."""
        fields = {
            "name": name,
            "description": description,
            "tags": ",".join(tags) if tags else None,
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        with opened(file) as handle:
            answer = self._json(
                "upload_voice_sample",
                assistant_id,
                data=fields,
                files={"file": file_part(handle, filename)},
            )
        return VoiceSample.from_raw(self._one("upload_voice_sample", answer, "voice_sample"))

    def list_voice_samples(
        self, assistant_id: int, *, status: str | None = None
    ) -> list[VoiceSample]:
        body = self._json("list_voice_samples", assistant_id, params={"status": status})
        rows = dicts(self._unwrap("list_voice_samples", body, "voice_samples"))
        return [VoiceSample.from_raw(r) for r in rows]

    def list_cloning_providers(self, assistant_id: int) -> list[CloningProvider]:
        body = self._json("list_cloning_providers", assistant_id)
        rows = dicts(self._unwrap("list_cloning_providers", body, "providers"))
        return [CloningProvider.from_raw(r) for r in rows]


def forget_route_refusals() -> None:
    """Forget which Burkis refused the organisation's list (for tests, and a shell after
    upgrading a self-hosted Burki)."""
    _organisation_list_refused.clear()


def _route_refused(exc: UpstreamError) -> bool:
    """Did Burki refuse the path itself, rather than our filters (a 422 naming them)?"""
    if not isinstance(exc, NotFound | BadRequest) or exc.status_code not in ROUTE_REFUSED:
        return False
    fields = getattr(exc, "field_errors", {})
    return not {"status", "provider"} & set(fields)
