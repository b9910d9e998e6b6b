"""The public API other apps use to announce events: `publish(team, event_type, data)`."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from webhooks.delivery import HOLD_FOR
from webhooks.models import DELIVERY_HOLD, Delivery, Endpoint, EventType

__all__ = ["EventType", "publish", "send_test"]


def _body(event_type: str, data: dict, now) -> str:
    payload = {"type": event_type, "timestamp": now.isoformat(), "data": data}
    # Compact and fixed once: these exact bytes are signed and resent on every retry.
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"))


def _enqueue_on_commit(delivery: Delivery) -> None:
    from webhooks.tasks import send_delivery

    pk, holder = delivery.pk, delivery.holder
    transaction.on_commit(lambda: send_delivery.delay(pk, holder=holder))


def _create(endpoint: Endpoint, event_type: str, body: str, now) -> Delivery:
    # Created held for the message enqueued on commit; if that message is lost, the
    # hold lapses after HOLD_FOR and the sweep sends the delivery instead.
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_type=event_type,
        body=body,
        next_attempt_at=now,
        **DELIVERY_HOLD.created_held(now, HOLD_FOR),
        created_at=now,
    )
    _enqueue_on_commit(delivery)
    return delivery


def publish(team, event_type: str, data: dict) -> list[Delivery]:
    """Announce an event to every enabled endpoint of `team` subscribed to `event_type`.

    Call it inside the transaction that makes the change: the deliveries are rows written
    with it, and their sends are enqueued only once it commits (nothing is sent for a
    change that rolls back). Each delivery has its own `msg_...` id, kept across retries.
    """
    if event_type not in EventType.values:
        raise ValueError(f"Unknown webhook event type {event_type!r}.")
    now = timezone.now()
    body = _body(event_type, data, now)
    endpoints = Endpoint.objects.for_team(team).subscribed_to(event_type)
    return [_create(endpoint, event_type, body, now) for endpoint in endpoints]


def send_test(endpoint: Endpoint, sent_by: str = "") -> Delivery:
    """A `webhook.test` delivery to this one endpoint, whatever it subscribes to."""
    now = timezone.now()
    data = {"message": "A test event from Voxboard.", "team": endpoint.team.slug}
    if sent_by:
        data["sent_by"] = sent_by
    return _create(endpoint, EventType.TEST, _body(EventType.TEST, data, now), now)
