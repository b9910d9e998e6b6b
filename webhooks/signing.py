"""Standard Webhooks signatures: secrets, signing outbound messages, verifying inbound ones."""

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime

from django.utils import timezone

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
DEFAULT_TOLERANCE = 300  # seconds either way, as the Standard Webhooks spec recommends


class VerificationError(Exception):
    """A webhook failed verification; the message says why, without revealing the secret."""


class MissingHeaders(VerificationError):
    pass


class TimestampOutOfRange(VerificationError):
    pass


class BadSignature(VerificationError):
    pass


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_bytes(secret: str) -> bytes:
    """The key behind a `whsec_...` secret: the base64-decoded part after the prefix."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        # Some senders drop the base64 padding; extra padding is ignored by the decoder.
        key = base64.b64decode(encoded + "==", validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("A webhook secret is `whsec_` followed by base64.") from exc
    if not key:
        raise ValueError("A webhook secret may not be empty.")
    return key


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body


def _signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return hmac.new(key, signed, hashlib.sha256).digest()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The `webhook-signature` header value: `v1,<base64 HMAC-SHA256>`."""
    digest = _signature(secret_bytes(secret), msg_id, int(timestamp), _as_bytes(body))
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> dict:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    # request.headers is case-insensitive already; a plain dict may use any case.
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return (value or "").strip()


def _unix(now: datetime | float | int | None) -> float:
    if now is None:
        now = timezone.now()
    return now.timestamp() if isinstance(now, datetime) else float(now)


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: datetime | float | None = None,
) -> str:
    """Check a received webhook and return its `webhook-id`, or raise VerificationError.

    The header may carry several space-separated signatures (a sender rolling its
    secret signs with both); one matching `v1` signature is enough.
    """
    msg_id = _header(headers, "webhook-id")
    raw_timestamp = _header(headers, "webhook-timestamp")
    raw_signatures = _header(headers, "webhook-signature")
    missing = [
        name
        for name, value in (
            ("webhook-id", msg_id),
            ("webhook-timestamp", raw_timestamp),
            ("webhook-signature", raw_signatures),
        )
        if not value
    ]
    if missing:
        raise MissingHeaders("Missing header(s): " + ", ".join(missing) + ".")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise TimestampOutOfRange("webhook-timestamp is not a whole number of seconds.") from None
    age = _unix(now) - timestamp
    if age > tolerance:
        raise TimestampOutOfRange(f"webhook-timestamp is more than {tolerance} s old.")
    if age < -tolerance:
        raise TimestampOutOfRange(f"webhook-timestamp is more than {tolerance} s ahead.")

    expected = _signature(secret_bytes(secret), msg_id, timestamp, _as_bytes(body))
    for candidate in raw_signatures.split():
        version, _, encoded = candidate.partition(",")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(expected, given):
            return msg_id
    raise BadSignature("No valid signature for this body and secret.")
