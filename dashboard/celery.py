"""The Celery app: configuration comes from Django settings under the CELERY_ namespace."""

import os
import warnings
from pathlib import Path

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.signals import celeryd_init, worker_init, worker_ready, worker_shutdown
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


def ready_file() -> Path:
    """Holds a running worker's pid once it takes tasks (`manage.py ready` looks)."""
    from django.conf import settings

    return Path(settings.VAR_DIR) / "worker.ready"


@worker_ready.connect
def _say_ready(**_kwargs):
    path = ready_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{os.getpid()}\n")


@worker_shutdown.connect
def _say_gone(**_kwargs):
    path = ready_file()
    if path.exists() and path.read_text().strip() == str(os.getpid()):
        path.unlink(missing_ok=True)


@celeryd_init.connect
def _quiet_root_warning_in_development(**_kwargs):
    # A development machine or container often runs everything as root; the worker
    # accepts JSON only (no pickle), so Celery's advice to change user is noise there.
    # Production (DEBUG off) still hears it.
    from django.conf import settings

    if settings.DEBUG:
        warnings.filterwarnings(
            "ignore", message="You're running the worker with superuser", category=SecurityWarning
        )


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
