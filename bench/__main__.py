"""``python -m bench``: run the benchmarks and print one table.

The package's modules (and the bench's) are compiled to bytecode first, as pip does when it
installs the wheel: what is measured is a plugin start that loads bytecode, whatever
``PYTHONDONTWRITEBYTECODE`` says (the cold-start section shows what compiling costs).

Exits 1 when a measurement failed outright (a create errored, a plugin died, a call timed
out); a figure that misses its target is marked ``MISS`` in the table but is not a failure.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench import cli_preview, cold_start, create_overhead, fleet, preview, rollout, tokens
from bench.report import SectionResult, format_table

SECTIONS: dict[str, Callable[[], SectionResult]] = {
    "preview": preview.run,
    "cold-start": cold_start.run,
    "create": create_overhead.run,
    "tokens": tokens.run,
    "rollout": rollout.run,
    "cli-preview": cli_preview.run,
    "fleet": fleet.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SECTIONS),
        help="run only this section (repeatable); default: all",
    )
    args = parser.parse_args(argv)
    chosen = args.only or list(SECTIONS)

    began = time.monotonic()
    print(_machine(), flush=True)
    _compile_bytecode()
    results: list[SectionResult] = []
    loads: list[str] = []
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        loads.append(f"{name} {os.getloadavg()[0]:.2f}")
        try:
            results.append(SECTIONS[name]())
        except Exception as exc:  # one broken section must not hide the others' figures
            failed = SectionResult(name)
            failed.fail(f"{type(exc).__name__}: {exc}")
            traceback.print_exc(file=sys.stderr)
            results.append(failed)

    print("\nsettings:")
    for result in results:
        for line in result.settings:
            print(f"  {line}")
    print()
    print(format_table(results))
    notes = [note for result in results for note in result.notes]
    if notes:
        print("\nnotes:")
        for note in notes:
            print(f"  {note}")
    failures = [f"{r.name}: {f}" for r in results for f in r.failures]
    if failures:
        print("\nfailed:")
        for failure in failures:
            print(f"  {failure}")
    print(
        f"\nload average (1 min) as each section started: {', '.join(loads)}; "
        f"at the end: {os.getloadavg()[0]:.2f}"
    )
    print(f"total {time.monotonic() - began:.0f} s")
    return 1 if failures else 0


def _compile_bytecode() -> None:
    repo = Path(__file__).resolve().parent.parent
    for folder in ("providers", "plugin", "components", "emulator", "bench"):
        if not compileall.compile_dir(repo / folder, quiet=1):
            raise SystemExit(f"bench: compiling {folder}/ to bytecode failed")


def _machine() -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"aoai-deploy bench, {when}: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
        f"Pulumi SDK {metadata.version('pulumi')}, load average {load} (1, 5, 15 min)"
    )


if __name__ == "__main__":
    sys.exit(main())
