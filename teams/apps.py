"""App config for teams."""

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"

    def ready(self):
        from django.conf import settings

        from providers import config

        # Concurrency caps per credential must hold across web and worker processes,
        # so they live in Redis whenever there is one.
        config.configure(
            redis_url=settings.REDIS_URL or None,
            max_in_flight=settings.PROVIDERS_MAX_IN_FLIGHT,
            connect_timeout=settings.PROVIDERS_CONNECT_TIMEOUT,
            read_timeout=settings.PROVIDERS_READ_TIMEOUT,
            private_hosts=settings.PROVIDER_PRIVATE_HOSTS,
            max_body_bytes=settings.UPSTREAM_MAX_BODY_MB * 1024 * 1024,
            deadline=settings.UPSTREAM_DEADLINE_SECONDS,
            file_deadline=settings.UPSTREAM_FILE_DEADLINE_SECONDS,
            max_records=settings.SYNC_MAX_RECORDS,
            max_relays=settings.PROVIDERS_MAX_RELAYS,
        )
