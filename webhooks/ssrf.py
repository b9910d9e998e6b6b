"""Keeps outbound webhooks off private networks: checks at save time and at connect time."""

import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

ALLOWED_SCHEMES = ("http", "https")


class UnsafeTarget(Exception):
    """The URL may not be called: wrong scheme, or its host is (or resolves to) an address
    on a private, loopback, link-local, multicast, reserved or unspecified range."""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to. Tests replace this to fake DNS."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def forbidden_reason(address: str, allow_loopback: bool = False) -> str | None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    # ::ffff:10.0.0.1 reaches 10.0.0.1; judge the IPv4 address it carries.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    for reason in ("unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{reason}"):
            return reason.replace("_", "-")
    # Anything else not globally routable (e.g. 100.64.0.0/10 carrier-grade NAT).
    if not ip.is_global:
        return "non-public"
    return None


def _allow_loopback() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def check_addresses(host: str, addresses: list[str]) -> None:
    if not addresses:
        raise UnsafeTarget(f"{host} does not resolve to any address.")
    allow_loopback = _allow_loopback()
    for address in addresses:
        reason = forbidden_reason(address, allow_loopback)
        if reason:
            raise UnsafeTarget(
                f"{host} resolves to {address}, a {reason} address; "
                "webhooks only go to public addresses."
            )


def check_url(url: str) -> None:
    """Refuse a URL whose scheme is not http(s) or whose host is not public. Resolves it."""
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        raise UnsafeTarget("Use an http:// or https:// address.")
    host = parts.hostname
    if not host:
        raise UnsafeTarget("The address has no host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("The port is not a number between 0 and 65535.") from None
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise UnsafeTarget(f"{host} cannot be resolved.") from None
    check_addresses(host, addresses)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses it if any address is not public, and connects to
    an address it checked, so DNS cannot answer differently between check and connect.
    TLS and the Host header still use the name from the URL: httpcore passes the URL's
    host as the TLS server name and never sees the address chosen here."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host} cannot be resolved: {exc}") from exc
        check_addresses(host, addresses)
        last_error = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    address,
                    port,
                    timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through _GuardedBackend. No proxies
    from the environment: a proxy would make the connect-time check meaningless."""

    def __init__(self, **kwargs):
        kwargs["trust_env"] = False
        super().__init__(**kwargs)
        # httpx 0.28 offers no public hook for the network backend; its pool (made just
        # above, with no connections yet) takes ours. test_ssrf fails if this stops working.
        self._pool._network_backend = _GuardedBackend()
