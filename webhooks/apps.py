"""App config for webhooks; connects the job announcements it turns into events."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self):
        from webhooks import receivers  # noqa: F401 - connects signal receivers
