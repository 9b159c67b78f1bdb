"""The randomized run (fixed seed, 40 steps): create / update / replace / delete / refresh with
random faults, Pulumi's record checked against Azure after every step, converged at the end
after one more `pulumi up` (see :mod:`fault_fuzz`)."""

from __future__ import annotations

import pytest

from fault_fuzz import SEED, STEPS, run_random
from fault_matrix import failure_code
from secret_scan import find_secrets, needles


def test_random_lifecycle_with_faults_converges_after_one_more_run(
    provider_logs: pytest.LogCaptureFixture,
) -> None:
    report = run_random(SEED, STEPS)

    assert report.final_failures == []
    assert report.converged
    # The run proves something only if the faults bit and every kind of change was made.
    assert len(report.failed_steps) >= 5
    assert report.leftovers_seen >= 1  # some failed create left a deployment to re-adopt
    assert report.conflicts >= 1
    assert sum(n for kind, n in report.faults.items() if kind != "none") >= STEPS // 2
    assert {"create", "update", "replace-in-place", "replace-renamed", "delete"} <= set(
        report.actions
    )
    # Every failure said what failed, where, and why: `<operation> <ARM id>: <code>: ...`.
    for step in report.failed_steps:
        assert failure_code(step.partition("): ")[2])
    assert provider_logs.records  # retries and adoptions were logged, and scanned below
    assert find_secrets({"the logs": provider_logs.text}, needles(report.tokens)) == []


def test_the_same_seed_replays_the_same_run() -> None:
    first = run_random(SEED, 12)
    second = run_random(SEED, 12)

    def labels(steps: list[str]) -> list[str]:  # messages carry operation ids and ports
        return [step.split("): ")[0] for step in steps]

    assert first.failed_steps
    assert labels(first.failed_steps) == labels(second.failed_steps)
    assert first.requests == second.requests
    assert first.faults == second.faults
