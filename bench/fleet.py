"""Fleet: 50 customers x 2 deployments through `aoai-deploy fleet up`, at --parallel 1, 8, 16.

What a user runs: the console script, the real Pulumi CLI (scripts/pulumi-cli), one stack per
customer in a fresh file backend, against the emulator (in this process) with its
provisioning time set to :data:`PROVISIONING` seconds. The 50 customers are in one ring, in
:data:`TENANTS` tenants (5 each) copying from one source tenant; each customer's two
deployments go into its own account, one after the other (the component chains them), so a
customer's provisioning alone takes 2 x PROVISIONING, and the ideal wall time at parallelism
p is ceil(50 / p) x 2 x PROVISIONING.

- **wall / ideal** per --parallel;
- **fixed cost per customer stack**: at --parallel 1 (nothing else running), a customer's
  time less its provisioning; and the CLI processes each customer starts, counted by a
  wrapper around `pulumi` (stack select, config set --secret, up, stack output, history),
  with the start-up of one `pulumi` process (the median of 5 `pulumi version`);
- **tokens per tenant**: the fleet file's credential is `cli`, and `az` on the runner's PATH
  is bench/fake_az.py, which logs each token azure-identity's AzureCliCredential asks for
  (the runner signs in once per tenant and hands the tokens to the stacks: fleet/tokens.py);
- **peak memory**: the largest sum of the RSS of the runner and all its descendants (CLIs,
  dynamic-provider plugins), sampled every 0.2 s;
- **409s the user saw**: customers whose error is RequestConflict (target 0), beside the 409s
  the emulator sent and the provider retried.
"""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from aoai_deploy.emulator import Emulator
from aoai_deploy.fleet.emulator_seed import fleet_seed
from aoai_deploy.fleet.spec import parse_fleet
from bench.report import SectionResult
from cli_harness import find_cli

CUSTOMERS = 50
TENANTS = 10
DEPLOYMENTS = 2
PROVISIONING = 2.0
PARALLEL = (1, 8, 16)
SOURCE_TENANT = "11111111-1111-4111-8111-111111111111"
SOURCE_ACCOUNT = (
    "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg-models/"
    "providers/Microsoft.CognitiveServices/accounts/vendor-ft-src"
)
MODEL = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"
_FAKE_AZ = Path(__file__).resolve().parent / "fake_az.py"


def fleet_data() -> dict[str, Any]:
    def tenant(n: int) -> str:
        return f"3333{n:04d}-3333-4333-8333-333333333333"

    return {
        "project": "bench-fleet",
        "parallel": 1,
        "credentials": {"vendor": {"kind": "cli"}},
        "defaults": {
            "credential": "vendor",
            "source": {"accountId": SOURCE_ACCOUNT, "tenantId": SOURCE_TENANT},
            "account": {"resourceGroup": "rg-aoai"},
            "deployments": [
                {"deploymentName": f"bot-{n}", "modelName": MODEL, "modelVersion": "1"}
                for n in range(DEPLOYMENTS)
            ],
        },
        "customers": [
            {
                "key": f"customer-{n:02d}",
                "ring": 1,
                "tenantId": tenant(n % TENANTS),
                "subscriptionId": f"cccc{n:04d}-0000-4000-8000-000000000003",
                "account": {"name": f"customer-{n:02d}-aoai"},
            }
            for n in range(CUSTOMERS)
        ],
    }


class TreeMemory:
    """The peak of the summed RSS of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self.own_cpu = 0.0
        """The process's own CPU seconds (user + system), last seen: the runner's share."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(5)
        return self.peak_kib

    def _sample(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(0.2):
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.pid))
            try:
                fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # it has ended
            self.own_cpu = (int(fields[11]) + int(fields[12])) / ticks


def _tree_rss_kib(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def _fake_az(scratch: Path, emu: Emulator) -> dict[str, str]:
    """`az` on PATH is fake_az.py: an emulator token per tenant, each call logged."""
    bin_dir = scratch / "az-bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    az.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{_FAKE_AZ}" "$@"\n')
    az.chmod(0o755)
    tokens_file = scratch / "az-tokens.json"
    expires = int(time.time()) + 3600
    tokens = {
        t.id: {"token": emu.token(t.id, expires_in=3600), "expires_on": expires}
        for t in emu.seed.tenants
    }
    tokens_file.write_text(json.dumps(tokens))
    calls = scratch / "az-calls.log"
    calls.touch()
    return {
        "PATH": f"{bin_dir}{os.pathsep}",
        "BENCH_AZ_TOKENS": str(tokens_file),
        "BENCH_AZ_CALLS": str(calls),
    }


def _counting_cli(scratch: Path, cli: Path) -> tuple[Path, Path]:
    """A `pulumi` that logs each start, then runs the real one (same pid)."""
    log = scratch / "pulumi-calls.log"
    log.touch()
    wrapper = scratch / "pulumi-counted"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{cli}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log


def _one_run(cli: Path, parallel: int) -> dict[str, Any]:
    data = fleet_data()
    fleet = parse_fleet(data)
    emu = Emulator(seed=fleet_seed(fleet))
    emu.settings.provisioning_seconds = PROVISIONING
    emu.settings.deprovisioning_seconds = 0.2
    with tempfile.TemporaryDirectory(prefix="aoai-bench-fleet-") as tmp, emu:
        scratch = Path(tmp)
        (scratch / "fleet.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        az = _fake_az(scratch, emu)
        counted, calls_log = _counting_cli(scratch, cli)
        env = {
            **os.environ,
            "PATH": f"{az['PATH']}{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "BENCH_AZ_TOKENS": az["BENCH_AZ_TOKENS"],
            "BENCH_AZ_CALLS": az["BENCH_AZ_CALLS"],
            "PULUMI_BACKEND_URL": (scratch / "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": "bench",
            "PULUMI_HOME": str(scratch / "pulumi-home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
        (scratch / "state").mkdir()
        report = scratch / "report.json"
        cpu_before = _children_cpu()
        began = time.monotonic()
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "aoai-deploy"),
                "fleet",
                "up",
                str(scratch / "fleet.yaml"),
                "--parallel",
                str(parallel),
                "--pulumi",
                str(counted),
                "--arm-endpoint",
                emu.base_url,
                "--ca-bundle",
                emu.ca_path,
                "--report",
                str(report),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        memory = TreeMemory(process.pid)
        output, _ = process.communicate(timeout=3600)
        wall = time.monotonic() - began
        peak = memory.stop()
        # The runner waited for its CLIs and they for their plugins: all of it is here.
        cpu = _children_cpu() - cpu_before
        if process.returncode != 0:
            raise RuntimeError(f"fleet up --parallel {parallel} failed:\n{output[-3000:]}")
        entries = json.loads(report.read_text())["customers"]
        az_calls = [line for line in Path(az["BENCH_AZ_CALLS"]).read_text().splitlines() if line]
        cli_calls = [_command(line) for line in Path(calls_log).read_text().splitlines()]
        return {
            "wall": wall,
            "durations": [float(e["duration"]) for e in entries.values()],
            "conflicts_seen": sum(
                "RequestConflict" in (e.get("error") or "") for e in entries.values()
            ),
            "conflicts_sent": emu.conflicts,
            "az_calls": az_calls,
            "cli_calls": cli_calls,
            "peak_mib": peak / 1024,
            "cpu": cpu,
            "runner_cpu": memory.own_cpu,
            "writes": sum(1 for e in emu.request_log if e.method in ("PUT", "PATCH", "DELETE")),
        }


_WORDS = ("version", "stack", "config", "up", "preview", "destroy", "whoami", "plugin", "about")


def _command(argv: str) -> str:
    """``stack select`` from ``--non-interactive stack select --stack x``: the command words."""
    words = [w for w in argv.split() if not w.startswith("-")]
    for n, word in enumerate(words):
        if word in _WORDS:
            return " ".join(words[n : n + 2]) if word in ("stack", "config") else word
    return argv.split()[0] if argv.split() else "?"


def _children_cpu() -> float:
    """User + system CPU seconds of this process's waited-for descendants so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli_start(cli: Path) -> float:
    times = []
    for _ in range(5):
        began = time.monotonic()
        subprocess.run([str(cli), "version"], capture_output=True, check=True, timeout=60)
        times.append(time.monotonic() - began)
    return statistics.median(times)


def run() -> SectionResult:
    result = SectionResult("fleet")
    result.settings.append(
        f"fleet: {CUSTOMERS} customers x {DEPLOYMENTS} deployments in one ring, {TENANTS} "
        f"tenants + 1 source tenant, emulator provisioning {PROVISIONING:g} s, `aoai-deploy "
        "fleet up` with the real CLI and a fresh file backend per run; credential `cli` with "
        "bench/fake_az.py as `az`"
    )
    cli, why = find_cli()
    if cli is None:
        result.fail(f"no Pulumi CLI: {why}")
        return result
    load = os.getloadavg()
    result.notes.append(
        f"fleet: load average before the runs {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    per_customer = DEPLOYMENTS * PROVISIONING
    for parallel in PARALLEL:
        run_ = _one_run(cli, parallel)
        ideal = math.ceil(CUSTOMERS / parallel) * per_customer
        label = f"--parallel {parallel}"
        result.add(
            f"{label}: wall / ideal",
            f"{run_['wall']:.0f} s / {ideal:.0f} s = {run_['wall'] / ideal:.2f}",
        )
        result.add(f"{label}: peak memory (runner + CLIs + plugins)", f"{run_['peak_mib']:.0f} MiB")
        cpus = len(os.sched_getaffinity(0))
        result.add(
            f"{label}: CPU per customer (runner, CLIs, plugins) / its floor on {cpus} CPUs",
            f"{run_['cpu'] / CUSTOMERS:.1f} s / {run_['cpu'] / cpus:.0f} s for the fleet",
        )
        result.add(
            f"{label}: of which the runner process itself (one Python process, its GIL)",
            f"{run_['runner_cpu']:.0f} s ({run_['runner_cpu'] / run_['cpu']:.0%})",
        )
        by_tenant: dict[str, int] = {}
        for tenant in run_["az_calls"]:
            by_tenant[tenant] = by_tenant.get(tenant, 0) + 1
        counts = sorted(set(by_tenant.values()))
        result.add(
            f"{label}: tokens per tenant (az calls)",
            f"{'/'.join(str(c) for c in counts)} for each of {len(by_tenant)} tenants",
            "1",
            counts == [1],
        )
        result.add(
            f"{label}: 409s the user saw (retried by the provider)",
            f"{run_['conflicts_seen']} ({run_['conflicts_sent']})",
            "0",
            run_["conflicts_seen"] == 0,
        )
        if parallel == 1:
            durations = run_["durations"]
            fixed = statistics.median(durations) - per_customer
            result.add(
                "fixed cost per customer stack (median time less provisioning, --parallel 1)",
                f"{fixed:.1f} s against {per_customer:.0f} s of provisioning",
            )
            calls = run_["cli_calls"]
            kinds = {c: calls.count(c) for c in dict.fromkeys(calls)}
            shown = ", ".join(f"{c} {n}" for c, n in kinds.items())
            result.add(
                "pulumi processes per customer / one start (`pulumi version`)",
                f"{len(calls) / CUSTOMERS:.1f} / {_cli_start(cli) * 1000:.0f} ms",
            )
            result.notes.append(f"fleet: pulumi processes at --parallel 1, by command: {shown}")
        if run_["writes"] != CUSTOMERS * DEPLOYMENTS:
            result.fail(f"{label}: {run_['writes']} writes, not {CUSTOMERS * DEPLOYMENTS}")
    return result
