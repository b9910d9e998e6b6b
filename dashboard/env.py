"""Typed readers for settings that come from the environment, failing loudly on bad values."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}

# (old, new) for each setting read under a name it no longer has, for start-up to log.
_renamed: list[tuple[str, str]] = []
_FALSE = {"0", "false", "no", "off", ""}


def raw(name: str, default: str | None = None) -> str | None:
    """Return NAME, or the contents of the file named by NAME_FILE, or the default.

    Secrets are often mounted as files (Docker secrets, Kubernetes volumes), so every
    variable may come from `<NAME>_FILE` instead; setting both is a mistake worth stopping on.
    """
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        if value is not None:
            raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return default if value is None else value


def renamed() -> list[tuple[str, str]]:
    """The old names settings were read under, as (old, new), in the order read."""
    return list(_renamed)


def _raw_or_old(name: str, old: str | None) -> str | None:
    """NAME, or else the value of its `old` name, noted for start-up to warn about.
    The old name is read for one release only; beside the new one, it is ignored."""
    value = raw(name)
    if old is not None and raw(old) is not None:
        _renamed.append((old, name))
        if value is None:
            return raw(old)
    return value


def string(name: str, default: str = "") -> str:
    value = raw(name)
    return default if value is None else value


def boolean(name: str, default: bool = False) -> bool:
    value = raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no).")


def integer(name: str, default: int, minimum: int | None = None, *, old: str | None = None) -> int:
    """NAME as a whole number; `old` is the name it had, still read for one release."""
    value = _raw_or_old(name, old)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return number


def csv(name: str, default: list[str] | None = None) -> list[str]:
    value = raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def url(name: str, default: str = "", schemes: tuple[str, ...] = ("http", "https")) -> str:
    from urllib.parse import urlsplit

    value = string(name, default)
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        allowed = ", ".join(schemes)
        raise ImproperlyConfigured(f"{name}={value!r} is not a URL ({allowed}://host...).")
    return value.rstrip("/")
