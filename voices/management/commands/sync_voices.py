"""`manage.py sync_voices --team SLUG [--provider a2e|respeecher|burki]`: sync now, here."""

from django.core.management.base import BaseCommand, CommandError

from providers import UpstreamError
from teams.models import Provider, ProviderAccount, Team
from voices import sync


class Command(BaseCommand):
    help = "Mirror a team's voices from its connected providers into the catalog."

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help="the team's slug")
        parser.add_argument("--provider", choices=Provider.values, help="only this provider")

    def handle(self, *args, team, provider=None, **options):
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team with the slug {team!r}.")
        accounts = ProviderAccount.objects.filter(team=found)
        if provider:
            accounts = accounts.filter(provider=provider)
        if not accounts:
            raise CommandError("The team has no matching provider account: connect one first.")
        failed = False
        for account in accounts:
            try:
                result = sync.sync_account(account)
            except UpstreamError as exc:
                failed = True
                self.stderr.write(f"{account.get_provider_display()}: {exc.message}")
            else:
                self.stdout.write(f"{account.get_provider_display()}: {result}")
        if failed:
            raise CommandError("Some providers could not be synced; see above.")
