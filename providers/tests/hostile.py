"""A provider's server written to hurt us, for the tests of the limits: it answers over a
real loopback socket with whatever a test's `answer` writes, byte by byte if it likes."""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = Callable[["Exchange"], None]


class Exchange:
    """One request and the socket to answer it on; `send` counts what it wrote."""

    def __init__(self, handler: BaseHTTPRequestHandler, server: HostileServer) -> None:
        self._handler = handler
        self._server = server
        parts = urlsplit(handler.path)
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}

    @property
    def stopped(self) -> bool:
        return self._server.stopping.is_set()

    def send(self, data: bytes) -> None:
        self._handler.wfile.write(data)
        self._handler.wfile.flush()
        with self._server.lock:
            self._server.sent += len(data)

    def head(self, status: int = 200, **headers: str) -> None:
        lines = [f"HTTP/1.1 {status} Hostile", "Connection: close"]
        lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
        self._handler.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        self._handler.wfile.flush()

    def json(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.head(status, Content_Type="application/json", Content_Length=str(len(data)))
        self.send(data)


class HostileServer:
    """A threaded HTTP/1.1 server on 127.0.0.1; every request goes to `answer`.

    `sent` counts the body bytes `Exchange.send` wrote, `requests` the paths asked.
    Leaving the block stops answers that would go on for ever.
    """

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent = 0
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with outer.lock:
                    outer.requests.append(self.path)
                # The kernel keeps what fits in the socket's buffers; a small one keeps
                # `sent` close to what the client really took.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
                # The client hanging up part way is what the tests want of it.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    outer.answer(Exchange(self, outer))

            def log_message(self, *args: Any) -> None:
                pass

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> HostileServer:
        # A short poll, so leaving the block does not wait half a second for the loop.
        serve = partial(self._server.serve_forever, poll_interval=0.02)
        threading.Thread(target=serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def endless_json(exchange: Exchange) -> None:
    """A JSON list of 64 MB (endless, to a client that stops at a few), 64 KB at a time,
    without a declared length."""
    exchange.head(Content_Type="application/json")
    exchange.send(b"[")
    chunk = (b'"' + b"x" * 1000 + b'",') * 64
    for _ in range(1000):
        if exchange.stopped:
            return
        exchange.send(chunk)
    exchange.send(b"0]")


def trickle(every: float, *, headers: bool = False) -> Answer:
    """A whole, valid answer sent one byte each `every` seconds: its body, or all of it
    headers included. Some 3 s of body, 9 s in all: a client without a deadline gets it."""

    def answer(exchange: Exchange) -> None:
        body = b"[0,0,0,0,0,0,0]"
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
        if headers:
            data = head + body
        else:
            exchange.head(Content_Type="application/json", Content_Length=str(len(body)))
            data = body
        for byte in data:
            if exchange.stopped:
                return
            exchange.send(bytes([byte]))
            time.sleep(every)

    return answer
