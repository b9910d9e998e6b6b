"""Keeps the server's own requests off private networks: which addresses may be reached,
checked when a URL is accepted and again at connect time, on every redirect hop.

The rule for provider traffic (see `Upstream`): a URL on the same host and port as the
account's base URL is reached like the base URL itself, which may be a private address
only when its origin is listed in PROVIDER_PRIVATE_HOSTS (a self-hosted Burki, the
sandbox). Every other URL a provider or a person hands us (a result file, a redirect,
an imported record's link) must resolve to public addresses only.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore
import httpx

from providers import deadline

ALLOWED_SCHEMES = ("http", "https")


class UnsafeTarget(Exception):
    """The URL may not be called: wrong scheme, or its host is (or resolves to) an address
    on a private, loopback, link-local, site-local, multicast, reserved or unspecified
    range."""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to. Tests replace this to fake DNS."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 one reaches through: mapped (::ffff:a.b.c.d), 6to4
    (2002::/16), or Teredo (2001::/32: its server's and its client's)."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    return []


def forbidden_reason(address: str, allow_loopback: bool = False) -> str | None:
    """Why `address` may not be reached, or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner:
            # The IPv4 addresses it carries decide; a tunnel to public ones is public.
            for v4 in inner:
                reason = forbidden_reason(str(v4), allow_loopback)
                if reason:
                    return reason
            return None
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    for reason in ("unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{reason}"):
            return reason.replace("_", "-")
    # fec0::/10, deprecated (RFC 3879) but still routed inside some networks; Python
    # counts it as neither private nor reserved, and even as global.
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "site-local"
    # Anything else not globally routable (e.g. 100.64.0.0/10 carrier-grade NAT).
    if not ip.is_global:
        return "non-public"
    return None


@dataclass(frozen=True)
class Policy:
    """Who may be reached. `exempt` holds (host, port) pairs reached at any address (a
    provider's own base URL whose origin is listed as private); `allow_loopback` opens
    127.0.0.0/8 and ::1 for everyone (webhooks in development); `purpose` ends messages."""

    allow_loopback: bool = False
    exempt: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    purpose: str = "Voxboard only fetches from public addresses"

    def check_addresses(self, host: str, port: int, addresses: list[str]) -> None:
        if (host.lower(), port) in self.exempt:
            return
        if not addresses:
            raise UnsafeTarget(f"{host} does not resolve to any address.")
        for address in addresses:
            reason = forbidden_reason(address, self.allow_loopback)
            if reason:
                raise UnsafeTarget(
                    f"{host} resolves to {address}, a {reason} address; {self.purpose}."
                )

    def check_url(self, url: str) -> None:
        """Refuse a URL whose scheme is not http(s) or whose host may not be reached."""
        host, port = host_port(url)
        if (host, port) in self.exempt:
            return
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError):
            raise UnsafeTarget(f"{host} cannot be resolved.") from None
        self.check_addresses(host, port, addresses)


def host_port(url: str) -> tuple[str, int]:
    """The lower-case host and the port (explicit or the scheme's) of an http(s) URL."""
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
    return host.lower(), port


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses it if any address may not be reached, and
    connects to an address it checked, so DNS cannot answer differently between check
    and connect. TLS and the Host header still use the name from the URL: httpcore passes
    the URL's host as the TLS server name and never sees the address chosen here."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host} cannot be resolved: {exc}") from exc
        self.policy.check_addresses(host, port, addresses)
        last_error = None
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address,
                    port,
                    deadline.bounded(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return deadline.BoundedStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through _GuardedBackend. No proxies
    from the environment: a proxy would make the connect-time check meaningless."""

    def __init__(self, policy: Policy | None = None, **kwargs):
        kwargs["trust_env"] = False
        super().__init__(**kwargs)
        # httpx 0.28 offers no public hook for the network backend; its pool (made just
        # above, with no connections yet) takes ours. webhooks/tests/test_ssrf.py and
        # jobs/tests/test_result_guard.py fail if this stops working.
        self._pool._network_backend = _GuardedBackend(policy or Policy())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send under the request's deadline (`providers.deadline`), when it has one."""
        when = request.extensions.get(deadline.EXTENSION)
        if when is None:
            return super().handle_request(request)
        with deadline.until(when):
            response = super().handle_request(request)
        response.stream = deadline.BoundedBody(response.stream, when)
        return response
