"""Every room is left: a Leave press, a closed tab's beacon, a stopped heartbeat and
expiry all ask for a leave here, and the leave is sent until A2E acknowledges it.

A room moves live -> leaving once (a conditional update: the first reason wins), then
leaving -> left or expired once A2E has answered. The row is the record: a task message
is only a doorbell, and the sweep (avatars.sweep, on beat) rings again for any room
whose leave is due and unheld, so a killed worker or a wiped broker delays a leave but
never loses it. Each leave sent is measured by the account's coins just before and
after it (avatars.coins), so what came back is this room's own; a leave A2E has
acknowledged is written right after that one read, and one sent twice by a worker that
died in between is refused by A2E as closed, which counts as left."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from activity.log import Verb, record
from avatars import coins
from avatars.models import LEAVE_HOLD, Room, RoomEvent
from core.retry import Backoff
from providers import BadRequest, NotFound, UpstreamError
from teams.connection import client_for
from webhooks.events import EventType, publish

log = logging.getLogger(__name__)

# How long one leave attempt holds its room: longer than a provider call can take. A
# worker killed mid-leave is taken over once it lapses.
HOLD_SECONDS = settings.AVATAR_LEAVE_HOLD_SECONDS
# Said of a room whose opening's web request died before its coins were read after it.
CUT_OFF = "its opening was cut off before A2E's coins were read"
WORDS = {
    Room.Reason.LEFT: "Leave pressed",
    Room.Reason.ABANDONED: "the page went away without leaving (no heartbeat)",
    Room.Reason.EXPIRED: "its time ran out",
}


def enqueue(room_id: int) -> None:
    """Ring for the room's leave once the caller's transaction commits."""
    from avatars.tasks import leave

    transaction.on_commit(lambda: leave.delay(room_id))


def request_leave(room: Room, reason: str, *, by=None, now=None, why: str = "") -> bool:
    """Ask for the room to be left, for `reason` (`why` says it in the history, when
    WORDS would not); False when it is not live (already leaving, left, or never
    opened). The leave is sent by a worker once committed."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = Room.objects.filter(pk=room.pk, state=Room.State.LIVE).update(
            state=Room.State.LEAVING, close_reason=reason, leave_next_at=now
        )
        if not moved:
            return False
        who = f" by {by.get_username()}" if by is not None and by.is_authenticated else ""
        RoomEvent.objects.create(room=room, at=now, text=f"Leaving{who}: {why or WORDS[reason]}.")
        enqueue(room.pk)
    return True


def retry_wait(attempts: int) -> timedelta:
    """A leave A2E did not answer is sent again after base x 2^(attempts-1), capped,
    +-10 %, for as long as it takes: a room is always left."""
    policy = Backoff(base=settings.AVATAR_LEAVE_RETRY_BASE, cap=settings.AVATAR_LEAVE_RETRY_MAX)
    return policy.delay(attempts)


def leave(room_id: int, now=None) -> str:
    """Send one leave for a room that is leaving and due. Returns what happened."""
    now = now or timezone.now()
    due = Q(leave_next_at__isnull=True) | Q(leave_next_at__lte=now)
    hold = LEAVE_HOLD.take(
        Room.objects.filter(due, pk=room_id, state=Room.State.LEAVING),
        now,
        timedelta(seconds=HOLD_SECONDS),
        leave_attempts=F("leave_attempts") + 1,
    )
    if hold is None:
        return "not-due"
    room = Room.objects.select_related("account", "team").get(pk=room_id)
    if room.account is None:
        _acknowledged(room, hold, now, "The A2E account was disconnected; A2E was not asked.")
        return "left"
    error = None
    try:
        client = client_for(room.account)
        with coins.reads(room.account, client) as measured:
            try:
                client.leave_avatar_room(room.channel)
            except UpstreamError as exc:
                error = exc
    except UpstreamError as exc:  # no client: nothing was sent, nothing moved
        error, measured = exc, None
    # A2E refusing the channel (a 4xx) moved nothing; a timeout or a 5xx may have
    # refunded all the same, which this attempt's reads then count.
    refused = isinstance(error, BadRequest | NotFound)
    if measured is not None:
        coins.refunded(room, measured, may_have_moved=not refused)
    if refused:
        # A2E refuses a channel that is not open: it was closed already (an earlier leave
        # whose answer we lost, or its time ran out). Nothing is left to close.
        text = f"A2E says the room is already closed ({error.message})."
        _acknowledged(room, hold, _answered(now), text)
        return "left"
    if error is not None:
        wait = retry_wait(room.leave_attempts)
        Room.objects.filter(LEAVE_HOLD.mine(hold), pk=room.pk, state=Room.State.LEAVING).update(
            leave_next_at=now + wait, last_error=error.message, **LEAVE_HOLD.released()
        )
        RoomEvent.objects.create(
            room=room,
            at=now,
            failed=True,
            text=f"Leave not acknowledged ({error.message}); trying again in {wait.seconds} s.",
        )
        log.warning("room %s: leave failed (%s); again in %s", room.pk, error.message, wait)
        return "retry"
    _acknowledged(room, hold, _answered(now), "A2E acknowledged the leave.")
    return "left"


def _answered(now):
    """When A2E answered: after the call (`now` is when the attempt began, or a test's)."""
    return max(now, timezone.now())


def _acknowledged(room: Room, hold, now, text: str) -> None:
    """Write the room closed, once: the holder of this leave does it, with its history
    line, the activity entry and the webhook, in one transaction."""
    final = Room.State.EXPIRED if room.close_reason == Room.Reason.EXPIRED else Room.State.LEFT
    with transaction.atomic():
        moved = Room.objects.filter(
            LEAVE_HOLD.mine(hold), pk=room.pk, state=Room.State.LEAVING
        ).update(
            state=final,
            left_at=now,
            last_error="",
            **LEAVE_HOLD.released(),
        )
        if not moved:
            return
        RoomEvent.objects.create(room=room, at=now, text=text)
        RoomEvent.objects.create(room=room, at=now, text=_refund_line(room))
        record(
            room.team,
            Verb.ROOM_CLOSED,
            target=room,
            label=str(room.avatar_name or room.avatar_id),
            message=f"{Room.Reason(room.close_reason).label}: {text}",
        )
        publish(
            room.team,
            EventType.AVATAR_ROOM_CLOSED,
            {
                "room": room.pk,
                "avatar_id": room.avatar_id,
                "avatar": room.avatar_name,
                "channel": room.channel,
                "reason": room.close_reason,
                "state": final,
                "opened_at": room.opened_at,
                "closed_at": now,
                "minutes": room.minutes,
            },
        )


def _refund_line(room: Room) -> str:
    """The history's last word on the room's coins, once it is closed."""
    room.refresh_from_db(fields=["coins_charged", "coins_refunded", "coins_unknown"])
    if room.coins_unknown:
        return f"What this room cost is not known: {room.coins_unknown}."
    back = room.coins_refunded or 0
    line = f"{coins.said(back)} came back for the unused time" if back else "No coins came back"
    if room.coins_spent is not None:
        line += f"; the room cost {coins.said(room.coins_spent)}"
    return line + "."


def sweep(now=None) -> dict:
    """One beat: leave what expired or lost its page, ring again for leaves that are
    due, and close rooms whose opening was cut off."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.AVATAR_HEARTBEAT_GRACE)
    live = Room.objects.filter(state=Room.State.LIVE)
    stats = {"expired": 0, "abandoned": 0, "rung": 0, "cut_off": 0}
    # Read before this pass asks for new leaves: request_leave rings for those itself.
    due = list(
        Room.objects.filter(state=Room.State.LEAVING, leave_next_at__lte=now)
        .filter(LEAVE_HOLD.free(now))
        .values_list("pk", flat=True)[:200]
    )
    for room in live.filter(expires_at__lte=now):
        stats["expired"] += request_leave(room, Room.Reason.EXPIRED, now=now)
    for room in live.filter(last_heartbeat_at__lt=now - grace):
        stats["abandoned"] += request_leave(room, Room.Reason.ABANDONED, now=now)
    for room_id in due:
        enqueue(room_id)  # no transaction here: sent at once
        stats["rung"] += 1
    # An opening whose web request died between our row and A2E's answer: without a
    # channel there is nothing we can leave; say so rather than show it opening forever.
    stuck = Room.objects.filter(state=Room.State.OPENING, created_at__lt=now - grace * 4)
    for room in stuck:
        if Room.objects.filter(pk=room.pk, state=Room.State.OPENING).update(
            state=Room.State.FAILED,
            last_error="The opening was cut off before A2E answered.",
            coins_unknown=CUT_OFF,
        ):
            RoomEvent.objects.create(
                room=room,
                failed=True,
                text="The opening was cut off before A2E answered; if A2E opened it, it "
                "closes when its time runs out.",
            )
            stats["cut_off"] += 1
    return stats


def leave_now(rooms, why: str, *, by=None) -> list[str | None]:
    """Leave each live or leaving room at once, for when its key is about to go (A2E
    disconnected, the team deleted): a worker's leave would come too late, with no key
    left to send it with, and A2E would go on charging for the room. The same path as a
    Leave press: request_leave, then one leave sent here rather than by a worker.

    For each room, None when A2E acknowledged the leave, else a line saying why not."""
    outcomes: list[str | None] = []
    for room in rooms:
        now = timezone.now()
        if not request_leave(room, Room.Reason.LEFT, by=by, now=now, why=why):
            # Already leaving, perhaps waiting out a failed try: its turn is now.
            Room.objects.filter(pk=room.pk, state=Room.State.LEAVING).update(leave_next_at=now)
        if leave(room.pk) == "left":
            outcomes.append(None)
            continue
        room.refresh_from_db()
        if room.state in (Room.State.LEFT, Room.State.EXPIRED):
            outcomes.append(None)  # another worker's leave got there first
        else:
            reason = room.last_error or "another leave of it was under way"
            outcomes.append(
                f"the avatar room with {room.avatar_name or 'an avatar'} was not left "
                f"({reason}); A2E closes it when its time runs out."
            )
    return outcomes


def open_rooms(**lookup):
    """Rooms A2E may be charging for and that we can leave: live, or leaving."""
    return Room.objects.filter(state__in=(Room.State.LIVE, Room.State.LEAVING), **lookup)
