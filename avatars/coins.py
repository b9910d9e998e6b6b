"""What one room cost: the account's coins read just before and just after each of its
money events (opening, each leave sent), with the account held meanwhile.

A2E charges the whole window at agora-token and refunds the unused part at leave, but
answers no price for either: only the account's balance (remainingCoins). Reading the
balance before opening and after leaving counts in one room whatever other rooms of the
account were charged or refunded in between. So each event is measured on its own:
read, call, read, under a hold on the account (CoinHold) that the other rooms' events
wait for. A room's figures are then its own, and a history's figures add up to what the
account lost over those rooms. Where a pair of reads cannot be trusted (a read failed
around a call that may have moved coins, the hold was taken over from a slow holder, or
the balance moved the wrong way for something else), the figure is said to be unknown
rather than shown wrong.
"""

import hashlib
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from avatars.models import CoinHold, Room
from core.holds import Hold
from core.words import number
from providers import UpstreamError
from teams.connection import client_for
from teams.models import url_origin

HOLD = Hold("coins", until="held_until", holder="holder")
# Three provider calls fit in it; a holder that died frees the account after it.
HOLD_SECONDS = max(5, settings.AVATAR_LEAVE_HOLD_SECONDS // 3)
# How often a waiting event looks whether the hold is free.
STEP_SECONDS = 0.05

UNREAD = "A2E's coins could not be read just before or after"
OVERLAPPED = "another room's coins may have moved at the same moment"
ELSEWHERE = "the account's coins changed for something else at the same moment"


@dataclass
class Reads:
    """The balance just before and just after one event; `shared` when the hold was
    not ours throughout, so another event may have fallen between the two."""

    before: float | None = None
    after: float | None = None
    shared: bool = False

    def moved(self) -> float | None:
        """How far the balance went up over the event, or None when not known."""
        if self.shared or self.before is None or self.after is None:
            return None
        return self.after - self.before


def _key(account) -> str:
    """The account at A2E: its address and key, hashed (the key is never kept in clear)."""
    seed = f"{url_origin(account.base_url)}\n{account.get_secret()}"
    return hashlib.sha256(seed.encode()).hexdigest()


def _take(key: str) -> tuple[str, bool]:
    """Take the account's hold, waiting for another event to end; a hold that lapsed
    unreleased (its holder slow or dead) is taken over. Returns (proof, taken_over)."""
    rows = CoinHold.objects.filter(key=key)
    length = timedelta(seconds=HOLD_SECONDS)
    while True:
        now = timezone.now()
        proof = HOLD.take(rows.filter(held_until__isnull=True), now, length)
        if proof is not None:
            return proof, False
        proof = HOLD.take(rows, now, length)
        if proof is not None:
            return proof, True
        time.sleep(STEP_SECONDS)


def _read(client) -> float | None:
    try:
        return client.remaining_coins().coins
    except UpstreamError:
        return None


@contextmanager
def reads(account, client=None):
    """Read the account's coins just before and just after the block, holding the
    account throughout, so no other room's event falls between. Yields the Reads,
    filled when the block ends."""
    client = client or client_for(account)
    key = _key(account)
    CoinHold.objects.get_or_create(key=key)
    proof, taken_over = _take(key)
    measured = Reads(shared=taken_over)
    try:
        measured.before = _read(client)
        yield measured
    finally:
        measured.after = _read(client)
        released = CoinHold.objects.filter(HOLD.mine(proof), key=key).update(**HOLD.released())
        measured.shared = measured.shared or not released


def charged(measured: Reads, *, may_have_moved: bool) -> tuple[float | None, str]:
    """What opening took, and why not when it cannot be known. `may_have_moved` is False
    when A2E refused the opening outright: then nothing was taken, reads or not."""
    if not may_have_moved:
        return 0.0, ""
    moved = measured.moved()
    if moved is None:
        return None, _why(measured, "it opened")
    if moved > 0:
        return None, ELSEWHERE
    return -moved, ""


def refunded(room: Room, measured: Reads, *, may_have_moved: bool) -> float | None:
    """Add what came back over one leave sent to the room's row, or say that it cannot
    be known. Returns what came back this time (None when not known)."""
    if not may_have_moved:
        return 0.0
    moved = measured.moved()
    if moved is None or moved < 0:
        why = _why(measured, "it was left") if moved is None else ELSEWHERE
        Room.objects.filter(pk=room.pk, coins_unknown="").update(coins_unknown=why)
        return None
    Room.objects.filter(pk=room.pk).update(
        coins_refunded=Coalesce(F("coins_refunded"), Value(0.0)) + moved
    )
    return moved


def _why(measured: Reads, when: str) -> str:
    if measured.shared:
        return OVERLAPPED
    return f"{UNREAD} {when}"


def said(amount: float) -> str:
    """Coins as the pages say them: "1 coin", "2 coins", "1,500 coins"."""
    return f"{number(amount)} coin{'' if amount == 1 else 's'}"
