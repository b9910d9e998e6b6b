"""Losing every queued message at once, as a restarted broker without persistence does."""

import shutil

from django.conf import settings


def wipe_broker() -> None:
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushall()
    else:
        shutil.rmtree(settings.BROKER_DIR)
        from dashboard.celery import ensure_broker_folders

        ensure_broker_folders()
