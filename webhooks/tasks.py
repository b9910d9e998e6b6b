"""Celery tasks: send one delivery attempt, process one inbound event, and the sweeps that
pick up rows whose message was lost. Every task takes ids and re-reads its row."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from core.retry import within
from webhooks import delivery, inbound
from webhooks.models import Delivery, DeliveryStatus, InboundEvent, InboundStatus

# Finished deliveries and events stay this long for people to look into, then go.
KEEP_FOR = timedelta(days=30)

# A delivery attempt is one HTTP call with a 15 s timeout per phase; its limits stop it
# inside delivery.HOLD_FOR, so a live attempt never loses its hold.
SEND_LIMITS = within(delivery.HOLD_FOR.total_seconds())
# Every task states both limits: one that states only a hard limit below the global soft
# limit (CELERY_TASK_SOFT_TIME_LIMIT) is refused by Celery when it is sent.
SWEEP_LIMITS = {"soft_time_limit": 45, "time_limit": 60}


@shared_task(name="webhooks.send_delivery", acks_late=True, ignore_result=True, **SEND_LIMITS)
def send_delivery(delivery_id: int, holder: str = "", manual: bool = False) -> None:
    # Retries are not Celery retries: the row's next_attempt_at schedules them and the
    # sweep sends them, so a wiped broker only delays a delivery.
    delivery.attempt(delivery_id, holder=holder, manual=manual)


@shared_task(name="webhooks.sweep_deliveries", acks_late=True, ignore_result=True, **SWEEP_LIMITS)
def sweep_deliveries() -> int:
    taken = delivery.take_due(timezone.now())
    for delivery_id, holder in taken:
        send_delivery.delay(delivery_id, holder=holder)
    return len(taken)


@shared_task(
    name="webhooks.process_inbound",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=100,
    time_limit=120,
)
def process_inbound(event_id: int, holder: str = "") -> None:
    inbound.process(event_id, holder=holder)


@shared_task(name="webhooks.sweep_inbound", acks_late=True, ignore_result=True, **SWEEP_LIMITS)
def sweep_inbound() -> int:
    taken = inbound.take_due(timezone.now())
    for event_id, holder in taken:
        process_inbound.delay(event_id, holder=holder)
    return len(taken)


@shared_task(
    name="webhooks.purge_old",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=540,
    time_limit=600,
)
def purge_old() -> int:
    cutoff = timezone.now() - KEEP_FOR
    _, deliveries = (
        Delivery.objects.exclude(status=DeliveryStatus.PENDING)
        .filter(finished_at__lt=cutoff)
        .delete()
    )
    # An event id only needs remembering while a replay could still verify (5 minutes).
    _, events = (
        InboundEvent.objects.exclude(status=InboundStatus.RECEIVED)
        .filter(received_at__lt=cutoff)
        .delete()
    )
    return deliveries.get("webhooks.Delivery", 0) + events.get("webhooks.InboundEvent", 0)
