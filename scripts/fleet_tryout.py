"""`make fleet`: the example fleet (examples/fleet/, 12 customers in 3 rings) end to end.

The real Pulumi CLI (scripts/pulumi-cli) and `aoai-deploy fleet` (the console script, as a
user runs it) against the local emulator, which serves every tenant, subscription and account
of the fleet file (`aoai-deploy fleet emulator-seed`) and runs in this process so that this
script can take a role away and give it back:

1. `fleet preview`: every customer's plan, and not one request reaches the emulator;
2. `fleet up`: every deployment made, ring by ring;
3. a fleet-wide capacity change (the defaults' skuCapacity, in a copy of the file), with the
   role of one customer's deploying identity removed in its tenant first: that customer fails
   with Azure's 403 AuthorizationFailed, the others are updated in place;
4. the role given back, `fleet up --only-failed` finishes that one customer;
5. `fleet up` again: the converged fleet changes nothing (no write in the request log);
6. `fleet destroy --yes`: every deployment gone.

Everything it writes (the state backend, the copy of the fleet file, the report) is in a
temporary folder, removed at the end: the checkout is left as it was.

Exit status: 0 done, 1 a step failed, 2 no CLI could be had, 130 interrupted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from tryout import TryoutError, find_cli, say  # make up's script, beside this one

from aoai_deploy.emulator import Emulator
from aoai_deploy.fleet import load_fleet
from aoai_deploy.fleet.emulator_seed import OPENAI_CONTRIBUTOR, deployer_object_id, fleet_seed

REPO = Path(__file__).resolve().parents[1]
FLEET_FILE = REPO / "examples" / "fleet" / "fleet.yaml"
#: The customer whose role is taken away (ring 1; the file allows one failure per ring).
VICTIM = "hooli"
PASSPHRASE = "aoai-deploy-fleet-tryout"  # noqa: S105  (throw-away local state only)
WRITES = ("PUT", "PATCH", "DELETE")


class Fleet:
    """Runs `aoai-deploy fleet ...` against the emulator, with its own backend."""

    def __init__(self, cli: Path, emu: Emulator, scratch: Path) -> None:
        self.emu = emu
        self.report = scratch / "report.json"
        state = scratch / "state"
        state.mkdir()
        tokens = {tenant.id: emu.token(tenant.id) for tenant in emu.seed.tenants}
        self.env = {
            **os.environ,
            "PATH": f"{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_BACKEND_URL": state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(scratch / "pulumi-home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # The fleet file's `emulator` credential reads its tokens from here.
            "AOAI_FLEET_TOKENS": json.dumps(tokens),
        }
        self.command = str(Path(sys.executable).parent / "aoai-deploy")

    def __call__(self, operation: str, fleet_file: Path, *extra: str, expect: int = 0) -> str:
        args = [
            self.command,
            "fleet",
            operation,
            str(fleet_file),
            "--arm-endpoint",
            self.emu.base_url,
            "--ca-bundle",
            self.emu.ca_path,
            "--report",
            str(self.report),
            *extra,
        ]
        shown = " ".join(["aoai-deploy", "fleet", operation, fleet_file.name, *extra])
        print(f"$ {shown}", flush=True)
        done = subprocess.run(
            args,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1800,
            check=False,
        )
        print(done.stdout, end="", flush=True)
        if done.returncode != expect:
            raise TryoutError(f"`{shown}` exited {done.returncode}, not {expect}")
        return done.stdout

    def entries(self) -> dict[str, Any]:
        customers: dict[str, Any] = json.loads(self.report.read_text())["customers"]
        return customers


def writes(emu: Emulator) -> list[str]:
    return [f"{e.method} {e.path}" for e in emu.request_log if e.method in WRITES]


def capacities(emu: Emulator, fleet: Any) -> dict[str, int | None]:
    found = {}
    for customer in fleet.customers:
        deployment = emu.deployment(customer.account_id, "support-bot")
        found[customer.key] = None if deployment is None else int(deployment["sku"]["capacity"])
    return found


def tryout(cli: Path, scratch: Path) -> str:
    fleet = load_fleet(FLEET_FILE)
    seed_path = scratch / "seed.json"
    seed_path.write_text(json.dumps(fleet_seed(fleet)))
    emu = Emulator(seed=seed_path)
    emu.settings.provisioning_seconds = 0.5
    with emu:
        run = Fleet(cli, emu, scratch)
        customers = len(fleet.customers)
        say(
            f"emulator at {emu.base_url}: {len(emu.seed.tenants)} tenants, "
            f"{len(emu.seed.accounts)} accounts, from {FLEET_FILE.relative_to(REPO)}"
        )

        say("fleet preview: every customer's plan, with no request to Azure")
        run("preview", FLEET_FILE)
        if emu.request_log:
            raise TryoutError(f"the preview sent {len(emu.request_log)} requests to the emulator")
        print(f"emulator: 0 requests for {customers} previews")

        say("fleet up: canary, then ring 1, then ring 2")
        run("up", FLEET_FILE)
        made = capacities(emu, fleet)
        if None in made.values():
            raise TryoutError(f"after fleet up some customers have no deployment: {made}")
        print(f"emulator: support-bot in all {customers} accounts, capacity {set(made.values())}")

        changed = scratch / "fleet.yaml"
        data = yaml.safe_load(FLEET_FILE.read_text())
        data["defaults"]["deployments"][0]["skuCapacity"] = 2
        changed.write_text(yaml.safe_dump(data, sort_keys=False))
        victim = fleet.customer(VICTIM)
        grantee = deployer_object_id(victim.tenant_id)
        if not emu.remove_role_assignment(grantee, OPENAI_CONTRIBUTOR, victim.account_id):
            raise TryoutError(f"the seed has no role assignment for {VICTIM} to remove")
        emu.clear_log()
        say(f"a fleet-wide capacity change (1 -> 2), with {VICTIM}'s role removed in its tenant")
        run("up", changed, expect=1)
        entries = run.entries()
        failure = entries[VICTIM]
        if failure["result"] != "failed" or "AuthorizationFailed" not in (failure["error"] or ""):
            raise TryoutError(f"{VICTIM} did not fail with AuthorizationFailed: {failure}")
        others = [k for k, e in entries.items() if k != VICTIM and e["result"] != "succeeded"]
        if others:
            raise TryoutError(f"customers other than {VICTIM} did not succeed: {others}")
        now = capacities(emu, fleet)
        # stark sets its own capacity (2) and keeps it; everyone else moves to 2, but the victim.
        if now[VICTIM] != 1 or any(now[k] != 2 for k in now if k != VICTIM):
            raise TryoutError(f"capacities after the change are not as expected: {now}")
        print(f"report: {VICTIM} failed: {failure['error']}")

        say(f"the role given back; fleet up --only-failed finishes {VICTIM} alone")
        emu.add_role_assignment(grantee, OPENAI_CONTRIBUTOR, victim.account_id)
        emu.clear_log()
        run("up", changed, "--only-failed")
        resumed = writes(emu)
        if (
            capacities(emu, fleet)[VICTIM] != 2
            or not resumed
            or any(victim.account_id.lower() not in w.lower() for w in resumed)
        ):
            raise TryoutError(f"--only-failed did not update {VICTIM} alone: {resumed}")
        print(f"emulator: {len(resumed)} write(s), all to {VICTIM}'s account: {resumed}")

        say("fleet up again: a converged fleet changes nothing")
        emu.clear_log()
        run("up", changed)
        if writes(emu):
            raise TryoutError(f"the converged fleet wrote: {writes(emu)}")
        print(f"emulator: 0 writes ({len(emu.request_log)} requests) for {customers} customers")

        say("fleet destroy --yes: the last ring first, the canary last")
        run("destroy", changed, "--yes")
        left = {k: v for k, v in capacities(emu, fleet).items() if v is not None}
        if left:
            raise TryoutError(f"deployments left after destroy: {left}")
        print(f"emulator: no deployment left in the {customers} accounts")
    return (
        f"{customers} customers in 3 rings: preview sent no request, up made every deployment, "
        f"a capacity change failed {VICTIM} alone with AuthorizationFailed while the others "
        f"were updated, --only-failed finished {VICTIM} once its role was back, a re-run wrote "
        "nothing, destroy removed everything"
    )


def main(argv: Sequence[str] = ()) -> int:
    started = time.monotonic()
    say("the Pulumi CLI (scripts/pulumi-cli: on PATH, cached, or built once from the Go proxy)")
    cli = find_cli()
    if cli is None:
        print(
            "make fleet: no Pulumi CLI could be had (scripts/pulumi-cli said why)", file=sys.stderr
        )
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="aoai-fleet-tryout-") as scratch:
            proven = tryout(cli, Path(scratch))
    except TryoutError as exc:
        print(f"make fleet: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("make fleet: interrupted; the emulator is stopped", file=sys.stderr)
        return 130
    print(
        f"\nmake fleet: done in {time.monotonic() - started:.0f}s with the real pulumi CLI: "
        f"{proven}; the emulator is stopped and the checkout is as it was.",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
