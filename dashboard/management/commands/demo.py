"""Create (or bring up to date) the demo team wired to the sandbox, and print its login.
Once a worker runs and the sandbox answers, dashboard.tasks.liven_demo fills it in."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from providers.config import is_private_origin, parse_hosts
from teams.models import Membership, Provider, ProviderAccount, Role, Team

DEMO_USERNAME = "demo"
# The credentials the sandbox accepts unless started with others (see sandbox/README.md).
SANDBOX_SECRETS = {
    Provider.A2E: "sandbox-a2e",
    Provider.RESPEECHER: "sandbox-respeecher",
    Provider.BURKI: "sandbox-burki",
}


class Command(BaseCommand):
    help = "Idempotently create the demo team, an admin user and provider accounts on the sandbox."

    def add_arguments(self, parser):
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8765")
        parser.add_argument(
            "--empty",
            action="store_true",
            help="Only the team, user and accounts: no credits check, sync or jobs.",
        )

    def handle(self, *args, sandbox_url, **options):
        sandbox_url = sandbox_url.rstrip("/")
        if not sandbox_url.startswith(("http://", "https://")):
            raise CommandError(f"--sandbox-url {sandbox_url!r} is not an http(s) URL.")
        password_file = _password_file()
        with transaction.atomic():
            team, _ = Team.objects.get_or_create(slug="demo", defaults={"name": "Demo team"})
            user, created = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
            )
            password = self._password(user, created, password_file)
            Membership.objects.update_or_create(team=team, user=user, defaults={"role": Role.OWNER})
            point_at_sandbox(team, sandbox_url)
            if not options["empty"]:
                from dashboard.tasks import liven_demo

                team_id, user_id = team.pk, user.pk
                transaction.on_commit(lambda: liven_demo.delay(team_id, user_id))
        self.stdout.write(self.style.SUCCESS("Demo team ready: providers point at " + sandbox_url))
        if not options["empty"]:
            self.stdout.write(
                "Once the sandbox is up, a worker checks credits, refreshes voices, imports "
                "dubbings and (the first time) starts a few jobs."
            )
        if not is_private_origin(sandbox_url, parse_hosts(settings.PROVIDER_PRIVATE_HOSTS)):
            parts = urlsplit(sandbox_url)
            origin = f"{parts.scheme}://{parts.netloc}"
            self.stdout.write(
                self.style.WARNING(
                    f"{origin} is not in PROVIDER_PRIVATE_HOSTS: if it is a loopback or "
                    f"private address, every call to the sandbox will be refused. Set "
                    f"PROVIDER_PRIVATE_HOSTS={origin} (make run does)."
                )
            )
        self.stdout.write(_login_line(password))

    def _password(self, user, created, password_file: Path) -> str | None:
        """A generated password is kept in var/ so every `make run` prints the same one;
        once the user has changed it, it is theirs and is not reset."""
        stored = password_file.read_text().strip() if password_file.exists() else ""
        if stored and user.check_password(stored):
            return stored
        if not created and user.has_usable_password():
            return None
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        return password


def _password_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-password.txt"


def _login_line(password: str | None) -> str:
    if password:
        return f"Log in as: {DEMO_USERNAME} / {password}"
    return f"Log in as: {DEMO_USERNAME} (with the password you set)"


def login_line() -> str:
    """The demo's login as `manage.py demo` last printed it; the stored password only
    while it is still the user's (it is not reset here)."""
    password_file = _password_file()
    stored = password_file.read_text().strip() if password_file.exists() else ""
    user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        return "No demo user yet: run `python manage.py demo`."
    return _login_line(stored if stored and user.check_password(stored) else None)


def point_at_sandbox(team, sandbox_url: str) -> dict:
    """The team's A2E, Respeecher and Burki accounts, made or pointed at the sandbox
    (its secrets; Burki following the sandbox's seed assistant), by provider."""
    accounts = {}
    for provider, secret in SANDBOX_SECRETS.items():
        account = ProviderAccount.objects.filter(team=team, provider=provider).first()
        account = account or ProviderAccount(team=team, provider=provider)
        accounts[provider] = account
        base_url = f"{sandbox_url}/{provider}"
        if account.pk and account.base_url == base_url and account.get_secret() == secret:
            continue
        account.base_url = base_url
        account.set_secret(secret)
        if provider == Provider.BURKI and not account.followed_assistants:
            # The sandbox's seed assistant, so Burki's cloned voices show at once.
            account.options = {**account.options, "assistants": [1]}
        account.save()
    return accounts
