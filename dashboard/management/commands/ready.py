"""Wait until web, worker and sandbox answer, then print where to log in (`make run`'s
last words, so the login is not lost above the workers' start-up logs)."""

import logging
import signal

from django.core.management.base import BaseCommand

from dashboard import readiness
from dashboard.celery import ready_file
from dashboard.management.commands.demo import login_line


class Command(BaseCommand):
    help = "Wait for make run's processes, print the login, then stay until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="the web process's address")
        parser.add_argument("--sandbox-url", required=True)
        parser.add_argument("--timeout", type=float, default=120.0)
        parser.add_argument(
            "--exit", action="store_true", help="exit after printing (honcho stops all on exit)"
        )

    def handle(self, *args, url, sandbox_url, timeout, **options):
        url = url.rstrip("/") + "/"
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per look otherwise
        missing = readiness.wait_for(
            {
                "web": readiness.answers(url + "healthz"),
                "worker": readiness.process_running(ready_file()),
                "sandbox": readiness.answers(sandbox_url.rstrip("/") + "/_sandbox"),
            },
            timeout=timeout,
        )
        if missing:
            self.stdout.write(
                self.style.WARNING(
                    f"Still not answering after {timeout:.0f} s: {', '.join(missing)} "
                    "(see its lines above)."
                )
            )
        else:
            self.stdout.write("Every process is up.")
        self.stdout.write(f"Voxboard: {url}  (Ctrl-C stops every process)")
        self.stdout.write(login_line())
        self.stdout.flush()
        if not options["exit"]:
            # Under honcho one process ending stops them all: stay until told to stop.
            signal.pause()
