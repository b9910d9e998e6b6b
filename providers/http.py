"""Shared HTTP layer for the upstream clients: pooling, retries, typed errors and downloads.

Every connection passes the address guard (`providers.guard`); the in-flight caps per
credential are in `providers.slots`, redaction in `providers.redact`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import mimetypes
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import httpx

from core.retry import Backoff, parse_retry_after
from providers import USER_AGENT, deadline, guard, slots
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
from providers.redact import log, mask, redact
from providers.slots import Slot, credential_key, in_flight_slot

MAX_ATTEMPTS = 4
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Only these may be sent again after they could have reached the server.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Failures that prove the request never left this machine, so any method may be retried.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after which a GET is worth repeating.
TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# Waits inside one call are short and spread wide (50-100 % of the step), since many
# workers may have hit the same busy provider at once.
RETRY = Backoff(base=BACKOFF_BASE, cap=BACKOFF_CAP, jitter=(0.5, 1.0), max_tries=MAX_ATTEMPTS)
# The most of a provider's own error text we keep (shown to people, stored on rows).
DETAIL_LIMIT = 200
CHUNK_SIZE = 64 * 1024
# The most of an error answer (status >= 400) we read: enough for any provider's JSON
# error with its field list; the rest is left unread, however much the server sends.
ERROR_BODY_LIMIT = 64 * 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    redis_url: str | None = None
    max_in_flight: int = 4
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # A Retry-After longer than this is not slept through inside a call: the caller (a
    # Celery task) gets RateLimited(retry_after) and can reschedule instead of blocking.
    max_retry_wait: float = 30.0
    # How long a call waits for one of the credential's in-flight slots.
    slot_wait: float = 60.0
    # Origins (and, deprecated, bare hosts) whose base URLs may be private addresses
    # (PROVIDER_PRIVATE_HOSTS), as `parse_hosts` makes them.
    private_hosts: frozenset[str] = frozenset()
    # The largest API answer read into memory (UPSTREAM_MAX_BODY_MB); result files are
    # streamed to disk or passed on instead, under their own cap.
    max_body_bytes: int = 20 * MB
    # Seconds a whole call may take, retries, waits and slow answers included
    # (UPSTREAM_DEADLINE_SECONDS); the timeouts above bound each read on its own.
    deadline: float = 60.0
    # The same for calls that move a file: downloads, relayed streams, uploads
    # (UPSTREAM_FILE_DEADLINE_SECONDS).
    file_deadline: float = 900.0
    # The most records one listing is followed for across its pages (SYNC_MAX_RECORDS).
    max_records: int = 1_000_000
    # Files passed on to browsers at once per credential (PROVIDERS_MAX_RELAYS): their
    # own pool, so a browser that stops reading holds none of the API calls' slots.
    max_relays: int = 4

    @property
    def slot_lease(self) -> float:
        """Seconds a Redis slot stays held if its holder dies without releasing it."""
        return max(60.0, 2 * (self.connect_timeout + self.read_timeout))


_lock = threading.Lock()
_settings: Settings | None = None
_clients: dict[tuple[int, str, guard.Policy], httpx.Client] = {}


def configure(
    redis_url: str | None = None,
    max_in_flight: int = 4,
    connect_timeout: float = 5.0,
    read_timeout: float = 30.0,
    *,
    max_retry_wait: float = 30.0,
    slot_wait: float = 60.0,
    private_hosts: Iterable[str] | None = None,
    max_body_bytes: int = 20 * MB,
    deadline: float = 60.0,
    file_deadline: float = 900.0,
    max_records: int = 1_000_000,
    max_relays: int = 4,
) -> Settings:
    """Set the process-wide HTTP settings; without a call, REDIS_URL and
    PROVIDER_PRIVATE_HOSTS come from the environment (as they do for `private_hosts=None`).

    Meant for start-up (settings, worker init): clients pooled before are closed. A
    malformed private origin raises ValueError; a bare host is logged as deprecated.
    """
    global _settings
    if max_in_flight < 1 or max_relays < 1:
        raise ValueError("max_in_flight and max_relays must be at least 1")
    private = env_private_hosts() if private_hosts is None else parse_hosts(private_hosts)
    bare = sorted(entry for entry in private if "://" not in entry)
    if bare:
        log(
            logging.WARNING,
            "PROVIDER_PRIVATE_HOSTS lists bare hosts (%s), which open every port on them to "
            "every provider; list each service's exact origin instead (http://%s:<port>). "
            "Bare hosts are deprecated and will stop working in a later release.",
            ", ".join(bare),
            f"[{bare[0]}]" if ":" in bare[0] else bare[0],
        )
    if min(max_body_bytes, deadline, file_deadline, max_records) <= 0:
        raise ValueError("body, deadline and record limits must be positive")
    new = Settings(
        redis_url=redis_url or None,
        max_in_flight=max_in_flight,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_retry_wait=max_retry_wait,
        slot_wait=slot_wait,
        private_hosts=private,
        max_body_bytes=max_body_bytes,
        deadline=deadline,
        file_deadline=file_deadline,
        max_records=max_records,
        max_relays=max_relays,
    )
    with _lock:
        _settings = new
        # Pooled clients carry the old timeouts.
        stale = list(_clients.values())
        _clients.clear()
    slots.forget_local_slots()
    for client in stale:
        client.close()
    return new


def parse_hosts(entries: Iterable[str]) -> frozenset[str]:
    """PROVIDER_PRIVATE_HOSTS as `is_private_origin` compares it: exact origins
    (`http://10.0.0.5:8080`) written as `origin_of` writes them, the port always spelled
    out; and bare hosts (`10.0.0.5`, lower-case, IPv6 brackets dropped), deprecated since
    they open every port and scheme on the host. An origin with a path, a query, a user
    or a scheme other than http(s) raises ValueError, so a typo fails at start-up rather
    than opening something else."""
    parsed = set()
    for entry in (e.strip() for e in entries):
        if "://" not in entry:
            if entry.strip("[]"):
                parsed.add(entry.strip("[]").lower())
            continue
        parts = urlsplit(entry)
        if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
            raise ValueError(
                f"PROVIDER_PRIVATE_HOSTS: {entry!r} is not an origin; "
                "give only the scheme, host and port, as in http://10.0.0.5:8080."
            )
        try:
            parsed.add(origin_of(entry))
        except guard.UnsafeTarget as exc:
            raise ValueError(f"PROVIDER_PRIVATE_HOSTS: {entry!r}: {exc}") from None
    return frozenset(parsed)


def env_private_hosts() -> frozenset[str]:
    return parse_hosts(os.environ.get("PROVIDER_PRIVATE_HOSTS", "").split(","))


def current_settings() -> Settings:
    if _settings is not None:
        return _settings
    return Settings(
        redis_url=os.environ.get("REDIS_URL") or None, private_hosts=env_private_hosts()
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def pooled_client(base_url: str, policy: guard.Policy | None = None) -> httpx.Client:
    """The process's one pooled client for this base URL under this address policy (a
    new one after a fork). Every connection it opens is checked by `policy`."""
    settings = current_settings()
    policy = policy or guard.Policy()
    key = (os.getpid(), base_url.rstrip("/"), policy)
    with _lock:
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
                # No proxies from the environment: the guard must see where we connect.
                transport=guard.GuardedTransport(policy),
                trust_env=False,
            )
            _clients[key] = client
    return client


def origin_of(url: str) -> str:
    """An http(s) URL's origin with its port spelled out (`http://10.0.0.5:80`), so two
    spellings of one origin compare equal; raises guard.UnsafeTarget for another scheme."""
    host, port = guard.host_port(url)
    shown = f"[{host}]" if ":" in host else host
    return f"{urlsplit(url).scheme.lower()}://{shown}:{port}"


def is_private_origin(base_url: str, private_hosts: frozenset[str]) -> bool:
    """Whether this base URL's origin is listed in PROVIDER_PRIVATE_HOSTS (as
    `parse_hosts` makes it), or, deprecated, its bare host is."""
    try:
        host, _port = guard.host_port(base_url)
        origin = origin_of(base_url)
    except guard.UnsafeTarget:
        return False
    return origin in private_hosts or host in private_hosts


def address_policy(base_url: str, private_hosts: frozenset[str]) -> guard.Policy:
    """The rule for one account: its base URL's own host and port may be a private
    address when that origin is listed as private; every other URL must be public."""
    if not is_private_origin(base_url, private_hosts):
        return guard.Policy()
    return guard.Policy(exempt=frozenset({guard.host_port(base_url)}))


# --- retries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One failed attempt: what the retry decision weighs, and the error it ends in."""

    method: str
    # Built only when raised: building a transport failure's error logs it as final.
    error: Callable[[], UpstreamError]
    # The answer's status; None when the transport failed (then `cause` says how).
    status: int | None = None
    cause: httpx.TransportError | None = None
    retry_after: float | None = None

    @property
    def outcome(self) -> str:
        """Words for the retry's log line: "answered 503", "failed (ReadTimeout)"."""
        if self.cause is not None:
            return f"failed ({type(self.cause).__name__})"
        return f"answered {self.status}"


def retry_wait(failure: Failure, attempt: int, max_retry_wait: float) -> float | None:
    """Seconds to wait before sending again after failed attempt `attempt`, or None to stop.

    Only what cannot do harm twice is sent again: any method whose connection never
    opened, and an idempotent one after a timeout, a dropped connection, a 429 or a
    502-504. Other answers (4xx above all) are final. A Retry-After stands in for the
    backoff; one longer than `max_retry_wait` is left to the caller, which can reschedule
    rather than hold a worker.
    """
    idempotent = failure.method in IDEMPOTENT_METHODS
    if failure.cause is not None:
        retryable = isinstance(failure.cause, NEVER_SENT) or (
            idempotent and isinstance(failure.cause, TRANSIENT)
        )
    else:
        retryable = idempotent and failure.status in RETRY_STATUSES
    wait = RETRY.seconds(attempt) if retryable else None
    if wait is None:
        return None
    if failure.retry_after is not None:
        if failure.retry_after > max_retry_wait:
            return None
        wait = failure.retry_after
    return wait


# --- responses -------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """A body streamed to disk or a file object."""

    size: int
    sha256: str
    content_type: str | None
    filename: str | None
    path: str | None = None


class Streamed:
    """A GET body being passed on chunk by chunk (to a browser, say), never held whole:
    its headers, and `chunks()` to read it once. Only valid inside `Upstream.stream`."""

    def __init__(self, upstream: Upstream, response: httpx.Response, slot: Slot) -> None:
        self._upstream, self._response, self._slot = upstream, response, slot
        headers = response.headers
        self.content_type = headers.get("Content-Type")
        length = headers.get("Content-Length", "")
        self.content_length = int(length) if length.isdigit() else None
        self.filename = _filename(headers.get("Content-Disposition"))

    def chunks(self) -> Iterator[bytes]:
        """The body; a connection lost partway raises Unavailable (the answer's status
        has gone out by then, so the reader sees a body cut short)."""
        refresh_every = current_settings().slot_lease / 3
        checked = time.monotonic()
        try:
            for chunk in self._response.iter_bytes(CHUNK_SIZE):
                yield chunk
                if time.monotonic() - checked > refresh_every:
                    self._slot.refresh()
                    checked = time.monotonic()
        except httpx.TransportError as exc:
            url = str(self._response.request.url)
            raise self._upstream._transport_failure(exc, "GET", url, False) from exc


def _size(limit: int) -> str:
    """A byte limit for people: "20 MB", or bytes below a megabyte."""
    return f"{limit / MB:g} MB" if limit >= MB else f"{limit:,} bytes"


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


_FILENAME = re.compile(r"""filename\*?\s*=\s*(?:UTF-8'[^']*')?"?([^";]+)"?""", re.IGNORECASE)


def _filename(disposition: str | None) -> str | None:
    if not disposition:
        return None
    matches = _FILENAME.findall(disposition)
    # filename* (RFC 5987) comes last when both are given and is the better one.
    return Path(unquote(matches[-1])).name if matches else None


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


class Upstream:
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
    ) -> None:
        if not credential:
            raise AuthError(provider, message=f"No {provider} API key is configured.")
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self._credential = credential
        self._auth_headers = dict(auth_headers)
        self._secrets = (credential,)
        self._error_detail = error_detail
        self._error_code = error_code
        self._sleep = sleep
        self._key = credential_key(provider, credential)
        self._policy = address_policy(self.base_url, current_settings().private_hosts)

    def __repr__(self) -> str:
        return (
            f"Upstream({self.provider!r}, {self.base_url!r}, credential={mask(self._credential)!r})"
        )

    # Errors

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
            return url, _origin(url) == _origin(self.base_url)
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
        client = pooled_client(_origin(url), self._policy)
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
                f"{self.provider} sent an answer larger than {_size(limit)}; it was not read.",
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
                return self._save(response, slot, dest, max_bytes)
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

    def _too_large(self, max_bytes: int) -> TooLarge:
        return TooLarge(self.provider, None, f"The result was larger than {_size(max_bytes)}.")

    def _save(
        self,
        response: httpx.Response,
        slot: Slot,
        dest: str | os.PathLike[str] | IO[bytes],
        max_bytes: int | None = None,
    ) -> Download:
        digest = hashlib.sha256()
        size = 0
        lease_check = time.monotonic()
        refresh_every = current_settings().slot_lease / 3
        if max_bytes is not None:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise self._too_large(max_bytes)

        def copy(out: IO[bytes]) -> None:
            nonlocal size, lease_check
            for chunk in response.iter_bytes(CHUNK_SIZE):
                if max_bytes is not None and size + len(chunk) > max_bytes:
                    raise self._too_large(max_bytes)
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if time.monotonic() - lease_check > refresh_every:
                    slot.refresh()
                    lease_check = time.monotonic()

        path = None
        try:
            if isinstance(dest, str | os.PathLike):
                path = os.fspath(dest)
                # A partial file never takes the final name.
                directory = os.path.dirname(os.path.abspath(path))
                fd, partial = tempfile.mkstemp(dir=directory, prefix=".part-")
                try:
                    with os.fdopen(fd, "wb") as out:
                        copy(out)
                    os.replace(partial, path)
                except BaseException:
                    Path(partial).unlink(missing_ok=True)
                    raise
            else:
                copy(dest)
        except httpx.TransportError as exc:
            raise self._transport_failure(exc, "GET", str(response.request.url), False) from exc
        return Download(
            size=size,
            sha256=digest.hexdigest(),
            content_type=response.headers.get("Content-Type"),
            filename=_filename(response.headers.get("Content-Disposition")),
            path=path,
        )


class Downloads:
    """The `download` of a client whose results are files at links the provider gives."""

    _http: Upstream

    def download(
        self,
        url: str,
        dest: str | os.PathLike[str] | IO[bytes],
        *,
        max_bytes: int | None = None,
    ) -> Download:
        """Stream a result's `url` (audio, video, a waveform) to `dest`.

        Only the provider's own host is sent the credential; a CDN's never is.
        """
        return self._http.download(url, dest, max_bytes=max_bytes)

    def stream(self, url: str) -> contextlib.AbstractContextManager[Streamed]:
        """Pass a provider file (audio, a waveform) on as it arrives; see Upstream.stream."""
        return self._http.stream(url)


@contextmanager
def opened(file: str | os.PathLike[str] | IO[bytes]) -> Iterator[IO[bytes]]:
    """A binary file object for a path or an already open file (left open for its owner)."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            yield handle
    else:
        yield file


def file_part(handle: IO[bytes], filename: str | None = None) -> tuple[str, IO[bytes], str]:
    """A multipart file part; httpx streams the open file rather than reading it whole."""
    name = filename or os.path.basename(getattr(handle, "name", "") or "") or "upload"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return (name, handle, content_type)


def fill(template: str, **params: str | int) -> str:
    """A route template with each `{name}` replaced by its URL-quoted value."""
    return template.format(**{k: quote(str(v), safe="") for k, v in params.items()})
