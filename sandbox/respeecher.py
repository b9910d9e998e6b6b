"""The fake Respeecher API: projects, folders, recordings, TTS, orders, voices, calibrations."""

from __future__ import annotations

import json
import random
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse

from sandbox import media
from sandbox.api import ApiError, Provider, absolute_url, form_data, json_body, stored_file
from sandbox.seeds import respeecher_folder, respeecher_project, respeecher_recording
from sandbox.state import Job, Store, iso_now, new_uuid

# Real durations at speed 1, in seconds.
CONVERSION_SECONDS = 20.0
TTS_SECONDS = 5.0
CALIBRATION_SECONDS = 10.0
LABEL_MAX = 40
V1_TTS_MAX = 1000
V2_TTS_MAX = 5000
UPLOAD_KINDS = {"wav", "ogg", "mp3", "flac"}
# A conversion's `type` and a recording's states, as Respeecher's official client reads
# them: `converted` (not "conversion"), and `postprocessing` before `done`.
CONVERTED = "converted"
# Where a recording's `url` points: a path on the gateway, below this provider's prefix.
GATEWAY_FILES = "/media/"
RECORDING_STAGES = ((0.0, "processing"), (0.7, "postprocessing"))
ORDER_STAGES = (
    (0.0, "new"),
    (0.1, "pre_processing"),
    (0.25, "processing"),
    (0.75, "post_processing"),
)


def error(status: int, text: str) -> ApiError:
    return ApiError(status, {"detail": text})


def field_error(loc: list, msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def unprocessable(*errors: dict[str, Any]) -> ApiError:
    return ApiError(422, {"detail": list(errors)})


def missing(where: str, name: str) -> ApiError:
    return unprocessable(field_error([where, name], "Field required", "missing"))


def authenticate(request: Request, store: Store) -> None:
    world = store.respeecher
    key = request.headers.get("api-key")
    if key is not None:
        if key in world.api_keys:
            return
        raise error(401, "Invalid API key")
    session = request.cookies.get("session_id")
    if session and session in world.sessions:
        csrf = world.sessions[session]
        if request.method in ("GET", "HEAD") or request.headers.get("x-csrf-token") == csrf:
            return
        raise error(403, "CSRF token missing or incorrect")
    raise error(401, "Not authenticated")


respeecher = Provider("respeecher", authenticate=authenticate, error=error)
route = respeecher.route


async def body_of(request: Request) -> dict[str, Any]:
    return await json_body(request, lambda text: error(400, text))


# Validation ---------------------------------------------------------------------


def _uuid(value: Any, loc: list) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        msg = "Input should be a valid UUID"
        raise unprocessable(field_error(loc, msg, "uuid_parsing")) from exc


def path_uuid(request: Request, name: str) -> str:
    return _uuid(request.path_params[name], ["path", name])


def query_uuid(request: Request, name: str, *, required: bool = True) -> str | None:
    value = request.query_params.get(name)
    if not value:
        if required:
            raise missing("query", name)
        return None
    return _uuid(value, ["query", name])


def query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        msg = "Input should be a valid integer, unable to parse string as an integer"
        raise unprocessable(field_error(["query", name], msg, "int_parsing")) from exc
    if value < 0:
        msg = "Input should be greater than or equal to 0"
        raise unprocessable(field_error(["query", name], msg, "greater_than_equal"))
    return value


def query_bool(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def body_str(body: dict, name: str, *, required: bool = True, max_len: int | None = None):
    value = body.get(name)
    if value is None:
        if required:
            raise missing("body", name)
        return None
    if not isinstance(value, str):
        raise unprocessable(
            field_error(["body", name], "Input should be a valid string", "string_type")
        )
    if max_len is not None and len(value) > max_len:
        msg = f"String should have at most {max_len} characters"
        raise unprocessable(field_error(["body", name], msg, "string_too_long"))
    return value


def _sort_key(name: str) -> Callable[[dict], Any]:
    def key(record: dict) -> Any:
        value = record.get(name)
        if isinstance(value, str):
            value = value.lower()
        return (value is None, value if value is not None else 0)

    return key


def page(
    request: Request,
    items: Iterable[dict],
    *,
    limit: int,
    sorts: tuple[str, ...] = ("created_at",),
) -> dict[str, Any]:
    """`{list, pagination}` after sort, direction, limit and offset, answered 422 when malformed."""
    limit = query_int(request, "limit", limit)
    offset = query_int(request, "offset", 0)
    sort = request.query_params.get("sort", sorts[0])
    if sort not in sorts:
        msg = "Input should be " + " or ".join(repr(s) for s in sorts)
        raise unprocessable(field_error(["query", "sort"], msg, "enum"))
    direction = request.query_params.get("direction", "asc")
    if direction not in ("asc", "desc"):
        raise unprocessable(
            field_error(["query", "direction"], "Input should be 'asc' or 'desc'", "enum")
        )
    ordered = sorted(items, key=_sort_key(sort), reverse=direction == "desc")
    return {
        "list": ordered[offset : offset + limit],
        "pagination": {"count": len(ordered), "limit": limit, "offset": offset},
    }


def get_or_404(table: dict, key: str, what: str) -> dict:
    record = table.get(key)
    if record is None:
        raise error(404, f"{what} not found")
    return record


async def read_upload(request: Request, *, file_field: str = "data"):
    """The multipart fields and the audio bytes, with the kind sniffed; 422 when not audio."""
    try:
        fields, files = await form_data(request)
    except (AssertionError, ValueError) as exc:
        raise error(400, "Expected multipart/form-data") from exc
    upload = files.get(file_field)
    if upload is None:
        raise missing("body", file_field)
    data = await upload.read()
    kind = media.sniff(data)
    if kind not in UPLOAD_KINDS:
        msg = "Unsupported audio format; use wav, ogg, mp3 or flac"
        raise unprocessable(field_error(["body", file_field], msg, "value_error"))
    return fields, upload.filename or f"upload.{media.EXTENSIONS[kind]}", data, kind


# Session and API keys -----------------------------------------------------------


@route("POST", "/api/login", auth=False)
async def login(request: Request, store: Store):
    body = await body_of(request)
    email = body_str(body, "email")
    password = body_str(body, "password")
    # The sandbox has one account: any email, with the configured API key as password.
    if password != store.options.respeecher_key:
        raise error(401, "Incorrect email or password")
    session, csrf = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    store.respeecher.sessions[session] = csrf
    user = dict(store.respeecher.user, email=email)
    response = JSONResponse({"user": user, "csrf_token": csrf})
    response.set_cookie("session_id", session, httponly=True, samesite="lax")
    return response


@route("POST", "/api/auth")
async def auth(request: Request, store: Store):
    """The signed-in user; the official client asks it first, for the owner of new projects."""
    return dict(store.respeecher.user)


@route("GET", "/media/{name:path}")
async def recording_file(request: Request, store: Store):
    """A recording's audio or waveform at its gateway path (`url`, `waveform_url`)."""
    name = request.path_params["name"]
    if not name.startswith("respeecher/"):
        raise error(404, "Not Found")
    return await stored_file(request, store, name)


@route("POST", "/api/logout")
async def logout(request: Request, store: Store):
    store.respeecher.sessions.pop(request.cookies.get("session_id", ""), None)
    response = JSONResponse({})
    response.delete_cookie("session_id")
    return response


@route("POST", "/api/api-key")
async def create_api_key(request: Request, store: Store):
    key = secrets.token_urlsafe(32)
    store.respeecher.api_keys.add(key)
    return {"api_key": key}


@route("DELETE", "/api/api-key")
async def delete_api_key(request: Request, store: Store):
    used = request.headers.get("api-key")
    if used:
        store.respeecher.api_keys.discard(used)
    else:
        store.respeecher.api_keys.clear()
    return {"deleted": True}


# Calibration ----------------------------------------------------------------------


@route("POST", "/api/calibration")
async def create_calibration(request: Request, store: Store):
    fields, _filename, data, kind = await read_upload(request)
    name = fields.get("name")
    if not name:
        raise missing("body", "name")
    world = store.respeecher
    if any(c["name"] == name for c in world.calibrations.values()):
        raise error(400, f"Calibration named {name!r} already exists")
    cid = new_uuid()
    key = f"respeecher/calibrations/{cid}.{media.EXTENSIONS[kind]}"
    store.put_file(key, media.CONTENT_TYPES[kind], data)
    record = {
        "id": cid,
        "name": name,
        "user_id": world.user["id"],
        "f0": 0,
        "algorithm": "pyin",
        "bucket": "sandbox",
        "key": key,
        "state": "processing",
        "error": None,
        "created_at": iso_now(),
        "calibrated_at": None,
        "enabled": False,
    }
    world.calibrations[cid] = record

    def on_change(job: Job, stage: str) -> None:
        record["state"] = stage
        if stage == "done":
            record["f0"] = round(random.uniform(90, 220), 1)
            record["calibrated_at"] = iso_now()
        elif stage == "error":
            record["error"] = job.fail_message

    store.add_job(
        Job(
            provider="respeecher",
            kind="calibration",
            record_id=cid,
            record=record,
            stages=((0.0, "processing"),),
            ok="done",
            failed="error",
            duration=CALIBRATION_SECONDS,
            on_change=on_change,
            fail_message=store.failure("Calibration failed (sandbox fail rate)"),
        )
    )
    return record


@route("GET", "/api/calibration")
async def list_calibrations(request: Request, store: Store):
    return list(store.respeecher.calibrations.values())


@route("POST", "/api/calibration/auto")
async def auto_calibration(request: Request, store: Store):
    for calibration in store.respeecher.calibrations.values():
        calibration["enabled"] = False
    return {}


@route("GET", "/api/calibration/{calibration_id}")
async def get_calibration(request: Request, store: Store):
    cid = request.path_params["calibration_id"]
    return get_or_404(store.respeecher.calibrations, cid, "Calibration")


@route("DELETE", "/api/calibration/{calibration_id}")
async def delete_calibration(request: Request, store: Store):
    cid = request.path_params["calibration_id"]
    record = get_or_404(store.respeecher.calibrations, cid, "Calibration")
    del store.respeecher.calibrations[cid]
    store.cancel_job("respeecher", cid)
    return record


@route("PUT", "/api/calibration/{calibration_id}/enable")
async def enable_calibration(request: Request, store: Store):
    cid = request.path_params["calibration_id"]
    record = get_or_404(store.respeecher.calibrations, cid, "Calibration")
    for calibration in store.respeecher.calibrations.values():
        calibration["enabled"] = calibration is record
    return record


@route("GET", "/api/credits")
async def credits(request: Request, store: Store):
    return {"credits": round(store.respeecher.credits, 2)}


# Projects -------------------------------------------------------------------------


@route("GET", "/api/projects")
async def list_projects(request: Request, store: Store):
    projects: Iterable[dict] = store.respeecher.projects.values()
    owner = request.query_params.get("owner")
    if owner:
        projects = [p for p in projects if p["owner"] == owner]
    return page(request, projects, limit=25, sorts=("created_at", "name", "last_recording_at"))


@route("POST", "/api/projects")
async def create_project(request: Request, store: Store):
    body = await body_of(request)
    name = body_str(body, "name")
    owner = body.get("owner") or store.respeecher.user["id"]
    record = respeecher_project(name, _uuid(owner, ["body", "owner"]), iso_now())
    store.respeecher.projects[record["id"]] = record
    return record


@route("GET", "/api/projects/by-url")
async def project_by_url(request: Request, store: Store):
    url = request.query_params.get("project_url")
    if not url:
        raise missing("query", "project_url")
    for project in store.respeecher.projects.values():
        if project["url"] == url:
            return project
    raise error(404, "Project not found")


@route("PATCH", "/api/projects/{project_id}")
async def rename_project(request: Request, store: Store):
    project = get_or_404(store.respeecher.projects, path_uuid(request, "project_id"), "Project")
    project["name"] = body_str(await body_of(request), "name")
    return project


@route("DELETE", "/api/projects/{project_id}")
async def delete_project(request: Request, store: Store):
    world = store.respeecher
    project = get_or_404(world.projects, path_uuid(request, "project_id"), "Project")
    del world.projects[project["id"]]
    for folder in [f for f in world.folders.values() if f["project_id"] == project["id"]]:
        _drop_folder(store, folder)
    return project


@route("GET", "/api/projects/{project_id}/export")
async def export_project(request: Request, store: Store):
    world = store.respeecher
    project = get_or_404(world.projects, path_uuid(request, "project_id"), "Project")
    recordings = [r for r in world.recordings.values() if r["project_id"] == project["id"]]
    padding = world.export_padding.get(project["id"], 0)
    filename = f"{project['slug'] or 'project'}.zip"
    return _zip_response(store, filename, recordings, request, padding)


# Folders --------------------------------------------------------------------------


@route("GET", "/api/folders")
async def list_folders(request: Request, store: Store):
    project_id = query_uuid(request, "project_id")
    folders = [f for f in store.respeecher.folders.values() if f["project_id"] == project_id]
    return page(request, folders, limit=50, sorts=("created_at", "name"))


@route("POST", "/api/folders")
async def create_folder(request: Request, store: Store):
    world = store.respeecher
    body = await body_of(request)
    name = body_str(body, "name")
    project_id = body.get("project_id")
    if project_id is None:
        raise missing("body", "project_id")
    project = get_or_404(world.projects, _uuid(project_id, ["body", "project_id"]), "Project")
    parent_id = body.get("parent_id")
    if parent_id is not None:
        get_or_404(world.folders, _uuid(parent_id, ["body", "parent_id"]), "Parent folder")
    record = respeecher_folder(name, project["id"], parent_id, iso_now())
    world.folders[record["id"]] = record
    return record


@route("GET", "/api/folders/{folder_id}")
async def get_folder(request: Request, store: Store):
    return get_or_404(store.respeecher.folders, path_uuid(request, "folder_id"), "Folder")


@route("PATCH", "/api/folders/{folder_id}")
async def rename_folder(request: Request, store: Store):
    folder = get_or_404(store.respeecher.folders, path_uuid(request, "folder_id"), "Folder")
    folder["name"] = body_str(await body_of(request), "name")
    return folder


@route("DELETE", "/api/folders/{folder_id}")
async def delete_folder(request: Request, store: Store):
    folder = get_or_404(store.respeecher.folders, path_uuid(request, "folder_id"), "Folder")
    _drop_folder(store, folder)
    return folder


def _drop_folder(store: Store, folder: dict) -> None:
    world = store.respeecher
    world.folders.pop(folder["id"], None)
    for child in [f for f in world.folders.values() if f["parent_id"] == folder["id"]]:
        _drop_folder(store, child)
    for recording in [
        r for r in world.recordings.values() if r["parent_folder_id"] == folder["id"]
    ]:
        _drop_recording(store, recording)


# Recordings -----------------------------------------------------------------------


@route("GET", "/api/recordings")
async def list_recordings(request: Request, store: Store):
    folder_id = query_uuid(request, "folder_id", required=False)
    project_id = query_uuid(request, "project_id", required=False)
    if not folder_id and not project_id:
        raise missing("query", "folder_id")
    recordings = [
        r
        for r in store.respeecher.recordings.values()
        if (not folder_id or r["parent_folder_id"] == folder_id)
        and (not project_id or r["project_id"] == project_id)
    ]
    return page(request, recordings, limit=25)


@route("GET", "/api/recordings/originals")
async def list_originals(request: Request, store: Store):
    folder_id = query_uuid(request, "folder_id")
    recordings = [
        r
        for r in store.respeecher.recordings.values()
        if r["parent_folder_id"] == folder_id and r["type"] == "original"
    ]
    return page(request, recordings, limit=25)


@route("GET", "/api/recordings/conversions")
async def list_conversions(request: Request, store: Store):
    original_id = query_uuid(request, "original_id")
    recordings = [
        r
        for r in store.respeecher.recordings.values()
        if r["original_id"] == original_id and r["type"] == CONVERTED
    ]
    return page(request, recordings, limit=25)


def _folder_for(store: Store, raw: Any, loc: list) -> dict:
    if not raw:
        raise missing(*loc)
    return get_or_404(store.respeecher.folders, _uuid(raw, loc), "Folder")


def _touch_project(store: Store, project_id: str, stamp: str) -> None:
    project = store.respeecher.projects.get(project_id)
    if project is not None:
        project["last_recording_at"] = stamp


def _attach_audio(store: Store, request: Request, record: dict, data: bytes, kind: str) -> None:
    rid = record["id"]
    audio = f"respeecher/recordings/{rid}.{media.EXTENSIONS[kind]}"
    store.put_file(audio, media.CONTENT_TYPES[kind], data)
    png = f"respeecher/waveforms/{rid}.png"
    store.put_file(png, "image/png", produce=lambda: media.waveform_png(data))
    # Paths on the gateway: the official client fetches `{gateway}{url}`.
    record["url"] = GATEWAY_FILES + audio
    record["waveform_url"] = GATEWAY_FILES + png
    record["size"] = len(data)
    store.respeecher.audio[rid] = audio


@route("POST", "/api/recordings")
async def upload_recording(request: Request, store: Store):
    fields, filename, data, kind = await read_upload(request)
    folder = _folder_for(store, fields.get("parent_folder_id"), ["body", "parent_folder_id"])
    label = body_str(fields, "label", required=False, max_len=LABEL_MAX)
    duration = await run_in_threadpool(media.media_duration, data)
    stamp = iso_now()
    record = respeecher_recording(
        folder,
        stamp,
        file_name=filename,
        label=label,
        microphone=fields.get("microphone") or "file",
        duration=round(duration or 0.0, 3),
    )
    _attach_audio(store, request, record, data, kind)
    store.respeecher.recordings[record["id"]] = record
    _touch_project(store, folder["project_id"], stamp)
    return record


async def _tts_original(
    request: Request, store: Store, folder: dict, text: str, label: str | None, **extra: Any
) -> dict:
    lang = extra.pop("lang", None) or "en"
    engine = store.config.tts_engine
    try:
        wav = await run_in_threadpool(media.speech_wav, text, engine=engine, lang=lang)
    except RuntimeError as exc:
        raise error(500, f"Speech synthesis failed: {exc}") from exc
    stamp = iso_now()
    record = respeecher_recording(
        folder,
        stamp,
        file_name="tts.wav",
        label=label,
        microphone="tts",
        duration=round(media.wav_duration(wav) or 0.0, 3),
        state="processing",
        tts=True,
        text=text,
        **extra,
    )
    _attach_audio(store, request, record, wav, "wav")
    store.respeecher.recordings[record["id"]] = record
    _touch_project(store, folder["project_id"], stamp)

    def on_change(job: Job, stage: str) -> None:
        record["state"] = stage
        if stage == "error":
            record["error"] = job.fail_message

    store.add_job(
        Job(
            provider="respeecher",
            kind="recording",
            record_id=record["id"],
            record=record,
            stages=RECORDING_STAGES,
            ok="done",
            failed="error",
            duration=TTS_SECONDS,
            on_change=on_change,
            fail_message=store.failure("Speech synthesis failed (sandbox fail rate)"),
        )
    )
    return record


@route("POST", "/api/recordings/tts")
async def tts_v1(request: Request, store: Store):
    body = await body_of(request)
    text = body_str(body, "text")
    if not 1 <= len(text) <= V1_TTS_MAX:
        msg = f"String should have between 1 and {V1_TTS_MAX} characters"
        raise unprocessable(field_error(["body", "text"], msg, "string_too_long"))
    folder = _folder_for(store, body.get("parent_folder_id"), ["body", "parent_folder_id"])
    voice_id = body.get("voice_id")
    if not voice_id:
        raise missing("body", "voice_id")
    voice = get_or_404(store.respeecher.tts_voices, _uuid(voice_id, ["body", "voice_id"]), "Voice")
    label = body_str(body, "label", required=False, max_len=LABEL_MAX)
    return await _tts_original(
        request, store, folder, text, label, tts_voice=voice["name"], tts_voice_id=voice["id"]
    )


@route("POST", "/api/v2/recordings/tts")
async def tts_v2(request: Request, store: Store):
    body = await body_of(request)
    folder = _folder_for(store, body.get("parent_folder_id"), ["body", "parent_folder_id"])
    text = body_str(body, "text")
    if not 1 <= len(text) <= V2_TTS_MAX:
        msg = f"String should have between 1 and {V2_TTS_MAX} characters"
        raise unprocessable(field_error(["body", "text"], msg, "string_too_long"))
    label = body_str(body, "label", required=False, max_len=LABEL_MAX)
    lang = body_str(body, "text_language", required=False)
    return await _tts_original(request, store, folder, text, label, lang=lang)


@route("GET", "/api/tts-voices")
async def tts_voices(request: Request, store: Store):
    return list(store.respeecher.tts_voices.values())


@route("GET", "/api/recordings/export")
async def export_recording(request: Request, store: Store):
    original_id = query_uuid(request, "original_id")
    world = store.respeecher
    original = get_or_404(world.recordings, original_id, "Recording")
    conversions = [r for r in world.recordings.values() if r["original_id"] == original_id]
    items = [original, *(r for r in conversions if r is not original)]
    return _zip_response(store, f"recording-{original_id}.zip", items, request)


@route("GET", "/api/recordings/{recording_id}")
async def get_recording(request: Request, store: Store):
    return get_or_404(store.respeecher.recordings, path_uuid(request, "recording_id"), "Recording")


async def _update_recording(request: Request, store: Store, *, full: bool) -> dict:
    record = get_or_404(
        store.respeecher.recordings, path_uuid(request, "recording_id"), "Recording"
    )
    body = await body_of(request)
    if full:
        for name in ("label", "starred"):
            if name not in body:
                raise missing("body", name)
    if "label" in body:
        record["label"] = body_str(body, "label", max_len=LABEL_MAX)
    if "starred" in body:
        if not isinstance(body["starred"], bool):
            msg = "Input should be a valid boolean"
            raise unprocessable(field_error(["body", "starred"], msg, "bool_type"))
        record["starred"] = body["starred"]
    return record


@route("PATCH", "/api/recordings/{recording_id}")
async def patch_recording(request: Request, store: Store):
    return await _update_recording(request, store, full=False)


@route("PUT", "/api/recordings/{recording_id}")
async def put_recording(request: Request, store: Store):
    return await _update_recording(request, store, full=True)


@route("DELETE", "/api/recordings/{recording_id}")
async def delete_recording(request: Request, store: Store):
    record = get_or_404(
        store.respeecher.recordings, path_uuid(request, "recording_id"), "Recording"
    )
    _drop_recording(store, record)
    return record


def _drop_recording(store: Store, record: dict) -> None:
    world = store.respeecher
    world.recordings.pop(record["id"], None)
    store.cancel_job("respeecher", record["id"])
    store.files.pop(world.audio.pop(record["id"], ""), None)
    if record["type"] == "original":
        for child in [r for r in world.recordings.values() if r["original_id"] == record["id"]]:
            if child is not record:
                _drop_recording(store, child)


def _audio_of(store: Store, record: dict) -> Callable[[], bytes]:
    name = store.respeecher.audio.get(record["id"])
    stored = store.files.get(name) if name else None
    if stored is not None:
        return stored.read
    return lambda: media.tone_wav(_tone_seconds(record))


def _tone_seconds(record: dict) -> float:
    return min(10.0, max(1.0, float(record.get("duration") or 0)))


def _audio_size(store: Store, record: dict) -> int:
    name = store.respeecher.audio.get(record["id"])
    stored = store.files.get(name) if name else None
    if stored is not None:
        return len(stored.read())
    return media.tone_wav_size(_tone_seconds(record))


def _zip_response(
    store: Store, filename: str, recordings: list[dict], request: Request, padding: int = 0
):
    """The export zip, streamed entry by entry with its Content-Length announced (every
    entry's size is known before it is made). `padding` adds a generated `padding.bin` of
    that many bytes, made a block at a time (`respeecher.project` seeds it), so a very
    large export costs the sandbox no more memory than a small one."""
    if query_bool(request, "starred_only"):
        recordings = [r for r in recordings if r.get("starred")]
    folders = store.respeecher.folders
    entries, sizes = [], []
    for record in recordings:
        folder = folders.get(record["parent_folder_id"], {}).get("name") or "folder"
        name = (
            store.respeecher.audio.get(record["id"], "").rsplit("/", 1)[-1] or f"{record['id']}.wav"
        )
        prefix = "conversions/" if record["type"] == CONVERTED else ""
        entries.append((f"{folder}/{prefix}{name}", _audio_of(store, record)))
        sizes.append(_audio_size(store, record))
    manifest = _json_bytes(
        [{k: r[k] for k in ("id", "type", "label", "state", "original_id")} for r in recordings]
    )
    entries.append(("manifest.json", lambda: manifest))
    sizes.append(len(manifest))
    if padding:
        entries.append(("padding.bin", lambda: media.repeated_bytes(padding)))
        sizes.append(padding)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    length = media.zip_length((name, size) for (name, _), size in zip(entries, sizes, strict=True))
    if length is not None:
        headers["Content-Length"] = str(length)
    return StreamingResponse(
        media.stream_zip(entries), media_type="application/zip", headers=headers
    )


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=2).encode()


# Notes --------------------------------------------------------------------------
# Weak, as in the client: the seed gives these routes no request bodies. The guess:
# POST {recording_id, text}, PUT {id, text}, DELETE {id}; each answers the note.


@route("POST", "/api/notes")
async def create_note(request: Request, store: Store):
    body = await body_of(request)
    rid = body.get("recording_id")
    if not rid:
        raise missing("body", "recording_id")
    record = get_or_404(
        store.respeecher.recordings, _uuid(rid, ["body", "recording_id"]), "Recording"
    )
    note = {"id": new_uuid(), "text": body_str(body, "text"), "active": True}
    store.respeecher.notes[note["id"]] = {"recording_id": record["id"], "note": note}
    record["note"] = note
    return note


def _note_for(store: Store, body: dict) -> dict:
    note_id = body.get("id")
    if not note_id:
        raise missing("body", "id")
    return get_or_404(store.respeecher.notes, str(note_id), "Note")


@route("PUT", "/api/notes")
async def update_note(request: Request, store: Store):
    body = await body_of(request)
    entry = _note_for(store, body)
    entry["note"]["text"] = body_str(body, "text")
    recording = store.respeecher.recordings.get(entry["recording_id"])
    if recording is not None:  # the same note, also after a restore from disk
        recording["note"] = entry["note"]
    return entry["note"]


@route("DELETE", "/api/notes")
async def delete_note(request: Request, store: Store):
    body = await body_of(request)
    entry = _note_for(store, body)
    del store.respeecher.notes[entry["note"]["id"]]
    recording = store.respeecher.recordings.get(entry["recording_id"])
    if recording is not None:
        recording["note"] = None
    entry["note"]["active"] = False
    return entry["note"]


# Orders ---------------------------------------------------------------------------


def _order_job(store: Store, order: dict, conversion: dict, original: dict) -> None:
    def on_change(job: Job, stage: str) -> None:
        order["state"] = stage
        conversion["process_stage"] = stage
        if stage == "post_processing":
            conversion["state"] = "postprocessing"
        if stage == "done":
            stamp = iso_now()
            order["closed_at"] = conversion["converted_at"] = stamp
            conversion["state"] = "done"
            _finish_conversion(store, conversion, original)
        elif stage == "error":
            order["closed_at"] = iso_now()
            order["error"] = conversion["error"] = job.fail_message
            conversion["state"] = "error"

    store.add_job(
        Job(
            provider="respeecher",
            kind="conversion",
            record_id=conversion["id"],
            record=conversion,
            stages=ORDER_STAGES,
            ok="done",
            failed="error",
            duration=CONVERSION_SECONDS,
            on_change=on_change,
            fail_message=store.failure("Conversion failed (sandbox fail rate)"),
        )
    )


def _finish_conversion(store: Store, conversion: dict, original: dict) -> None:
    """Give a finished conversion its audio: the original's WAV as is, else a tone as long."""
    source = _audio_of(store, original)
    seconds = max(1.0, float(original.get("duration") or 0))

    def produce() -> bytes:
        data = source()
        return data if media.sniff(data) == "wav" else media.tone_wav(seconds)

    rid = conversion["id"]
    audio = f"respeecher/recordings/{rid}.wav"
    store.put_file(audio, "audio/wav", produce=produce)
    png = f"respeecher/waveforms/{rid}.png"
    store.put_file(png, "image/png", produce=lambda: media.waveform_png(store.files[audio].read()))
    store.respeecher.audio[rid] = audio
    conversion["url"] = GATEWAY_FILES + audio
    conversion["waveform_url"] = GATEWAY_FILES + png
    store.respeecher.credits = max(
        0.0, store.respeecher.credits - float(conversion["duration"] or 0)
    )


def _new_order(store: Store, original: dict, conversion: dict, calibration: dict | None) -> dict:
    order = {
        "id": new_uuid(),
        "user_id": store.respeecher.user["id"],
        "original_id": original["id"],
        "conversion_id": conversion["id"],
        "transaction_id": new_uuid(),
        "moderation_id": None,
        "calibration_id": calibration["id"] if calibration else None,
        "tracking_id": new_uuid(),
        "f0": calibration["f0"] if calibration else None,
        "state": "new",
        "created_at": iso_now(),
        "closed_at": None,
        "error": None,
    }
    store.respeecher.orders[order["id"]] = order
    _order_job(store, order, conversion, original)
    return order


@route("POST", "/api/v2/orders")
async def create_orders(request: Request, store: Store):
    world = store.respeecher
    body = await body_of(request)
    raw_original = body.get("original_id")
    if not raw_original:
        raise missing("body", "original_id")
    original = get_or_404(
        world.recordings, _uuid(raw_original, ["body", "original_id"]), "Recording"
    )
    if original["type"] != "original":
        raise error(400, "original_id must name an original recording")
    conversions = body.get("conversions")
    if not isinstance(conversions, list) or not conversions:
        msg = "List should have at least 1 item after validation, not 0"
        raise unprocessable(field_error(["body", "conversions"], msg, "too_short"))
    calibration = None
    if body.get("use_calibration") and body.get("calibration_id"):
        cid = str(body["calibration_id"])
        calibration = get_or_404(world.calibrations, cid, "Calibration")
    else:
        # The seed: a calibration_id applies only with use_calibration true; otherwise
        # the account's enabled calibration does.
        calibration = next((c for c in world.calibrations.values() if c["enabled"]), None)
    planned = []
    for index, item in enumerate(conversions):
        loc = ["body", "conversions", index]
        if not isinstance(item, dict) or not item.get("voice_id"):
            raise missing(*loc, "voice_id")
        voice = get_or_404(world.voices, _uuid(item["voice_id"], [*loc, "voice_id"]), "Voice")
        if original["tts"] and not item.get("narration_style_id"):
            raise unprocessable(
                field_error([*loc, "narration_style_id"], "Required for TTS originals", "missing")
            )
        label = item.get("label") or voice["name"]
        planned.append((voice, item, label[:LABEL_MAX]))
    orders = []
    for voice, item, label in planned:
        conversion = respeecher_recording(
            world.folders.get(original["parent_folder_id"])
            or {"id": original["parent_folder_id"], "project_id": original["project_id"]},
            iso_now(),
            type=CONVERTED,
            original_id=original["id"],
            model_id=voice["id"],
            model_name=voice["name"],
            label=label,
            file_name=f"{voice['slug']}.wav",
            state="processing",
            process_stage="new",
            duration=original["duration"],
            tts=original["tts"],
            text=original["text"],
            calibration_id=calibration["id"] if calibration else None,
            calibration_name=calibration["name"] if calibration else None,
            calibration_value=calibration["f0"] if calibration else None,
            params={
                k: item[k]
                for k in ("narration_style_id", "accent_id", "semitones_correction")
                if k in item
            },
        )
        world.recordings[conversion["id"]] = conversion
        orders.append(_new_order(store, original, conversion, calibration))
    return orders


@route("POST", "/api/v2/orders/retry/{recording_id}")
async def retry_order(request: Request, store: Store):
    world = store.respeecher
    # Seed 003: "Retry a conversion order for a specific original": the id is the
    # original's, and each of its failed conversions is made again.
    record = get_or_404(world.recordings, path_uuid(request, "recording_id"), "Recording")
    if record["type"] == CONVERTED:
        raise error(400, "Recording is not an original")
    failed = [
        r
        for r in world.recordings.values()
        if r["original_id"] == record["id"] and r["type"] == CONVERTED and r["state"] == "error"
    ]
    if not failed:
        raise error(400, "Nothing to retry: no failed conversion")
    orders = []
    for conversion in failed:
        original = world.recordings.get(conversion["original_id"])
        if original is None:
            continue
        conversion.update(state="processing", process_stage="new", error=None)
        calibration = world.calibrations.get(conversion["calibration_id"] or "")
        orders.append(_new_order(store, original, conversion, calibration))
    return orders


# Voices ---------------------------------------------------------------------------

VOICE_FILTERS = ("visibility", "species", "gender", "age_group", "pitch_group", "nationality")


@route("GET", "/api/v2/voices")
async def list_voices(request: Request, store: Store):
    wanted = {k: request.query_params[k] for k in VOICE_FILTERS if request.query_params.get(k)}
    voices: Iterable[dict] = store.respeecher.voices.values()
    if wanted:
        voices = [v for v in voices if all(v.get(k) == value for k, value in wanted.items())]
    return page(request, voices, limit=25, sorts=("name", "pitch", "rating", "created_at"))


@route("GET", "/api/v2/voices/search")
async def search_voices(request: Request, store: Store):
    needle = request.query_params.get("name", "").lower()
    limit = query_int(request, "limit", 25)
    found = []
    for voice in store.respeecher.voices.values():
        if needle in voice["name"].lower():
            found.append(voice)
            if len(found) >= limit:
                break
    return found


@route("POST", "/api/v2/voices/favorite/{voice_id}")
async def favorite_voice(request: Request, store: Store):
    voice = get_or_404(store.respeecher.voices, path_uuid(request, "voice_id"), "Voice")
    body = await body_of(request)
    voice["favorite"] = bool(body.get("favorite", True))
    return voice


@route("POST", "/api/v2/voices/settings")
async def voice_settings(request: Request, store: Store):
    body = await body_of(request)
    if not body.get("voice_id"):
        raise missing("body", "voice_id")
    voice = get_or_404(
        store.respeecher.voices, _uuid(body["voice_id"], ["body", "voice_id"]), "Voice"
    )
    if body.get("narration_style_id"):
        style = _find(voice["narration_styles"], str(body["narration_style_id"]), "Narration style")
        style["settings"]["favorite"] = True
    if body.get("accent_id"):
        accent = _find(voice["accents"], str(body["accent_id"]), "Accent")
        accent["settings"]["favorite"] = True
        if "semitones_correction" in body:
            accent["settings"]["semitones_correction"] = body["semitones_correction"]
    return voice


def _find(items: list[dict], item_id: str, what: str) -> dict:
    for item in items:
        if item["id"] == item_id:
            return item
    raise error(404, f"{what} not found")


@route("GET", "/api/v2/accents/samples")
async def accent_samples(request: Request, store: Store):
    accent_id = query_uuid(request, "accent_id")
    for voice in store.respeecher.voices.values():
        for accent in voice["accents"]:
            if accent["id"] == accent_id:
                name = f"respeecher/accent-samples/{accent_id}.wav"
                if name not in store.files:
                    text = f"This is {voice['name']} speaking."
                    engine = store.config.tts_engine
                    store.put_file(
                        name,
                        "audio/wav",
                        produce=lambda t=text, e=engine: media.speech_wav(t, engine=e),
                    )
                return [
                    {
                        "id": accent_id,
                        "accent_id": accent_id,
                        "voice_id": voice["id"],
                        "name": accent["info"]["name"],
                        "url": absolute_url(request, "/files/" + name),
                    }
                ]
    raise error(404, "Accent not found")


# Statistics -----------------------------------------------------------------------


def _conversions(store: Store) -> list[dict]:
    return [r for r in store.respeecher.recordings.values() if r["type"] == CONVERTED]


def _counts(conversions: list[dict]) -> dict[str, int]:
    states = [c["state"] for c in conversions]
    return {
        "total": len(states),
        "completed": states.count("done"),
        "in_progress": states.count("processing"),
        "failed": states.count("error"),
    }


def _month(stamp: str | None) -> str | None:
    return f"{stamp[:7]}-01" if stamp else None


def _time_converted(conversions: list[dict]) -> dict[str, float]:
    this_month = _month(datetime.now(UTC).strftime("%Y-%m-%d"))
    done = [c for c in conversions if c["state"] == "done"]
    return {
        "total": round(sum(float(c["duration"] or 0) for c in done), 3),
        "current_month": round(
            sum(float(c["duration"] or 0) for c in done if _month(c["converted_at"]) == this_month),
            3,
        ),
    }


@route("GET", "/api/stats")
async def stats(request: Request, store: Store):
    conversions = _conversions(store)
    this_month = _month(datetime.now(UTC).strftime("%Y-%m-%d"))
    months: dict[str, float] = defaultdict(float)
    models: dict[str, dict] = {}
    for c in conversions:
        if c["state"] != "done":
            continue
        seconds = float(c["duration"] or 0)
        month = _month(c["converted_at"])
        if month and month != this_month:
            months[month] += seconds
        model = models.setdefault(
            c["model_id"],
            {
                "id": c["model_id"],
                "name": c["model_name"],
                "conversions_count": 0,
                "converted_time": 0,
            },
        )
        model["conversions_count"] += 1
        model["converted_time"] = round(model["converted_time"] + seconds, 3)
    return {
        "time_converted": {
            **_time_converted(conversions),
            "previous_monthes": [
                {"month": m, "duration": round(d, 3)} for m, d in sorted(months.items())
            ],
        },
        "conversions": _counts(conversions),
        "models": list(models.values()),
    }


def _ids(request: Request, single: str, plural: str) -> list[str] | None:
    ids = request.query_params.getlist(single)
    if request.query_params.get(plural):
        ids += request.query_params[plural].split(",")
    return [i.strip() for i in ids if i.strip()] or None


@route("GET", "/api/stats/projects")
async def stats_projects(request: Request, store: Store):
    ids = _ids(request, "project_id", "project_ids") or list(store.respeecher.projects)
    conversions = _conversions(store)
    return [
        {
            "project_id": pid,
            "time_converted": _time_converted([c for c in conversions if c["project_id"] == pid]),
            "conversions": _counts([c for c in conversions if c["project_id"] == pid]),
        }
        for pid in ids
    ]


@route("GET", "/api/stats/folders")
async def stats_folders(request: Request, store: Store):
    ids = _ids(request, "folder_id", "folder_ids") or list(store.respeecher.folders)
    conversions = _conversions(store)
    return [
        {
            "folder_id": fid,
            "stats": _counts([c for c in conversions if c["parent_folder_id"] == fid]),
        }
        for fid in ids
    ]
