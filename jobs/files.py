"""Serving a stored file from our own origin without letting it act as a page: the type
is read from its bytes, only media and zips are shown inline, and nothing may script."""

from django.http import FileResponse

from jobs import media

# Magic numbers of what may be shown inline besides the audio and video `media.sniff` knows.
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_ZIPS = (b"PK\x03\x04", b"PK\x05\x06")


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


def file_response(stored_file, *, size: int, name: str, download: bool = False) -> FileResponse:
    """A response for a stored file. Whatever type the provider or the uploader claimed
    is ignored; anything not media is sent as an octet-stream attachment."""
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
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
