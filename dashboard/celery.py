"""The Celery app: configuration comes from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import worker_init
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
# `filesystem://` means our transport, which never shows a worker a half-written message.
TRANSPORT_ALIASES["filesystem"] = "dashboard.broker:Transport"

app = Celery("voxboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _make_broker_folders(**_kwargs):
    ensure_broker_folders()


def ensure_broker_folders() -> None:
    """The filesystem transport does not create its folders; every process that may
    touch the broker calls this first (web on start, worker and beat on init)."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        from dashboard.broker import staging_folder

        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
            os.makedirs(options[key], exist_ok=True)
        os.makedirs(staging_folder(options["data_folder_out"]), exist_ok=True)
