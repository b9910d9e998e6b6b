"""A2E streaming avatar rooms: each one opened here, what was said in it, and its
history, kept until A2E has acknowledged that it was left."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.holds import Hold
from teams import crypto
from teams.models import TeamQuerySet

# A leave being sent: one worker at a time per room, taken over if that worker dies.
LEAVE_HOLD = Hold("leave", until="leave_held_until", holder="leave_holder")


class RoomQuerySet(TeamQuerySet):
    def open(self):
        """Rooms that cost coins now or are about to: opening or live."""
        return self.filter(state__in=(Room.State.OPENING, Room.State.LIVE))

    def unclosed(self):
        """Rooms A2E has not yet acknowledged as left."""
        return self.filter(state__in=Room.UNCLOSED)


class Room(models.Model):
    class State(models.TextChoices):
        OPENING = "opening", "Opening"
        LIVE = "live", "Live"
        LEAVING = "leaving", "Leaving"
        LEFT = "left", "Left"
        EXPIRED = "expired", "Expired"
        FAILED = "failed", "Not opened"

    class Reason(models.TextChoices):
        LEFT = "left", "Left"
        ABANDONED = "abandoned", "Abandoned"
        EXPIRED = "expired", "Expired"

    UNCLOSED = (State.OPENING, State.LIVE, State.LEAVING)

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        "teams.ProviderAccount", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    avatar_id = models.CharField(max_length=100)
    avatar_name = models.CharField(max_length=200, blank=True)
    minutes = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPENING)
    close_reason = models.CharField(max_length=10, choices=Reason.choices, blank=True)
    # What agora-token answered; the token is the room's key, kept encrypted.
    channel = models.CharField(max_length=100, blank=True, db_index=True)
    app_id = models.CharField(max_length=100, blank=True)
    uid = models.CharField(max_length=40, blank=True)
    token_encrypted = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # What this room cost, each figure read around its own event only: the account's
    # coins just before and just after agora-token (charged) and each leave sent
    # (refunded), with the account held so no other room's charge or refund falls
    # between the two reads (avatars.coins). A2E says no room's price, only the balance.
    coins_charged = models.FloatField(null=True, blank=True)
    coins_refunded = models.FloatField(null=True, blank=True)
    # Why this room's coins cannot be known, in the page's words; blank while they can.
    coins_unknown = models.CharField(max_length=200, blank=True)
    # The leave: tried until A2E answers, with a growing wait.
    leave_attempts = models.PositiveIntegerField(default=0)
    leave_next_at = models.DateTimeField(null=True, blank=True)
    leave_held_until = models.DateTimeField(null=True, blank=True)
    leave_holder = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "leave_next_at"], name="room_due_idx")]

    def __str__(self):
        return f"{self.avatar_name or self.avatar_id} ({self.get_state_display()})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("avatars_room", kwargs={"team": self.team.slug, "room_id": self.pk})

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted) if self.token_encrypted else ""

    @token.setter
    def token(self, plaintext: str) -> None:
        self.token_encrypted = crypto.encrypt(plaintext) if plaintext else ""

    @property
    def is_live(self) -> bool:
        return self.state == self.State.LIVE

    @property
    def is_closed(self) -> bool:
        return self.state not in self.UNCLOSED

    @property
    def coins_spent(self) -> float | None:
        """What the room cost the account: charged when it opened, less what came back
        when it was left (until then, the whole window). None when it is not known:
        not measured yet, or not measurable (coins_unknown says why)."""
        if self.coins_unknown or self.coins_charged is None:
            return None
        return self.coins_charged - (self.coins_refunded or 0)

    @property
    def seconds_open(self) -> int | None:
        if self.opened_at is None:
            return None
        end = self.left_at or timezone.now()
        return max(0, int((end - self.opened_at).total_seconds()))


class CoinHold(models.Model):
    """One A2E account's coins, held while one room's charge or refund is measured, so
    that two rooms' reads never interleave. Keyed by the account at A2E (its address and
    key), not by our row: two teams connected with one key share one balance."""

    key = models.CharField(max_length=64, unique=True)
    held_until = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=32, blank=True)

    def __str__(self):
        return f"coins of {self.key[:8]}"


class RoomEvent(models.Model):
    """One line of a room's history: opened, leave asked for and why, left, coins back."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    text = models.CharField(max_length=500)
    failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return self.text


class Utterance(models.Model):
    """A line of a room's transcript: text sent to be spoken verbatim or asked, and what
    A2E answered (its trace id, or the error)."""

    class Kind(models.TextChoices):
        SPEAK = "speak", "Speak"
        ASK = "ask", "Ask"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="utterances")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    text = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    trace_id = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"
