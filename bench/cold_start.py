"""Plugin cold start of both fronts, each beside a plugin that does nothing.

A cold start is what every ``pulumi preview`` / ``up`` pays once per plugin: the engine
spawns the plugin, waits for its port, sends Configure, then the first Check. The dynamic
provider's plugin (``python -m pulumi.dynamic``) imports our code when that Check unpickles
the provider; the package's plugin (``python -m aoai_deploy.plugin``) imports it before it
prints its port. Each is timed beside its floor, a plugin on the same SDK server that does
nothing (bench/noop_provider.py, bench/noop_package.py): the four are started in turn, round
after round, so that a busy moment of the machine hits them alike. Then the import rows
(bench/imports.py).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from aoai_deploy.emulator import Emulator
from bench import imports
from bench.noop_provider import NoopProvider
from bench.report import SectionResult, median, ms
from bench.rig import bounded, deployment_inputs, static_config
from engine_harness import PluginProcess
from package_harness import PackagePluginProcess

SAMPLES = 5
#: Issue 17's targets, spawn to first Check answered (median).
TARGETS = {"dynamic": 0.350, "package": 0.500}
_REPO = Path(__file__).resolve().parent.parent
#: Every plugin gets the repository on its path: the no-op plugins' modules live in bench/.
_ENV = {"PYTHONPATH": str(_REPO)}


class NoopDynamicPlugin(PluginProcess):
    """``python -m pulumi.dynamic`` serving :class:`~bench.noop_provider.NoopProvider`."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self.provider = serialize_provider(NoopProvider())


class NoopPackagePlugin(PackagePluginProcess):
    """``python -m bench.noop_package``: the SDK's provider server with a provider that does
    nothing."""

    command = (sys.executable, "-u", "-m", "bench.noop_package", "127.0.0.1:1")


@dataclass(frozen=True)
class Front:
    """One plugin the bench starts, and the no-op plugin it is compared with."""

    name: str
    start: Callable[..., PluginProcess]
    floor: Callable[..., PluginProcess]


FRONTS = (
    Front("dynamic", PluginProcess, NoopDynamicPlugin),
    Front("package", PackagePluginProcess, NoopPackagePlugin),
)


@dataclass
class Samples:
    """Seconds to a plugin's port, and from there to its first Check answered."""

    up: list[float]
    first: list[float]

    @property
    def total(self) -> float:
        return median([a + b for a, b in zip(self.up, self.first, strict=True)])


def run() -> SectionResult:
    result = SectionResult("cold start")
    result.settings.append(
        f"cold start: {SAMPLES} rounds, each starting the dynamic plugin, its no-op floor, the "
        "package plugin and its no-op floor in turn, each timed from spawn to its first Check "
        "answered (static credential)"
    )
    plugins = [(f.name, f.start) for f in FRONTS] + [(f"{f.name} no-op", f.floor) for f in FRONTS]
    samples = {name: Samples([], []) for name, _ in plugins}
    with Emulator() as emu:
        config = static_config(emu)
        inputs = deployment_inputs("cold")
        for _ in range(SAMPLES):
            for name, start in plugins:
                _cold_start(result, samples[name], start, config, inputs)
        requests = len(emu.request_log)

    for front in FRONTS:
        ours, floor = samples[front.name], samples[f"{front.name} no-op"]
        target = TARGETS[front.name]
        result.add(
            f"{front.name}: spawn to first Check answered (median)",
            ms(ours.total),
            f"≤ {ms(target)}",
            ours.total <= target,
        )
        result.add(f"  {front.name}: process up: port printed, channel ready", ms(median(ours.up)))
        result.add(f"  {front.name}: Configure + first Check", ms(median(ours.first)))
        result.add(f"  {front.name} no-op floor: spawn to first Check answered", ms(floor.total))
        result.add(f"  {front.name} no-op floor: process up", ms(median(floor.up)))
        result.add(
            f"  {front.name}: over its no-op floor",
            f"{_signed_ms(ours.total - floor.total)} ({ours.total / floor.total:.2f}x)",
        )
    result.add("HTTP requests during cold starts", str(requests), "0", requests == 0)
    imports.measure(result)
    return result


def _cold_start(
    result: SectionResult,
    samples: Samples,
    start: Callable[..., PluginProcess],
    config: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> None:
    started = time.perf_counter()
    process = bounded(partial(start, _ENV), 60.0, "plugin start")
    ready = time.perf_counter()
    try:
        failures = bounded(partial(_first_check, process, config, inputs), what="first Check")
        answered = time.perf_counter()  # before stop(): ending the process is not the start
    finally:
        process.stop()
    if failures:
        result.fail(f"first Check failed: {failures}")
    samples.up.append(ready - started)
    samples.first.append(answered - ready)


def _first_check(
    process: PluginProcess,
    config: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> list[tuple[str, str]]:
    process.configure(config)
    _, failures = process.check("cold", inputs)
    return failures


def _signed_ms(seconds: float) -> str:
    return ("+" if seconds >= 0 else "-") + ms(abs(seconds))
