"""Speaking and asking in a room, each line kept in its transcript with A2E's trace id
or its error; and the room's Q&A context."""

from avatars.models import Room, Utterance
from providers import UpstreamError
from teams.connection import client_for

QA_CONTEXT_MAX = 5000
TEXT_MAX = 2000


def say(room: Room, kind: str, text: str, *, by) -> Utterance:
    """Send `text` to be spoken verbatim (speak) or answered (ask). A2E's refusal is kept
    on the line, shown in the transcript, not raised."""
    line = Utterance.objects.create(room=room, kind=kind, text=text, sent_by=by)
    try:
        client = client_for(room.account)
        send = client.speak if kind == Utterance.Kind.SPEAK else client.ask_avatar
        answer = send(room.channel, text)
    except UpstreamError as exc:
        line.error = exc.message
        Utterance.objects.filter(pk=line.pk).update(error=line.error)
        return line
    line.trace_id = answer.trace_id or ""
    Utterance.objects.filter(pk=line.pk).update(trace_id=line.trace_id)
    return line


def context(room: Room) -> tuple[str, str]:
    """The room's current Q&A context where A2E gives it back, and an error, if any."""
    try:
        return client_for(room.account).get_qa_context(room.channel) or "", ""
    except UpstreamError as exc:
        return "", exc.message


def set_context(room: Room, text: str) -> str:
    """Set the Q&A context; returns A2E's refusal, or "" when it took it."""
    try:
        client_for(room.account).set_qa_context(room.channel, text)
    except UpstreamError as exc:
        return exc.message
    return ""
