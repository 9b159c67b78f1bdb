"""``aoai-deploy``: the fleet's command line (a console script of the wheel).

    aoai-deploy fleet validate FLEET
    aoai-deploy fleet preview  FLEET [selection] [--markdown FILE] [run options]
    aoai-deploy fleet up       FLEET [selection] [--max-failures N] [run options]
    aoai-deploy fleet destroy  FLEET [selection] [--yes] [run options]
    aoai-deploy fleet status   FLEET [--report FILE] [--json] [run options]
    aoai-deploy fleet matrix   FLEET [--github-output FILE]
    aoai-deploy fleet gate     FLEET --ring RING --reports DIR
    aoai-deploy fleet summary  FLEET --reports DIR
    aoai-deploy fleet emulator-seed FLEET [--without-role KEY]

selection: ``--only KEY`` (repeatable), ``--only-failed`` (what the ``--report`` says is left).
run options: ``--parallel N``, ``--report FILE``, ``--backend URL``, ``--workdir DIR``,
``--pulumi PATH``, ``--arm-endpoint URL``, ``--ca-bundle FILE``, ``--token-min-lifetime S``.

Exit status: 0 every selected customer succeeded, 1 one or more did not, 2 the fleet file or
the command line cannot be used (nothing ran), 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from aoai_deploy import __version__
from aoai_deploy.fleet.spec import Customer, Fleet, FleetFileError, load_fleet

__all__ = ["main"]

_EXIT_FAILED = 1
_EXIT_USAGE = 2
_EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """The command line cannot be used; the message says why."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aoai-deploy",
        description="Roll fine-tuned Azure OpenAI models into many customer tenants.",
    )
    parser.add_argument("--version", action="version", version=f"aoai-deploy {__version__}")
    groups = parser.add_subparsers(dest="group", required=True)
    fleet = groups.add_parser("fleet", help="one stack per customer of a fleet file")
    commands = fleet.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("fleet", type=Path, help="the fleet file (YAML)")
        return sub

    command("validate", "check the fleet file; print every problem with its path")
    for name, text in (
        ("preview", "preview every selected customer's stack (no request to Azure)"),
        ("up", "deploy ring by ring, customers in parallel within a ring"),
        ("destroy", "destroy the selected customers' stacks, last ring first"),
    ):
        sub = command(name, text)
        sub.add_argument("--only", action="append", default=[], metavar="KEY")
        sub.add_argument(
            "--only-failed", action="store_true", help="what --report says is left to do"
        )
        _run_options(sub)
        if name == "preview":
            sub.add_argument("--markdown", type=Path, help="write the summary as Markdown here")
        if name == "up":
            sub.add_argument("--max-failures", type=int, help="per ring (default: the file's)")
        if name == "destroy":
            sub.add_argument("--yes", "-y", action="store_true", help="do not ask to confirm")
    status = command("status", "the last run of each customer: report and backend")
    _run_options(status)
    status.add_argument("--json", action="store_true")
    matrix = command("matrix", "the GitHub Actions matrix per ring (fleet.yml)")
    matrix.add_argument("--github-output", type=Path, help="append name=value lines here")
    gate = command("gate", "fail when a ring's reports show more failures than maxFailures")
    gate.add_argument("--ring", required=True)
    gate.add_argument("--reports", type=Path, required=True, help="folder of report files")
    summary = command("summary", "merge per-customer reports; print them as Markdown")
    summary.add_argument("--reports", type=Path, required=True, help="folder of report files")
    summary.add_argument("--output", type=Path, help="also write the merged report here")
    seed = command("emulator-seed", "a seed for the local emulator serving this fleet")
    seed.add_argument("--without-role", action="append", default=[], metavar="KEY")
    return parser


def _run_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--parallel", type=int, help="customers at once (default: the file's)")
    sub.add_argument("--report", type=Path, help="the JSON report, read and updated")
    sub.add_argument("--backend", help="state backend URL (default: PULUMI_BACKEND_URL)")
    sub.add_argument("--workdir", type=Path, help="keep the stack files here (default: temp)")
    sub.add_argument("--pulumi", type=Path, help="the pulumi CLI (default: on PATH)")
    sub.add_argument("--arm-endpoint", help="aoai-deploy:armEndpoint for every stack")
    sub.add_argument("--ca-bundle", help="aoai-deploy:caBundle for every stack")
    sub.add_argument(
        "--token-min-lifetime",
        type=float,
        default=None,
        metavar="SECONDS",
        help="re-acquire a shared token with less left before a customer starts (1800)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        fleet = load_fleet(args.fleet)
        return _COMMANDS[args.command](fleet, args)
    except FleetFileError as error:
        print(error, file=sys.stderr)
        return _EXIT_USAGE
    except UsageError as error:
        print(f"aoai-deploy fleet {args.command}: {error}", file=sys.stderr)
        return _EXIT_USAGE


# -- commands ------------------------------------------------------------------------------------


def _validate(fleet: Fleet, args: argparse.Namespace) -> int:
    rings = fleet.rings()
    print(
        f"{fleet.source}: {len(fleet.customers)} customers in {len(rings)} rings "
        f"({', '.join(f'{ring}: {len(m)}' for ring, m in rings)}), project {fleet.project}"
    )
    return 0


def _read_report(args: argparse.Namespace) -> dict[str, Any] | None:
    """The ``--report`` file's last runs, if one is named; a bad file is a usage error."""
    from aoai_deploy.fleet.report import load_report

    if args.report is None:
        return None
    try:
        return load_report(args.report)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _select(fleet: Fleet, args: argparse.Namespace) -> tuple[list[Customer], dict[str, Any] | None]:
    from aoai_deploy.fleet.report import left_to_do

    report = _read_report(args)
    chosen = list(fleet.customers)
    if args.only:
        known = {c.key for c in fleet.customers}
        unknown = [key for key in args.only if key not in known]
        if unknown:
            raise UsageError(f"--only {', '.join(unknown)}: no such customer in {fleet.source}")
        chosen = [c for c in chosen if c.key in args.only]
    if args.only_failed:
        if report is None:
            raise UsageError("--only-failed needs the report of an earlier run: --report FILE")
        left = {c.key for c in left_to_do(fleet, report, args.command)}
        chosen = [c for c in chosen if c.key in left]
    return chosen, report


def _operation(fleet: Fleet, args: argparse.Namespace) -> int:
    from aoai_deploy.fleet.progress import LiveProgress, final_table
    from aoai_deploy.fleet.report import record, write_report
    from aoai_deploy.fleet.runner import FleetRun
    from aoai_deploy.fleet.stacks import RunSettings, StackRunner
    from aoai_deploy.fleet.tokens import DEFAULT_MIN_LIFETIME_SECONDS, TokenBroker, TokenSetupError

    chosen, previous = _select(fleet, args)
    if not chosen:
        print("nothing to do: no customer selected")
        return 0
    if args.command == "destroy" and not args.yes and not _confirmed(fleet, chosen):
        print("destroy: not confirmed; nothing was destroyed", file=sys.stderr)
        return _EXIT_USAGE
    azure = dict(fleet.azure)
    if args.arm_endpoint:
        azure["armEndpoint"] = args.arm_endpoint
    if args.ca_bundle:
        azure["caBundle"] = str(Path(args.ca_bundle).resolve())
    tokens = TokenBroker(
        fleet,
        azure,
        min_lifetime=args.token_min_lifetime or DEFAULT_MIN_LIFETIME_SECONDS,
    )
    try:
        tokens.check(chosen, shared=args.command != "preview")
    except TokenSetupError as error:
        print(f"aoai-deploy fleet {args.command}: nothing ran:\n{error}", file=sys.stderr)
        return _EXIT_USAGE
    cli = args.pulumi or (Path(found) if (found := shutil.which("pulumi")) else None)
    if cli is None:
        raise UsageError("no `pulumi` on PATH: install the Pulumi CLI or pass --pulumi PATH")
    scratch = None
    work_dir = args.workdir
    if work_dir is None:
        scratch = tempfile.TemporaryDirectory(prefix="aoai-fleet-")
        work_dir = Path(scratch.name)
    progress = LiveProgress()
    previous_handler = None
    try:
        runner = StackRunner(
            fleet,
            RunSettings(cli=cli, work_dir=work_dir.resolve(), backend_url=args.backend),
            tokens,
        )
        run = FleetRun(
            fleet,
            runner.run,
            progress,
            operation=args.command,
            parallel=args.parallel or fleet.parallel,
            max_failures=(
                args.max_failures
                if getattr(args, "max_failures", None) is not None
                else fleet.max_failures
            ),
        )

        def on_sigint(signum: int, frame: FrameType | None) -> None:
            run.interrupt()

        previous_handler = signal.signal(signal.SIGINT, on_sigint)
        result = run.run(chosen)
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGINT, previous_handler)
        progress.close()
        if scratch is not None:
            scratch.cleanup()
    report = record(previous, fleet, result, tokens.acquisitions)
    if args.report is not None:
        write_report(args.report, report)
    print()
    print(final_table([o.as_dict() for o in result.outcomes]))
    failed = len(result.failed)
    not_started = sum(o.result == "not-started" for o in result.outcomes)
    print(
        f"\n{args.command}: {len(result.outcomes) - failed - not_started} succeeded, "
        f"{failed} failed, {not_started} not started"
        + (f"; {result.stopped}" if result.stopped else "")
        + (f"; report: {args.report}" if args.report else "")
    )
    if getattr(args, "markdown", None) is not None:
        from aoai_deploy.fleet.markdown import summary_markdown

        args.markdown.write_text(summary_markdown(report), encoding="utf-8")
    if result.interrupted:
        return _EXIT_INTERRUPTED
    return 0 if result.ok else _EXIT_FAILED


def _confirmed(fleet: Fleet, chosen: list[Customer]) -> bool:
    keys = ", ".join(c.key for c in chosen)
    if not sys.stdin.isatty():
        print(
            f"destroy of {len(chosen)} customers ({keys}) needs a confirmation: run it in a "
            "terminal, or pass --yes",
            file=sys.stderr,
        )
        return False
    print(f"This destroys every deployment of {len(chosen)} customers: {keys}")
    answer = input(f"Type the project name ({fleet.project}) to go on: ")
    return answer.strip() == fleet.project


def _status(fleet: Fleet, args: argparse.Namespace) -> int:
    from aoai_deploy.fleet.stacks import RunSettings, StackRunner
    from aoai_deploy.fleet.tokens import TokenBroker

    report = _read_report(args)
    entries = (report or {}).get("customers", {})
    cli = args.pulumi or (Path(found) if (found := shutil.which("pulumi")) else None)
    backend: dict[str, dict[str, Any]] = {}
    if cli is not None:
        with tempfile.TemporaryDirectory(prefix="aoai-fleet-") as scratch:
            runner = StackRunner(
                fleet,
                RunSettings(
                    cli=cli,
                    work_dir=(args.workdir or Path(scratch)).resolve(),
                    backend_url=args.backend,
                ),
                TokenBroker(fleet, {}),
            )
            backend = runner.last_updates([c.key for c in fleet.customers])
    rows = []
    for customer in fleet.customers:
        entry = entries.get(customer.key, {})
        last = backend.get(customer.key, {})
        rows.append(
            {
                "key": customer.key,
                "ring": customer.ring,
                "report": (
                    f"{entry['operation']} {entry['result']}" if entry else "not in the report"
                ),
                "error": entry.get("error"),
                "stack": last.get("text", "no stack" if cli is not None else "not asked"),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    widths = [
        max(len(str(r[k])) for r in [*rows, dict.fromkeys(rows[0], "x" * 8)]) for k in rows[0]
    ]
    header = ("CUSTOMER", "RING", "REPORT", "ERROR", "STACK (backend's last update)")
    order = ("key", "ring", "report", "error", "stack")
    print("  ".join(h.ljust(widths[i]) for i, h in enumerate(header)).rstrip())
    for row in rows:
        print("  ".join(str(row[k] or "").ljust(widths[i]) for i, k in enumerate(order)).rstrip())
    return 0


def _matrix(fleet: Fleet, args: argparse.Namespace) -> int:
    from aoai_deploy.fleet.github import MatrixError, github_outputs, matrix

    try:
        values = matrix(fleet)
    except MatrixError as error:
        raise UsageError(str(error)) from None
    print(json.dumps(values, indent=2))
    if args.github_output is not None:
        with args.github_output.open("a", encoding="utf-8") as f:
            f.write(github_outputs(values))
    return 0


def _reports(folder: Path) -> list[dict[str, Any]]:
    from aoai_deploy.fleet.report import load_report

    found = []
    for path in sorted(folder.rglob("*.json")) if folder.is_dir() else []:
        try:
            report = load_report(path)
        except ValueError:
            continue
        if report is not None:
            found.append(report)
    return found


def _gate(fleet: Fleet, args: argparse.Namespace) -> int:
    from aoai_deploy.fleet.github import gate
    from aoai_deploy.fleet.report import merge_reports

    passed, lines = gate(fleet, args.ring, merge_reports(_reports(args.reports), fleet))
    for line in lines:
        print(line)
    verdict = "the next ring may start" if passed else "the next rings do not start"
    print(f"ring {args.ring}: {len(lines)} failed (maxFailures {fleet.max_failures}): {verdict}")
    return 0 if passed else _EXIT_FAILED


def _summary(fleet: Fleet, args: argparse.Namespace) -> int:
    from aoai_deploy.fleet.markdown import summary_markdown
    from aoai_deploy.fleet.report import merge_reports, write_report

    merged = merge_reports(_reports(args.reports), fleet)
    if args.output is not None:
        write_report(args.output, merged)
    sys.stdout.write(summary_markdown(merged))
    return 0


def _emulator_seed(fleet: Fleet, args: argparse.Namespace) -> int:
    from aoai_deploy.fleet.emulator_seed import fleet_seed

    try:
        seed = fleet_seed(fleet, args.without_role)
    except (KeyError, ValueError) as error:
        raise UsageError(str(error).strip("'\"")) from None
    print(json.dumps(seed, indent=2))
    return 0


_COMMANDS = {
    "validate": _validate,
    "preview": _operation,
    "up": _operation,
    "destroy": _operation,
    "status": _status,
    "matrix": _matrix,
    "gate": _gate,
    "summary": _summary,
    "emulator-seed": _emulator_seed,
}

if __name__ == "__main__":
    sys.exit(main())
