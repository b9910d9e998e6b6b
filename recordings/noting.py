"""A take's note: added, edited and deleted at Respeecher first (the notes endpoints),
then the row mirrored from the recording as it now carries the note, so lists show it
without asking Respeecher and the next sync has nothing to rewrite."""

from django.db import transaction

from activity.log import Verb, record
from providers import NotFound, UpstreamError
from providers.respeecher import Recording as RemoteRecording
from recordings import sync
from recordings.models import Recording
from teams.connection import client_for

# (the row as Respeecher now has it, None), or (the row as it was, the reason).
Result = tuple[Recording, str | None]


def refusal_of(text: str) -> str | None:
    """Why a note's text is not sent, in the reader's words; None when it may be."""
    text = (text or "").strip()
    if not text:
        return "Write the note first: it is empty."
    if "\x00" in text:
        return "The note holds a null character, which cannot be saved: remove it."
    if len(text) > Recording.NOTE_MAX:
        return f"Keep the note to {Recording.NOTE_MAX:,} characters or fewer; it has {len(text):,}."
    return None


def _mirror(recording: Recording, note: dict | None, verb: str, user, message="") -> Recording:
    """The row with `note` in its payload, saved as a sync would save that payload."""
    raw = {**(recording.raw or {}), "note": note}
    remote = RemoteRecording.from_raw(raw)
    with transaction.atomic():
        row = sync.recording_record(remote, recording.project_id, recording.folder_id)
        saved = sync.save_one(Recording, recording.account, row)
        record(recording.team, verb, actor=user, target=saved, message=message)
    return saved


def _refused(recording, verb, user, reason) -> Result:
    record(recording.team, verb, actor=user, target=recording, outcome="failed", message=reason)
    return recording, reason


def save_note(recording: Recording, text: str, user=None) -> Result:
    """Add the take's note, or change the one it has. Empty or over-long text is refused
    here, unsent."""
    refusal = refusal_of(text)
    if refusal:
        return recording, refusal
    text = text.strip()
    client = client_for(recording.account)
    try:
        if recording.has_note:
            try:
                note = client.update_note(recording.note_remote_id, text)
            except NotFound:
                # Deleted at Respeecher meanwhile: this text becomes its new note.
                note = client.create_note(recording.remote_id, text)
        else:
            note = client.create_note(recording.remote_id, text)
    except UpstreamError as exc:
        return _refused(recording, Verb.TAKE_NOTED, user, exc.message)
    saved = {"id": note.id, "text": note.text if note.text is not None else text, "active": True}
    return _mirror(recording, saved, Verb.TAKE_NOTED, user), None


def delete_note(recording: Recording, user=None) -> Result:
    if not recording.has_note:
        return recording, None
    try:
        client_for(recording.account).delete_note(recording.note_remote_id)
    except NotFound:
        pass  # already gone at Respeecher: finish here
    except UpstreamError as exc:
        return _refused(recording, Verb.TAKE_NOTE_DELETED, user, exc.message)
    was = recording.note_text
    return _mirror(recording, None, Verb.TAKE_NOTE_DELETED, user, f"Was “{was[:150]}”."), None
