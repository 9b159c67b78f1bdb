"""What travels on the one HTTP path to ARM (:mod:`.arm`) and its waiting (:mod:`.waiting`):
the :class:`Call` a provider operation makes, the :class:`ArmResponse` it gets back, the
:class:`RetryPolicy` that bounds it, and the two things tests inject, a :class:`Clock` and a
:class:`TokenSource`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:  # requests is imported by the first request (arm.py), never by a preview
    from requests.structures import CaseInsensitiveDict

__all__ = [
    "MAX_MESSAGE",
    "ArmResponse",
    "Call",
    "Clock",
    "RetryPolicy",
    "SystemClock",
    "TokenSource",
]

#: ARM error messages are cut to this many characters.
MAX_MESSAGE: Final = 600


class TokenSource(Protocol):
    """Gives a bearer token for a tenant (``None``: the credential's home tenant)."""

    def token(self, tenant_id: str | None) -> str: ...


class Clock(Protocol):
    """Monotonic time and sleeping, injectable so that tests never wait on a wall clock."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """Timeouts, retry counts and backoff bounds of the HTTP path."""

    connect_timeout: float = 10.0
    """Seconds to wait for a TCP + TLS connection."""
    read_timeout: float = 60.0
    """Seconds to wait for a response once the request is sent."""
    max_retries: int = 6
    """Retries of one request after 429, 5xx or a dropped connection."""
    backoff_base: float = 1.0
    """First backoff in seconds; doubles per retry, jittered (a random wait between half of it
    and all of it)."""
    backoff_max: float = 30.0
    """Longest backoff between two retries."""
    retry_after_cap: float = 60.0
    """Longest wait a ``Retry-After`` header can impose."""
    conflict_budget: float = 900.0
    """How long to keep retrying 409 RequestConflict (the operation deadline also applies)."""
    conflict_backoff_max: float = 15.0
    """Longest wait between two RequestConflict retries."""
    first_poll_interval: float = 1.0
    """First poll interval when ARM sends no ``Retry-After``; later ones grow from it."""
    default_poll_interval: float = 5.0
    """Longest poll interval when ARM sends no ``Retry-After``."""
    min_poll_interval: float = 0.2
    """Shortest poll interval, whatever ``Retry-After`` says."""


@dataclass(frozen=True)
class Call:
    """What one provider operation is doing: carried by every request it sends."""

    operation: str
    """Gerund for messages: ``creating``, ``reading``, ``updating``, ``deleting``."""
    resource_id: str
    """ARM id the operation is about, for messages."""
    tenant_id: str | None
    """Destination tenant (``None``: the credential's home tenant)."""
    deadline: float
    """Clock time after which the operation gives up."""
    aux_tenants: tuple[str, ...] = ()
    """Tenants whose tokens go into ``x-ms-authorization-auxiliary`` (cross-tenant copies)."""
    role_wait_until: float | None = None
    """Clock time until which 403 Authorization/LinkedAuthorizationFailed is retried."""
    context: Mapping[str, str] = field(default_factory=dict)
    """Facts for error hints: ``source_account``, ``source_tenant``, ``destination_tenant``."""


@dataclass(frozen=True)
class ArmResponse:
    """A response from ARM, already read."""

    status: int
    headers: CaseInsensitiveDict[str]
    body: dict[str, Any] | None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)
