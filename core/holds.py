"""Holds on rows: who may work on a row until when, taken and freed by conditional updates.

One word for one idea. A *hold* says that one worker (or one task message on its way to
a worker) has a row until a moment; it lapses by itself then, so a holder that died is
taken over and nothing waits forever. It is taken with a conditional UPDATE on rows
whose hold is free, so of two takers only one gets it, and it is freed by writing its
columns back to empty. A hold whose time is exactly `now` has lapsed: it is free.

Every hold in the project is declared once as a `Hold` and used through it: jobs
(submit, step, results, poll), webhooks (delivery, inbound) and avatars (a room's leave,
an account's coins). This module imports nothing of ours, so any app may use it.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet


def new_token() -> str:
    """A name for one taking of a hold, carried by the task message sent for it."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Hold:
    """A named hold kept in the column `until` (the moment it lapses) and, when a task
    message must be able to prove it is the holder, in the column `holder` (a token
    naming who has it)."""

    name: str
    until: str
    holder: str = ""

    def free(self, now: datetime) -> Q:
        """Rows nobody holds: never taken, freed, or lapsed by `now` (the boundary is free)."""
        return Q(**{f"{self.until}__isnull": True}) | Q(**{f"{self.until}__lte": now})

    def mine(self, held) -> Q:
        """The row still held by the taking that returned `held`."""
        return Q(**{self.holder or self.until: held})

    def take(
        self,
        rows: QuerySet,
        now: datetime,
        length: timedelta,
        *,
        holder: str = "",
        **changes,
    ):
        """Take the hold on those of `rows` that are free (or, given the `holder` token a
        message carries, held under it), writing `changes` with it. Returns what proves the
        taking (the new token, or the until time when the hold has no token), or None
        when nothing was free: then someone else has the row and the caller stands aside."""
        free = self.free(now)
        if holder and self.holder:
            free |= Q(**{self.holder: holder})
        until = now + length
        proof = new_token() if self.holder else until
        values = {self.until: until, **changes}
        if self.holder:
            values[self.holder] = proof
        return proof if rows.filter(free).update(**values) else None

    def created_held(self, now: datetime, length: timedelta) -> dict:
        """Column values for a row created already held, for the message enqueued with it."""
        values = {self.until: now + length}
        if self.holder:
            values[self.holder] = new_token()
        return values

    def released(self) -> dict:
        """Column values that free the hold."""
        values = {self.until: None}
        if self.holder:
            values[self.holder] = ""
        return values
