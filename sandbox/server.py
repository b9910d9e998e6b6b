"""The sandbox's ASGI app, its route table, and ways to run it (foreground or in a thread)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import fields
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from sandbox import persist, webhooks
from sandbox.a2e import a2e
from sandbox.api import Provider, stored_file
from sandbox.burki import burki
from sandbox.control import CONTROL_ROUTES, SandboxMiddleware
from sandbox.respeecher import respeecher
from sandbox.state import Options, Store

PROVIDERS: dict[str, Provider] = {p.name: p for p in (a2e, respeecher, burki)}

# Every upstream endpoint the sandbox answers: (provider, METHOD, path below its prefix).
ROUTES: list[tuple[str, str, str]] = [
    (name, method, path)
    for name, provider in PROVIDERS.items()
    for method, path, _handler, _auth in provider.table
]


async def serve_file(request: Request) -> Response:
    """Produced media, public like a CDN URL; streamed in chunks."""
    return await stored_file(request, request.app.state.store, request.path_params["name"])


# How often a state folder is brought up to date while records change, seconds.
SAVE_EVERY = 1.0


async def _keep_saving(store: Store, folder: Path) -> None:
    saved = store.version
    while True:
        await asyncio.sleep(SAVE_EVERY)
        store.refresh()  # a job that ended since anyone looked is saved ended
        if store.version != saved:
            saved = store.version
            persist.save(store, folder)


def build_app(options: Options | None = None) -> Starlette:
    store = Store(options or Options())
    folder = Path(store.options.state_dir) if store.options.state_dir else None
    if folder is not None:
        persist.load(store, folder)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(webhooks.pump(store))]
        if folder is not None:
            persist.save(store, folder)
            tasks.append(asyncio.create_task(_keep_saving(store, folder)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if folder is not None:
                store.finish_jobs()
                persist.save(store, folder)

    routes = [
        *CONTROL_ROUTES,
        Route("/files/{name:path}", serve_file, methods=["GET", "HEAD"]),
        *(Mount(provider.prefix, routes=provider.routes()) for provider in PROVIDERS.values()),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SandboxMiddleware, store=store, providers=PROVIDERS)],
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.routes = ROUTES
    return app


def _options(**overrides) -> Options:
    known = {f.name for f in fields(Options)}
    unknown = set(overrides) - known
    if unknown:
        raise TypeError(f"unknown sandbox options: {sorted(unknown)}")
    return Options(**overrides)


def _config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        # Deliberate hangs must not hold a shutdown for long.
        timeout_graceful_shutdown=1,
        access_log=False,
    )


def run(**overrides) -> None:
    """Serve in the foreground until interrupted (what `python -m sandbox` does)."""
    options = _options(**overrides)
    server = uvicorn.Server(_config(build_app(options), options.host, options.port))
    server.run()


def run_in_thread(
    port: int = 0, host: str = "127.0.0.1", **overrides
) -> tuple[str, Callable[[], None]]:
    """Start a sandbox on a background thread; returns its base URL and a stop function.

    Port 0 lets the OS pick a free port; the URL carries the port it picked. (Binding
    the socket ourselves and handing it over would lose asyncio's TCP_NODELAY, which
    it only sets when the socket says IPPROTO_TCP, and cost 40 ms per request.)
    """
    options = _options(host=host, port=port, **overrides)
    server = uvicorn.Server(_config(build_app(options), host, port))
    thread = threading.Thread(target=server.run, name="sandbox", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("sandbox failed to start")
    bound_port = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://{host}:{bound_port}", stop
