"""The small layer each fake provider is written on: route tables, auth, errors in its own shape."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route, compile_path

from sandbox.state import Store

Handler = Callable[[Request, Store], Awaitable[Any]]
logger = logging.getLogger("sandbox")

# Where the request log's entry for the call being answered sits in its ASGI scope
# (sandbox.control.SandboxMiddleware), for a handler to add what it parsed.
LOG_ENTRY = "sandbox.log_entry"
# A multipart form's text fields are kept in the request log up to this many characters.
FORM_LOG_CHARS = 8192


class ApiError(Exception):
    """An answer in the provider's own error shape, raised from anywhere in a handler."""

    def __init__(self, status: int, payload: Any, headers: dict[str, str] | None = None):
        super().__init__(status, payload)
        self.status = status
        self.payload = payload
        self.headers = headers


class Provider:
    """One upstream: its prefix, its route table, how it authenticates and how it says no."""

    def __init__(
        self,
        name: str,
        *,
        authenticate: Callable[[Request, Store], None],
        error: Callable[[int, str], ApiError],
    ) -> None:
        self.name = name
        self.prefix = f"/{name}"
        self.authenticate = authenticate
        self.error = error
        self.table: list[tuple[str, str, Handler, bool]] = []
        # Routes below the prefix that are the sandbox's own, not the provider's API
        # (so not in ROUTES nor held to its contract); their paths start with `/_`.
        self.side_routes: list[BaseRoute] = []

    def route(self, method: str, path: str, *, auth: bool = True):
        def register(handler: Handler) -> Handler:
            self.table.append((method, path, handler, auth))
            return handler

        return register

    def side_route(self, method: str, path: str):
        """Register a plain Starlette endpoint below the prefix, outside the provider's API."""
        if not path.startswith("/_"):
            raise ValueError(f"a side route's path starts with /_: {path}")

        def register(endpoint: Callable[[Request], Awaitable[Response]]):
            self.side_routes.append(Route(path, endpoint, methods=[method], name=None))
            return endpoint

        return register

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            *self.side_routes,
            *(
                Route(path, self._endpoint(handler, auth), methods=[method], name=None)
                for method, path, handler, auth in self.table
            ),
        ]
        routes.append(Route("/{rest:path}", self._unmatched, methods=_ALL_METHODS))
        return routes

    def _endpoint(self, handler: Handler, auth: bool):
        async def endpoint(request: Request) -> Response:
            store: Store = request.app.state.store
            try:
                if auth:
                    self.authenticate(request, store)
                store.refresh()
                result = await handler(request, store)
            except ApiError as exc:
                return JSONResponse(exc.payload, exc.status, headers=exc.headers)
            except Exception:
                # A bug in the fake still answers in the provider's shape, and says so in the log.
                logger.exception("sandbox %s %s failed", request.method, request.url.path)
                exc = self.error(500, "Internal Server Error (sandbox bug, see its log)")
                return JSONResponse(exc.payload, exc.status)
            if isinstance(result, Response):
                return result
            return JSONResponse(result)

        return endpoint

    async def _unmatched(self, request: Request) -> Response:
        path = "/" + request.path_params["rest"]
        known = any(compile_path(p)[0].match(path) for _, p, _, _ in self.table)
        exc = self.error(405, "Method Not Allowed") if known else self.error(404, "Not Found")
        return JSONResponse(exc.payload, exc.status)


_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def json_body(
    request: Request, invalid: Callable[[str], ApiError], *, lists: bool = False
) -> Any:
    """The request's JSON object (or list, when allowed); else the caller's bad-request answer."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise invalid("JSON decode error") from exc
    if not isinstance(body, dict) and not (lists and isinstance(body, list)):
        raise invalid("Request body must be a JSON object")
    return body


async def form_data(request: Request) -> tuple[dict[str, str], dict[str, UploadFile]]:
    """Split a multipart form into its text fields and its files."""
    form = await request.form(max_files=10, max_fields=100)
    fields: dict[str, str] = {}
    files: dict[str, UploadFile] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            files[key] = value
        else:
            fields[key] = value
    entry = request.scope.get(LOG_ENTRY)
    if entry is not None:
        # What tests look for beside the path: the form's text fields (a multipart body
        # is never kept whole), and each file's name and size.
        if sum(len(k) + len(v) for k, v in fields.items()) <= FORM_LOG_CHARS:
            entry["form"] = dict(fields)
        entry["files"] = {k: {"name": f.filename, "size": f.size} for k, f in files.items()}
    return fields, files


def absolute_url(request: Request, path: str) -> str:
    """An absolute URL on this sandbox, built from the host the caller used."""
    return str(request.base_url).rstrip("/") + path


def spawn(store: Store, coroutine: Coroutine[Any, Any, None]) -> None:
    """Run work (a download) after the answer, keeping the task alive until it ends."""
    task = asyncio.get_running_loop().create_task(coroutine)
    store.tasks.add(task)
    task.add_done_callback(store.tasks.discard)


CHUNK = 64 * 1024
# For public, read-only answers: any origin may read them.
CORS_ANYONE = {"Access-Control-Allow-Origin": "*"}


async def stored_file(request: Request, store: Store, name: str) -> Response:
    """A file the sandbox produced, streamed in chunks (a 404 in FastAPI's shape)."""
    stored = store.files.get(name)
    if stored is None:
        return JSONResponse({"detail": "Not Found"}, 404)
    data = await run_in_threadpool(stored.read)
    # Public like a CDN's files, so a page on another origin may fetch them (the avatar
    # stand-in's speech, for one).
    headers = {"Content-Length": str(len(data)), **CORS_ANYONE}
    if request.method == "HEAD":
        return Response(b"", media_type=stored.content_type, headers=headers)

    def chunks() -> Iterator[bytes]:
        for offset in range(0, len(data), CHUNK):
            yield data[offset : offset + CHUNK]

    return StreamingResponse(chunks(), media_type=stored.content_type, headers=headers)
