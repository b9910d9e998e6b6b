"""Deleting voices: an A2E clone at A2E first, then here; the other providers' voices
are not deleted from Voxboard."""

from django.db import transaction

from providers import NotFound, UpstreamError
from teams.connection import client_for
from webhooks.events import EventType, publish


def can_delete(voice) -> bool:
    return voice.deletable_here


def delete(voice) -> str | None:
    """Delete an A2E clone upstream, then here (announcing voice.deleted). Returns the
    provider's reason when it refuses, and then nothing is deleted here."""
    try:
        client_for(voice.account).delete_voice(voice.remote_id)
    except NotFound:
        pass  # already gone upstream: finish the job here
    except UpstreamError as exc:
        return exc.message
    with transaction.atomic():
        publish(
            voice.team,
            EventType.VOICE_DELETED,
            {
                "id": voice.pk,
                "provider": voice.provider,
                "remote_id": voice.remote_id,
                "name": voice.name,
            },
        )
        voice.delete()
    return None


def delete_many(voices) -> tuple[list[str], list[str]]:
    """Delete each deletable voice; returns (names deleted, "name (reason)" refused)."""
    deleted, refused = [], []
    for voice in voices:
        if not can_delete(voice):
            continue
        refusal = delete(voice)
        if refusal:
            refused.append(f"{voice.name} ({refusal})")
        else:
            deleted.append(voice.name)
    return deleted, refused
