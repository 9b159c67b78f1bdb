"""What the emulator remembers of each request: enough to assert on, never a token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["RequestLogEntry"]


@dataclass(frozen=True)
class RequestLogEntry:
    """One request as the emulator saw it.

    Tokens appear only as the ``tid`` and ``appid`` they carry; no header, token or body text
    is kept. ``started``/``ended`` are ``time.monotonic()`` readings (real time, not the
    emulator's clock), so tests can tell whether two requests overlapped.
    """

    method: str
    path: str
    """The URL path as sent, without the query."""
    query: Mapping[str, str]
    """Query parameters (the first value of each)."""
    status: int | None
    """HTTP status sent; ``None`` when the connection was dropped without an answer."""
    route: str | None
    """The route name (``deployment``, ``operation``, ...); ``None`` for an unknown path."""
    tenant: str | None
    """``tid`` of the bearer token, if it could be read."""
    appid: str | None
    """``appid`` of the bearer token, if it could be read."""
    aux: tuple[tuple[str | None, str | None], ...] = ()
    """``(tid, appid)`` of each auxiliary token, in header order."""
    account: str | None = None
    """ARM id of the account the request concerned, if any."""
    started: float = 0.0
    ended: float = 0.0
    fault: str | None = None
    """Kind of the injected fault that hit this request, if any."""
    error_code: str | None = None
    """ARM error code of an error answer."""
    headers_seen: tuple[str, ...] = field(default=())
    """Lower-cased names (never values) of the request headers."""
