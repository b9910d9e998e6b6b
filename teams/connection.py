"""Provider clients for a team's account, and the "Test connection" check."""

import zlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from providers import AuthError, UpstreamError
from providers.a2e import A2EClient
from providers.burki import BurkiClient
from providers.respeecher import RespeecherClient
from teams.models import BalancePoint, BalanceUnit, Provider, ProviderAccount

CLIENTS = {
    Provider.A2E: A2EClient,
    Provider.RESPEECHER: RespeecherClient,
    Provider.BURKI: BurkiClient,
}


def cached(account: ProviderAccount, name: str, ttl: int, fetch):
    """What `fetch()` returns for this account, kept `ttl` seconds: lists a provider
    changes rarely (languages, folders, limits), so a page or a form sent back with an
    error costs no upstream call. A fetch that raises keeps nothing. The key holds the
    base URL, so an account moved to another host never sees the old one's lists."""
    from django.core.cache import cache

    key = _cache_key(account, name)
    value = cache.get(key)
    if value is None:
        value = fetch()
        cache.set(key, value, ttl)
    return value


def client_for(account: ProviderAccount):
    """The provider's client for this account; refuses when the base URL has moved to
    another host since the key was entered, so the key never travels to that host."""
    if not account.key_fits_base_url:
        raise AuthError(
            account.get_provider_display(),
            message=(
                f"The stored key was entered for {account.secret_origin or 'another address'}; "
                "enter it again for the new base URL before Voxboard sends it there."
            ),
        )
    return CLIENTS[account.provider](account.base_url, account.get_secret())


def _credits(account: ProviderAccount, client) -> tuple[dict, str]:
    """Call the provider's cheapest endpoint; return its credits and a line for people."""
    if account.provider == Provider.A2E:
        coins = client.remaining_coins()
        credits = {
            k: v for k, v in (("coins", coins.coins), ("diamonds", coins.diamonds)) if v is not None
        }
        return credits, "Connected."
    if account.provider == Provider.RESPEECHER:
        user = client.me()  # as Respeecher's official client starts: who is this key?
        result = client.credits()
        who = user.username or user.email
        credits = {"credits": result.amount} if result.amount is not None else {}
        return credits, f"Connected as {who}." if who else "Connected."
    page = client.check()
    total = page.total if page.total is not None else len(page)
    return {}, f"Connected; {total} assistant{'s' if total != 1 else ''} visible to this key."


def check_connection(account: ProviderAccount) -> ProviderAccount:
    """Test the account against its provider and record the outcome on the row."""
    try:
        credits, message = _credits(account, client_for(account))
    except UpstreamError as exc:
        account.last_check_ok = False
        account.last_check_message = exc.message[:500]
    else:
        account.last_check_ok = True
        account.last_check_message = message
        account.credits = credits
    account.last_checked_at = timezone.now()
    account.save(
        update_fields=["last_check_ok", "last_check_message", "credits", "last_checked_at"]
    )
    if account.last_check_ok:
        record_balance(account)
    return account


def record_balance(account: ProviderAccount) -> list[BalancePoint]:
    """One history point per figure the check just read (an unchanged figure too: that
    is the history), and the account's points older than BALANCE_HISTORY_DAYS dropped."""
    points = BalancePoint.objects.bulk_create(
        BalancePoint(
            team_id=account.team_id,
            account=account,
            unit=unit,
            amount=float(amount),
            read_at=account.last_checked_at,
        )
        for unit, amount in account.credits.items()
        if unit in BalanceUnit.values and isinstance(amount, int | float)
    )
    horizon = account.last_checked_at - timedelta(days=settings.BALANCE_HISTORY_DAYS)
    BalancePoint.objects.filter(account=account).older_than(horizon).delete()
    return points


def burki_assistants(account: ProviderAccount, limit: int = 500) -> list[tuple[int, str]]:
    """The assistants this Burki key can see, as form choices (bounded: a picker, not a sync)."""
    choices = []
    for assistant in client_for(account).iter_assistants():
        if assistant.id is not None:
            choices.append((assistant.id, assistant.name or f"Assistant {assistant.id}"))
        if len(choices) >= limit:
            break
    return choices


def forget(account: ProviderAccount, name: str) -> None:
    """Drop what `cached` kept under `name` for this account (a Refresh button)."""
    from django.core.cache import cache

    cache.delete(_cache_key(account, name))


def _cache_key(account: ProviderAccount, name: str) -> str:
    return f"upstream:{account.pk}:{zlib.crc32(account.base_url.encode()):08x}:{name}"
