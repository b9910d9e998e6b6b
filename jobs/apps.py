"""App config for jobs: connects its receivers (stopping work on disconnect, deleting
stored files) and binds the engine's errands to their tasks."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"

    def ready(self):
        # Receivers connect on import; the tasks bind the errands the engine sends.
        from jobs import receivers, tasks  # noqa: F401
