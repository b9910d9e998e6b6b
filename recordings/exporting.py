"""Exports as zips, passed to the browser chunk by chunk and never held whole in memory or
on disk: a project's or an original's conversions straight from Respeecher's export, and
a selection of originals' conversions as one zip made on the fly (Respeecher exports one
original at a time), each conversion's audio written into it as it arrives."""

import json
import zipfile
from contextlib import ExitStack
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from activity.log import Verb, record
from jobs.files import relay_response, safe_name, sealed
from providers import UpstreamError
from providers.respeecher import Accent, NarrationStyle
from recordings import signals
from recordings.models import Order, Recording
from teams.connection import client_for

PROVIDER = "Respeecher"
# What a selection's zip lists when Respeecher would not send some conversion's audio.
NOT_INCLUDED = "NOT INCLUDED.txt"
# What a selection's zip says its files are, as Respeecher's project export does.
MANIFEST = "manifest.json"

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
        Verb.PROJECT_EXPORTED,
        user,
        project,
        opened,
        name=f"{safe_name(project.name, 'project')}.zip",
        message="Starred takes only." if starred_only else "All takes.",
    )


def export_conversions(original: Recording, *, starred_only: bool = False, user=None) -> Result:
    """A zip of an original and its conversions (or only the starred ones), as Respeecher
    makes it, named for the take."""
    opened = client_for(original.account).stream_conversions_export(
        original.remote_id, starred_only=starred_only
    )
    return _relayed(
        original.team,
        Verb.CONVERSIONS_EXPORTED,
        user,
        original,
        opened,
        name=f"{safe_name(original.label or original.file_name, 'take')}.zip",
        message="Starred conversions only." if starred_only else "",
    )


def export_selection(folder, takes, *, user=None) -> StreamingHttpResponse | None:
    """One zip of the finished conversions of these originals, laid out as Respeecher lays
    out a project's export: `<folder>/<take> → <voice>.wav` per conversion and a
    `manifest.json` at the root saying which take, conversion, voice and settings each file
    is. Made while it is sent: each conversion's audio is relayed from Respeecher into its
    entry chunk by chunk. None when none of them has a finished conversion. A conversion
    Respeecher will not send is left out and named in NOT INCLUDED.txt; a connection lost
    partway through one ends the download, so no file is silently cut short."""
    conversions = [
        c
        for c in Recording.objects.listed()
        .filter(kind=Recording.Kind.CONVERSION, original__in=takes)
        .select_related("account", "original", "original__folder", "project")
        .order_by("original_id", "created_at", "pk")
        if c.is_completed and c.media["audio"]
    ]
    if not conversions:
        return None
    entries = list(zip(entry_names(conversions), conversions, strict=True))
    exported = [t for t in takes if any(c.original_id == t.pk for c in conversions)]
    record(
        folder.team,
        Verb.TAKES_EXPORTED,
        actor=user,
        target=folder,
        message=f"{len(conversions)} conversions of {len(exported)} takes.",
    )
    manifest = _manifest(entries)
    response = StreamingHttpResponse(_zip_stream(entries, manifest), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        True, selection_name(folder, exported)
    )
    return sealed(response)


def selection_name(folder, takes) -> str:
    """What a selection's zip is called, after what it holds: the folder's name when every
    take is in that folder (however few were ticked: "Episode 1.zip"), the project's when
    none is in any folder, and "<N> takes from <folder>.zip" only when they span folders."""
    folders = {take.folder_id for take in takes}
    if folders == {folder.pk}:
        return f"{safe_name(folder.name, 'folder')}.zip"
    if folders == {None}:
        return f"{safe_name(folder.project.name, 'project')}.zip"
    count = len(takes)
    where = safe_name(folder.name, "folder")
    return f"{count} {'take' if count == 1 else 'takes'} from {where}.zip"


def _entry_name(conversion: Recording) -> str:
    """`<folder>/<take> → <voice>.<ext>`, every part made from Respeecher's words through
    safe_name (the arrow is ours)."""
    take = conversion.original
    folder = take.folder.name if take.folder is not None else take.project.name
    folder_name = safe_name(folder, "folder")
    take_name = safe_name(take.label or take.file_name, "take")
    voice = safe_name(conversion.voice_name, "voice")
    return f"{folder_name}/{take_name} → {voice}.{_extension(conversion)}"


def _extension(conversion: Recording) -> str:
    suffix = PurePosixPath(urlsplit(conversion.media["audio"]).path).suffix
    return safe_name(suffix, "wav", limit=8)


def entry_names(conversions) -> list[str]:
    """Each conversion's entry name, in order. Two takes of one label, or two conversions
    of a take into one voice, would share a name: the later ones get the start of their
    conversion's id, and a number if even that is taken, so nothing is overwritten on
    unzipping (compared without case, as Windows and macOS compare names)."""
    names: list[str] = []
    taken: set[str] = set()
    for conversion in conversions:
        name = _entry_name(conversion)
        if name.casefold() in taken:
            stem, extension = name.rsplit(".", 1)
            tag = safe_name(conversion.remote_id[:8], "copy")
            name, number = f"{stem} ({tag}).{extension}", 2
            while name.casefold() in taken:
                name, number = f"{stem} ({tag} {number}).{extension}", number + 1
        taken.add(name.casefold())
        names.append(name)
    return names


def _manifest(entries) -> list[dict]:
    """What each file of a selection's zip is: its take, conversion and voice, with the
    accent, narration style and semitones it was made with where we know them (the order
    we placed, else Respeecher's record of the conversion), named from the voice catalog."""
    conversions = [c for _name, c in entries]
    ordered = {
        o.conversion_id: o.job.params or {}
        for o in Order.objects.filter(conversion__in=conversions).select_related("job")
    }
    voices = {}
    for records in signals.answers(
        signals.voice_records,
        team_id=conversions[0].team_id,
        remote_ids={c.model_id for c in conversions if c.model_id},
    ):
        voices.update(records)
    rows = []
    for name, conversion in entries:
        take = conversion.original
        asked = conversion.raw.get("params") if isinstance(conversion.raw, dict) else None
        asked = asked if isinstance(asked, dict) else {}
        params = ordered.get(conversion.pk, {})
        accent_id = params.get("accent_id") or asked.get("accent_id") or ""
        style_id = params.get("narration_style_id") or asked.get("narration_style_id") or ""
        semitones = params.get("semitones")
        if semitones is None:
            semitones = asked.get("semitones_correction")
        voice = voices.get(conversion.model_id, {})
        rows.append(
            {
                "file": name,
                "take": take.label or take.file_name,
                "take_id": take.remote_id,
                "conversion_id": conversion.remote_id,
                "voice": conversion.voice_name,
                "voice_id": conversion.model_id,
                "accent": _named(voice.get("accents"), accent_id, Accent),
                "accent_id": str(accent_id),
                "narration_style": _named(voice.get("narration_styles"), style_id, NarrationStyle),
                "narration_style_id": str(style_id),
                "semitones": semitones,
            }
        )
    return rows


def _named(options, option_id, kind) -> str:
    """The name the voice catalog gives an accent or narration style, or ""."""
    for raw in options if isinstance(options, list) and option_id else ():
        if isinstance(raw, dict) and str(raw.get("id")) == str(option_id):
            return kind.from_raw(raw).name or ""
    return ""


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


def _zip_stream(entries, manifest):
    sink = _Sink()
    left_out, left_names = [], set()
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
                    left_names.add(name)
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
        for row in manifest:  # what was left out has no file
            if row["file"] in left_names:
                row["file"] = None
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    yield sink.drain()
