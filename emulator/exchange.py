"""One HTTP exchange as the dispatcher (``app.py``) and the route handlers (``routes/``) pass it
around: the parsed :class:`Request`, the matched :class:`Route`, the :class:`Response`, and the
:class:`Context` the request log keeps. No sockets here (``server.py`` has them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aoai_deploy.emulator.state import account_arm_id

__all__ = ["MAX_BODY_BYTES", "Context", "Request", "Response", "Route"]

MAX_BODY_BYTES: Final = 1 << 20


@dataclass(frozen=True)
class Route:
    """A matched path."""

    name: str
    subscription: str
    resource_group: str | None = None
    account: str | None = None
    deployment: str | None = None
    location: str | None = None
    operation: str | None = None

    @property
    def account_id(self) -> str:
        """The account's ARM id as the request spelled it."""
        assert self.resource_group is not None
        assert self.account is not None
        return account_arm_id(self.subscription, self.resource_group, self.account)

    @property
    def deployment_id(self) -> str:
        return f"{self.account_id}/deployments/{self.deployment}"


@dataclass(frozen=True)
class Request:
    """One HTTP request, parsed."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    """Lower-cased header names."""
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """A query parameter by case-insensitive name."""
        for key, value in self.query.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Response:
    """One HTTP answer; ``body`` is JSON-able, ``None`` for no body."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    """Close the connection without answering."""


@dataclass
class Context:
    """What handling learnt about a request, for the request log."""

    route: str | None = None
    account: str | None = None
    fault: str | None = None
    error_code: str | None = None
