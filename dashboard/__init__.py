"""Voxboard's project package: settings, URLs, the Celery app and the home page."""

from dashboard.celery import app as celery_app

__all__ = ["celery_app"]
