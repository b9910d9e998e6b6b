"""App config for the activity log; connects the job announcements and team changes it records."""

from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"

    def ready(self):
        from activity import receivers  # noqa: F401 - connects signal receivers
