"""App config for the project package."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"

    def ready(self):
        from dashboard.celery import ensure_broker_folders

        ensure_broker_folders()
