"""`manage.py sync_recordings --team SLUG [--full]`: mirror Respeecher's workspace now, here."""

from django.core.management.base import BaseCommand, CommandError

from providers import UpstreamError
from recordings import sync
from teams.models import Provider, ProviderAccount, Team


class Command(BaseCommand):
    help = "Mirror a team's Respeecher projects, folders, recordings and calibrations."

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help="the team's slug")
        parser.add_argument(
            "--full",
            action="store_true",
            help="read every project's tree, also those whose last recording has not moved",
        )

    def handle(self, *args, team, full=False, **options):
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team with the slug {team!r}.")
        account = ProviderAccount.objects.filter(team=found, provider=Provider.RESPEECHER).first()
        if account is None:
            raise CommandError("The team has no Respeecher account: connect one first.")
        try:
            result = sync.sync_account(account, full=full)
        except UpstreamError as exc:
            raise CommandError(f"Respeecher: {exc.message}") from exc
        self.stdout.write(f"Respeecher: {result}")
