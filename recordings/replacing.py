"""Replacing a take at Respeecher (PUT), keeping its id.

What PUT can replace: by Respeecher's reference (seed 003), `PUT /api/recordings/{id}`
is "the same as PATCH but all request body fields are required", and PATCH's fields are
a recording's `label` and `starred` (JSON). No audio travels in it, and no other
endpoint replaces a recording's audio in place: new audio is a new original
(`POST /api/recordings`), with a new id. So a take's label and star are replaced here,
both at once as PUT requires; its audio, id and conversions stay.
"""

from django.db import transaction

from activity.log import Verb, record
from providers import UpstreamError
from recordings import sync
from recordings.models import Recording
from teams.connection import client_for

# (the row as Respeecher now has it, None), or (the row as it was, Respeecher's reason).
Result = tuple[Recording, str | None]


def replace(recording: Recording, *, label: str, starred: bool, user=None) -> Result:
    """PUT every field of the take; a label over Recording.LABEL_MAX is refused unsent."""
    label = (label or "").strip()
    if len(label) > Recording.LABEL_MAX:
        return recording, f"Keep the label to {Recording.LABEL_MAX} characters or fewer."
    try:
        answer = client_for(recording.account).replace_recording(
            recording.remote_id, label=label, starred=bool(starred)
        )
    except UpstreamError as exc:
        record(
            recording.team,
            Verb.TAKE_REPLACED,
            actor=user,
            target=recording,
            outcome="failed",
            message=exc.message,
        )
        return recording, exc.message
    with transaction.atomic():
        mirrored = sync.recording_record(answer, recording.project_id, recording.folder_id)
        saved = sync.save_one(Recording, recording.account, mirrored)
        was = f"Was “{recording.label}”{', starred' if recording.starred else ''}."
        record(recording.team, Verb.TAKE_REPLACED, actor=user, target=saved, message=was)
    return saved, None
