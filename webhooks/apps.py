"""App config for webhooks; connects the job announcements it turns into events, and
routes every provider's verified status callbacks to the jobs they name."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self):
        from jobs import callbacks
        from teams.models import Provider
        from webhooks import inbound, receivers  # noqa: F401 - connects signal receivers

        for provider in Provider.values:
            inbound.register(provider, callbacks.handle)
