"""How a provider's failed answers and lost connections become our error tree
(`providers.errors`), with its own words kept short and its secrets redacted."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx

from core.retry import parse_retry_after
from providers.errors import (
    AuthError,
    BadRequest,
    NotFound,
    RateLimited,
    Unavailable,
    UpstreamError,
)
from providers.redact import log, redact
from providers.retries import IDEMPOTENT_METHODS

# The most of a provider's own error text we keep (shown to people, stored on rows).
DETAIL_LIMIT = 200
ErrorDetail = Callable[[Any], tuple[str | None, dict[str, list[str]]]]
ErrorCode = Callable[[Any], int | str | None]


def no_error_code(body: Any) -> None:
    return None


def fastapi_detail(body: Any) -> tuple[str | None, dict[str, list[str]]]:
    """Message and field errors from FastAPI's `{"detail": str | [{loc, msg, type}]}`."""
    if not isinstance(body, dict):
        return None, {}
    detail = body.get("detail")
    if isinstance(detail, str):
        return detail, {}
    if isinstance(detail, list):
        fields: dict[str, list[str]] = {}
        for item in detail:
            if not isinstance(item, dict):
                continue
            loc = item.get("loc") or []
            if not isinstance(loc, list):
                loc = [loc]
            # The first element names where the value came from (body, query, path).
            parts = [str(p) for p in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
            field = ".".join(parts) or "__all__"
            fields.setdefault(field, []).append(str(item.get("msg") or item.get("type") or ""))
        message = "; ".join(f"{k}: {', '.join(v)}" for k, v in fields.items()) or None
        return message, fields
    for key in ("message", "msg", "error"):
        if isinstance(body.get(key), str):
            return body[key], {}
    return None, {}


class ErrorMapping:
    """One provider credential's failures as UpstreamErrors (`Upstream` is one)."""

    def __init__(
        self,
        provider: str,
        secrets: tuple[str, ...],
        error_detail: ErrorDetail = fastapi_detail,
        error_code: ErrorCode = no_error_code,
    ) -> None:
        self.provider = provider
        self._secrets = secrets
        self._error_detail = error_detail
        self._error_code = error_code

    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    def fail(
        self, cls: type[UpstreamError], status_code: int | None, detail: str | None, **extra: Any
    ) -> UpstreamError:
        """Build an error of `cls` whose upstream detail is redacted and shortened."""
        if detail is not None:
            detail = self.redact(str(detail))[:DETAIL_LIMIT]
        message = extra.pop("message", None)
        if message is None and detail and cls in (BadRequest, NotFound):
            message = f"{self.provider}: {detail}"
        return cls(self.provider, status_code, message, detail=detail, **extra)

    def error_from(self, response: httpx.Response, method: str, own: bool = True) -> UpstreamError:
        """The error for a failed answer. Only the provider's own host has its words kept:
        another host's body (a result link's server) could be anything, even an internal
        service's, so it is named by its status alone; it never saw our credentials, so
        its refusal is not the key's."""
        status = response.status_code
        if not own:
            host = response.request.url.host
            log(
                logging.WARNING,
                "%s %s %s -> %s",
                self.provider,
                method,
                response.request.url,
                status,
            )
            message = f"{host} answered HTTP {status} for the {self.provider} file."
            if status == 429 or status >= 500:
                return self.fail(Unavailable, status, None, message=message)
            return self.fail(NotFound, status, None, message=message)
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        detail, fields = self._error_detail(body)
        code = self._error_code(body)
        if detail is None and body is None and response.text:
            detail = response.text.strip() or None
        log(
            logging.WARNING,
            "%s %s %s -> %s: %s",
            self.provider,
            method,
            response.request.url,
            status,
            (detail or "")[:DETAIL_LIMIT],
            secrets=self._secrets,
        )
        if status in (401, 403):
            return self.fail(AuthError, status, detail, code=code)
        if status == 404:
            return self.fail(NotFound, status, detail, code=code)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            message = None
            if retry_after is not None:
                message = (
                    f"{self.provider} is limiting how fast we call it; "
                    f"try again in {max(1, round(retry_after))} seconds."
                )
            return self.fail(
                RateLimited, status, detail, retry_after=retry_after, message=message, code=code
            )
        if 400 <= status < 500:
            return self.fail(BadRequest, status, detail, field_errors=fields, code=code)
        return self.fail(
            Unavailable,
            status,
            detail,
            maybe_processed=method not in IDEMPOTENT_METHODS,
            code=code,
        )

    def _transport_failure(
        self, exc: httpx.TransportError, method: str, url: str, never_sent: bool
    ) -> UpstreamError:
        log(
            logging.WARNING,
            "%s %s %s failed: %s: %s",
            self.provider,
            method,
            url,
            type(exc).__name__,
            exc,
            secrets=self._secrets,
        )
        if isinstance(exc, httpx.TimeoutException):
            # Also what a call that ran past its deadline ends in (providers.deadline).
            message = f"{self.provider} did not answer in time; try again in a few minutes."
        else:
            message = f"Could not reach {self.provider}; try again in a few minutes."
        return self.fail(
            Unavailable,
            None,
            str(exc) or type(exc).__name__,
            message=message,
            maybe_processed=not never_sent and method not in IDEMPOTENT_METHODS,
        )
