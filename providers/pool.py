"""The process's pooled HTTP clients, one per base URL and address policy."""

from __future__ import annotations

import os
import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urlsplit

import httpx

from providers import USER_AGENT, guard
from providers.config import Settings, current_settings

_lock = threading.Lock()
_clients: dict[tuple[int, str, guard.Policy], httpx.Client] = {}
# The settings the pooled clients were made under; new settings (`config.configure`)
# close them, since they carry the old timeouts.
_made_under: Settings | None = None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _no_cookies() -> CookieJar:
    """A jar that accepts no cookie, so it never has one to send."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def pooled_client(base_url: str, policy: guard.Policy | None = None) -> httpx.Client:
    """The process's one pooled client for this base URL under this address policy (a
    new one after a fork). Every connection it opens is checked by `policy`."""
    global _made_under
    settings = current_settings()
    policy = policy or guard.Policy()
    key = (os.getpid(), base_url.rstrip("/"), policy)
    stale: list[httpx.Client] = []
    with _lock:
        if settings != _made_under:
            stale = list(_clients.values())
            _clients.clear()
            _made_under = settings
        client = _clients.get(key)
        if client is None:
            client = httpx.Client(
                base_url=key[1],
                headers={"User-Agent": USER_AGENT},
                timeout=httpx.Timeout(
                    settings.read_timeout,
                    connect=settings.connect_timeout,
                    pool=settings.connect_timeout,
                ),
                follow_redirects=False,
                # No cookies kept: one client serves every team's credential for this
                # host, so a cookie one call was given (a Respeecher session from
                # signing in) would ride along on everyone's calls after it.
                cookies=_no_cookies(),
                # No proxies from the environment: the guard must see where we connect.
                transport=guard.GuardedTransport(policy),
                trust_env=False,
            )
            _clients[key] = client
    for old in stale:
        old.close()
    return client
