"""The JSON report: the last run of each customer, kept across runs.

``--report FILE`` reads the file if it exists, replaces the entries of the customers this run
selected (a selected customer that never started is recorded ``not-started``: its change was
not made) and writes it back atomically, also after Ctrl-C. ``--only-failed`` then selects
what is left: every customer of the fleet file whose last entry is not a success of the same
operation (failed, cancelled, not started, or never run). Entries hold results, counts,
resource and property names and error text, never a token or an output value::

    {"version": 1, "fleet": "fleet.yaml", "project": "support-bot-fleet",
     "lastRun": {"operation": "up", "started": 1764..., "finished": 1764..., "interrupted":
                 false, "stopped": null, "selected": ["acme", ...],
                 "tokensAcquired": {"<tenant id>": 1}},
     "customers": {"acme": {"key": "acme", "ring": "canary", "operation": "up",
                            "result": "succeeded", "duration": 12.3, "changes": {"create": 1},
                            "changed": [], "error": null, "hint": null, ...}}}

The GitHub workflow writes one report per customer job; :func:`merge_reports` joins them.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from aoai_deploy.fleet.runner import RunResult
from aoai_deploy.fleet.spec import Customer, Fleet, ring_order

__all__ = ["VERSION", "left_to_do", "load_report", "merge_reports", "record", "write_report"]

VERSION: Final = 1


def load_report(path: Path) -> dict[str, Any] | None:
    """The report at ``path``; ``None`` when there is none. Raises ``ValueError`` for a file
    that is not a report."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError(f"{path} is not an aoai-deploy fleet report (version {VERSION})")
    return data


def record(
    previous: Mapping[str, Any] | None,
    fleet: Fleet,
    result: RunResult,
    tokens: Mapping[str, int],
) -> dict[str, Any]:
    """``previous`` with this run's outcomes in place, customers in the fleet file's order."""
    customers: dict[str, Any] = dict((previous or {}).get("customers", {}))
    for outcome in result.outcomes:
        customers[outcome.key] = outcome.as_dict()
    order = {c.key: (ring_order(c.ring), n) for n, c in enumerate(fleet.customers)}
    ordered = dict(sorted(customers.items(), key=lambda kv: order.get(kv[0], ((9, 0), len(order)))))
    return {
        "version": VERSION,
        "fleet": fleet.source,
        "project": fleet.project,
        "lastRun": {
            "operation": result.operation,
            "started": round(result.started, 3),
            "finished": round(result.finished, 3),
            "interrupted": result.interrupted,
            "stopped": result.stopped,
            "selected": [o.key for o in result.outcomes],
            "tokensAcquired": dict(tokens),
        },
        "customers": ordered,
    }


def write_report(path: Path, report: Mapping[str, Any]) -> None:
    """Write ``report`` to ``path`` in one step (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    os.replace(temporary, path)


def left_to_do(fleet: Fleet, report: Mapping[str, Any] | None, operation: str) -> list[Customer]:
    """The customers whose last entry is not a success of ``operation``."""
    entries = (report or {}).get("customers", {})
    return [
        c
        for c in fleet.customers
        if not (
            c.key in entries
            and entries[c.key].get("result") == "succeeded"
            and entries[c.key].get("operation") == operation
        )
    ]


def merge_reports(
    reports: Iterable[Mapping[str, Any]], fleet: Fleet | None = None
) -> dict[str, Any]:
    """One report from several (the workflow's per-customer jobs): for each customer the entry
    that started last; ``lastRun`` from the latest run, its selection the union."""
    customers: dict[str, Any] = {}
    runs: list[Mapping[str, Any]] = []
    for report in reports:
        runs.append(report.get("lastRun", {}))
        for key, entry in report.get("customers", {}).items():
            if key not in customers or entry.get("started", 0) >= customers[key].get("started", 0):
                customers[key] = entry
    latest: dict[str, Any] = {}
    for run in runs:
        if not latest or float(run.get("started", 0)) >= float(latest.get("started", 0)):
            latest = dict(run)
    selected: Sequence[str] = sorted({k for r in runs for k in r.get("selected", [])})
    latest["selected"] = list(selected)
    latest["interrupted"] = any(r.get("interrupted") for r in runs)
    tokens: dict[str, int] = {}
    for run in runs:
        for tenant, count in (run.get("tokensAcquired") or {}).items():
            tokens[tenant] = tokens.get(tenant, 0) + int(count)
    latest["tokensAcquired"] = tokens
    if fleet is not None:
        # A customer of the file without a report: its job failed before writing one, or
        # never started (a gate stopped its ring).
        for customer in fleet.customers:
            customers.setdefault(
                customer.key,
                {
                    "key": customer.key,
                    "ring": customer.ring,
                    "result": "no report",
                    "duration": 0,
                    "changes": {},
                    "changed": [],
                    "error": None,
                    "hint": None,
                    "note": "its job wrote no report",
                },
            )
        order = {c.key: (ring_order(c.ring), n) for n, c in enumerate(fleet.customers)}
        customers = dict(sorted(customers.items(), key=lambda kv: order.get(kv[0], ((9, 0), 0))))
    return {
        "version": VERSION,
        "fleet": fleet.source if fleet else None,
        "project": fleet.project if fleet else None,
        "lastRun": latest,
        "customers": customers,
    }
