"""The HTTP layer's settings: from `configure` at start-up, else from the environment;
and which base URLs may be private addresses (PROVIDER_PRIVATE_HOSTS)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from providers import guard, slots
from providers.redact import log

MB = 1024 * 1024


def size_in_words(limit: int) -> str:
    """A byte limit for people: "20 MB", or bytes below a megabyte."""
    return f"{limit / MB:g} MB" if limit >= MB else f"{limit:,} bytes"


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


_settings: Settings | None = None


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

    Meant for start-up (settings, worker init): clients pooled before are replaced. A
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
    _settings = new
    # Clients pooled before carry the old timeouts: `providers.pool` closes them when
    # it is next asked for one.
    slots.forget_local_slots()
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
