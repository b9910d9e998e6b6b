"""The one exception tree every upstream client raises, with messages fit to show a user."""

from __future__ import annotations


class UpstreamError(Exception):
    """Any failure talking to an upstream; `message` is safe and meant for the user."""

    default_message = "{provider} returned an error."

    def __init__(
        self,
        provider: str,
        status_code: int | None = None,
        message: str | None = None,
        *,
        detail: str | None = None,
        code: int | str | None = None,
    ) -> None:
        self.provider = provider
        self.status_code = status_code
        # The upstream's own words (already redacted); `message` may be built from them.
        self.detail = detail
        # A provider-specific error code (A2E's non-zero `code`), when there is one.
        self.code = code
        self.message = message or self.default_message.format(provider=provider)
        super().__init__(self.message)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, "
            f"status_code={self.status_code!r}, message={self.message!r})"
        )


class AuthError(UpstreamError):
    default_message = "{provider} refused the credentials. Check the API key saved for this team."


class NotFound(UpstreamError):
    default_message = "{provider} has no such record; it may have been deleted there."


class RateLimited(UpstreamError):
    default_message = "{provider} is limiting how fast we call it; try again shortly."

    def __init__(self, *args, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Seconds the upstream asked us to wait, when it said.
        self.retry_after = retry_after


class Unavailable(UpstreamError):
    default_message = "{provider} is unavailable right now; try again in a few minutes."

    def __init__(self, *args, maybe_processed: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # True when a request that creates or changes something may have reached the
        # upstream before failing: check (list or poll) before sending it again.
        self.maybe_processed = maybe_processed


class BadRequest(UpstreamError):
    default_message = "{provider} rejected the request."

    def __init__(self, *args, field_errors: dict[str, list[str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.field_errors = dict(field_errors or {})


class ProtocolError(UpstreamError):
    default_message = "{provider} sent a response Voxboard could not read."


class UnsafeAddress(UpstreamError):
    """A URL we were handed (a result link, a redirect) leads to an address we never fetch."""

    default_message = "{provider} pointed at an address Voxboard does not fetch from."


class TooLarge(UpstreamError):
    """A download or an API answer grew past the size we keep; what arrived was thrown away."""

    default_message = "The file from {provider} was larger than Voxboard keeps."
