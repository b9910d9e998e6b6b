"""The `/_sandbox/` control API, and the middleware that logs requests and injects faults."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import gc
import json
import random
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox import seeds, webhooks
from sandbox.api import LOG_ENTRY, ApiError, Provider, absolute_url, json_body
from sandbox.state import TTS_ENGINES, Store, iso_now

FAULT_STATUSES = (429, 500, 502, 503)
# A JSON request body is kept in the request log up to this size, so tests can see
# what was sent (options, ids) and not only where.
BODY_LOG_BYTES = 8192
FAULT_KEYS = {
    "path",
    "method",
    "status",
    "retry_after",
    "latency",
    "hang",
    "hang_rate",
    "malformed_json",
    "truncate",
    "times",
}


def bad(text: str, status: int = 400) -> ApiError:
    return ApiError(status, {"detail": text})


def _share(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise bad(f"{name} must be a share from 0 to 1")
    return float(value)


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise bad(f"{name} must be a number of seconds >= 0")
    return float(value)


def parse_fault(raw: Any) -> dict[str, Any]:
    """Validate one fault rule; see README.md for the fields."""
    if not isinstance(raw, dict):
        raise bad("a fault rule is a JSON object")
    unknown = set(raw) - FAULT_KEYS
    if unknown:
        raise bad(f"unknown fault fields: {sorted(unknown)}")
    rule: dict[str, Any] = {"path": str(raw.get("path", "*")), "method": raw.get("method")}
    if rule["method"] is not None:
        rule["method"] = str(rule["method"]).upper()
    statuses = {}
    for code, share in (raw.get("status") or {}).items():
        if not str(code).isdigit() or int(code) not in FAULT_STATUSES:
            raise bad(f"status shares are for {FAULT_STATUSES}, not {code}")
        statuses[int(code)] = _share(share, f"status.{code}")
    if sum(statuses.values()) > 1.0 + 1e-9:
        raise bad("status shares add up to more than 1")
    rule["status"] = statuses
    rule["retry_after"] = int(_seconds(raw.get("retry_after", 1), "retry_after"))
    rule["latency"] = _seconds(raw.get("latency", 0), "latency")
    rule["hang"] = _seconds(raw.get("hang", 0), "hang")
    rule["hang_rate"] = _share(raw.get("hang_rate", 1.0), "hang_rate")
    rule["malformed_json"] = _share(raw.get("malformed_json", 0), "malformed_json")
    rule["truncate"] = _share(raw.get("truncate", 0), "truncate")
    times = raw.get("times")
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise bad("times must be a positive integer")
    rule["times"] = times
    rule["applied"] = 0
    return rule


def _matching_fault(store: Store, method: str, path: str) -> dict[str, Any] | None:
    for rule in store.faults:
        if rule["times"] is not None and rule["applied"] >= rule["times"]:
            continue
        if rule["method"] and rule["method"] != method:
            continue
        if fnmatch.fnmatchcase(path, rule["path"]):
            rule["applied"] += 1
            return rule
    return None


class SandboxMiddleware:
    """Logs every upstream call and, when a fault rule matches, misbehaves as asked."""

    def __init__(self, app: ASGIApp, store: Store, providers: dict[str, Provider]) -> None:
        self.app = app
        self.store = store
        self.providers = providers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            self.store.version += 1  # may change a record: worth saving (sandbox/persist.py)
        if scope["type"] != "http" or path.startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        store = self.store
        head = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        provider = head if head in self.providers or head == "files" else None
        second = path.split("/", 3)[2] if path.count("/") >= 2 else ""
        if provider in self.providers and second.startswith("_"):
            # A side route (`/a2e/_agora/...`) is the sandbox's own stand-in, logged under
            # its name so that it never counts as a call to the provider.
            provider = second[1:]
        entry: dict[str, Any] = {
            "time": iso_now(),
            "method": scope["method"],
            "provider": provider,
            "path": path,
            "query": scope.get("query_string", b"").decode("latin-1"),
            "status": None,
        }
        scope[LOG_ENTRY] = entry  # a multipart handler adds its form (api.form_data)
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        is_json = headers.get(b"content-type", b"").startswith(b"application/json")
        body = bytearray()

        async def logged_receive() -> Message:
            message = await receive()
            if is_json and message["type"] == "http.request" and len(body) <= BODY_LOG_BYTES:
                body.extend(message.get("body", b""))
            return message

        logged = False

        def log_once() -> None:
            nonlocal logged
            if not logged:
                logged = True
                if body and len(body) <= BODY_LOG_BYTES:
                    # A malformed body (sent on purpose, say) is answered, just not logged.
                    with contextlib.suppress(ValueError):
                        entry["json"] = json.loads(body)
                store.requests.append(entry)

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                # Until the body is sent, the time to the answer's start.
                entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
                # Logged as the answer starts: a client that has read a whole body of
                # announced length may look at the log before this handler returns.
                log_once()
            await send(message)

        try:
            rule = _matching_fault(store, scope["method"], path)
            if rule is None:
                await self.app(scope, logged_receive, logged_send)
            else:
                entry["fault"] = await self._misbehave(
                    rule, provider, scope, logged_receive, logged_send
                )
        finally:
            entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
            log_once()

    async def _misbehave(self, rule, provider, scope, receive, send) -> str:
        """Apply one rule; returns what it did, for the request log."""
        done = []
        if rule["latency"] or rule["hang"]:
            # A slow upstream has the whole request before it is slow to answer, so a POST
            # whose client gave up is still carried out, as a real one may be.
            receive = await _buffered(receive)
        if rule["latency"]:
            await asyncio.sleep(rule["latency"])
            done.append("latency")
        if rule["hang"] and random.random() < rule["hang_rate"]:
            await asyncio.sleep(rule["hang"])
            done.append("hang")
        roll, threshold = random.random(), 0.0
        for status, share in rule["status"].items():
            threshold += share
            if roll < threshold:
                await self._error(status, rule, provider, scope, receive, send)
                return ",".join([*done, str(status)])
        corrupt = None
        if random.random() < rule["malformed_json"]:
            corrupt = "malformed_json"
        elif random.random() < rule["truncate"]:
            corrupt = "truncate"
        if corrupt is None:
            await self.app(scope, receive, send)
            return ",".join(done) or "none"
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        start = messages[0]
        body = b"".join(m.get("body", b"") for m in messages[1:])
        if corrupt == "malformed_json":
            # A NUL byte and markup: no JSON parser accepts this, whatever the original was.
            body = body[: len(body) // 2] + b"\x00<html>upstream error</html>"
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        else:
            # Promise the whole body, send half, and stop: the connection closes early.
            await send(start)
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
        return ",".join([*done, corrupt])

    async def _error(self, status, rule, provider, scope, receive, send) -> None:
        text = {
            429: "Too Many Requests",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }[status]
        if provider in self.providers:
            payload = self.providers[provider].error(status, text).payload
        else:
            payload = {"detail": text}
        headers = {"Retry-After": str(rule["retry_after"])} if status == 429 else None
        await JSONResponse(payload, status, headers=headers)(scope, receive, send)


async def _buffered(receive: Receive) -> Receive:
    """Read the request body now; the returned `receive` replays it, then waits as before."""
    body, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            # Gone before the body arrived: replay only the disconnect.
            return _replay([message], receive)
        body.append(message.get("body", b""))
        more = message.get("more_body", False)
    return _replay([{"type": "http.request", "body": b"".join(body), "more_body": False}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


# Control endpoints ------------------------------------------------------------------


def _store(request: Request) -> Store:
    return request.app.state.store


async def _body(request: Request) -> Any:
    return await json_body(request, bad, lists=True)


def _control(handler):
    async def endpoint(request: Request) -> Response:
        try:
            result = await handler(request, _store(request))
        except ApiError as exc:
            return JSONResponse(exc.payload, exc.status)
        return result if isinstance(result, Response) else JSONResponse(result)

    return endpoint


async def overview(request: Request, store: Store):
    routes = request.app.state.routes
    return {
        "sandbox": "ok",
        "providers": sorted({p for p, _, _ in routes}),
        "routes": len(routes),
        "live_jobs": len(store.jobs),
        "world": store.options.world,
        "config": store.config.as_dict(),
    }


async def reset(request: Request, store: Store):
    store.reset()
    return {"reset": True}


async def seed(request: Request, store: Store):
    body = await _body(request)
    kind = body.get("kind") if isinstance(body, dict) else None
    if kind == seeds.EXAMPLES:
        # The seed documents' examples in place of every record, whatever world the
        # sandbox started with (`make run`'s shows none of them).
        store.load_world("examples")
        return {"kind": kind, "count": store.record_count()}
    seeder = seeds.SEEDERS.get(kind)
    if seeder is None:
        raise bad(f"kind must be one of {sorted([*seeds.SEEDERS, seeds.EXAMPLES])}")
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= 1_000_000:
        raise bad("count must be an integer from 1 to 1000000")
    params = {k: v for k, v in body.items() if k not in ("kind", "count")}
    params[seeds.BASE_URL] = absolute_url(request, "")
    # Hundreds of thousands of fresh dicts set off the cycle collector again and again,
    # each pass longer than the last; pausing it makes 100,000 voices 3-4x faster.
    gc.disable()
    try:
        ids = seeder(store, count, params)
    except seeds.SeedError as exc:
        raise bad(str(exc)) from exc
    finally:
        gc.enable()
    answer: dict[str, Any] = {"kind": kind, "count": len(ids)}
    # Large batches leave the ids out; list them through the provider's API instead.
    if len(ids) <= 1000:
        answer["ids"] = ids
    return answer


def _filtered_requests(request: Request, store: Store) -> list[dict[str, Any]]:
    params = request.query_params
    provider, method, path = params.get("provider"), params.get("method"), params.get("path")
    rows = []
    for row in list(store.requests):
        if provider and row["provider"] != provider:
            continue
        if method and row["method"] != method.upper():
            continue
        if path and not (
            fnmatch.fnmatchcase(row["path"], path) if "*" in path else path in row["path"]
        ):
            continue
        rows.append(row)
    return rows


async def list_requests(request: Request, store: Store):
    rows = _filtered_requests(request, store)
    return {"count": len(rows), "requests": rows}


async def clear_requests(request: Request, store: Store):
    store.requests.clear()
    return {"cleared": True}


async def list_faults(request: Request, store: Store):
    return {"faults": store.faults}


async def add_faults(request: Request, store: Store):
    body = await _body(request)
    raw_rules = body.get("rules", [body]) if isinstance(body, dict) else body
    rules = [parse_fault(raw) for raw in raw_rules]
    store.faults.extend(rules)
    return {"faults": store.faults}


async def clear_faults(request: Request, store: Store):
    store.faults.clear()
    return {"faults": []}


async def get_config(request: Request, store: Store):
    return store.config.as_dict()


async def set_config(request: Request, store: Store):
    body = await _body(request)
    if not isinstance(body, dict):
        raise bad("body must be a JSON object")
    config = store.config
    unknown = set(body) - set(config.as_dict())
    if unknown:
        raise bad(f"unknown config fields: {sorted(unknown)}")
    if "speed" in body:
        speed = body["speed"]
        if isinstance(speed, bool) or not isinstance(speed, int | float) or speed <= 0:
            raise bad("speed must be a number > 0")
        store.clock.set_speed(float(speed))
        config.speed = float(speed)
    if "fail_rate" in body:
        config.fail_rate = _share(body["fail_rate"], "fail_rate")
    if "tts_engine" in body:
        if body["tts_engine"] not in TTS_ENGINES:
            raise bad(f"tts_engine must be one of {TTS_ENGINES}")
        config.tts_engine = body["tts_engine"]
    if "download_timeout" in body:
        config.download_timeout = max(0.1, _seconds(body["download_timeout"], "download_timeout"))
    if "burki_max_sample_bytes" in body:
        limit = body["burki_max_sample_bytes"]
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise bad("burki_max_sample_bytes must be a positive integer")
        config.burki_max_sample_bytes = limit
    if "burki_organisation_voices" in body:
        if not isinstance(body["burki_organisation_voices"], bool):
            raise bad("burki_organisation_voices must be true or false")
        config.burki_organisation_voices = body["burki_organisation_voices"]
    if "webhook_secret" in body:
        secret = body["webhook_secret"]
        if secret is not None:
            try:
                webhooks.secret_key(secret)
            except ValueError as exc:
                raise bad(str(exc)) from exc
        config.webhook_secret = secret
    if "webhook_url" in body:
        config.webhook_url = body["webhook_url"] or None
    return config.as_dict()


async def list_webhooks(request: Request, store: Store):
    return {"deliveries": list(store.webhook_log)}


async def put_file(request: Request, store: Store):
    name = request.path_params["name"].strip("/")
    if not name or ".." in name.split("/"):
        raise bad("a file name without '..' is required")
    content_type = request.headers.get("content-type", "application/octet-stream")
    path = store.put_file(f"uploads/{name}", content_type, await request.body())
    return {"url": absolute_url(request, path)}


async def list_routes(request: Request, store: Store):
    return [{"provider": p, "method": m, "path": path} for p, m, path in request.app.state.routes]


CONTROL_ROUTES = [
    Route("/_sandbox", _control(overview), methods=["GET"]),
    Route("/_sandbox/reset", _control(reset), methods=["POST"]),
    Route("/_sandbox/seed", _control(seed), methods=["POST"]),
    Route("/_sandbox/requests", _control(list_requests), methods=["GET"]),
    Route("/_sandbox/requests", _control(clear_requests), methods=["DELETE"]),
    Route("/_sandbox/faults", _control(list_faults), methods=["GET"]),
    Route("/_sandbox/faults", _control(add_faults), methods=["POST"]),
    Route("/_sandbox/faults", _control(clear_faults), methods=["DELETE"]),
    Route("/_sandbox/config", _control(get_config), methods=["GET"]),
    Route("/_sandbox/config", _control(set_config), methods=["POST"]),
    Route("/_sandbox/webhooks", _control(list_webhooks), methods=["GET"]),
    Route("/_sandbox/files/{name:path}", _control(put_file), methods=["PUT"]),
    Route("/_sandbox/routes", _control(list_routes), methods=["GET"]),
]
