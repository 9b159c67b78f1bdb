"""A randomized run: create / update / replace / delete / refresh with random faults.

Each step changes one resource of the program (only one that the last ``up`` left settled, as
a person edits a program after a run) or refreshes the stack, injects a random fault, and runs
``pulumi up`` through :class:`~fault_lab.Engine`, which records what Pulumi would. After every
step the emulator is checked against that record (:meth:`~fault_lab.Lab.check_state`). At the
end the faults are gone, the user comes back an hour later and runs ``pulumi up`` once more:
it must succeed, and Azure must then hold exactly what the state records and the program says.

Everything is drawn from ``random.Random(seed)`` and time is the emulator's manual clock,
so a seed replays the same run to the request.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from aoai_deploy.emulator import ASYNC_STYLES, UPDATE_HEADERS, Fault
from aoai_deploy.providers import AoaiDeployError
from aoai_deploy.providers.azure.calls import RetryPolicy
from fault_lab import Lab
from seed_ids import (
    DEST_ACCOUNT,
    DEST_TENANT,
    FT_MODEL,
    OTHER_DEST_ACCOUNTS,
    SOURCE_ACCOUNT,
    SOURCE_TENANT,
)

__all__ = ["SEED", "STEPS", "FuzzReport", "run_random"]

SEED: Final = 20_261_126
STEPS: Final = 40
OWNER_PREFIX: Final = "aoai-deploy/fuzz/"
ACCOUNTS: Final = (DEST_ACCOUNT, OTHER_DEST_ACCOUNTS[0])
#: Three resources share one account, so their writes meet the per-account lock and 409s.
RESOURCES: Final = {"alpha": 0, "beta": 0, "gamma": 0, "delta": 1}
POLICY: Final = RetryPolicy(max_retries=3)

_MODELS: Final[dict[str, dict[str, Any]]] = {
    "fine-tuned": {
        "model_name": FT_MODEL,
        "model_version": "1",
        "source_account_id": SOURCE_ACCOUNT,
        "source_tenant_id": SOURCE_TENANT,
    },
    "gpt-4o-mini": {"model_name": "gpt-4o-mini", "model_version": "2024-07-18"},
    "gpt-4o": {"model_name": "gpt-4o", "model_version": "2024-08-06"},
}
_TARGETS: Final = (
    ("deployment", "PUT"),
    ("deployment", "PATCH"),  # an update of capacity or tags alone
    ("deployment", "GET"),
    ("deployment", "DELETE"),
    ("operation", "GET"),
    ("location", "GET"),
)
_FAULT_KINDS: Final = (
    "none",
    "none",
    "throttle",
    "error-500",
    "error-503",
    "drop",
    "failed-provisioning",
    "insufficient-quota",
    "conflict",
    "timeout",
)


@dataclass
class FuzzReport:
    """What a randomized run did."""

    seed: int
    steps: int
    actions: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    failed_steps: list[str] = field(default_factory=list)
    """``step N (action resource, fault): error`` for each ``up`` that failed."""
    leftovers_seen: int = 0
    """Owner-tagged deployments the state did not know of, summed over the steps."""
    conflicts: int = 0
    """409 answers the emulator sent (every one retried or reported)."""
    requests: int = 0
    simulated_hours: float = 0.0
    final_failures: list[str] = field(default_factory=list)
    """Failures of the last ``up`` (must stay empty)."""
    converged: bool = False
    tokens: tuple[str, ...] = ()
    """The bearer tokens the provider used (to look for them where they must not be)."""


def _inputs(name: str, generation: int, model: str, capacity: int, tags: dict[str, str]) -> dict:
    return {
        "account_id": ACCOUNTS[RESOURCES[name]],
        "deployment_name": f"{name}-{generation}",
        "tenant_id": DEST_TENANT,
        "sku_capacity": capacity,
        "tags": tags,
        "owner": OWNER_PREFIX + name,
        "operation_timeout_seconds": 300,
        **_MODELS[model],
    }


class _Program:
    """The program the user edits: each resource's model, name generation, capacity, tags."""

    def __init__(self) -> None:
        self.spec: dict[str, dict[str, Any] | None] = dict.fromkeys(RESOURCES)

    def desired(self) -> dict[str, dict[str, Any] | None]:
        return {
            name: None if spec is None else _inputs(name, **spec)
            for name, spec in self.spec.items()
        }

    def edit(self, rng: random.Random, name: str) -> str:
        spec = self.spec[name]
        if spec is None:
            self.spec[name] = {
                "generation": 1,
                "model": rng.choice(list(_MODELS)),
                "capacity": rng.randint(1, 3),
                "tags": {},
            }
            return "create"
        action = rng.choice(("update", "update", "replace-in-place", "replace-renamed", "delete"))
        if action == "update":
            spec["capacity"] = spec["capacity"] % 3 + 1
            spec["tags"] = {"rev": str(rng.randint(1, 99))}
        elif action == "replace-in-place":  # a new model under the same ARM id: delete first
            spec["model"] = rng.choice([m for m in _MODELS if m != spec["model"]])
        elif action == "replace-renamed":  # a new ARM id: create first, then delete the old
            spec["generation"] += 1
        else:
            self.spec[name] = None
        return action


def _inject(lab: Lab, rng: random.Random) -> str:
    kind = rng.choice(_FAULT_KINDS)
    emu = lab.emu
    route, method = rng.choice(_TARGETS)
    times = rng.randint(1, 4)  # 4 outlasts max_retries=3
    if kind == "throttle":
        emu.inject(Fault(kind="throttle", route=route, method=method, times=times))
    elif kind in ("error-500", "error-503"):
        status = int(kind[-3:])
        emu.inject(Fault(kind="error", status=status, route=route, method=method, times=times))
    elif kind == "drop":
        emu.inject(Fault(kind="drop", route=route, method=method, times=times))
    elif kind == "failed-provisioning":
        method = rng.choice(("PUT", "PATCH", "DELETE"))
        emu.inject(Fault(kind="failed-provisioning", method=method))
    elif kind == "insufficient-quota":
        emu.inject(Fault(kind="insufficient-quota", method=rng.choice(("PUT", "PATCH"))))
    elif kind == "conflict":
        # Someone else's write: 30 s to 20 min, against operation_timeout_seconds=300.
        if lab.foreign_write(rng.choice((30, 120, 240, 1200))) != 201:
            kind = "conflict (refused)"
    elif kind == "timeout":
        emu.settings.provisioning_seconds = 400  # against operation_timeout_seconds=300
        emu.settings.deprovisioning_seconds = 400
    if kind in ("throttle", "error-500", "error-503", "drop"):
        kind = f"{kind} {route} {method} x{times}"
    return kind


def _settle(lab: Lab) -> None:
    lab.emu.clear_faults()
    lab.emu.settings.provisioning_seconds = 0.05
    lab.emu.settings.deprovisioning_seconds = 0.05


def run_random(seed: int = SEED, steps: int = STEPS) -> FuzzReport:
    """Play the run; raises AssertionError when any rule breaks (see the module docstring)."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable test run, not cryptography
    report = FuzzReport(seed, steps)
    program = _Program()
    with Lab(policy=POLICY, jitter_seed=seed) as lab:
        started = lab.clock.now()
        engine = lab.engine
        for step in range(1, steps + 1):
            lab.emu.settings.async_style = rng.choice(ASYNC_STYLES)
            lab.emu.settings.update_header = rng.choice(UPDATE_HEADERS)
            desired = program.desired()
            settled = [n for n in RESOURCES if engine.reconciled(n, desired[n])]
            if not settled:
                action, name = "re-run", "all"  # nothing to edit: the user just runs again
            elif engine.state and rng.random() < 0.1:
                action, name = "refresh", "all"
            else:
                name = rng.choice(settled)
                action = program.edit(rng, name)
            report.actions[action] += 1
            fault = _inject(lab, rng)
            report.faults[fault.split(" ")[0]] += 1
            try:
                if action == "refresh":
                    for resource in list(engine.state):
                        engine.read(resource)
                else:
                    engine.up(program.desired())
            except AoaiDeployError as error:
                first_line = str(error).splitlines()[0]
                report.failed_steps.append(f"step {step} ({action} {name}, {fault}): {first_line}")
            _settle(lab)
            report.leftovers_seen += len(lab.check_state(OWNER_PREFIX, ACCOUNTS).leftovers)

        # The user comes back later (every operation has ended) and runs `pulumi up` once.
        lab.emu.settings.async_style = "azure-async-operation"
        lab.clock.advance(3600)
        try:
            engine.up(program.desired())
        except AoaiDeployError as error:
            report.final_failures.append(str(error).splitlines()[0])
        lab.clock.advance(60)
        if not report.final_failures:
            lab.check_converged(program.desired(), ACCOUNTS)
            report.converged = True
        report.conflicts = lab.emu.conflicts
        report.requests = len(lab.emu.request_log)
        report.simulated_hours = (lab.clock.now() - started) / 3600
        report.tokens = tuple(lab.tokens.values())
    return report
