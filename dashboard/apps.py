"""App config for the project package."""

import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


class DashboardConfig(AppConfig):
    name = "dashboard"

    def ready(self):
        from dashboard.celery import ensure_broker_folders

        ensure_broker_folders()
        warn_renamed_settings()


def warn_renamed_settings() -> None:
    """Say, in every process's start-up log, which settings still come under old names."""
    from dashboard import env

    for old, new in env.renamed():
        log.warning(
            "The setting %s is now called %s. The old name is read until the next release "
            "and ignored when %s is set too: rename it in your environment.",
            old,
            new,
            new,
        )
