"""Periodic housekeeping for teams."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from teams.connection import check_connection
from teams.models import Invitation, ProviderAccount

# Expired and revoked invitations stay visible for a while so admins can see what happened.
KEEP_FOR = timedelta(days=30)


@shared_task(name="teams.purge_expired_invitations")
def purge_expired_invitations() -> int:
    cutoff = timezone.now() - KEEP_FOR
    unused = Invitation.objects.filter(accepted_at__isnull=True)
    deleted, _ = (
        unused.filter(expires_at__lt=cutoff) | unused.filter(revoked_at__lt=cutoff)
    ).delete()
    return deleted


@shared_task(name="teams.refresh_all_credits")
def refresh_all_credits() -> int:
    """Fan out one check per connected account, so a slow provider holds up only itself."""
    ids = list(ProviderAccount.objects.values_list("pk", flat=True))
    for pk in ids:
        refresh_credits.delay(pk)
    return len(ids)


@shared_task(name="teams.refresh_credits", soft_time_limit=60, time_limit=75)
def refresh_credits(account_id: int) -> bool | None:
    account = ProviderAccount.objects.filter(pk=account_id).first()
    if account is None:
        return None
    return check_connection(account).last_check_ok
