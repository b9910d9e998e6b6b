"""Connecting Respeecher with a person's email and password: Voxboard signs in, makes an
API key, signs out, and keeps only the key (encrypted, like a key entered by hand)."""

import contextlib

from django.views.decorators.debug import sensitive_variables

from providers import ProtocolError, UpstreamError
from providers.respeecher import PROVIDER, RespeecherClient
from teams.models import Provider, ProviderAccount, SecretSource


@sensitive_variables("password")
def connect_by_login(
    team, account: ProviderAccount | None, *, email: str, password: str, base_url: str
) -> ProviderAccount:
    """The team's Respeecher account (`account`, or a new one) holding a key made for it
    now. The password is passed to Respeecher and dropped; an UpstreamError (a refused
    password in Respeecher's words, an unreachable server) leaves every row as it was."""
    with RespeecherClient.signed_in(base_url, email, password) as session:
        made = session.create_api_key()
    if not made.key:
        raise ProtocolError(
            PROVIDER,
            None,
            f"{PROVIDER} answered without a key, so nothing was saved. Try again, or make "
            f"a key in your {PROVIDER} account and enter it instead.",
        )
    account = account or ProviderAccount(team=team, provider=Provider.RESPEECHER)
    account.base_url = base_url
    account.set_secret(made.key, source=SecretSource.LOGIN)
    # A new key: an earlier check says nothing about it.
    account.last_check_ok = None
    account.last_check_message = ""
    account.last_checked_at = None
    try:
        account.save()
    except Exception:
        # Nothing here will ever know the key: take it back where it was made. The
        # save's own error is the one to report.
        with contextlib.suppress(UpstreamError):
            RespeecherClient(base_url, made.key).delete_api_key()
        raise
    return account
