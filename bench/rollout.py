"""Rollout: many deployments at once, through either front's plugin, against the ideal.

Azure runs one write per account at a time, so the ideal rollout time is the sum of the
provisioning times in each account, and the longest of those across accounts. Scenarios:

* ``1 account``: 8 independent deployments into one account, sent from 4 threads (the case
  the provider's per-account lock serves: without it, 3 of 4 PUTs would get 409).
* ``4 accounts, interleaved``: 8 into each of four accounts, independent, sent round-robin.
* ``4 accounts, grouped``: the same, sent account by account, as a program that declares
  them in a loop per account makes the engine send them.
* ``4 accounts, chained``: one ``depends_on`` chain per account, as the component builds.

The dynamic provider's plugin serves calls from 4 worker threads, so the bench sends 4 at a
time, as many as it can take. The package's plugin (``aoai_deploy.plugin``) serves each call
on a thread of its own, so there the engine's parallelism is the limit: the bench sends as
many at once as the engine would by default on this machine (4 x CPUs, ``defaultParallel()``
in the CLI's ``pkg/cmd/pulumi/operations/up.go``), and all 32 at once (a machine with 8 CPUs,
or ``pulumi up --parallel 32``).

A fresh emulator and plugin per scenario; the plugin's peak RSS (``VmHWM``) is read after it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.report import SectionResult
from bench.rig import (
    ENGINE_WORKERS,
    CreateOutcome,
    Plugin,
    checked,
    configured_plugin,
    create_lanes,
    deployment_inputs,
    peak_rss_kib,
    running_emulator,
    static_config,
)
from seed_ids import DEST_ACCOUNT, OTHER_DEST_ACCOUNTS

PROVISIONING = 1.0
RETRY_AFTER = 1
PER_ACCOUNT = 8
TARGET = 1.15
ACCOUNTS = [DEST_ACCOUNT, *OTHER_DEST_ACCOUNTS]
#: What the engine sends at once by default (4 x CPUs): the package plugin's limit.
ENGINE_DEFAULT_PARALLEL = 4 * len(os.sched_getaffinity(0))
ALL_AT_ONCE = len(ACCOUNTS) * PER_ACCOUNT

Item = tuple[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Scenario:
    label: str
    accounts: int
    order: str
    """``independent-interleaved``, ``independent-grouped`` or ``chained``."""
    front: str = "dynamic"
    """Whose plugin: ``dynamic`` or ``package``."""
    senders: int = ENGINE_WORKERS
    """How many Create calls the bench keeps in flight at most, as the engine would."""


SCENARIOS = (
    Scenario("1 account", 1, "independent-grouped"),
    Scenario("4 accounts, interleaved", 4, "independent-interleaved"),
    Scenario("4 accounts, grouped", 4, "independent-grouped"),
    Scenario("4 accounts, chained", 4, "chained"),
    Scenario(
        f"package: 4 accounts, grouped, {ENGINE_DEFAULT_PARALLEL} in flight",
        4,
        "independent-grouped",
        "package",
        ENGINE_DEFAULT_PARALLEL,
    ),
    Scenario(
        f"package: 4 accounts, grouped, {ALL_AT_ONCE} in flight",
        4,
        "independent-grouped",
        "package",
        ALL_AT_ONCE,
    ),
    Scenario("package: 4 accounts, chained", 4, "chained", "package"),
)


def run() -> SectionResult:
    result = SectionResult("rollout")
    result.settings.append(
        f"rollout: {PER_ACCOUNT} deployments per account, emulator provisioning "
        f"{PROVISIONING:.0f}s, Retry-After: {RETRY_AFTER}, {ENGINE_WORKERS} concurrent gRPC "
        f"Create calls for the dynamic plugin (its workers), as stated for the package's; "
        f"ideal = {PER_ACCOUNT} x {PROVISIONING:.0f}s"
    )
    peaks: list[tuple[int, int, str]] = []
    for scenario in SCENARIOS:
        memory = _scenario(result, scenario)
        if memory is not None:
            peaks.append((*memory, scenario.label))
    if peaks:
        before, highest, label = max(peaks, key=lambda item: item[1])
        result.add("plugin peak RSS (VmHWM) during rollouts", f"{highest / 1024:.1f} MiB ({label})")
        result.add("  same plugin's VmHWM before its creates", f"{before / 1024:.1f} MiB")
    else:
        result.add("plugin peak RSS (VmHWM) during rollouts", "n/a (no /proc)")
    result.notes.append(
        "rollout: 'grouped' sends the 32 creates account by account, as the engine sends a "
        "program's independent resources in declaration order; the plugin's 4 workers then "
        "wait on one account's write lock while the other accounts idle. 'chained' is what "
        "the component declares (depends_on per account)"
    )
    return result


def _scenario(result: SectionResult, scenario: Scenario) -> tuple[int, int] | None:
    ideal = PER_ACCOUNT * PROVISIONING
    with (
        running_emulator(provisioning_seconds=PROVISIONING, retry_after=RETRY_AFTER) as emu,
        configured_plugin(static_config(emu), front=scenario.front) as plugin,
    ):
        lanes = _lanes(plugin, scenario)
        pid = plugin.process.pid
        baseline = peak_rss_kib(pid)
        started = time.monotonic()
        outcomes = create_lanes(plugin, lanes, workers=scenario.senders, timeout=_budget(scenario))
        wall = time.monotonic() - started
        peak = peak_rss_kib(pid)
        conflicts, overlaps = emu.conflicts, emu.write_overlaps
        requests = len(emu.request_log)

    _record(result, scenario, outcomes, wall / ideal, conflicts, overlaps, requests)
    return None if baseline is None or peak is None else (baseline, peak)


def _lanes(plugin: Plugin, scenario: Scenario) -> list[list[Item]]:
    """Checked inputs, per account, then arranged into the scenario's lanes."""
    per_account: list[list[Item]] = []
    for a, account in enumerate(ACCOUNTS[: scenario.accounts]):
        items: list[Item] = []
        for i in range(PER_ACCOUNT):
            name = f"ro-{scenario.front[:3]}-{scenario.order[:5]}-{scenario.accounts}-{a}-{i}"
            items.append((name, checked(plugin, name, deployment_inputs(name, account))))
        per_account.append(items)
    if scenario.order == "chained":
        return per_account
    if scenario.order == "independent-interleaved":
        order = [items[i] for i in range(PER_ACCOUNT) for items in per_account]
    else:
        order = [item for items in per_account for item in items]
    return [[item] for item in order]


def _budget(scenario: Scenario) -> float:
    """Generous: every create of the scenario one after the other, twice over, plus a minute."""
    return 2 * scenario.accounts * PER_ACCOUNT * PROVISIONING + 60


def _record(
    result: SectionResult,
    scenario: Scenario,
    outcomes: Sequence[CreateOutcome],
    ratio: float,
    conflicts: int,
    overlaps: int,
    requests: int,
) -> None:
    errors = [o for o in outcomes if o.error is not None]
    seen_409 = sum(1 for o in errors if o.conflict)
    for outcome in errors:
        result.fail(outcome.summary)
    label = scenario.label
    result.add(f"{label}: wall / ideal", f"{ratio:.3f}", f"<= {TARGET}", ratio <= TARGET)
    result.add("  409s the user saw", str(seen_409), "0", seen_409 == 0)
    result.add(
        "  emulator conflicts / write overlaps",
        f"{conflicts} / {overlaps}",
        "- / 0",
        overlaps == 0,
    )
    result.add(
        "  creates in flight at once (max) / HTTP per create",
        f"{_most_in_flight(outcomes)} / {requests / len(outcomes):.1f}",
    )


def _most_in_flight(outcomes: Sequence[CreateOutcome]) -> int:
    """The largest number of Create calls that were running at the same moment."""
    edges = sorted(
        [(o.started, 1) for o in outcomes] + [(o.ended, -1) for o in outcomes],
        key=lambda edge: (edge[0], edge[1]),  # an end before a start at the same instant
    )
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most
