"""`pulumi preview` with the real CLI: 50 deployments, next to 50 no-op dynamic resources.

Two stacks of the same shape, each run by the real CLI (tests/support/cli_harness.py):
50 ``CrossTenantDeployment``s spread over the seed's four destination accounts, and 50
resources of :mod:`bench.noop_provider`, a dynamic provider that does nothing. The no-op stack
is the floor the dynamic-provider mechanism itself costs (the program, the engine, one plugin
process, a Check and a Diff per resource); the ratio says what this provider adds on top. Each
stack is `pulumi up`-ed once, then previewed as a pull request previews it (no changes): one
preview of each stack per round, three rounds, so that the two are measured side by side; the
medians are compared, and the ratio of each round is shown too. A third stack splits the
difference: 50 no-op resources that each register one deployment's whole state as their
properties (the same keys and values), so that what the SDK and the engine spend on that many
properties is told apart from what our code (its imports, ``configure()``, ``check()``,
``diff()``) adds. One preview of each new stack (every resource a create) is timed as well.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aoai_deploy.emulator import Emulator
from bench.report import SectionResult, ms
from cli_harness import REPO, PulumiCli, find_cli
from seed_ids import DEST_ACCOUNT, DEST_TENANT, OTHER_DEST_ACCOUNTS, SOURCE_TENANT

RESOURCES = 50
PREVIEWS = 3
#: Issue 17's target for the no-change preview, deployments / no-op.
TARGET_RATIO = 1.15

_DEPLOYMENTS = f"""\
import pulumi
from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs

ACCOUNTS = {json.dumps([DEST_ACCOUNT, *OTHER_DEST_ACCOUNTS])}
for index in range({RESOURCES}):
    CrossTenantDeployment(
        f"d{{index:02d}}",
        CrossTenantDeploymentArgs(
            account_id=ACCOUNTS[index % len(ACCOUNTS)],
            deployment_name=f"d{{index:02d}}",
            model_name="gpt-4o-mini",
            model_version="2024-07-18",
            tenant_id="{DEST_TENANT}",
        ),
    )
"""

_NOOP = f"""\
from bench.noop_provider import NoopResource

for index in range({RESOURCES}):
    NoopResource(f"d{{index:02d}}", {{"deployment_name": f"d{{index:02d}}", "sku_capacity": 1}})
"""


def _wide_program(props: dict[str, Any]) -> str:
    """50 no-op resources, each registering ``props`` (one deployment's state) as its own."""
    return f"""\
from bench.noop_provider import NoopResource

PROPS = {props!r}
for index in range({RESOURCES}):
    NoopResource(f"d{{index:02d}}", {{**PROPS, "deployment_name": f"d{{index:02d}}"}})
"""


def _state_of_one(cli: PulumiCli, root: Path) -> dict[str, Any]:
    """The outputs of the stack's first deployment as its state holds them, without the
    pickled provider."""
    exported = root / f"{cli.project.name}-state.json"
    cli("stack", "export", "--file", str(exported))
    resources = json.loads(exported.read_text())["deployment"]["resources"]
    first = next(r for r in resources if r["urn"].endswith("::d00"))
    return {k: v for k, v in first["outputs"].items() if k != "__provider"}


def _project(root: Path, name: str, program: str, cli: Path) -> PulumiCli:
    directory = root / name
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n"
    )
    (directory / "__main__.py").write_text(program)
    (directory / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    # The no-op provider's module must import in the plugin process as in the program.
    return PulumiCli(cli, directory, root / f"{name}-home", env_extra={"PYTHONPATH": str(REPO)})


@dataclass(frozen=True)
class Timing:
    """One command: its wall time, and the CPU time of every process it ran and waited for
    (the CLI, the program's Python, the plugin), which a busy machine stretches far less."""

    wall: float
    cpu: float


def _timed(cli: PulumiCli, *args: str) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    cli(*args, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def _stand_up(
    cli: PulumiCli, config: dict[str, str], tokens: dict[str, str]
) -> tuple[Timing, Timing]:
    """A new stack: its first preview, then its up; seconds of each."""
    cli("stack", "init", cli.stack)
    for key, value in config.items():
        cli("config", "set", key, value)
    if tokens:
        cli("config", "set", "--secret", "aoai-deploy:staticTokens", stdin=json.dumps(tokens))
    return _timed(cli, "preview"), _timed(cli, "up", "--yes")


def run() -> SectionResult:
    result = SectionResult("cli-preview")
    cli, why = find_cli()
    if cli is None:
        result.fail(f"no Pulumi CLI: {why}")
        return result
    result.settings.append(
        f"cli-preview: the real CLI ({cli}), {RESOURCES} resources per stack over 4 accounts; "
        f"after one up of each stack, {PREVIEWS} rounds of one no-change preview of each (the "
        "deployments, the no-op, the no-op with a deployment's properties), in turn; Python "
        "programs through scripts/pulumi-inline (Automation API inline program)"
    )
    root = Path(tempfile.mkdtemp(prefix="aoai-bench-cli-"))
    try:
        with Emulator() as emu:
            emu.settings.provisioning_seconds = 0.05
            tokens = {
                tenant: emu.token(tenant, expires_in=4 * 3600)
                for tenant in (SOURCE_TENANT, DEST_TENANT)
            }
            ours = _project(root, "deployments", _DEPLOYMENTS, cli)
            noop = _project(root, "noop", _NOOP, cli)
            ours_first, ours_up = _stand_up(
                ours,
                {
                    "aoai-deploy:credential": "static",
                    "aoai-deploy:armEndpoint": emu.base_url,
                    "aoai-deploy:caBundle": emu.ca_path,
                },
                tokens,
            )
            wide = _project(root, "wide", _wide_program(_state_of_one(ours, root)), cli)
            emu.clear_log()
            noop_first, noop_up = _stand_up(noop, {}, {})
            _stand_up(wide, {}, {})
            stray = len(emu.request_log)
            # Side by side: one preview of each per round, so that a busy moment of the
            # machine hits all three alike; the ratio is also taken round by round.
            rounds = [
                tuple(_timed(cli, "preview", "--expect-no-changes") for cli in (ours, noop, wide))
                for _ in range(PREVIEWS)
            ]
            previews_sent = len(emu.request_log) - stray
    finally:
        shutil.rmtree(root, ignore_errors=True)

    wall = [[t.wall for t in r] for r in rounds]
    cpu = [[t.cpu for t in r] for r in rounds]
    ours_wall, noop_wall, wide_wall = (statistics.median(r[i] for r in wall) for i in range(3))
    ours_cpu, noop_cpu, wide_cpu = (statistics.median(r[i] for r in cpu) for i in range(3))
    ratio = ours_wall / noop_wall
    result.add(
        f"preview of {RESOURCES} deployments, no changes (median)",
        f"{ours_wall:.2f} s (CPU {ours_cpu:.2f} s)",
    )
    result.add(
        f"preview of {RESOURCES} no-op resources, no changes (median)",
        f"{noop_wall:.2f} s (CPU {noop_cpu:.2f} s)",
    )
    result.add(
        "ratio, no-change preview (deployments / no-op, of the medians)",
        f"{ratio:.2f}",
        f"≤ {TARGET_RATIO}",
        ratio <= TARGET_RATIO,
    )
    result.add("  the same ratio round by round", _by_round(wall, 0, 1))
    result.add(
        "  the same ratio in CPU seconds (median; by round)",
        f"{ours_cpu / noop_cpu:.2f}; {_by_round(cpu, 0, 1)}",
    )
    result.add(
        f"preview of {RESOURCES} no-op resources with a deployment's properties (median)",
        f"{wide_wall:.2f} s (CPU {wide_cpu:.2f} s)",
    )
    result.add(
        "  the properties alone: no-op with them / no-op (wall; CPU)",
        f"{wide_wall / noop_wall:.2f}; {wide_cpu / noop_cpu:.2f}",
    )
    result.add(
        "  our code alone: deployments / no-op with their properties (wall; CPU)",
        f"{ours_wall / wide_wall:.2f}; {ours_cpu / wide_cpu:.2f}",
    )
    result.add(
        f"  of it in the program: the SDK resolving the resource's output annotations, "
        f"{RESOURCES} resources",
        ms(_annotation_seconds()),
    )
    result.add(
        "HTTP requests during the no-change previews", str(previews_sent), "0", previews_sent == 0
    )
    result.add(
        "preview of the new stack: deployments / no-op",
        f"{ours_first.wall:.2f} s / {noop_first.wall:.2f} s",
    )
    result.add(
        "up of the new stack: deployments / no-op",
        f"{ours_up.wall:.1f} s / {noop_up.wall:.1f} s",
    )
    if stray:
        result.fail(f"the no-op stack sent {stray} requests to the emulator")
    result.notes.append(
        "cli-preview: wall time of the whole `pulumi preview` command (CLI start, program, "
        "engine, one dynamic-provider plugin, Check+Diff per resource); a preview sends no "
        "request to Azure, so the ratio is what the provider's own code adds to the mechanism; "
        "CPU: user + system seconds of the processes each command waited for"
    )
    return result


def _annotation_seconds() -> float:
    """What the SDK spends on ``CrossTenantDeployment``'s ``pulumi.Output`` annotations for
    RESOURCES resources: it resolves them again for every resource it registers
    (``pulumi/_types.py``, ``resource_types``), median of three."""
    from pulumi import _types

    from aoai_deploy.providers import CrossTenantDeployment

    _types.resource_types(CrossTenantDeployment)
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(RESOURCES):
            _types.resource_types(CrossTenantDeployment)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _by_round(rows: list[list[float]], top: int, bottom: int) -> str:
    return ", ".join(f"{row[top] / row[bottom]:.2f}" for row in rows)
