"""Login throttling beyond django-axes' per-(username, address) lock: the client address
read correctly behind trusted proxies, and a limit per address across usernames."""

import ipaddress

from django.conf import settings
from django.utils import timezone


def client_ip(request) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE). Behind VOXBOARD_PROXY_COUNT proxies,
    each appending the address it was reached from to X-Forwarded-For, the client is the
    entry the outermost one appended: VOXBOARD_PROXY_COUNT from the end. Entries before
    it are the client's own words and are ignored, so a forger is keyed on their own
    address and never on the proxy's (which every user behind it shares). A header shorter
    than that skipped a proxy; its first entry is the farthest hop known, and no header at
    all means the request came straight to us, so REMOTE_ADDR is the client."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.VOXBOARD_PROXY_COUNT
    if not count:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",")] if header.strip() else []
    if not entries:
        return remote
    return _address(entries[-min(count, len(entries))]) or remote


def _address(entry: str) -> str | None:
    """The IP address in an X-Forwarded-For entry, some proxies adding a port to it
    ("203.0.113.7:5123", "[2001:db8::1]:443"); None when it holds none."""
    candidates = [entry]
    if entry.startswith("[") and "]" in entry:
        candidates.append(entry[1 : entry.index("]")])
    elif entry.count(":") == 1:
        candidates.append(entry.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


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
