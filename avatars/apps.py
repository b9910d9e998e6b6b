"""App config for avatars: A2E streaming avatar rooms, always left."""

from django.apps import AppConfig


class AvatarsConfig(AppConfig):
    name = "avatars"

    def ready(self):
        from avatars import receivers  # noqa: F401 - receivers connect on import
