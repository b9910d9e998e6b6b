"""Exports as zips, passed to the browser chunk by chunk and never held whole in memory or
on disk: a project's or an original's conversions straight from Respeecher's export, and
a selection of originals' conversions as one zip made on the fly (Respeecher exports one
original at a time), each conversion's audio written into it as it arrives."""

import re
import zipfile
from contextlib import ExitStack
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from activity.log import record
from jobs.files import relay_response, sealed
from providers import UpstreamError
from recordings.models import Recording
from teams.connection import client_for

PROVIDER = "Respeecher"
# What a selection's zip lists when Respeecher would not send some conversion's audio.
NOT_INCLUDED = "NOT INCLUDED.txt"
# What may stay in a name we build from Respeecher's words: letters and digits of any
# script, and a little punctuation. Anything else (separators, control characters, what
# Windows refuses) becomes "_"; runs of dots become one, so no part can be "..".
_UNSAFE = re.compile(r"[^\w \-.,()'&+]+")
_DOTS = re.compile(r"\.{2,}")

# (the response to send, None), or (None, Respeecher's reason) when it refused at once.
Result = tuple[HttpResponse | None, str | None]


class _Watched:
    """A client's stream context that keeps the reason Respeecher refused it with, for
    the page and the log (relay_response answers a refusal with a 502 of its own)."""

    def __init__(self, opened) -> None:
        self._opened, self.refusal = opened, None

    def __enter__(self):
        try:
            return self._opened.__enter__()
        except UpstreamError as exc:
            self.refusal = exc.message
            raise

    def __exit__(self, *exc_info):
        return self._opened.__exit__(*exc_info)


def _relayed(team, verb, user, target, opened, *, name: str, message: str = "") -> Result:
    watched = _Watched(opened)
    response = relay_response(watched, name=name, provider=PROVIDER, download=True)
    if response.status_code == 502:  # refused before a byte was sent
        refusal = watched.refusal or response.content.decode()
        record(team, verb, actor=user, target=target, outcome="failed", message=refusal)
        return None, refusal
    # Respeecher names its zips by slug or remote id, which mean nothing in a Downloads
    # folder (and are its words, not ours): the file is named for what was exported.
    response["Content-Disposition"] = content_disposition_header(True, name)
    record(team, verb, actor=user, target=target, message=message)
    return response, None


def export_project(project, *, starred_only: bool = False, user=None) -> Result:
    """The project's zip (all takes, or the starred ones), named for the project."""
    opened = client_for(project.account).stream_project_export(
        project.remote_id, starred_only=starred_only
    )
    return _relayed(
        project.team,
        "recording.project_exported",
        user,
        project,
        opened,
        name=f"{safe_name(project.name, 'project')}.zip",
        message="Starred takes only." if starred_only else "All takes.",
    )


def export_conversions(original: Recording, *, user=None) -> Result:
    """A zip of an original and its conversions, as Respeecher makes it, named for the take."""
    opened = client_for(original.account).stream_conversions_export(original.remote_id)
    return _relayed(
        original.team,
        "recording.conversions_exported",
        user,
        original,
        opened,
        name=f"{safe_name(original.label or original.file_name, 'take')}.zip",
    )


def export_selection(folder, takes, *, user=None) -> StreamingHttpResponse | None:
    """One zip of the finished conversions of these originals, a folder per take, made
    while it is sent: each conversion's audio is relayed from Respeecher into its entry
    chunk by chunk. None when none of them has a finished conversion. A conversion
    Respeecher will not send is left out and named in NOT INCLUDED.txt; a connection lost
    partway through one ends the download, so no file is silently cut short."""
    conversions = [
        c
        for c in Recording.objects.listed()
        .filter(kind=Recording.Kind.CONVERSION, original__in=takes)
        .select_related("account", "original")
        .order_by("original_id", "created_at", "pk")
        if c.is_completed and c.media["audio"]
    ]
    if not conversions:
        return None
    entries = [(_entry_name(c), c) for c in conversions]
    count = len({c.original_id for c in conversions})
    record(
        folder.team,
        "recording.takes_exported",
        actor=user,
        target=folder,
        message=f"{len(conversions)} conversions of {count} takes.",
    )
    response = StreamingHttpResponse(_zip_stream(entries), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{safe_name(folder.name, 'folder')} - {count} takes.zip"
    )
    return sealed(response)


def safe_name(text: str | None, fallback: str, limit: int = 80) -> str:
    """One part of a file or zip entry name, made from an upstream's words: only the safe
    characters, never "..", no separator, never empty. Every part of every name we build
    goes through here, since an unzip tool joins entry names onto a real folder."""
    name = _DOTS.sub(".", _UNSAFE.sub("_", text or "")).strip(" .")[:limit].strip(" .")
    return name or fallback


def _entry_name(conversion: Recording) -> str:
    take = conversion.original
    take_name = safe_name(take.label or take.file_name, "take")
    voice = safe_name(conversion.voice_name, "voice")
    take_id = safe_name(take.remote_id[:8], "take")
    conversion_id = safe_name(conversion.remote_id[:8], "conversion")
    suffix = PurePosixPath(urlsplit(conversion.media["audio"]).path).suffix
    extension = safe_name(suffix, "wav", limit=8)
    # The remote ids keep two takes of one label, or two conversions into one voice, apart.
    return f"{take_name} ({take_id})/{voice} ({conversion_id}).{extension}"


class _Sink:
    """Where zipfile writes: handed on as soon as written. Unseekable, so zipfile puts
    each entry's sizes after its data and never goes back."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _zip_stream(entries):
    sink = _Sink()
    left_out = []
    clients = {}  # one per account, not one per file
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:  # type: ignore[arg-type]
        for name, conversion in entries:
            with ExitStack() as stack:
                account = conversion.account
                client = clients.get(account.pk) or clients.setdefault(
                    account.pk, client_for(account)
                )
                try:
                    streamed = stack.enter_context(client.stream(conversion.media["audio"]))
                except UpstreamError as exc:
                    left_out.append(f"{name}: {exc.message}")
                    continue
                length = streamed.content_length
                # Sizes over 2 GiB need zip64 records, which must be chosen before writing.
                big = length is None or length > zipfile.ZIP64_LIMIT // 2
                with archive.open(name, "w", force_zip64=big) as entry:
                    for chunk in streamed.chunks():
                        entry.write(chunk)
                        yield sink.drain()
            yield sink.drain()
        if left_out:
            lines = [f"{PROVIDER} did not send these conversions:", *left_out, ""]
            archive.writestr(NOT_INCLUDED, "\n".join(lines))
    yield sink.drain()
