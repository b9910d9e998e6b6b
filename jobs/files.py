"""Serving a stored file, or relaying a provider's, from our own origin without letting it
act as a page: the type is read from its bytes, only media, images and zips are shown
inline, and nothing may script."""

import re
from contextlib import ExitStack

from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

from core import storage
from jobs import media
from providers import UpstreamError

# Magic numbers of what may be shown inline besides the audio and video `media.sniff` knows.
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_ZIPS = (b"PK\x03\x04", b"PK\x05\x06")


# What may stay in a name: letters and digits of any script, and a little punctuation.
# Anything else (separators, control characters, what Windows refuses) becomes "_"; runs
# of dots become one, so no part can be "..".
_UNSAFE = re.compile(r"[^\w \-.,()'&+]+")
_DOTS = re.compile(r"\.{2,}")


def safe_name(text: str | None, fallback: str, limit: int = 80) -> str:
    """One part of a file or zip entry name, made from words we do not control (an
    upstream's, a person's): only the safe characters, never "..", no separator, never
    empty. Every name a download or a zip entry gets goes through here, since a browser
    or an unzip tool joins it onto a real folder."""
    name = _DOTS.sub(".", _UNSAFE.sub("_", text or "")).strip(" .")[:limit].strip(" .")
    return name or fallback


def inline_type(head: bytes) -> str | None:
    """The content type to show a file under, from its first bytes; None when it is not
    audio, video, an image or a zip (HTML, script, SVG, text, anything unknown)."""
    sniffed = media.sniff(head)
    if sniffed is not None:
        return sniffed.content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, content_type in _IMAGES:
        if head.startswith(magic):
            return content_type
    if head.startswith(_ZIPS):
        return "application/zip"
    return None


def file_response(stored_file, *, size: int, name: str, download: bool = False) -> HttpResponse:
    """A response for a stored file. Whatever type the provider or the uploader claimed
    is ignored; anything not media is sent as an octet-stream attachment. A file in a
    bucket is not passed through here: the browser is sent to a presigned link that
    answers with the type read from its first bytes and always as an attachment (the
    bucket cannot add our sandboxing headers, so nothing there is shown as a page)."""
    if storage.in_bucket(stored_file.storage):
        content_type = inline_type(storage.first_bytes(stored_file, 64))
        link = storage.download_link(
            stored_file, name=name, content_type=content_type or "application/octet-stream"
        )
        response = HttpResponseRedirect(link)
        response["Cache-Control"] = "private, no-store"  # the link expires; ask us again
        return sealed(response)
    handle = stored_file.open("rb")
    head = handle.read(64)
    handle.seek(0)
    content_type = inline_type(head)
    attachment = download or content_type is None
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=attachment,
        filename=name,
    )
    response["Content-Length"] = size
    return sealed(response)


def sealed(response):
    """Whatever the file holds, it may not script or be taken for another type."""
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _Relayed:
    """The body of a relayed provider file: the chunk already read, then the rest. Django
    calls `close()` when the response is done (or never iterated), which ends the
    upstream connection and frees its in-flight slot."""

    def __init__(self, stack: ExitStack, head: bytes, rest) -> None:
        self._stack, self._head, self._rest = stack, head, rest

    def __iter__(self):
        if self._head:
            yield self._head
        yield from self._rest

    def close(self) -> None:
        self._stack.close()


def relay_response(opened, *, name: str, provider: str, download: bool = False) -> HttpResponse:
    """A response passing a provider's file on as it arrives, never held whole in memory
    or on disk. `opened` is the context manager of a client's `stream(url)`; it is entered
    here and left when the response closes. Typed by its first bytes, like a stored file.
    When the provider refuses before anything is sent, a 502 gives its reason."""
    stack = ExitStack()
    try:
        streamed = stack.enter_context(opened)
        chunks = streamed.chunks()
        head = next(chunks, b"")
    except UpstreamError as exc:
        stack.close()
        return HttpResponse(
            f"{provider} did not send it: {exc.message}",
            status=502,
            content_type="text/plain; charset=utf-8",
        )
    except BaseException:
        stack.close()
        raise
    content_type = inline_type(head[:64])
    response = StreamingHttpResponse(
        _Relayed(stack, head, chunks), content_type=content_type or "application/octet-stream"
    )
    if streamed.content_length is not None:
        response["Content-Length"] = streamed.content_length
    attachment = download or content_type is None
    response["Content-Disposition"] = content_disposition_header(
        attachment, streamed.filename or name
    )
    return sealed(response)
