"""Masking of credentials in text we log or show: given secrets and auth header values."""

from __future__ import annotations

import logging
import re

# The HTTP layer's logger: every line the providers log about a call goes through `log`.
logger = logging.getLogger("providers.http")

_SECRET_HEADER = re.compile(
    r"(?i)\b(authorization|api-key|x-api-key|x-csrf-token|cookie)(['\"]?\s*[:=]\s*['\"]?)"
    r"(bearer\s+)?([^\s'\",;}]+)"
)


class Whole(str):
    """A secret masked whole, never shown by its last characters: a password, whose
    tail helps a guesser where a key's tail only helps a person tell keys apart."""


def mask(secret: str) -> str:
    """`***` plus the last 4 characters, and those only when the secret is long enough
    (and not a Whole one)."""
    return "***" + secret[-4:] if len(secret) >= 12 and not isinstance(secret, Whole) else "***"


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replace the given secrets and any auth header values in `text` by their masks."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask(secret))

    def _header(match: re.Match[str]) -> str:
        value = match.group(4)
        if value.startswith("***"):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{match.group(3) or ''}{mask(value)}"

    return _SECRET_HEADER.sub(_header, text)


def log(level: int, message: str, *args: object, secrets: tuple[str, ...] = ()) -> None:
    """Log through the providers logger with secrets masked in the final line."""
    if logger.isEnabledFor(level):
        logger.log(level, "%s", redact(message % args if args else message, secrets))
