"""Files we host for providers to fetch: stored from an upload, checked by their bytes,
and reachable only through a signed link that expires."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files import File

from core import storage
from jobs import media
from jobs.models import InputFile

SALT = "jobs.inputs"
CHUNK = 1024 * 1024


class Refused(ValueError):
    """The file is not acceptable; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Rules:
    formats: tuple[str, ...]
    max_bytes: int
    min_seconds: float | None = None
    max_seconds: float | None = None

    def describe(self) -> str:
        text = f"{', '.join(self.formats)}; at most {self.max_bytes // (1024 * 1024)} MB"
        if self.min_seconds is not None and self.max_seconds is not None:
            text += f"; {self.min_seconds:g} to {self.max_seconds:g} seconds"
        return text


def inspect(upload, rules: Rules) -> tuple[media.Sniffed, float | None, str]:
    """Check an uploaded file against `rules`; (format, seconds, sha256) or Refused.
    Reads it in chunks from wherever Django spooled it, never whole into memory."""
    name = upload.name
    if upload.size == 0:
        raise Refused(f"{name} is empty.")
    if upload.size > rules.max_bytes:
        raise Refused(f"{name} is larger than {rules.max_bytes // (1024 * 1024)} MB.")
    upload.seek(0)
    head = upload.read(64)
    sniffed = media.sniff(head)
    if sniffed is None or sniffed.format not in rules.formats:
        raise Refused(f"{name} is not {' or '.join(rules.formats)} audio (judged by its bytes).")
    if sniffed.format == "wav" and media.wav_cut_short(upload, upload.size):
        raise Refused(
            f"{name} is cut short: it holds less audio than its header says. "
            "Save or export it again, then upload the new copy."
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    seconds = None
    if rules.min_seconds is not None or rules.max_seconds is not None:
        seconds = _seconds(upload, sniffed.format)
        if seconds is None:
            raise Refused(f"The length of {name} could not be read; is the file complete?")
        if rules.min_seconds is not None and seconds < rules.min_seconds:
            raise Refused(
                f"{name} lasts {seconds:.1f} s; at least {rules.min_seconds:g} s is needed."
            )
        if rules.max_seconds is not None and seconds > rules.max_seconds:
            raise Refused(f"{name} lasts {seconds:.1f} s; at most {rules.max_seconds:g} s.")
    return sniffed, seconds, digest.hexdigest()


def _seconds(upload, format: str) -> float | None:
    path = getattr(upload, "temporary_file_path", None)
    if path:
        return media.duration(path(), format)
    import tempfile

    with tempfile.NamedTemporaryFile(suffix="." + format) as tmp:
        upload.seek(0)
        for chunk in iter(lambda: upload.read(CHUNK), b""):
            tmp.write(chunk)
        tmp.flush()
        upload.seek(0)
        return media.duration(tmp.name, format)


def store(team, upload, rules: Rules, user=None) -> InputFile:
    sniffed, seconds, sha256 = inspect(upload, rules)
    return InputFile.objects.create(
        team=team,
        file=File(upload, name=upload.name),
        original_name=upload.name[:200],
        content_type=sniffed.content_type,
        size=upload.size,
        sha256=sha256,
        duration=seconds,
        created_by=user,
    )


def public_url(stored: InputFile) -> str:
    """A link a provider can fetch the file from, valid for INPUT_URL_LIFETIME seconds:
    a presigned link into the bucket when media is in one (PUBLIC_BASE_URL is then not
    needed), else a signed link to our own origin."""
    from django.urls import reverse

    if storage.in_bucket(stored.file.storage):
        return storage.fetch_link(
            stored.file, content_type=stored.content_type, lifetime=settings.INPUT_URL_LIFETIME
        )

    token = signing.TimestampSigner(salt=SALT).sign(str(stored.pk))
    path = reverse("input_file", kwargs={"token": token})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def from_token(token: str) -> InputFile | None:
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(token, max_age=settings.INPUT_URL_LIFETIME)
    except signing.BadSignature:
        return None
    return InputFile.objects.filter(pk=pk).first()
