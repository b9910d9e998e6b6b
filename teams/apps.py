"""App config for teams."""

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"

    def ready(self):
        from django.conf import settings

        from providers import http

        # Concurrency caps per credential must hold across web and worker processes,
        # so they live in Redis whenever there is one.
        http.configure(
            redis_url=settings.REDIS_URL or None,
            max_in_flight=settings.PROVIDERS_MAX_IN_FLIGHT,
            connect_timeout=settings.PROVIDERS_CONNECT_TIMEOUT,
            read_timeout=settings.PROVIDERS_READ_TIMEOUT,
            private_hosts=settings.PROVIDER_PRIVATE_HOSTS,
        )
