"""Run the fault matrix and the randomized run, print the table, write docs/reliability.md.

    .venv/bin/python tests/faults/matrix.py               # prints, then rewrites the doc
    .venv/bin/python tests/faults/matrix.py --print-only  # prints only

The same cells and run as ``pytest tests/faults`` (see ``tests/support/fault_matrix.py`` and
``fault_fuzz.py``); everything runs in process on the emulator's manual clock, in seconds.
Exits 1 when a cell breaks a rule or differs from ``EXPECTED`` (known bugs aside), or the
randomized run does not converge.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from fault_fuzz import SEED, STEPS, FuzzReport, run_random  # noqa: E402
from fault_matrix import (  # noqa: E402
    KNOWN_BUGS,
    ROWS,
    cells,
    expected,
    failure_code,
    render_table,
    run_cell,
)

DOC = ROOT / "docs" / "reliability.md"
COMMAND = ".venv/bin/python tests/faults/matrix.py"


def run_matrix() -> tuple[dict[tuple[str, str], str], list[str]]:
    """Every cell's outcome, and the problems (broken rules, unexpected outcomes)."""
    results: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for row, verb in cells():
        try:
            outcome = run_cell(row, verb).outcome
        except AssertionError as broken:
            outcome = "BROKEN"
            problems.append(f"{row.key} on {verb}: {broken}")
        results[(row.key, verb)] = outcome
        if outcome != expected(row, verb) and (row.key, verb) not in KNOWN_BUGS:
            problems.append(f"{row.key} on {verb}: {outcome!r}, expected {expected(row, verb)!r}")
    return results, problems


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(counter.items(), key=lambda kv: -kv[1]))


def render_doc(table: str, report: FuzzReport) -> str:
    rows = "\n".join(f"- **{row.label}**: {row.how}." for row in ROWS)
    by_key = {row.key: row for row in ROWS}
    cells_of: dict[str, list[str]] = {}
    for (key, verb), text in KNOWN_BUGS.items():
        should = expected(by_key[key], verb)
        cells_of.setdefault(text, []).append(f"{by_key[key].label} on {verb} (should: {should})")
    bugs = "\n".join(f"- † {'; '.join(where)}: {text}." for text, where in cells_of.items())
    kinds = Counter(failure_code(step.partition("): ")[2]) for step in report.failed_steps)
    failures = _counts(kinds) or "none"
    return _TEMPLATE.format(
        command=COMMAND,
        table=table,
        rows=rows,
        bugs=bugs,
        seed=report.seed,
        steps=report.steps,
        actions=_counts(report.actions),
        faults=_counts(report.faults),
        failed=len(report.failed_steps),
        failures=failures,
        leftovers=report.leftovers_seen,
        conflicts=report.conflicts,
        requests=report.requests,
        hours=f"{report.simulated_hours:.1f}",
        final="succeeded" if not report.final_failures else "FAILED",
        converged="yes" if report.converged else "NO",
        side_by_side=_markdown_table(_SIDE_BY_SIDE),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print-only", action="store_true", help="do not write the doc")
    args = parser.parse_args(argv)
    # The provider logs every retry; the table is the output here.
    logging.getLogger("aoai_deploy").addHandler(logging.NullHandler())
    logging.getLogger("aoai_deploy").propagate = False

    started = time.monotonic()
    results, problems = run_matrix()
    table = render_table(results)
    report = run_random(SEED, STEPS)
    if not report.converged:
        problems.append(f"the randomized run did not converge: {report.final_failures}")
    elapsed = time.monotonic() - started

    print(table)
    print()
    print(
        f"randomized run: seed {report.seed}, {report.steps} steps, "
        f"{len(report.failed_steps)} failed steps, {report.leftovers_seen} leftovers seen, "
        f"converged: {report.converged}"
    )
    print(f"{len(results)} cells and {report.steps} steps in {elapsed:.1f} s")
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    if not args.print_only:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(render_doc(table, report))
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 1 if problems else 0


#: What the anchors do about the same failures, from their sources (see the page).
_SIDE_BY_SIDE = (
    ("", "aoai-deploy", "pulumi-azure-native", "Terraform azurerm", "azapi"),
    (
        "polling",
        "`Retry-After`, else at 1, 2, 4, 8 s, then every 5 s",
        "every 10 s (writes), 30 s (deletes)",
        "(not checked)",
        "(not checked)",
    ),
    (
        "429 / 5xx",
        "retried, jittered backoff from 1 s, at most 30 s",
        "retried, first delay 20 s, at most 120 s",
        "(not checked)",
        "(not checked)",
    ),
    (
        "409 `RequestConflict`",
        "retried up to 15 min, behind a per-account lock",
        "retried only for the code `AnotherOperationInProgress`",
        "per-account lock, no retry in the resource",
        "retried only where a resource's `retry` block lists it",
    ),
    (
        "deployment left by a failed create",
        "owner tag: adopted by the next run",
        '"cannot create already existing resource"',
        '"requires import"',
        "(not checked)",
    ),
)


def _markdown_table(rows: tuple[tuple[str, ...], ...]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


_TEMPLATE = """\
# Reliability

What `aoai-deploy` does when Azure Resource Manager misbehaves, measured against the local ARM
emulator: every fault the emulator injects, on every verb, and what the stack holds afterwards.
Everything here is produced by tests that run with `make test` (`tests/faults/`); this page is
written by `{command}`.

## Reproduce

```sh
.venv/bin/python -m pytest tests/faults -q    # the matrix, the randomized run, the security checks
{command}      # prints the table below and rewrites this page
```

Both run the provider in process against the emulator over HTTPS on loopback, with one manual
clock shared by both: every `Retry-After`, backoff and poll advances it at once, so the 15
simulated minutes of a `RequestConflict` take milliseconds. Only the `slow` row waits on the
wall clock (under a second per cell). Of the security checks, `test_security_grpc.py` and
`test_security_client_secret.py` drive the real plugin (`python -m pulumi.dynamic`) over gRPC
instead, `test_security_inputs.py` both that plugin and the provider in process, and
`test_security_hosts.py` the provider in process, as the matrix does.

## The fault matrix

Columns are the provider's verbs and the two polling routes (a create whose
`Azure-AsyncOperation` or `Location` polls are hit; both point at
`.../locations/{{l}}/operationResults/{{id}}`, as Azure's recordings show). The update is a
change of `sku_capacity`: a PATCH of `{{sku, tags}}` (ARM's `Deployments_Update`, polled by
`Azure-AsyncOperation` as the spec's `UpdateDeployment` example shows), which needs no
token for the source tenant; the delete runs in an update of its own (a create's own ARM id
is never deleted in the update that wrote it). "ok after retry": the verb succeeded
after the fault hit it; "fails: X": it failed with a message that starts with the operation
and the ARM id (`creating /subscriptions/.../deployments/ft: X: ...`) and carries the ARM
code X ("timeout" and "no answer" have none); "(leftover re-adopted)": the failed create left
a deployment carrying the stack's owner tag, and the next run adopted it; "n/a": the fault
cannot hit that verb.

The preflight rows (`aoai-deploy:preflight up`, on a base model the destination account lists)
put Azure's refusals before the first write: "fails: PreflightFailed" means the provider
failed with what is needed and what is free (or which versions are offered) and the emulator's
request log shows no PUT or PATCH; "ok, warned": the write went ahead and the provider logged
the version's retirement date. "quota short, preflight off" is the same quota without the
preflight: Azure (the emulator, from the same quota table its usages list reports) refuses
the write with `InsufficientQuota`.

{table}

{bugs}

Every cell also checks, and fails when any does not hold:

1. the fault hit (a cell whose fault never fired would prove nothing);
2. afterwards Azure matches what Pulumi recorded (a failed create records nothing, a failed
   update keeps the old outputs, a failed delete keeps the resource): every recorded
   deployment exists, and any deployment the stack does not know of carries its owner tag;
3. the next run (faults gone, the same step once more) succeeds, and then Azure holds
   exactly what the state records: same deployments, capacity, model, tags, `Succeeded`;
4. no token appears in any log record or error message.

What each row injects (retries: `RetryPolicy(max_retries=3)` unless it says otherwise):

{rows}

## Randomized run

Seed {seed}, {steps} steps on four resources (three share one account, so their writes meet
the per-account lock and 409s; the fourth is in another account). Each step edits one
resource the previous run left settled (create, update, replace in place, replace under a new
name, delete) or refreshes the stack, injects a random fault (or none) and runs `pulumi up`
as the engine would, with random polling styles (every `async_style` and `update_header` the
emulator serves). After every step Azure is checked against
the record; at the end the faults are gone, an hour passes, and one more `pulumi up` runs.

- actions: {actions}
- faults: {faults}
- steps whose `up` failed: {failed} (each re-run by a later step or by the final `up`), by
  error: {failures}
- owner-tagged leftovers seen along the way (all re-adopted): {leftovers}
- 409 `RequestConflict` answers: {conflicts}; requests: {requests}; simulated time: {hours} h
- final `up`: {final}; converged (Azure == state == program): {converged}

## Security checks

- **No secret leaks** (`test_security_grpc.py`, `test_security_client_secret.py`): the real
  plugin, logging at DEBUG, runs create / read / update under each fault kind and a 409 from
  another client's write, and a second plugin process (a `pulumi destroy`) the delete; every
  gRPC reply and error, their stderr and the pickled
  provider hold neither token nor its payload segment. A provider that has used its tokens
  pickles by reference, with none of them (under 100 bytes; the test allows 4 KiB). With
  `credential=client-secret` and a fake secret, `HTTPS_PROXY` points at a loopback listener
  that refuses the tunnel (it records `CONNECT login.microsoftonline.com:443`, nothing else
  leaves the machine): the error and stderr never show the secret, and neither do the refusals
  of a secret put in the wrong config key (`clientSecret` with another credential, `clientId`,
  `staticTokens`, user info in `armEndpoint`). Every cell of the matrix and the randomized run
  scan their logs too.
- **Tokens go to the ARM endpoint only** (`test_security_hosts.py`): polling URLs moved to
  `localhost` (same server, valid certificate), another port, `127.0.0.2` (both trusted
  HTTPS servers) or plain `http://` are refused with `creating <ARM id>: refusing to send a
  token to ...`, and the other side receives nothing; a 307 to another host is not followed.
- **Malformed inputs are refused at check time** (`test_security_inputs.py`), through the
  plugin's Check and in process, each naming its field, before any request: ids with `..`,
  `?`, `#`, `%2F`/`%2f`, spaces or a Cyrillic look-alike; deployment names with `/..`, `..`,
  `?`, `#`, `%2F`, spaces, look-alikes or a zero-width space; capacity 0, -1 or 1.5; an
  `http://` ARM endpoint (refused when the provider is configured).

## Known limits

- A request that timed out on the client may still be applied by ARM later (the `slow` row
  replays this): harmless for the whole-body PUT, the `{{sku, tags}}` PATCH (absolute values)
  and the idempotent DELETE the provider sends.
- Reads and deletes do not wait for role propagation (`role_propagation_timeout_seconds`
  applies to creates and updates, which follow the component's role assignments).
- If a create fails after ARM accepted it and the resource is then removed from the program
  before a successful run, the deployment stays in Azure: find it by its `aoai-deploy-owner`
  tag.
- Bugs these runs found, all fixed, each kept as a test: a 409 that outlived
  `operation_timeout_seconds` was reported as a bare timeout without its ARM code (the row
  "409 outlives the operation timeout"); a create whose operation failed, seen through
  `Location` polling, left the failed deployment behind (the row "failed provisioning", column
  poll `Location`); a DELETE answered 200 without a polling header was taken as done while
  the emulator still deleted (Azure's recordings have since shown a 200 to mean deleted, and
  the emulator answers so; the provider still looks before it trusts a 200), and an own
  leftover whose model changed before the next run was PUT over, which Azure refuses, on every
  run (now the create refuses it once, naming this stack's owner tag, and deletes nothing it
  did not create in the same run: the user deletes the leftover or picks another name), both
  in `tests/faults/test_fault_regressions.py`. A cell that regresses is marked † in the table
  and fails the tests.

## Side by side

How others meet the same failures, from their sources:

{side_by_side}

Sources: pulumi-azure-native `provider/pkg/azure/client_azcore.go`
(`updatePollingIntervalSeconds: 10`, `deletePollingIntervalSeconds: 30`, `RetryDelay = 20s`,
`MaxRetryDelay = 120s`, `shouldRetryConflict`, `CanCreate`); terraform-provider-azurerm
`internal/services/cognitive/cognitive_deployment_resource.go` (`locks.ByID(accountId.ID())`
around create, update and delete; `ResourceRequiresImport` when the deployment exists);
azapi's `retry {{ error_message_regex = [...] }}` block, where modules list patterns such as
`AnotherOperationInProgress` themselves. "(not checked)": not read for this page.
"""


if __name__ == "__main__":
    sys.exit(main())
