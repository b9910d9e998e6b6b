"""What the three provider clients share: one credential's `Upstream`, calls by route
name, result files; and `ProviderClient`, what the jobs' kinds may ask of any of them."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping
from typing import IO, Any, ClassVar, Protocol

from providers.downloads import Download, Streamed
from providers.http import Upstream, fill
from providers.mapping import ErrorCode, ErrorDetail, fastapi_detail, no_error_code

Routes = Mapping[str, tuple[str, str]]


class ProviderClient(Protocol):
    """Any provider's client, as code that works with all three sees it."""

    def check(self) -> object:
        """The provider's cheapest authenticated call: raises when the key does not work."""
        ...

    def credits(self) -> object | None:
        """What the account has left to spend; None where the provider does not say."""
        ...

    def download(
        self, url: str, dest: str | os.PathLike[str] | IO[bytes], *, max_bytes: int | None = None
    ) -> Download: ...


def endpoints(routes: Routes) -> dict[tuple[str, str], str]:
    """Each route's method name, keyed by (method, path template)."""
    return {route: name for name, route in routes.items()}


class Client:
    """One account of one provider; a subclass names the provider, its routes, how a
    key is sent and how its error bodies read."""

    provider: ClassVar[str]
    routes: ClassVar[Routes]
    error_detail: ClassVar[ErrorDetail] = staticmethod(fastapi_detail)
    error_code: ClassVar[ErrorCode] = staticmethod(no_error_code)

    def __init__(
        self, base_url: str, key: str, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._http = Upstream(
            self.provider,
            base_url,
            key,
            self.auth_headers(key),
            error_detail=self.error_detail,
            error_code=self.error_code,
            sleep=sleep,
        )

    @staticmethod
    def auth_headers(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http.base_url!r})"

    def _json(self, name: str, path_params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Call the route `name` (a key of `routes`); its decoded JSON body."""
        method, template = self.routes[name]
        return self._http.json(method, fill(template, **(path_params or {})), **kwargs)

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
