"""Plugin cold start, and where the provider module's import time goes.

A cold start is what every ``pulumi preview`` / ``up`` pays once: the engine spawns
``python -m pulumi.dynamic``, waits for its port, sends Configure, then the first Check,
which unpickles our provider (importing ``aoai_deploy.providers``) and runs ``configure()``.
The package's plugin (``python -m aoai_deploy.plugin``) imports its code before it prints
its port, and its Configure and first Check need no unpickling: measured the same way.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from aoai_deploy.emulator import Emulator
from bench.report import SectionResult, median, ms
from bench.rig import bounded, deployment_inputs, static_config
from engine_harness import PluginProcess
from package_harness import PackagePluginProcess

SAMPLES = 5
TOP = 10
MODULE = "aoai_deploy.providers.provider"
PACKAGE_MODULE = "aoai_deploy.plugin.serve"
FRONTS = {"dynamic": PluginProcess, "package": PackagePluginProcess}
_IMPORTTIME_TIMEOUT = 60.0


@dataclass(frozen=True)
class ImportLine:
    module: str
    self_us: int
    cumulative_us: int


def run() -> SectionResult:
    result = SectionResult("cold start")
    result.settings.append(
        f"cold start: {SAMPLES} fresh plugin processes, each timed to its first Check "
        f"(static credential); `{sys.executable} -X importtime -c 'import {MODULE}'`"
    )
    with Emulator() as emu:
        config = static_config(emu)
        inputs = deployment_inputs("cold")
        for front, start in FRONTS.items():
            up, first = _cold_starts(result, start, config, inputs)
            totals = [a + b for a, b in zip(up, first, strict=True)]
            prefix = "" if front == "dynamic" else "package: "
            result.add(f"{prefix}spawn to first Check answered (median)", ms(median(totals)))
            result.add(f"  {prefix}process up: port printed, channel ready", ms(median(up)))
            result.add(f"  {prefix}Configure + first Check", ms(median(first)))
        requests = len(emu.request_log)
    result.add("HTTP requests during cold starts", str(requests), "0", requests == 0)
    package_import = _importtime(f"import {PACKAGE_MODULE}")
    if package_import:
        total_us = max(line.cumulative_us for line in package_import)
        result.add(f"package: import {PACKAGE_MODULE} (fresh interpreter)", ms(total_us / 1e6))

    alone = _importtime(f"import {MODULE}")
    if not alone:
        result.fail("python -X importtime printed nothing")
        return result
    total = max(line.cumulative_us for line in alone)
    result.add(f"import {MODULE} (fresh interpreter)", ms(total / 1e6))
    over_pulumi = _importtime(f"import pulumi.dynamic; import {MODULE}")
    ours = [line.cumulative_us for line in over_pulumi if line.module.startswith("aoai_deploy")]
    if ours:
        result.add("  of which after pulumi.dynamic is loaded", ms(max(ours) / 1e6))
    # A dotted import is listed twice (the outer name, then the module itself): keep one.
    cumulative: dict[str, int] = {}
    for line in alone:
        cumulative[line.module] = max(line.cumulative_us, cumulative.get(line.module, 0))
    ranked = sorted(cumulative.items(), key=lambda item: -item[1])[:TOP]
    for rank, (module, micros) in enumerate(ranked, start=1):
        result.add(f"  importtime #{rank:<2} {module}", ms(micros / 1e6))
    return result


def _cold_starts(
    result: SectionResult,
    start: Any,
    config: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> tuple[list[float], list[float]]:
    """Seconds to a plugin's port, and from there to its first Check answered, per sample."""
    up: list[float] = []
    first: list[float] = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        process = bounded(start, 60.0, "plugin start")
        ready = time.perf_counter()
        try:
            failures = bounded(partial(_first_check, process, config, inputs), what="first Check")
        finally:
            process.stop()
        answered = time.perf_counter()
        if failures:
            result.fail(f"first Check failed: {failures}")
        up.append(ready - started)
        first.append(answered - ready)
    return up, first


def _first_check(
    process: PluginProcess | PackagePluginProcess,
    config: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> list[tuple[str, str]]:
    process.configure(config)
    _, failures = process.check("cold", inputs)
    return failures


def _importtime(code: str) -> list[ImportLine]:
    """The import lines of a fresh interpreter running ``code`` (after one warm-up run, so
    that bytecode is compiled and the files are in the page cache)."""
    command = [sys.executable, "-X", "importtime", "-c", code]
    for _ in range(2):
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_IMPORTTIME_TIMEOUT, check=True
        )
    lines: list[ImportLine] = []
    for raw in done.stderr.splitlines():
        if not raw.startswith("import time:") or "cumulative" in raw:
            continue
        self_us, cumulative_us, module = raw.removeprefix("import time:").split("|", 2)
        lines.append(ImportLine(module.strip(), int(self_us), int(cumulative_us)))
    return lines
