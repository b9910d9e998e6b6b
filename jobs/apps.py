"""App config for jobs: routes provider status callbacks to the jobs they name, and
connects its receivers (stopping work on disconnect, deleting stored files)."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"

    def ready(self):
        from jobs import callbacks, receivers  # noqa: F401 - receivers connect on import

        callbacks.register_all()
