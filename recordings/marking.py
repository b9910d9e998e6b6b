"""Starring and labelling a take or a conversion: upstream first (PATCH), then the local
row from Respeecher's answer, so the page shows what Respeecher keeps."""

from django.db import transaction

from activity.log import Verb, record
from providers import UpstreamError
from recordings import sync
from recordings.models import Recording
from teams.connection import client_for

# (the row as Respeecher now has it, None), or (the row as it was, Respeecher's reason).
Result = tuple[Recording, str | None]


def _patch(recording: Recording, verb: str, user, message: str = "", **fields) -> Result:
    try:
        answer = client_for(recording.account).update_recording(recording.remote_id, **fields)
    except UpstreamError as exc:
        record(
            recording.team,
            verb,
            actor=user,
            target=recording,
            outcome="failed",
            message=exc.message,
        )
        return recording, exc.message
    with transaction.atomic():
        # Where it sits here stays: the answer's folder and project are the ones we have.
        mirrored = sync.recording_record(answer, recording.project_id, recording.folder_id)
        saved = sync.save_one(Recording, recording.account, mirrored)
        record(recording.team, verb, actor=user, target=saved, message=message)
    return saved, None


def set_starred(recording: Recording, starred: bool, user=None) -> Result:
    verb = Verb.TAKE_STARRED if starred else Verb.TAKE_UNSTARRED
    return _patch(recording, verb, user, starred=bool(starred))


def set_starred_many(recordings, starred: bool, user=None) -> list[tuple[Recording, str]]:
    """Star or unstar each (Respeecher has no call for many at once); those already so
    are left alone. The ones Respeecher refused, each with its reason."""
    refused = []
    for recording in recordings:
        if recording.starred == bool(starred):
            continue
        recording, refusal = set_starred(recording, starred, user=user)
        if refusal:
            refused.append((recording, refusal))
    return refused


def set_label(recording: Recording, label: str, user=None) -> Result:
    """A label of more than Recording.LABEL_MAX characters is refused here, unsent."""
    label = (label or "").strip()
    if len(label) > Recording.LABEL_MAX:
        return recording, f"Keep the label to {Recording.LABEL_MAX} characters or fewer."
    old = recording.label
    message = f"Was “{old}”." if old else ""
    return _patch(recording, Verb.TAKE_LABELLED, user, message, label=label)
