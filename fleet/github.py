"""The fleet on GitHub Actions (.github/workflows/fleet.yml): the matrix, the ring gates.

``aoai-deploy fleet matrix`` turns the fleet file into one matrix per ring for the workflow's
ring jobs (``ring-canary``, ``ring-1``, ...), which depend on one another in order; every
customer becomes one job that runs ``aoai-deploy fleet up --only <key>`` with that job's own
OIDC identity and uploads its one-customer report. ``aoai-deploy fleet gate`` runs between
rings on those reports: a customer of the ring without a report counts as failed (its job
never got as far as writing one), and more failures than ``maxFailures`` stop the next ring.

GitHub's limits, which :func:`matrix` enforces before any job starts:

- a matrix makes at most :data:`MATRIX_LIMIT` (256) jobs per workflow run: a ring of more
  customers is refused (split it into several rings);
- the workflow has a fixed set of ring jobs (:data:`RING_JOBS`): a fleet with more rings is
  refused (add ring jobs to fleet.yml, or fold rings together);
- how many jobs run at once is ``max-parallel`` (the file's ``parallel``), within the
  account's concurrency limit for its plan; jobs past either wait in the queue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from aoai_deploy.fleet.spec import CANARY, Fleet, ring_label

__all__ = ["MATRIX_LIMIT", "RING_JOBS", "MatrixError", "gate", "github_outputs", "matrix"]

#: Jobs one matrix may generate per workflow run (GitHub Actions' documented limit).
MATRIX_LIMIT: Final = 256
#: The rings fleet.yml has jobs for, in order.
RING_JOBS: Final = (CANARY, "1", "2", "3")


class MatrixError(ValueError):
    """The fleet does not fit the workflow."""


def _output_name(ring: str) -> str:
    return f"ring-{ring}"


def matrix(fleet: Fleet) -> dict[str, Any]:
    """``{"max-parallel": n, "max-failures": m, "ring-canary": [keys], "ring-1": [...], ...}``
    with an empty list for each ring job the fleet does not use."""
    problems = []
    rings = dict(fleet.rings())
    for ring in rings:
        if ring not in RING_JOBS:
            problems.append(
                f"{ring_label(ring)}: fleet.yml has jobs for {', '.join(RING_JOBS)} only: add "
                "ring jobs to it or fold rings together"
            )
    for ring, members in rings.items():
        if len(members) > MATRIX_LIMIT:
            problems.append(
                f"{ring_label(ring)} has {len(members)} customers; a GitHub matrix makes at most "
                f"{MATRIX_LIMIT} jobs: split it into several rings"
            )
    if problems:
        raise MatrixError("\n".join(problems))
    result: dict[str, Any] = {"max-parallel": fleet.parallel, "max-failures": fleet.max_failures}
    for ring in RING_JOBS:
        result[_output_name(ring)] = [c.key for c in rings.get(ring, [])]
    return result


def github_outputs(values: Mapping[str, Any]) -> str:
    """``name=value`` lines for ``$GITHUB_OUTPUT`` (values as compact JSON)."""
    return "".join(
        f"{name}={json.dumps(value, separators=(',', ':'))}\n" for name, value in values.items()
    )


def gate(fleet: Fleet, ring: str, report: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """Whether the ring after ``ring`` may start, and one line per failed customer of it."""
    members = dict(fleet.rings()).get(ring, [])
    entries = report.get("customers", {})
    lines = []
    for customer in members:
        entry = entries.get(customer.key)
        if entry is None or entry.get("result") == "no report":
            lines.append(f"{customer.key}: no report (its job failed before writing one)")
        elif entry.get("result") != "succeeded":
            lines.append(f"{customer.key}: {entry.get('result')}: {entry.get('error') or ''}")
    return len(lines) <= fleet.max_failures, lines
