"""Keeps outbound webhooks off private networks: the shared guard (`providers.guard`)
with the webhooks' own rule, checked at save time and at connect time."""

from django.conf import settings

from providers import guard
from providers.guard import UnsafeTarget, forbidden_reason

__all__ = ["UnsafeTarget", "check_url", "forbidden_reason", "policy", "transport"]


def policy() -> guard.Policy:
    """Public addresses only; loopback too when VOXBOARD_WEBHOOKS_ALLOW_LOOPBACK is set."""
    return guard.Policy(
        allow_loopback=bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False)),
        purpose="webhooks only go to public addresses",
    )


def check_url(url: str) -> None:
    """Refuse a URL whose scheme is not http(s) or whose host is not public. Resolves it."""
    policy().check_url(url)


def transport(**kwargs) -> guard.GuardedTransport:
    """An httpx transport that connects only where `policy()` allows."""
    return guard.GuardedTransport(policy(), **kwargs)
