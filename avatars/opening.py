"""Opening a room: a row first, then agora-token, measured by the account's coins just
before and after (avatars.coins). At most AVATAR_MAX_ROOMS rooms of a team are open at
once."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from activity.log import Verb, record
from avatars import coins, leaving
from avatars.models import Room, RoomEvent
from providers import BadRequest, NotFound, UpstreamError
from teams.connection import client_for
from teams.models import Team


class Refused(Exception):
    """No room is opened; the message says why, and `rooms` are the open ones."""

    def __init__(self, message: str, rooms=()):
        super().__init__(message)
        self.rooms = list(rooms)


def open_room(*, account, avatar: dict, minutes: int, by) -> Room:
    """Open a room of `minutes` on `avatar` (one of the account's, checked by the form).
    The row is written first, so a room A2E opened is never unknown to us; a refusal
    by A2E leaves the row failed with A2E's reason. Raises Refused over the limit."""
    team = account.team
    with transaction.atomic():
        # One opening at a time per team, so two clicks cannot both pass the limit.
        Team.objects.select_for_update().filter(pk=team.pk).first()
        open_now = list(Room.objects.for_team(team).open().order_by("created_at"))
        if len(open_now) >= settings.AVATAR_MAX_ROOMS:
            names = ", ".join(f"{r.avatar_name or r.avatar_id}" for r in open_now)
            raise Refused(
                f"Your team already has {len(open_now)} rooms open ({names}), the most "
                f"allowed at once. Leave one of them first.",
                open_now,
            )
        room = Room.objects.create(
            team=team,
            account=account,
            avatar_id=avatar["id"],
            avatar_name=avatar.get("name", ""),
            minutes=minutes,
            opened_by=by,
        )
    client = client_for(account)
    refusal = None
    with coins.reads(account, client) as measured:
        try:
            opened = client.open_avatar_room(avatar["id"], minutes * 60)
        except UpstreamError as exc:
            refusal = exc
    # A2E refusing outright (a 4xx) took nothing; a timeout or a 5xx may have.
    charged, unknown = coins.charged(
        measured, may_have_moved=not isinstance(refusal, BadRequest | NotFound)
    )
    if refusal is not None:
        Room.objects.filter(pk=room.pk, state=Room.State.OPENING).update(
            state=Room.State.FAILED,
            last_error=refusal.message,
            coins_charged=charged,
            coins_unknown=unknown,
        )
        text = f"A2E did not open it: {refusal.message}"
        if charged:
            text += f" It took {coins.said(charged)} all the same."
        RoomEvent.objects.create(room=room, failed=True, text=text)
        record(
            team,
            Verb.ROOM_OPENED,
            actor=by,
            target=room,
            outcome="failed",
            message=refusal.message,
        )
        room.refresh_from_db()
        return room
    now = timezone.now()
    room.state = Room.State.LIVE
    room.channel = opened.channel or ""
    room.app_id = opened.app_id or ""
    room.uid = opened.uid or ""
    room.token = opened.token or ""
    room.expires_at = opened.expires_at or now + timedelta(minutes=minutes)
    room.opened_at = room.last_heartbeat_at = now
    room.coins_charged, room.coins_unknown = charged, unknown
    opened_fields = {
        "channel": room.channel,
        "app_id": room.app_id,
        "uid": room.uid,
        "token_encrypted": room.token_encrypted,
        "expires_at": room.expires_at,
        "opened_at": now,
        "last_heartbeat_at": now,
        "coins_charged": charged,
        "coins_unknown": unknown,
    }
    if not Room.objects.filter(pk=room.pk, state=Room.State.OPENING).update(
        state=room.state, **opened_fields
    ):
        return _opened_too_late(room, opened_fields, now)
    RoomEvent.objects.create(
        room=room,
        at=now,
        text=f"Opened for {minutes} min; "
        + (
            f"{coins.said(charged)} charged for the whole window."
            if charged is not None
            else f"what it was charged is not known: {unknown}."
        ),
    )
    record(team, Verb.ROOM_OPENED, actor=by, target=room, label=room.avatar_name)
    return room


def _opened_too_late(room: Room, fields: dict, now) -> Room:
    """A2E answered after the sweep gave the opening up (a very slow call): the room is
    open and charged at A2E, so it is left at once, as nobody's page holds it."""
    with transaction.atomic():
        Room.objects.filter(pk=room.pk, state=Room.State.FAILED).update(
            state=Room.State.LEAVING,
            close_reason=Room.Reason.ABANDONED,
            leave_next_at=now,
            last_error="",
            **fields,
        )
        RoomEvent.objects.create(
            room=room,
            at=now,
            text="A2E opened it only after the opening was given up: leaving it at once.",
        )
        leaving.enqueue(room.pk)
    room.refresh_from_db()
    return room


def heartbeat(room: Room, now=None) -> None:
    """The room's page is still open: keep it from being left as abandoned."""
    Room.objects.filter(pk=room.pk, state=Room.State.LIVE).update(
        last_heartbeat_at=now or timezone.now()
    )
