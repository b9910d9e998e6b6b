"""Shared HTTP layer for the upstream clients: one credential's calls, with retries,
in-flight caps, deadlines and capped answers.

Its parts: settings (`providers.config`), pooled clients (`providers.pool`), which
failures are sent again (`providers.retries`), error mapping (`providers.mapping`) and
result files (`providers.downloads`). Every connection passes the address guard
(`providers.guard`); the in-flight caps per credential are in `providers.slots`,
redaction in `providers.redact`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import IO, Any
from urllib.parse import quote, urljoin

import httpx

from providers import deadline, guard
from providers.config import address_policy, current_settings, size_in_words
from providers.downloads import Download, Streamed, save
from providers.errors import AuthError, ProtocolError, RateLimited, TooLarge, UnsafeAddress
from providers.mapping import (
    DETAIL_LIMIT,
    ErrorCode,
    ErrorDetail,
    ErrorMapping,
    fastapi_detail,
    no_error_code,
)
from providers.pool import origin, pooled_client
from providers.redact import log, mask
from providers.retries import MAX_ATTEMPTS, NEVER_SENT, Failure, retry_wait
from providers.slots import Slot, credential_key, in_flight_slot

# The most of an error answer (status >= 400) we read: enough for any provider's JSON
# error with its field list; the rest is left unread, however much the server sends.
ERROR_BODY_LIMIT = 64 * 1024


def _read_into(response: httpx.Response, limit: int, *, keep_start: bool = False) -> bool:
    """Read the body (decoded) into `response.content` chunk by chunk as it arrives, up
    to `limit` bytes; False when there was more, with nothing kept or, with `keep_start`,
    its first `limit` bytes.

    httpx's own `read()` holds the whole body, however large, before anyone can look.
    """
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            # Joined only when asked for: a copy of a refused answer would double its cost.
            response._content = b"".join(chunks)[:limit] if keep_start else b""
            return False
    # Where httpx's read() leaves the body, so .content, .text and .json() work as usual.
    response._content = b"".join(chunks)
    return True


class Upstream(ErrorMapping):
    """One provider credential's way to the network: auth, retries, the cap, error mapping."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        credential: str,
        auth_headers: Mapping[str, str],
        *,
        error_detail: ErrorDetail = fastapi_detail,
        error_code: ErrorCode = no_error_code,
        sleep: Callable[[float], None] = time.sleep,
        secrets: tuple[str, ...] = (),
    ) -> None:
        """`secrets` are masked wherever this upstream's calls are logged or explained,
        beside the credential: what a request body carries (a password), say."""
        if not credential:
            raise AuthError(provider, message=f"No {provider} API key is configured.")
        super().__init__(provider, (credential, *secrets), error_detail, error_code)
        self.base_url = base_url.rstrip("/")
        self._credential = credential
        self._auth_headers = dict(auth_headers)
        self._sleep = sleep
        self._key = credential_key(provider, credential)
        self._policy = address_policy(self.base_url, current_settings().private_hosts)

    def __repr__(self) -> str:
        return (
            f"Upstream({self.provider!r}, {self.base_url!r}, credential={mask(self._credential)!r})"
        )

    # Requests

    def _url(self, path_or_url: str) -> tuple[str, bool]:
        """The absolute URL and whether it belongs to this upstream (so gets credentials).
        A URL that cannot be parsed (a provider's malformed link) is a ProtocolError here,
        rather than an InvalidURL or ValueError escaping as a 500 or a cut-off download."""
        url = (
            urljoin(self.base_url + "/", path_or_url.lstrip("/"))
            if "://" not in path_or_url
            else path_or_url
        )
        try:
            httpx.URL(url)
            return url, origin(url) == origin(self.base_url)
        except (httpx.InvalidURL, ValueError) as exc:
            message = f"{self.provider} gave an address that cannot be used."
            raise self.fail(ProtocolError, None, f"{exc}: {url}", message=message) from None

    @contextmanager
    def exchange(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        read: bool = False,
        until: float | None = None,
        relay: bool = False,
    ) -> Iterator[tuple[httpx.Response, Slot]]:
        """Send with retries and yield the streaming response of the first success (< 400).

        With `read`, the body is read as part of the attempt (at most `max_body_bytes`,
        else TooLarge), so a body cut short is retried like any other transport failure
        (for a GET). Every attempt holds one in-flight slot for this credential; sleeps
        between attempts hold none. The whole call, body included, ends by `until` (a
        `time.monotonic()` instant; by default the settings' deadline from now, the file
        deadline for an upload): past it a read or write fails as a timeout and no retry
        starts. Failures become the UpstreamError tree.

        A `relay` (a file passed on to a browser, at the browser's pace) holds a slot of
        its own pool instead (`max_relays` per credential), so browsers that stop reading
        never stall the API calls.
        """
        method = method.upper()
        url, own = self._url(path_or_url)
        client = pooled_client(origin(url), self._policy)
        request_headers = {**(self._auth_headers if own else {}), **(headers or {})}
        if params:
            params = {k: v for k, v in params.items() if v is not None}
        settings = current_settings()
        if until is None:
            until = time.monotonic() + (settings.file_deadline if files else settings.deadline)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            # Rebuilt each attempt: httpx rewinds file objects when it renders multipart.
            request = client.build_request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                files=files,
                headers=request_headers,
                extensions={deadline.EXTENSION: until},
            )
            # Waiting for a slot spends the call's time like any other wait.
            waits = dataclasses.replace(
                settings,
                slot_wait=max(0.0, min(settings.slot_wait, until - time.monotonic())),
                max_in_flight=settings.max_relays if relay else settings.max_in_flight,
            )
            pool = f"{self._key}:relay" if relay else self._key
            with in_flight_slot(pool, self.provider, waits) as slot:
                outcome = self._attempt(client, request, url, own=own, read=read)
                if isinstance(outcome, httpx.Response):
                    try:
                        yield outcome, slot
                    finally:
                        outcome.close()
                    return
                wait = retry_wait(outcome, attempt, settings.max_retry_wait)
                if wait is None or time.monotonic() + wait >= until:
                    raise outcome.error() from outcome.cause
                log(
                    logging.WARNING,
                    "%s %s %s %s; attempt %d of %d, retrying in %.2fs",
                    self.provider,
                    method,
                    url,
                    outcome.outcome,
                    attempt,
                    MAX_ATTEMPTS,
                    wait,
                    secrets=self._secrets,
                )
            self._sleep(wait)

    def _attempt(
        self, client: httpx.Client, request: httpx.Request, url: str, *, own: bool, read: bool
    ) -> httpx.Response | Failure:
        """Send `request` once: its response when it succeeded (< 400), else how it failed.

        An address the guard refuses raises at once: no attempt could reach another.
        """
        method = request.method
        started = time.monotonic()
        try:
            response = client.send(request, stream=True)
            if read and response.status_code < 400:
                try:
                    self._read_capped(response, current_settings().max_body_bytes)
                finally:
                    response.close()
        except guard.UnsafeTarget as exc:
            log(logging.WARNING, "%s %s %s refused: %s", self.provider, method, url, exc)
            raise self.fail(UnsafeAddress, None, str(exc), message=f"Not fetched: {exc}") from exc
        except httpx.TransportError as exc:
            never_sent = isinstance(exc, NEVER_SENT)
            error = partial(self._transport_failure, exc, method, url, never_sent)
            return Failure(method, error, cause=exc)
        elapsed = (time.monotonic() - started) * 1000
        log(
            logging.DEBUG,
            "%s %s %s -> %s in %.0f ms",
            self.provider,
            method,
            url,
            response.status_code,
            elapsed,
            secrets=self._secrets,
        )
        if response.status_code < 400:
            return response
        try:
            _read_into(response, ERROR_BODY_LIMIT, keep_start=True)
        except httpx.TransportError:
            # The status says what happened; a detail cut short (or timed out) is only
            # that: read from what arrived.
            pass
        finally:
            response.close()
        answered = self.error_from(response, method, own)
        return Failure(
            method,
            lambda: answered,
            status=response.status_code,
            retry_after=answered.retry_after if isinstance(answered, RateLimited) else None,
        )

    def _read_capped(self, response: httpx.Response, limit: int) -> None:
        """Read an API answer as it arrives, refusing it (TooLarge) once it says or
        proves it is larger than `limit`: what arrived is dropped, the rest never read."""
        declared = response.headers.get("Content-Length", "")
        if (declared.isdigit() and int(declared) > limit) or not _read_into(response, limit):
            log(
                logging.WARNING,
                "%s %s %s -> %s with an answer over %d bytes; not read",
                self.provider,
                response.request.method,
                response.request.url,
                response.status_code,
                limit,
                secrets=self._secrets,
            )
            raise TooLarge(
                self.provider,
                response.status_code,
                f"{self.provider} sent an answer larger than {size_in_words(limit)}; "
                "it was not read.",
            )

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> httpx.Response:
        """Send and return the successful response with its body read."""
        with self.exchange(method, path_or_url, read=True, **kwargs) as (response, _slot):
            pass
        if response.is_redirect:
            # Only downloads follow redirects (see `download`); an API call that is
            # redirected is misconfigured, and following it could leak the credential.
            raise self.fail(
                ProtocolError,
                response.status_code,
                f"unexpected redirect to {response.headers.get('Location')}",
            )
        return response

    def json(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        """Send and decode a JSON body; an empty body reads as None."""
        response = self.request(method, path_or_url, **kwargs)
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError as exc:
            log(
                logging.WARNING,
                "%s %s %s -> %s with a body that is not JSON: %r",
                self.provider,
                method,
                response.request.url,
                response.status_code,
                response.text[:DETAIL_LIMIT],
                secrets=self._secrets,
            )
            raise self.fail(
                ProtocolError, response.status_code, "the response body is not valid JSON"
            ) from exc

    def download(
        self,
        path_or_url: str,
        dest: str | os.PathLike[str] | IO[bytes],
        *,
        params: Mapping[str, Any] | None = None,
        max_redirects: int = 5,
        max_bytes: int | None = None,
    ) -> Download:
        """Stream a GET body to a path (atomically) or a binary file object; hash as it goes.

        Redirects are followed here rather than by httpx so credentials are never sent
        to another host (httpx strips Authorization on such a redirect, not `api-key`),
        and each hop's address is checked like the first (`providers.guard`). A body over
        `max_bytes` is cut off as it streams and raises TooLarge; no partial file is kept.
        The whole download, every hop included, ends by the file deadline.
        """
        until = time.monotonic() + current_settings().file_deadline
        target = path_or_url
        for _ in range(max_redirects + 1):
            with self.exchange("GET", target, params=params, until=until) as (response, slot):
                if response.is_redirect and response.headers.get("Location"):
                    target = self._next_hop(response)
                    params = None
                    continue
                return save(self, response, slot, dest, max_bytes)
        raise self.fail(ProtocolError, None, f"more than {max_redirects} redirects")

    @contextmanager
    def stream(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        max_redirects: int = 5,
    ) -> Iterator[Streamed]:
        """A GET body to pass on as it arrives, following redirects as `download` does
        (the credential only ever to the provider's host, each hop's address checked).
        The connection and its relay slot (a pool apart from the API calls') are held
        until the block ends; reading stops at the file deadline, counted from here."""
        until = time.monotonic() + current_settings().file_deadline
        target = path_or_url
        for _ in range(max_redirects + 1):
            with self.exchange("GET", target, params=params, until=until, relay=True) as (
                response,
                slot,
            ):
                if response.is_redirect and response.headers.get("Location"):
                    target = self._next_hop(response)
                    params = None
                    continue
                yield Streamed(self, response, slot)
                return
        raise self.fail(ProtocolError, None, f"more than {max_redirects} redirects")

    def _next_hop(self, response: httpx.Response) -> str:
        """Where a redirect leads; one whose Location cannot be read is a ProtocolError."""
        try:
            return urljoin(str(response.request.url), response.headers["Location"])
        except ValueError as exc:
            raise self.fail(
                ProtocolError,
                response.status_code,
                f"{exc}: a redirect",
                message=f"{self.provider} gave an address that cannot be used.",
            ) from None


def fill(template: str, **params: str | int) -> str:
    """A route template with each `{name}` replaced by its URL-quoted value."""
    return template.format(**{k: quote(str(v), safe="") for k, v in params.items()})
