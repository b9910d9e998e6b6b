"""The Content-Security-Policy additions of an avatar room page, for django-csp 4.0.

A view applies them to its response only (django-csp's `csp_update` decorator takes a
fixed dict; this one depends on the room, so set it on the response the same way):

    response._csp_update = room_csp(origin(stand_in_url) if stand_in_url else None)
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings

# Agora's gateway WebSockets are `wss://<ip-with-dashes>.edge.agora.io:<port>` (or
# .edge.sd-rtn.com), named at join time: no exact entry can admit them. They are added
# only where settings.AGORA_CSP_GATEWAY_WILDCARDS says so.
AGORA_GATEWAYS = {"connect-src": ["wss://*.edge.agora.io:*", "wss://*.edge.sd-rtn.com:*"]}

# scheme://host[:port], nothing after: an origin, as CSP takes it. A dot, a letter or a
# digit only, so nothing can slip a quote, a space or a semicolon into the header.
_ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?"
)


def origin(url: str) -> str:
    """The origin of an absolute http(s) URL (`http://127.0.0.1:8765/a2e/...` → `http://127.0.0.1:8765`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def room_csp(stand_in_origin: str | None, *, gateways: bool | None = None) -> dict[str, list[str]]:
    """The directives a room page adds to the site's policy.

    Agora's exact entries (settings.AGORA_CSP); with a stand-in (a sandbox room), its
    origin in connect-src (the page polls it) and media-src (it plays its audio).
    `gateways` (default: settings.AGORA_CSP_GATEWAY_WILDCARDS) adds AGORA_GATEWAYS.
    """
    policy = {directive: list(entries) for directive, entries in settings.AGORA_CSP.items()}
    if gateways is None:
        gateways = settings.AGORA_CSP_GATEWAY_WILDCARDS
    if gateways:
        for directive, entries in AGORA_GATEWAYS.items():
            policy.setdefault(directive, []).extend(entries)
    if stand_in_origin is not None:
        if not _ORIGIN.fullmatch(stand_in_origin):
            raise ValueError(f"not an origin: {stand_in_origin!r}")
        for directive in ("connect-src", "media-src"):
            policy.setdefault(directive, []).append(stand_in_origin)
    return policy
