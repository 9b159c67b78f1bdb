"""The fault matrix: each fault the emulator injects, on each verb, and what the stack ends with.

A *cell* is one fault on one verb. :func:`run_cell` plays it in a fresh :class:`~fault_lab.Lab`:

1. set up (``read``/``update``/``delete`` need a deployment made first, without faults);
2. inject the fault and run the verb once, recording what Pulumi would record;
3. check the emulator against that record (nothing recorded is gone; anything unknown carries
   the stack's owner tag) and that a failure reads ``<operation> <ARM id>: <ARM code>: ...``;
4. clear the faults and run the verb once more if it failed (the user's next ``pulumi up``):
   it must succeed, re-adopting any leftover, and Azure must then hold exactly what the
   state records.

:data:`EXPECTED` is what each cell must show; :data:`KNOWN_BUGS` lists cells where the
provider does not meet it yet. ``tests/faults/test_fault_matrix.py`` runs every cell;
``tests/faults/matrix.py`` prints the table and writes ``docs/reliability.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from aoai_deploy.emulator import Fault
from aoai_deploy.providers import (
    AoaiDeployError,
    OperationTimeoutError,
    TransportError,
)
from aoai_deploy.providers.azure.calls import RetryPolicy
from fault_lab import FOREIGN_DEPLOYMENT, Lab
from fault_row import OK, POLICY, Row
from preflight_rows import PREFLIGHT_EXPECTED, PREFLIGHT_ROWS
from provider_kit import cross_tenant_inputs
from seed_ids import DEST_ACCOUNT

__all__ = [
    "EXPECTED",
    "KNOWN_BUGS",
    "NA",
    "OWNER",
    "ROWS",
    "VERBS",
    "Cell",
    "Row",
    "cells",
    "expected",
    "failure_code",
    "render_table",
    "run_cell",
]

OWNER: Final = "aoai-deploy/faults/ft"
DEPLOYMENT_ID: Final = DEST_ACCOUNT + "/deployments/ft"
NA: Final = "n/a"

#: The columns: the provider's four verbs, and the two polling routes (during a create).
VERBS: Final = ("create", "read", "update", "delete", "poll-operation", "poll-location")
VERB_HEADERS: Final = {
    "create": "create",
    "read": "read",
    "update": "update",
    "delete": "delete",
    "poll-operation": "poll `Azure-AsyncOperation`",
    "poll-location": "poll `Location`",
}
_GERUND: Final = {
    "create": "creating",
    "read": "reading",
    "update": "updating",
    "delete": "deleting",
    "poll-operation": "creating",
    "poll-location": "creating",
}
#: Where a front-door fault lands for each column: (emulator route, method).
_TARGET: Final = {
    "create": ("deployment", "PUT"),
    "read": ("deployment", "GET"),
    "update": ("deployment", "PATCH"),  # a capacity change: Deployments_Update
    "delete": ("deployment", "DELETE"),
    # Both land on .../operationResults/{id} (emulator route "location"): the default style's
    # Azure-AsyncOperation points there, as Azure's recording of an account PUT does.
    "poll-operation": ("location", "GET"),
    "poll-location": ("location", "GET"),
}
_WRITES: Final = ("create", "update", "delete", "poll-operation", "poll-location")
_ALL: Final = VERBS

_POLICY: Final = POLICY
_SHORT_POLICY: Final = RetryPolicy(max_retries=2)


def _front_door(kind: str, times: int, **extra: Any) -> Callable[[Lab, str], None]:
    def arrange(lab: Lab, verb: str) -> None:
        route, method = _TARGET[verb]
        lab.emu.inject(Fault(kind=kind, route=route, method=method, times=times, **extra))

    return arrange


def _hit(kind: str) -> Callable[[Lab, str, AoaiDeployError | None], bool]:
    return lambda lab, _verb, _error: any(e.fault == kind for e in lab.emu.request_log)


def _answered(lab: Lab, status: int) -> bool:
    return any(
        e.status == status and e.path.lower().endswith("/deployments/ft")
        for e in lab.emu.request_log
    )


def _forbidden(lab: Lab, _verb: str, _error: AoaiDeployError | None) -> bool:
    return _answered(lab, 403)


def _conflicted(lab: Lab, verb: str, _error: AoaiDeployError | None) -> bool:
    if verb == "read":
        # Reads are not serialized: the read ran while the other write was still running.
        other = lab.emu.deployment(DEST_ACCOUNT, FOREIGN_DEPLOYMENT)
        return other is not None and other["properties"]["provisioningState"] != "Succeeded"
    return _answered(lab, 409)


def _consumed(lab: Lab, _verb: str, _error: AoaiDeployError | None) -> bool:
    return lab.emu.pending_faults() == []


def _write_method(verb: str) -> str:
    return {"delete": "DELETE", "update": "PATCH"}.get(verb, "PUT")


def _failed_provisioning(lab: Lab, verb: str) -> None:
    lab.emu.inject(Fault(kind="failed-provisioning", method=_write_method(verb)))


def _quota(lab: Lab, verb: str) -> None:
    lab.emu.inject(Fault(kind="insufficient-quota", method=_write_method(verb)))


def _role_window(lab: Lab, _verb: str) -> None:
    lab.remake_role_assignments("outsider")
    lab.emu.inject(Fault(kind="role-propagation", seconds=90))


def _foreign(seconds: float) -> Callable[[Lab, str], None]:
    def arrange(lab: Lab, _verb: str) -> None:
        assert lab.foreign_write(seconds) == 201
        lab.emu.clear_log()

    return arrange


def _long_operations(lab: Lab, _verb: str) -> None:
    lab.emu.settings.provisioning_seconds = 600
    lab.emu.settings.deprovisioning_seconds = 600


def _short_operations(lab: Lab) -> None:
    lab.emu.settings.provisioning_seconds = 0.05
    lab.emu.settings.deprovisioning_seconds = 0.05


def _timed_out(_lab: Lab, _verb: str, error: AoaiDeployError | None) -> bool:
    return isinstance(error, OperationTimeoutError)


ROWS: Final[tuple[Row, ...]] = (
    Row(
        "throttle",
        "throttle 429, twice",
        "`throttle` on 2 requests (429 `SubscriptionRequestsThrottled`, `Retry-After: 1`)",
        _ALL,
        _front_door("throttle", 2),
        _hit("throttle"),
    ),
    Row(
        "error-500",
        "error 500, twice",
        "`error` on 2 requests, status 500 `InternalServerError`",
        _ALL,
        _front_door("error", 2, status=500),
        _hit("error"),
    ),
    Row(
        "error-503",
        "error 503, twice",
        "`error` on 2 requests, status 503 `ServiceUnavailable` with `Retry-After: 1`",
        _ALL,
        _front_door("error", 2, status=503),
        _hit("error"),
    ),
    Row(
        "error-500-persistent",
        "error 500, every attempt",
        "`error` on 10 requests, status 500, against `max_retries=2` (3 attempts)",
        _ALL,
        _front_door("error", 10, status=500),
        _hit("error"),
        policy=_SHORT_POLICY,
    ),
    Row(
        "drop",
        "drop, once",
        "`drop` on 1 request: the connection closes without an answer",
        _ALL,
        _front_door("drop", 1),
        _hit("drop"),
    ),
    Row(
        "drop-persistent",
        "drop, every attempt",
        "`drop` on 10 requests, against `max_retries=2` (3 attempts)",
        _ALL,
        _front_door("drop", 10),
        _hit("drop"),
        policy=_SHORT_POLICY,
    ),
    Row(
        "slow",
        "slow > read timeout, once",
        "`slow` on 1 request (0.75 s, wall clock) against `read_timeout=0.25`: the client "
        "gives up and retries while the server still applies the first request late",
        _ALL,
        _front_door("slow", 1, delay=0.75),
        _hit("slow"),
        policy=RetryPolicy(max_retries=3, read_timeout=0.25),
    ),
    Row(
        "failed-provisioning",
        "failed provisioning",
        "`failed-provisioning`: the write is accepted, its operation ends `Failed` with "
        "`InternalServerError`",
        _WRITES,
        _failed_provisioning,
        _consumed,
    ),
    Row(
        "insufficient-quota",
        "insufficient quota",
        "`insufficient-quota`: 400 `InsufficientQuota` on the PUT (the PATCH of an update)",
        ("create", "update"),
        _quota,
        _consumed,
    ),
    Row(
        "role-propagation-waited",
        "role propagation, waited out",
        "`role-propagation` 90 s after the identity's role assignments on both accounts were "
        "re-created, with `role_propagation_timeout_seconds=300`",
        ("create", "read", "update", "delete"),
        _role_window,
        _forbidden,
        inputs={"role_propagation_timeout_seconds": 300},
        principal="outsider",
    ),
    Row(
        "role-propagation",
        "role propagation, no wait",
        "the same window with `role_propagation_timeout_seconds=0` (the default)",
        ("create", "read", "update", "delete"),
        _role_window,
        _forbidden,
        principal="outsider",
    ),
    Row(
        "conflict",
        "409 concurrent write",
        "another client's PUT to the same account runs 60 s (409 `RequestConflict` meanwhile)",
        ("create", "read", "update", "delete"),
        _foreign(60),
        _conflicted,
    ),
    Row(
        "conflict-persistent",
        "409 outlives the budget",
        "that write runs 600 s against `conflict_budget=60`",
        ("create", "update", "delete"),
        _foreign(600),
        _conflicted,
        policy=RetryPolicy(max_retries=3, conflict_budget=60),
        settle_before_rerun=600,
    ),
    Row(
        "conflict-timeout",
        "409 outlives the operation timeout",
        "that write runs 600 s against `operation_timeout_seconds=120` (the RequestConflict "
        "budget, 900 s, is longer)",
        ("create", "update", "delete"),
        _foreign(600),
        _conflicted,
        inputs={"operation_timeout_seconds": 120},
        settle_before_rerun=600,
    ),
    Row(
        "timeout",
        "operation outlives its timeout",
        "the operation runs 600 s against `operation_timeout_seconds=120`; the next run "
        "comes after it ended",
        _WRITES,
        _long_operations,
        _timed_out,
        inputs={"operation_timeout_seconds": 120},
        restore=_short_operations,
        settle_before_rerun=600,
    ),
    *PREFLIGHT_ROWS,
)

_OK: Final = OK
_RETRIED_ALL: Final = dict.fromkeys(VERBS, _OK)


def _fails(code: str, *, polls_leave: bool = False) -> dict[str, str]:
    out = {verb: f"fails: {code}" for verb in VERBS}
    if polls_leave:
        for verb in ("poll-operation", "poll-location"):
            out[verb] += " (leftover re-adopted)"
    return out


#: What each cell must show. A failure names the ARM code (``timeout``/``no answer`` when
#: there is none); "(leftover re-adopted)": the failed create left a deployment carrying the
#: stack's owner tag, which the next run adopted.
EXPECTED: Final[dict[str, dict[str, str]]] = {
    "throttle": _RETRIED_ALL,
    "error-500": _RETRIED_ALL,
    "error-503": _RETRIED_ALL,
    "error-500-persistent": _fails("InternalServerError", polls_leave=True),
    "drop": _RETRIED_ALL,
    "drop-persistent": _fails("no answer", polls_leave=True),
    "slow": _RETRIED_ALL,
    "failed-provisioning": _fails("InternalServerError"),
    "insufficient-quota": _fails("InsufficientQuota"),
    "role-propagation-waited": {
        "create": _OK,
        "read": "fails: AuthorizationFailed",
        "update": _OK,
        "delete": "fails: AuthorizationFailed",
    },
    "role-propagation": _fails("AuthorizationFailed"),
    "conflict": {"create": _OK, "read": "ok", "update": _OK, "delete": _OK},
    "conflict-persistent": _fails("RequestConflict"),
    "conflict-timeout": _fails("RequestConflict"),
    "timeout": {
        "create": "fails: timeout (leftover re-adopted)",
        "update": "fails: timeout",
        "delete": "fails: timeout",
        "poll-operation": "fails: timeout (leftover re-adopted)",
        "poll-location": "fails: timeout (leftover re-adopted)",
    },
    **PREFLIGHT_EXPECTED,
}

#: Cells where the provider does not do what EXPECTED says yet: (row, verb) -> the bug.
KNOWN_BUGS: Final[dict[tuple[str, str], str]] = {}


@dataclass(frozen=True)
class Cell:
    """What one fault on one verb came to."""

    row: str
    verb: str
    outcome: str
    message: str = ""
    """The error's text, when the verb failed."""
    tokens: tuple[str, ...] = ()
    """The bearer tokens the provider used (to look for them where they must not be)."""


def cells() -> list[tuple[Row, str]]:
    """Every (row, verb) the matrix runs, in table order."""
    return [(row, verb) for row in ROWS for verb in VERBS if verb in row.verbs]


def _inputs(row: Row, **changes: Any) -> dict[str, Any]:
    return cross_tenant_inputs(owner=OWNER, **{**row.inputs, **changes})


def _run_verb(lab: Lab, verb: str, desired: dict[str, Any]) -> None:
    engine = lab.engine
    if verb in ("create", "poll-operation", "poll-location"):
        engine.create("ft", desired)
    elif verb == "read":
        engine.read("ft")
    elif verb == "update":
        engine.update("ft", desired)
    else:
        engine.delete("ft")


_FAILURE: Final = re.compile(r"^[a-z][a-z ]*? /subscriptions/\S+?/deployments/[^:/]+: (?P<rest>.*)")
_ARM_CODE: Final = re.compile(r"[A-Z][A-Za-z0-9]+")


def failure_code(message: str) -> str:
    """What a failure's first line says went wrong: the ARM code right after
    ``<operation> <ARM id>: ``, else ``timeout`` or ``no answer`` (which have none)."""
    first = message.splitlines()[0] if message else ""
    match = _FAILURE.match(first)
    assert match, f"{first!r} does not start with the operation and the ARM id"
    rest = match["rest"]
    head = rest.split(":", 1)[0]
    if _ARM_CODE.fullmatch(head):
        return head
    if rest.startswith("did not finish within"):
        return "timeout"
    if "got no answer" in rest:
        return "no answer"
    raise AssertionError(f"no ARM code, timeout or missing answer in {first!r}")


def _code(error: AoaiDeployError) -> str:
    code = failure_code(str(error))
    arm_code = getattr(error, "code", None)
    assert arm_code in (None, code), f"{type(error).__name__}.code is {arm_code!r}: {error}"
    if code == "timeout":
        assert isinstance(error, OperationTimeoutError), repr(error)
    if code == "no answer":
        assert isinstance(error, TransportError), repr(error)
    return code


def run_cell(row: Row, verb: str) -> Cell:
    """Play one cell (see the module docstring); raises AssertionError on any broken rule."""
    with Lab(policy=row.policy, principal=row.principal, config=row.config) as lab:
        emu = lab.emu
        if verb == "poll-location":
            emu.settings.async_style = "location"
        if row.principal != "deployer":
            lab.remake_role_assignments(row.principal)  # in force: no window injected yet
        before = _inputs(row)
        after = _inputs(row, sku_capacity=2) if verb == "update" else before
        desired: dict[str, Any] | None = None if verb == "delete" else after
        if verb in ("read", "update", "delete"):
            lab.engine.create("ft", before)
        emu.clear_log()

        row.arrange(lab, verb)
        error: AoaiDeployError | None = None
        try:
            _run_verb(lab, verb, after)
        except AoaiDeployError as exc:
            error = exc
        if row.restore is not None:
            row.restore(lab)
        if row.key == "slow":
            lab.wait_for_late_requests()
        assert row.fired(lab, verb, error), f"{row.key} on {verb}: the fault never hit"

        report = lab.check_state(OWNER)
        message = ""
        if error is not None:
            message = str(error)
            prefix = f"{_GERUND[verb]} {DEPLOYMENT_ID}: "
            assert message.startswith(prefix), f"{message!r} does not start with {prefix!r}"
            _code(error)

        # The next `pulumi up` (or refresh): faults gone, the same step once more.
        emu.clear_faults()
        lab.clock.advance(row.settle_before_rerun)
        if error is not None:
            _run_verb(lab, verb, after)
        lab.clock.advance(3600)  # late writes (a slow request applied twice) settle
        lab.check_converged({"ft": desired})

        if error is None:
            outcome = row.ok if _answered(lab, 409) or row.key != "conflict" else "ok"
        else:
            outcome = f"fails: {_code(error)}"
            if report.leftovers:
                outcome += " (leftover re-adopted)"
        return Cell(row.key, verb, outcome, message, tuple(lab.tokens.values()))


def expected(row: Row, verb: str) -> str:
    return EXPECTED[row.key].get(verb, NA)


def render_table(results: Mapping[tuple[str, str], str]) -> str:
    """The matrix as a Markdown table; ``results`` maps (row key, verb) to the outcome."""
    header = "| fault | " + " | ".join(VERB_HEADERS[v] for v in VERBS) + " |"
    rule = "|---|" + "---|" * len(VERBS)
    lines = [header, rule]
    for row in ROWS:
        shown = []
        for verb in VERBS:
            outcome = results.get((row.key, verb), NA)
            if (row.key, verb) in KNOWN_BUGS:
                outcome += " †"
            shown.append(outcome)
        lines.append(f"| {row.label} | " + " | ".join(shown) + " |")
    return "\n".join(lines)
