"""Fault injection: what can go wrong, on which route, and how often.

A :class:`Fault` is a frozen description; the emulator keeps the counters. Kinds:

============================ ==============================================================
``throttle``                 429 ``SubscriptionRequestsThrottled`` with ``Retry-After``
``error``                    a 5xx (``status``, default 500; 503 carries ``Retry-After``)
``drop``                     the connection is closed without any response
``slow``                     ``delay`` wall-clock seconds pass before the normal answer
``failed-provisioning``      a write is accepted, then its operation ends ``Failed`` with
                             ``error{code,message}`` (default ``InternalServerError``); with
                             ``outcome="Canceled"`` it ends ``Canceled``, with
                             ``outcome="Disabled"`` the deployment is left ``Disabled``
``insufficient-quota``       400 ``InsufficientQuota`` on a PUT (or a PATCH with a ``sku``),
                             whatever the quota says (the quota itself: ``set_quota``)
``role-propagation``         role assignments younger than ``seconds`` (emulator clock) are not
                             yet in force: 403 as if they did not exist. Stays until cleared;
                             ``times``/``rate`` do not apply to it.
============================ ==============================================================

Routes: ``account``, ``deployment``, ``deployments-list``, ``operation`` (the
``Azure-AsyncOperation`` URL), ``location`` (the ``Location`` URL), ``account-models`` (the
account's models list), ``usages`` (the region's usages list) or ``*``. Methods: ``GET``,
``PUT``, ``PATCH``, ``DELETE`` or ``*``.

How often: by default the next matching request (``times=1``). ``times=N`` for the next N;
``rate=0.3`` for a share of matching requests drawn from ``random.Random(seed)`` (so a run is
repeatable), without end unless ``times`` also caps it.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["FAULT_KINDS", "FAULT_ROUTES", "OUTCOMES", "Fault", "FaultBook", "FaultKind"]

FaultKind = Literal[
    "throttle",
    "error",
    "drop",
    "slow",
    "failed-provisioning",
    "insufficient-quota",
    "role-propagation",
]
FAULT_KINDS: Final[tuple[str, ...]] = (
    "throttle",
    "error",
    "drop",
    "slow",
    "failed-provisioning",
    "insufficient-quota",
    "role-propagation",
)
#: How a ``failed-provisioning`` write can end. ``provisioningState`` is a string enum with
#: Failed, Canceled and Disabled among its terminal values (DeploymentProvisioningState in the
#: REST spec; FACTS.md).
OUTCOMES: Final[tuple[str, ...]] = ("Failed", "Canceled", "Disabled")
FAULT_ROUTES: Final[tuple[str, ...]] = (
    "*",
    "account",
    "deployment",
    "deployments-list",
    "operation",
    "location",
    "account-models",
    "usages",
)
_METHODS: Final = ("*", "GET", "PUT", "PATCH", "DELETE")
#: Kinds decided before the request is looked at (the ARM front door); one per request.
TRANSPORT_KINDS: Final = frozenset({"throttle", "error", "drop", "slow"})
#: A slow response never waits longer than this, so no test can hang on one.
MAX_DELAY_SECONDS: Final = 30.0


@dataclass(frozen=True)
class Fault:
    """One injected fault; see the module docstring for the kinds."""

    kind: FaultKind
    """What goes wrong."""
    route: str = "*"
    """Which route it applies to."""
    method: str = "*"
    """Which HTTP method it applies to (case-insensitive)."""
    times: int | None = None
    """How many matching requests it hits; ``None`` = once, or without end when ``rate`` is set."""
    rate: float | None = None
    """Probability per matching request, in (0, 1]; ``None`` = every matching request."""
    seed: int = 0
    """Seed of the random draws behind ``rate``."""
    status: int | None = None
    """HTTP status: ``throttle`` 429; ``error`` 500 by default (502/503/504 allowed);
    ``failed-provisioning``: what the ``Location`` URL answers once it failed (default 400)."""
    retry_after: int | None = 1
    """``Retry-After`` seconds sent with ``throttle`` and with an ``error`` of 503."""
    delay: float = 0.0
    """``slow``: wall-clock seconds before answering (at most 30)."""
    code: str | None = None
    """Error code override (``failed-provisioning``, ``error``, ``insufficient-quota``)."""
    message: str | None = None
    """Error message override."""
    seconds: float = 0.0
    """``role-propagation``: how long a new role assignment stays out of force."""
    outcome: str = "Failed"
    """``failed-provisioning``: the state the write ends in: ``Failed``, ``Canceled`` (its
    operation's status too) or ``Disabled`` (the deployment's ``provisioningState``; its
    operation reports ``Failed``)."""

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"Fault.kind must be one of {', '.join(FAULT_KINDS)}; got {self.kind!r}"
            )
        if self.route not in FAULT_ROUTES:
            raise ValueError(
                f"Fault.route must be one of {', '.join(FAULT_ROUTES)}; got {self.route!r}"
            )
        method = self.method.upper()
        if method not in _METHODS:
            raise ValueError(
                f"Fault.method must be one of {', '.join(_METHODS)}; got {self.method!r}"
            )
        object.__setattr__(self, "method", method)
        if self.times is not None and self.times < 1:
            raise ValueError(f"Fault.times must be None or >= 1; got {self.times}")
        if self.rate is not None and not 0 < self.rate <= 1:
            raise ValueError(f"Fault.rate must be in (0, 1]; got {self.rate}")
        if not 0 <= self.delay <= MAX_DELAY_SECONDS:
            raise ValueError(f"Fault.delay must be in [0, {MAX_DELAY_SECONDS}]; got {self.delay}")
        if self.seconds < 0:
            raise ValueError(f"Fault.seconds must be >= 0; got {self.seconds}")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError(f"Fault.retry_after must be None or >= 0; got {self.retry_after}")
        if self.kind == "error" and self.status not in (None, 500, 502, 503, 504):
            raise ValueError(
                f"Fault.status for 'error' must be 500, 502, 503 or 504; got {self.status}"
            )
        if self.kind == "throttle" and self.status not in (None, 429):
            raise ValueError(f"Fault.status for 'throttle' must be 429; got {self.status}")
        if (
            self.kind == "failed-provisioning"
            and self.status is not None
            and not 400 <= self.status < 600
        ):
            raise ValueError(
                f"Fault.status for 'failed-provisioning' must be 4xx/5xx; got {self.status}"
            )
        if self.outcome not in OUTCOMES:
            raise ValueError(
                f"Fault.outcome must be one of {', '.join(OUTCOMES)}; got {self.outcome!r}"
            )
        if self.outcome != "Failed" and self.kind != "failed-provisioning":
            raise ValueError("Fault.outcome only applies to a 'failed-provisioning' fault")
        if self.kind in ("failed-provisioning", "insufficient-quota") and self.route not in (
            "*",
            "deployment",
        ):
            raise ValueError(f"a {self.kind!r} fault only applies to the 'deployment' route")
        if self.kind == "insufficient-quota" and self.method not in ("*", "PUT", "PATCH"):
            raise ValueError("an 'insufficient-quota' fault only applies to PUT or PATCH")

    def matches(self, route: str, method: str) -> bool:
        """Whether this fault applies to a request on ``route`` with ``method``."""
        return self.route in ("*", route) and self.method in ("*", method.upper())


class _Entry:
    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        if fault.times is not None:
            self.remaining: int | None = fault.times
        else:
            self.remaining = None if fault.rate is not None else 1
        # Repeatable draws for tests, not cryptography.
        self.rng = random.Random(fault.seed)  # noqa: S311


class FaultBook:
    """The injected faults and their counters; thread-safe."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Inject ``fault`` after the ones already there."""
        with self._lock:
            self._entries.append(_Entry(fault))

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._entries.clear()

    def pending(self) -> list[Fault]:
        """The faults that may still fire, in injection order."""
        with self._lock:
            return [entry.fault for entry in self._entries]

    def take(self, kinds: frozenset[str], route: str, method: str) -> Fault | None:
        """The first fault of ``kinds`` that fires for this request, counting it as used."""
        with self._lock:
            for entry in self._entries:
                fault = entry.fault
                if fault.kind not in kinds or fault.kind == "role-propagation":
                    continue
                if not fault.matches(route, method):
                    continue
                if fault.rate is not None and entry.rng.random() >= fault.rate:
                    continue
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining <= 0:
                        self._entries.remove(entry)
                return fault
        return None

    def propagation_window(self, route: str, method: str) -> float:
        """Seconds during which new role assignments are not in force for this request."""
        with self._lock:
            windows = [
                entry.fault.seconds
                for entry in self._entries
                if entry.fault.kind == "role-propagation" and entry.fault.matches(route, method)
            ]
        return max(windows, default=0.0)
