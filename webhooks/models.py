"""Outbound endpoints and their deliveries with every attempt, and inbound hooks and events."""

import json
import secrets

from django.db import models
from django.utils import timezone

from core.holds import Hold
from teams import crypto
from teams.models import ProviderAccount, Team
from webhooks import signing


class EventType(models.TextChoices):
    JOB_CREATED = "job.created", "Job created"
    JOB_COMPLETED = "job.completed", "Job completed"
    JOB_FAILED = "job.failed", "Job failed"
    VOICE_CREATED = "voice.created", "Voice created"
    VOICE_DELETED = "voice.deleted", "Voice deleted"
    RECORDING_CONVERSION_COMPLETED = "recording.conversion.completed", "Conversion completed"
    RECORDING_CONVERSION_FAILED = "recording.conversion.failed", "Conversion failed"
    AVATAR_ROOM_CLOSED = "avatar.room.closed", "Avatar room closed"
    TEST = "webhook.test", "Test event"


# What an endpoint can subscribe to; the test event goes only where a person sends it.
SUBSCRIBABLE = [(value, label) for value, label in EventType.choices if value != EventType.TEST]


class _SecretMixin:
    """A `whsec_` secret kept encrypted, shown in full once and by its last four after."""

    def set_secret(self, plaintext: str) -> None:
        self.secret_encrypted = crypto.encrypt(plaintext)
        self.secret_last4 = plaintext[-4:]

    def get_secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    def new_secret(self) -> str:
        """Generate and set a fresh secret; the caller shows the return value once."""
        plaintext = signing.generate_secret()
        self.set_secret(plaintext)
        return plaintext

    @property
    def masked_secret(self) -> str:
        return f"whsec_••••{self.secret_last4}"


class EndpointQuerySet(models.QuerySet):
    def for_team(self, team):
        return self.filter(team=team)

    def subscribed_to(self, event_type: str) -> list["Endpoint"]:
        # JSON containment lookups are not portable to SQLite, and a team has a handful
        # of endpoints, so the subscription filter runs in Python.
        return [e for e in self.filter(enabled=True) if event_type in e.event_types]


class Endpoint(_SecretMixin, models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    # Why the endpoint was switched off by us (e.g. it answered 410 Gone), for the page.
    disabled_reason = models.CharField(max_length=300, blank=True)
    secret_encrypted = crypto.EncryptedTextField(editable=False)
    secret_last4 = models.CharField(max_length=4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["team", "created_at", "pk"]

    def __str__(self):
        return self.url

    @property
    def event_labels(self) -> list[str]:
        """The events this endpoint is sent, in the words the form offers them."""
        labels = dict(EventType.choices)
        return [labels.get(code, code) for code in self.event_types]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"  # refused in a way a retry would not change
    ABANDONED = "abandoned", "Abandoned"  # retries ran out, or the endpoint went away


# What the delivery module writes when an attempt ends without an answer, or is not
# sent; anything else without a status code is a connection that failed.
_NOT_SENT = {"Refused:": "Not sent: that address is not allowed", "Timed out": "No answer in time"}
ENDPOINT_OFF = ("The endpoint is disabled.", "The endpoint was disabled.")


def result_in_words(status_code: int | None, error: str) -> str:
    """An attempt's result as the page says it; the code or error goes in Details."""
    if status_code is not None:
        return "Accepted" if 200 <= status_code < 300 else "Refused by your receiver"
    if error in ENDPOINT_OFF:
        return "Not sent: the endpoint is disabled"
    for start, words in _NOT_SENT.items():
        if error.startswith(start):
            return words
    return "Could not reach your receiver"


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


# One attempt of a delivery, and one run of an inbound event's handler, hold the row
# (see core.holds): until `held_until`, by the token in `holder`, which the task
# message sent for it carries.
DELIVERY_HOLD = Hold("delivery", until="held_until", holder="holder")
INBOUND_HOLD = Hold("inbound", until="held_until", holder="holder")


class DeliveryQuerySet(models.QuerySet):
    def for_team(self, team):
        return self.filter(endpoint__team=team)

    def not_held(self, now):
        return self.filter(DELIVERY_HOLD.free(now))

    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).not_held(now)


class Delivery(models.Model):
    """One event for one endpoint. Its state lives here, not in the broker: the row says
    when the next attempt is due and who holds it (DELIVERY_HOLD)."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    msg_id = models.CharField(max_length=40, unique=True, default=new_msg_id, editable=False)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # The exact bytes signed and sent, so every retry sends the same body.
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=16, blank=True, editable=False)
    held_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.event_type} {self.msg_id}"

    @property
    def last_result(self) -> str:
        return result_in_words(self.last_status_code, self.last_error)

    @property
    def payload(self) -> dict:
        return json.loads(self.body)

    @property
    def pretty_body(self) -> str:
        return json.dumps(self.payload, indent=2, sort_keys=True)


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    manual = models.BooleanField(default=False, help_text="A redelivery someone asked for.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.delivery.msg_id} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def result(self) -> str:
        return result_in_words(self.status_code, self.error)


class InboundHookQuerySet(models.QuerySet):
    def for_team(self, team):
        return self.filter(account__team=team)


def new_inbound_token() -> str:
    return secrets.token_urlsafe(24)


class InboundHook(_SecretMixin, models.Model):
    """Where one provider account sends its status callbacks: the token in the URL names
    the hook, the secret proves the sender."""

    account = models.OneToOneField(
        ProviderAccount, on_delete=models.CASCADE, related_name="inbound_hook"
    )
    token = models.CharField(max_length=64, unique=True, default=new_inbound_token, editable=False)
    secret_encrypted = crypto.EncryptedTextField(editable=False)
    secret_last4 = models.CharField(max_length=4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InboundHookQuerySet.as_manager()

    class Meta:
        ordering = ["account"]

    def __str__(self):
        return f"Inbound hook for {self.account}"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Waiting to be applied"
    # Applied to the job it names (InboundEvent.job), or to none when it names no job here.
    PROCESSED = "processed", "Applied"
    UNHANDLED = "unhandled", "Not matched to any job here"  # no handler for the provider
    FAILED = "failed", "Could not be applied"


# The states a provider's status callback reports, as the callbacks list says them.
CALLBACK_STATES = {
    "queued": "waiting",
    "processing": "in progress",
    "completed": "finished",
    "ready": "finished",
    "done": "finished",
    "failed": "failed",
    "canceled": "canceled",
    "cancelled": "canceled",
}


class InboundEventQuerySet(models.QuerySet):
    def for_team(self, team):
        return self.filter(hook__account__team=team)

    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(INBOUND_HOLD.free(now), status=InboundStatus.RECEIVED)


class InboundEvent(models.Model):
    hook = models.ForeignKey(InboundHook, on_delete=models.CASCADE, related_name="events")
    # The job the callback named, once applied; the callbacks list links to it.
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="callbacks"
    )
    webhook_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=100, blank=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    holder = models.CharField(max_length=16, blank=True, editable=False)
    held_until = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = InboundEventQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            # Senders retry; the id makes a replay a no-op.
            models.UniqueConstraint(fields=["hook", "webhook_id"], name="one_event_per_webhook_id")
        ]
        indexes = [models.Index(fields=["status", "held_until"], name="inbound_due")]

    def __str__(self):
        return f"{self.event_type or 'event'} {self.webhook_id}"

    @property
    def outcome(self) -> str:
        """What became of the callback, in words; the list adds the job's link when it
        named one of ours (see `job`)."""
        if self.status == InboundStatus.PROCESSED and self.job_id is None:
            return InboundStatus.UNHANDLED.label
        return self.get_status_display()

    @property
    def is_failed(self) -> bool:
        return self.status == InboundStatus.FAILED

    @property
    def will_retry(self) -> bool:
        """Its handler failed and it waits for another try (at `held_until`)."""
        return self.status == InboundStatus.RECEIVED and bool(self.error)

    @property
    def job_had_finished(self) -> bool:
        """The job it named had already finished when it came: nothing was changed."""
        finished = self.job.finished_at if self.job else None
        return finished is not None and finished < self.received_at

    @property
    def label(self) -> str:
        """What the callback said, in words: "Dubbing finished", from the kind of job it
        names and the state it reports; "Status update" when it names neither."""
        from jobs import registry

        data = self.payload.get("data") if isinstance(self.payload, dict) else None
        data = data if isinstance(data, dict) else {}
        provider = self.hook.account.provider
        subject = next(
            (
                kind.verbose_name
                for kind in registry.registered().values()
                if kind.provider == provider
                and kind.callback_kind
                and kind.callback_kind == data.get("kind")
            ),
            "",
        )
        said = CALLBACK_STATES.get(str(data.get("status", "")).lower(), "")
        if subject and said:
            return f"{subject} {said}"
        return f"{subject} update" if subject else "Status update"
