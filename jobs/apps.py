"""App config for jobs: routes provider status callbacks to the jobs they name."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"

    def ready(self):
        from jobs import callbacks

        callbacks.register_all()
