"""The fake Burki API: assistants, their voice samples and their cloned voices."""

from __future__ import annotations

import random
import secrets
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from sandbox import media
from sandbox.api import ApiError, Provider, bearer_token, form_data, json_body
from sandbox.state import Job, Store, iso_now

CLONE_SECONDS = 15.0
MIN_SAMPLE_SECONDS, MAX_SAMPLE_SECONDS = 10.0, 600.0
SAMPLE_KINDS = {"mp3", "wav", "flac", "mp4", "ogg"}
VOICE_STATUSES = ("processing", "ready", "failed", "archived")
SAMPLE_STATUSES = ("uploaded", "processing", "ready", "failed")
MIB = 1024 * 1024
PROVIDERS = {
    "elevenlabs": {
        "name": "ElevenLabs",
        "min_duration": 10,
        "max_duration": 300,
        "max_size": 25 * MIB,
    },
    "resemble": {
        "name": "Resemble AI",
        "min_duration": 10,
        "max_duration": 600,
        "max_size": 50 * MIB,
    },
    "inworld": {"name": "Inworld", "min_duration": 10, "max_duration": 300, "max_size": 25 * MIB},
}


def error(status: int, text: str) -> ApiError:
    return ApiError(status, {"detail": text})


def unprocessable(loc: list, msg: str, kind: str) -> ApiError:
    return ApiError(422, {"detail": [{"loc": loc, "msg": msg, "type": kind}]})


def authenticate(request: Request, store: Store) -> None:
    token = bearer_token(request)
    if token is None:
        raise error(401, "Not authenticated")
    if token != store.options.burki_key:
        raise error(401, "Invalid API key")


burki = Provider("burki", authenticate=authenticate, error=error)
route = burki.route


def _int(raw: Any, loc: list, default: int | None = None) -> int:
    if raw is None and default is not None:
        return default
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        msg = "Input should be a valid integer, unable to parse string as an integer"
        raise unprocessable(loc, msg, "int_parsing") from exc


def _choice(request: Request, name: str, allowed) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in allowed:
        msg = "Input should be " + ", ".join(repr(a) for a in allowed)
        raise unprocessable(["query", name], msg, "enum")
    return value


def _assistant(request: Request, store: Store) -> int:
    aid = _int(request.path_params["assistant_id"], ["path", "assistant_id"])
    if aid not in store.burki.assistants:
        raise error(404, "Assistant not found")
    return aid


@route("GET", "/api/v1/assistants")
async def list_assistants(request: Request, store: Store):
    skip = _int(request.query_params.get("skip"), ["query", "skip"], 0)
    limit = _int(request.query_params.get("limit"), ["query", "limit"], 100)
    for name, value in (("skip", skip), ("limit", limit)):
        if value < 0:
            raise unprocessable(["query", name], "Input should be >= 0", "greater_than_equal")
    assistants = list(store.burki.assistants.values())
    return assistants[skip : skip + limit]


def _filtered(voices, status: str | None, provider: str | None) -> list[dict]:
    return [
        v
        for v in voices
        if (status is None or v["status"] == status)
        and (provider is None or v["provider"] == provider)
    ]


# Registered before `/{assistant_id}`: Starlette, like FastAPI, takes the first route that
# matches, and `cloned-voices` would otherwise be read as an assistant id.
@route("GET", "/api/v1/assistants/cloned-voices")
async def list_organisation_cloned_voices(request: Request, store: Store):
    if not store.config.burki_organisation_voices:
        # A Burki without this route reads the word as an assistant id, as FastAPI does.
        msg = "Input should be a valid integer, unable to parse string as an integer"
        raise unprocessable(["path", "assistant_id"], msg, "int_parsing")
    status = _choice(request, "status", VOICE_STATUSES)
    provider = _choice(request, "provider", tuple(PROVIDERS))
    # Each voice names its assistant here (a sandbox choice: the SDK does not type them).
    everyone = [
        {**voice, "assistant_id": aid}
        for aid, voices in store.burki.voices.items()
        for voice in voices.values()
    ]
    everyone.sort(key=lambda v: v["id"])
    return {"cloned_voices": _filtered(everyone, status, provider)}


@route("GET", "/api/v1/assistants/{assistant_id}")
async def get_assistant(request: Request, store: Store):
    return store.burki.assistants[_assistant(request, store)]


@route("GET", "/api/v1/assistants/{assistant_id}/cloned-voices")
async def list_cloned_voices(request: Request, store: Store):
    aid = _assistant(request, store)
    status = _choice(request, "status", VOICE_STATUSES)
    provider = _choice(request, "provider", tuple(PROVIDERS))
    voices = _filtered(store.burki.voices[aid].values(), status, provider)
    return {"success": True, "cloned_voices": voices}


@route("POST", "/api/v1/assistants/{assistant_id}/voice-samples/upload")
async def upload_sample(request: Request, store: Store):
    aid = _assistant(request, store)
    limit = store.config.burki_max_sample_bytes
    declared = request.headers.get("content-length")
    # Past twice the file limit the request is refused before it is read, as a proxy would.
    if declared and declared.isdigit() and int(declared) > 2 * limit:
        raise error(413, "Request entity too large")
    try:
        fields, files = await form_data(request)
    except (AssertionError, ValueError) as exc:
        raise error(400, "Expected multipart/form-data") from exc
    upload = files.get("file")
    if upload is None:
        raise unprocessable(["body", "file"], "Field required", "missing")
    data = await upload.read()
    if len(data) > limit:
        raise error(400, f"File too large (max {limit // MIB}MB)")
    kind = media.sniff(data)
    filename = upload.filename or "sample"
    if kind not in SAMPLE_KINDS:
        described = filename.rsplit(".", 1)[-1] if "." in filename else upload.content_type
        raise ApiError(422, {"detail": f"Unsupported audio format: {described}"})
    seconds = await run_in_threadpool(media.media_duration, data)
    if seconds is not None and not MIN_SAMPLE_SECONDS <= seconds <= MAX_SAMPLE_SECONDS:
        raise error(400, f"Audio must be 10 s to 10 min long (got {seconds:.1f} s)")
    sid = store.burki.new_id("sample")
    stored = f"sample_{sid}.{media.EXTENSIONS[kind]}"
    store.put_file(f"burki/samples/{stored}", media.CONTENT_TYPES[kind], data)
    tags = [t.strip() for t in (fields.get("tags") or "").split(",") if t.strip()]
    sample = {
        "id": sid,
        "name": fields.get("name") or filename.rsplit(".", 1)[0],
        "description": fields.get("description"),
        "filename": stored,
        "original_filename": filename,
        "content_type": media.CONTENT_TYPES[kind],
        "file_size": len(data),
        "duration_seconds": round(seconds, 2) if seconds is not None else None,
        "status": "uploaded",
        "error_message": None,
        "tags": tags,
        "created_at": iso_now(),
    }
    store.burki.samples[aid][sid] = sample
    public = {k: sample[k] for k in ("id", "name", "filename", "status", "created_at")}
    return {"success": True, "voice_sample": public}


SAMPLE_LIST_FIELDS = (
    "id",
    "name",
    "original_filename",
    "content_type",
    "file_size",
    "duration_seconds",
    "status",
    "error_message",
    "tags",
    "created_at",
)


@route("GET", "/api/v1/assistants/{assistant_id}/voice-samples/list")
async def list_samples(request: Request, store: Store):
    aid = _assistant(request, store)
    status = _choice(request, "status", SAMPLE_STATUSES)
    samples = [
        {k: s[k] for k in SAMPLE_LIST_FIELDS}
        for s in store.burki.samples[aid].values()
        if status is None or s["status"] == status
    ]
    return {"success": True, "voice_samples": samples}


@route("POST", "/api/v1/assistants/{assistant_id}/cloned-voices")
async def create_cloned_voice(request: Request, store: Store):
    aid = _assistant(request, store)
    body = await json_body(request, lambda text: error(400, text))
    for name in ("voice_sample_id", "provider", "name"):
        if body.get(name) in (None, ""):
            raise unprocessable(["body", name], "Field required", "missing")
    sample_id = _int(body["voice_sample_id"], ["body", "voice_sample_id"])
    provider = body["provider"]
    if provider not in PROVIDERS:
        msg = "Input should be " + ", ".join(repr(p) for p in PROVIDERS)
        raise unprocessable(["body", "provider"], msg, "enum")
    tags = body.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise unprocessable(["body", "tags"], "Input should be a valid list", "list_type")
    if not isinstance(body.get("enhance_quality", True), bool):
        raise unprocessable(
            ["body", "enhance_quality"], "Input should be a valid boolean", "bool_type"
        )
    sample = store.burki.samples[aid].get(sample_id)
    if sample is None:
        raise error(404, "Voice sample not found")
    rules = PROVIDERS[provider]
    if sample["file_size"] > rules["max_size"]:
        raise error(400, f"Sample too large for {provider} (max {rules['max_size'] // MIB} MiB)")
    seconds = sample["duration_seconds"]
    if seconds is not None and not rules["min_duration"] <= seconds <= rules["max_duration"]:
        raise error(
            400,
            f"Sample must be {rules['min_duration']}-{rules['max_duration']} s for {provider}",
        )
    vid = store.burki.new_id("voice")
    voice = {
        "id": vid,
        "name": str(body["name"]),
        "description": body.get("description"),
        "tags": tags or [],
        "provider": provider,
        "provider_voice_id": secrets.token_hex(10),
        "language": body.get("language") or "en",
        "gender": None,
        "status": "processing",
        "quality_score": None,
        "created_at": iso_now(),
        "last_used_at": None,
        "synthesis_count": 0,
    }
    store.burki.voices[aid][vid] = voice
    sample["status"] = "processing"

    def on_change(job: Job, stage: str) -> None:
        voice["status"] = stage
        sample["status"] = stage
        if stage == "ready":
            voice["quality_score"] = round(random.uniform(0.72, 0.98), 2)
        elif stage == "failed":
            voice["error_message"] = sample["error_message"] = job.fail_message

    store.add_job(
        Job(
            provider="burki",
            kind="cloned_voice",
            record_id=vid,
            record=voice,
            stages=((0.0, "processing"),),
            ok="ready",
            failed="failed",
            duration=CLONE_SECONDS,
            on_change=on_change,
            fail_message=store.failure(f"Voice cloning failed at {provider} (sandbox fail rate)"),
        )
    )
    public = {
        k: voice[k] for k in ("id", "name", "provider", "provider_voice_id", "status", "created_at")
    }
    return {"success": True, "cloned_voice": public}


@route("GET", "/api/v1/assistants/{assistant_id}/voice-cloning/providers")
async def cloning_providers(request: Request, store: Store):
    _assistant(request, store)
    return {
        "success": True,
        "providers": [
            {
                "provider": key,
                "name": rules["name"],
                "requirements": {
                    "formats": ["mp3", "wav", "flac", "m4a", "ogg"],
                    "min_duration": rules["min_duration"],
                    "max_duration": rules["max_duration"],
                    "max_size": rules["max_size"],
                    "quality_requirements": "One speaker, no music or background noise.",
                },
            }
            for key, rules in PROVIDERS.items()
        ],
    }
