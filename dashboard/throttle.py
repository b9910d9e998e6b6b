"""Login throttling beyond django-axes' per-(username, address) lock: the client address
read correctly behind trusted proxies, and a limit per address across usernames."""

from django.conf import settings
from django.utils import timezone


def client_ip(request) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE). Behind VOXBOARD_PROXY_COUNT proxies
    it comes from X-Forwarded-For through django-ipware, which trusts only the entries
    those proxies added; a header that does not fit (forged entries, a request that
    skipped a proxy) falls back to REMOTE_ADDR, so a forger is keyed on the proxy's
    address, never on an address of their choosing."""
    remote = request.META.get("REMOTE_ADDR")
    if not settings.VOXBOARD_PROXY_COUNT:
        return remote
    from ipware.ip import get_client_ip

    ip, _ = get_client_ip(
        request,
        proxy_order=settings.AXES_IPWARE_PROXY_ORDER,
        proxy_count=settings.AXES_IPWARE_PROXY_COUNT,
        request_header_order=settings.AXES_IPWARE_META_PRECEDENCE_ORDER,
    )
    return ip or remote


def failures_from(ip: str | None) -> int:
    """Failed logins from this address, for any usernames, within the cool-off time."""
    from axes.models import AccessAttempt
    from django.db.models import Sum

    if not ip:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0
