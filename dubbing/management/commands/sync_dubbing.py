"""`manage.py sync_dubbing --team SLUG`: import the team's existing A2E dubbing records."""

from django.core.management.base import BaseCommand, CommandError

from dubbing.imports import import_records
from providers import UpstreamError
from teams.models import Provider, ProviderAccount


class Command(BaseCommand):
    help = "Import a team's A2E dubbing records (all pages) that Voxboard does not have yet."

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help="the team's slug")

    def handle(self, *args, team, **options):
        account = ProviderAccount.objects.filter(team__slug=team, provider=Provider.A2E).first()
        if account is None:
            raise CommandError(f"No team {team!r} with an A2E account.")
        try:
            result = import_records(account)
        except UpstreamError as exc:
            raise CommandError(f"A2E: {exc.message}") from exc
        self.stdout.write(f"A2E dubbing: {result}")
