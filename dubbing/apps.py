"""App config for dubbing: registers the A2E dubbing job kind."""

from django.apps import AppConfig


class DubbingConfig(AppConfig):
    name = "dubbing"

    def ready(self):
        from dubbing import kinds
        from jobs.kinds import register

        register(kinds.A2EDubbing())
