"""Celery tasks for avatar rooms: thin shells over avatars.leaving, taking ids only."""

from celery import shared_task

from avatars import leaving
from core.retry import within


@shared_task(name="avatars.leave", acks_late=True, **within(leaving.HOLD_SECONDS))
def leave(room_id: int) -> str:
    return leaving.leave(room_id)


@shared_task(name="avatars.sweep", acks_late=True, soft_time_limit=20, time_limit=30)
def sweep() -> dict:
    return leaving.sweep()
