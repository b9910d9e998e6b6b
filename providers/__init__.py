"""Clients for the upstream voice services (A2E, Respeecher, Burki) over one shared HTTP layer."""

from providers.errors import (
    AuthError,
    BadRequest,
    NotFound,
    ProtocolError,
    RateLimited,
    TooLarge,
    Unavailable,
    UnsafeAddress,
    UpstreamError,
)

__version__ = "0.1.0"
USER_AGENT = f"Voxboard/{__version__}"

__all__ = [
    "USER_AGENT",
    "AuthError",
    "BadRequest",
    "NotFound",
    "ProtocolError",
    "RateLimited",
    "TooLarge",
    "Unavailable",
    "UnsafeAddress",
    "UpstreamError",
    "__version__",
]
