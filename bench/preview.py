"""Preview cost: Check + Diff for 100 resources through the plugin, and the HTTP it caused.

The resources look like a stack after one ``pulumi up``: their old outputs are those of a
deployment the plugin really created, renamed per resource. The new inputs are a mix a
preview meets: a quarter unchanged, a quarter with a new capacity (update), a quarter with new
tags (update), a quarter with a model name not known yet (replace, delete first).
"""

from __future__ import annotations

import time
from typing import Any

from aoai_deploy.providers import CrossTenantDeploymentProvider
from bench.report import SectionResult, median, ms
from bench.rig import (
    bounded,
    checked,
    configured_plugin,
    deployment_inputs,
    running_emulator,
    static_config,
)
from engine_harness import UNKNOWN, PluginProcess
from seed_ids import DEST_ACCOUNT

RESOURCES = 100
_EXPECTED = {"none": 25, "update": 50, "replace": 25}


def _news(index: int, name: str) -> dict[str, Any]:
    variant = index % 4
    if variant == 1:
        return deployment_inputs(name, sku_capacity=2)
    if variant == 2:
        return deployment_inputs(name, tags={"team": "inference", "cost-center": "42"})
    if variant == 3:
        return deployment_inputs(name, model_name=UNKNOWN)
    return deployment_inputs(name)


def _kind(plugin_diff: Any) -> str:
    if plugin_diff.replaces:
        return "replace"
    return "update" if plugin_diff.has_changes else "none"


def run() -> SectionResult:
    result = SectionResult("preview")
    result.settings.append(
        f"preview: {RESOURCES} resources (Check with olds, then Diff against old outputs), "
        "one plugin, sequential calls as the engine makes per resource"
    )
    with running_emulator() as emu, configured_plugin(static_config(emu)) as plugin:
        template_inputs = checked(plugin, "pv-template", deployment_inputs("pv-template"))
        _, template_outputs = bounded(
            lambda: plugin.create("pv-template", template_inputs), what="template Create"
        )
        emu.clear_log()
        timings, kinds, pairs = _preview(plugin, template_inputs, template_outputs)
        requests = len(emu.request_log)

    per_resource = median(timings)
    result.add("Check+Diff per resource (median)", ms(per_resource))
    result.add("Check+Diff per resource (max)", ms(max(timings)))
    result.add("HTTP requests seen by the emulator", str(requests), "0", requests == 0)
    counted = {kind: kinds.count(kind) for kind in _EXPECTED}
    shown = ", ".join(f"{n} {kind}" for kind, n in counted.items())
    if counted == _EXPECTED:
        result.add("diff outcomes", shown)
    else:
        result.fail(f"diff outcomes {shown}, expected {_EXPECTED}")
    result.add("of which in the provider itself", ms(_in_process(pairs)))
    result.notes.append(
        "preview: per-resource times are gRPC round trips from the bench, including the "
        "harness's own (Python) struct encoding; 'in the provider itself' is check()+diff() "
        "called in process on the same inputs"
    )
    return result


def _preview(
    plugin: PluginProcess, template_inputs: dict[str, Any], template_outputs: dict[str, Any]
) -> tuple[list[float], list[str], list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]]:
    timings: list[float] = []
    kinds: list[str] = []
    pairs: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = []
    for index in range(RESOURCES):
        name = f"pv-{index:03d}"
        resource_id = f"{DEST_ACCOUNT}/deployments/{name}"
        olds = {**template_inputs, "deployment_name": name, "owner": f"aoai-deploy/bench/{name}"}
        old_outputs = {**template_outputs, "deployment_name": name, "owner": olds["owner"]}
        news = _news(index, name)

        def plan(
            name: str = name,
            resource_id: str = resource_id,
            olds: dict[str, Any] = olds,
            old_outputs: dict[str, Any] = old_outputs,
            news: dict[str, Any] = news,
        ) -> tuple[dict[str, Any], Any]:
            new_inputs, failures = plugin.check(name, news, olds=olds)
            if failures:
                raise ValueError(f"Check {name} failed: {failures}")
            return new_inputs, plugin.diff(name, resource_id, old_outputs, new_inputs)

        started = time.perf_counter()
        new_inputs, diff = bounded(plan, what=f"Check+Diff {name}")
        timings.append(time.perf_counter() - started)
        kinds.append(_kind(diff))
        pairs.append((olds, old_outputs, new_inputs))
    return timings, kinds, pairs


def _in_process(pairs: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]) -> float:
    provider = CrossTenantDeploymentProvider()
    timings: list[float] = []
    for olds, old_outputs, new_inputs in pairs:
        started = time.perf_counter()
        provider.check(olds, new_inputs)
        provider.diff(str(new_inputs.get("deployment_name")), old_outputs, new_inputs)
        timings.append(time.perf_counter() - started)
    return median(timings)
