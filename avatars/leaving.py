"""Every room is left: a Leave press, a closed tab's beacon, a stopped heartbeat and
expiry all ask for a leave here, and the leave is sent until A2E acknowledges it.

A room moves live -> leaving once (a conditional update: the first reason wins), then
leaving -> left or expired once A2E has answered. The row is the record: a task message
is only a doorbell, and the sweep (avatars.sweep, on beat) rings again for any room
whose leave is due and unheld, so a killed worker or a wiped broker delays a leave but
never loses it. A leave A2E has acknowledged is written at once, before the coins are
read back, so the window in which a dead worker could make us send it twice is the
time between A2E's answer and one UPDATE."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from activity.log import record
from avatars.models import LEAVE_HOLD, Room, RoomEvent
from jobs.engine import backoff
from providers import BadRequest, NotFound, UpstreamError
from teams.connection import client_for
from webhooks.events import EventType, publish

log = logging.getLogger(__name__)

# How long one leave attempt holds its room: longer than a provider call can take. A
# worker killed mid-leave is taken over once it lapses.
HOLD_SECONDS = settings.AVATAR_LEAVE_HOLD_SECONDS
# After this many failed coin reads the refund is left unknown.
COIN_READS = 5
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
    return backoff(attempts, settings.AVATAR_LEAVE_RETRY_BASE, settings.AVATAR_LEAVE_RETRY_MAX)


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
    try:
        client = client_for(room.account)
        client.leave_avatar_room(room.channel)
    except (BadRequest, NotFound) as exc:
        # A2E refuses a channel that is not open: it was closed already (an earlier leave
        # whose answer we lost, or its time ran out). Nothing is left to close.
        text = f"A2E says the room is already closed ({exc.message})."
        _acknowledged(room, hold, _answered(now), text)
        return "left"
    except UpstreamError as exc:
        wait = retry_wait(room.leave_attempts)
        Room.objects.filter(LEAVE_HOLD.mine(hold), pk=room.pk, state=Room.State.LEAVING).update(
            leave_next_at=now + wait, last_error=exc.message, **LEAVE_HOLD.released()
        )
        RoomEvent.objects.create(
            room=room,
            at=now,
            failed=True,
            text=f"Leave not acknowledged ({exc.message}); trying again in {wait.seconds} s.",
        )
        log.warning("room %s: leave failed (%s); again in %s", room.pk, exc.message, wait)
        return "retry"
    _acknowledged(room, hold, _answered(now), "A2E acknowledged the leave.")
    read_coins(room.pk)
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
            coins_pending=room.account is not None,
            **LEAVE_HOLD.released(),
        )
        if not moved:
            return
        RoomEvent.objects.create(room=room, at=now, text=text)
        record(
            room.team,
            "avatar.room_closed",
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


def read_coins(room_id: int) -> bool:
    """Read the account's coins after a leave: what came back. The sweep calls this again
    for a room whose read failed, a few times."""
    room = Room.objects.select_related("account").filter(pk=room_id, coins_pending=True).first()
    if room is None or room.account is None:
        return False
    try:
        coins = client_for(room.account).remaining_coins().coins
    except UpstreamError as exc:
        give_up = room.coin_reads + 1 >= COIN_READS
        Room.objects.filter(pk=room.pk).update(
            coin_reads=F("coin_reads") + 1, coins_pending=not give_up
        )
        RoomEvent.objects.create(
            room=room, failed=True, text=f"Coins not read ({exc.message}).{' Gave up.' * give_up}"
        )
        return False
    with transaction.atomic():
        if not Room.objects.filter(pk=room.pk, coins_pending=True).update(
            coins_after=coins, coins_pending=False
        ):
            return False
        room.coins_after = coins
        back = room.coins_refunded
        text = f"Coins now {coins:g}"
        if back is not None:
            text += f": {back:g} came back for the unused time"
        RoomEvent.objects.create(room=room, text=text + ".")
    return True


def sweep(now=None) -> dict:
    """One beat: leave what expired or lost its page, ring again for leaves that are
    due, retry coin reads, and close rooms whose opening was cut off."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.AVATAR_HEARTBEAT_GRACE)
    live = Room.objects.filter(state=Room.State.LIVE)
    stats = {"expired": 0, "abandoned": 0, "rung": 0, "coins": 0, "cut_off": 0}
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
            state=Room.State.FAILED, last_error="The opening was cut off before A2E answered."
        ):
            RoomEvent.objects.create(
                room=room,
                failed=True,
                text="The opening was cut off before A2E answered; if A2E opened it, it "
                "closes when its time runs out.",
            )
            stats["cut_off"] += 1
    # Last, so a slow A2E cannot hold up the leaves above.
    for room_id in Room.objects.filter(coins_pending=True, left_at__lte=now - grace).values_list(
        "pk", flat=True
    )[:50]:
        stats["coins"] += read_coins(room_id)
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
