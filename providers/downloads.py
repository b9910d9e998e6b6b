"""Result files: streamed to disk or passed on to a browser, never held whole, and the
helpers for uploading one."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote

import httpx

from providers.config import current_settings, size_in_words
from providers.errors import TooLarge
from providers.mapping import ErrorMapping
from providers.slots import Slot

if TYPE_CHECKING:
    pass

CHUNK_SIZE = 64 * 1024


@dataclass(frozen=True)
class Download:
    """A body streamed to disk or a file object."""

    size: int
    sha256: str
    content_type: str | None
    filename: str | None
    path: str | None = None


class Streamed:
    """A GET body being passed on chunk by chunk (to a browser, say), never held whole:
    its headers, and `chunks()` to read it once. Only valid inside `Upstream.stream`."""

    def __init__(self, upstream: ErrorMapping, response: httpx.Response, slot: Slot) -> None:
        self._upstream, self._response, self._slot = upstream, response, slot
        headers = response.headers
        self.content_type = headers.get("Content-Type")
        length = headers.get("Content-Length", "")
        self.content_length = int(length) if length.isdigit() else None
        self.filename = _filename(headers.get("Content-Disposition"))

    def chunks(self) -> Iterator[bytes]:
        """The body; a connection lost partway raises Unavailable (the answer's status
        has gone out by then, so the reader sees a body cut short)."""
        refresh_every = current_settings().slot_lease / 3
        checked = time.monotonic()
        try:
            for chunk in self._response.iter_bytes(CHUNK_SIZE):
                yield chunk
                if time.monotonic() - checked > refresh_every:
                    self._slot.refresh()
                    checked = time.monotonic()
        except httpx.TransportError as exc:
            url = str(self._response.request.url)
            raise self._upstream._transport_failure(exc, "GET", url, False) from exc


_FILENAME = re.compile(r"""filename\*?\s*=\s*(?:UTF-8'[^']*')?"?([^";]+)"?""", re.IGNORECASE)


def _filename(disposition: str | None) -> str | None:
    if not disposition:
        return None
    matches = _FILENAME.findall(disposition)
    # filename* (RFC 5987) comes last when both are given and is the better one.
    return Path(unquote(matches[-1])).name if matches else None


def too_large(provider: str, max_bytes: int) -> TooLarge:
    return TooLarge(provider, None, f"The result was larger than {size_in_words(max_bytes)}.")


def save(
    errors: ErrorMapping,
    response: httpx.Response,
    slot: Slot,
    dest: str | os.PathLike[str] | IO[bytes],
    max_bytes: int | None = None,
) -> Download:
    """Stream a successful GET's body to a path (atomically) or a binary file object,
    hashing it as it goes and keeping the in-flight `slot` alive; a body over `max_bytes`
    raises TooLarge and leaves no partial file."""
    digest = hashlib.sha256()
    size = 0
    lease_check = time.monotonic()
    refresh_every = current_settings().slot_lease / 3
    if max_bytes is not None:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large(errors.provider, max_bytes)

    def copy(out: IO[bytes]) -> None:
        nonlocal size, lease_check
        for chunk in response.iter_bytes(CHUNK_SIZE):
            if max_bytes is not None and size + len(chunk) > max_bytes:
                raise too_large(errors.provider, max_bytes)
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            if time.monotonic() - lease_check > refresh_every:
                slot.refresh()
                lease_check = time.monotonic()

    path = None
    try:
        if isinstance(dest, str | os.PathLike):
            path = os.fspath(dest)
            # A partial file never takes the final name.
            directory = os.path.dirname(os.path.abspath(path))
            fd, partial = tempfile.mkstemp(dir=directory, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    copy(out)
                os.replace(partial, path)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
        else:
            copy(dest)
    except httpx.TransportError as exc:
        raise errors._transport_failure(exc, "GET", str(response.request.url), False) from exc
    return Download(
        size=size,
        sha256=digest.hexdigest(),
        content_type=response.headers.get("Content-Type"),
        filename=_filename(response.headers.get("Content-Disposition")),
        path=path,
    )


@contextmanager
def opened(file: str | os.PathLike[str] | IO[bytes]) -> Iterator[IO[bytes]]:
    """A binary file object for a path or an already open file (left open for its owner)."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            yield handle
    else:
        yield file


def file_part(handle: IO[bytes], filename: str | None = None) -> tuple[str, IO[bytes], str]:
    """A multipart file part; httpx streams the open file rather than reading it whole."""
    name = filename or os.path.basename(getattr(handle, "name", "") or "") or "upload"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return (name, handle, content_type)
