"""`aoai-deploy fleet` end to end: the console script, the real CLI, the emulator serving the
fleet's tenants (its seed generated from the fleet file), a file backend.

The same steps as `make fleet`, smaller (4 customers in 2 rings): preview without a request,
up, a converged re-run without a write, a capacity change with one customer's role taken away
in its tenant (Azure's 403 AuthorizationFailed) while the others are updated, `--only-failed`
once the role is back, destroy; and Ctrl-C (a real SIGINT to the runner) stopping new
customers while the running one finishes, the report saying so, and `--only-failed` finishing
the rest.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time

import pytest
import yaml

from aoai_deploy.fleet.emulator_seed import OPENAI_CONTRIBUTOR, deployer_object_id
from fleet_files import small_fleet
from secret_scan import find_secrets, needles

RINGS: list[tuple[str, str | int]] = [
    ("acme", "canary"),
    ("globex", 1),
    ("initech", 1),
    ("hooli", 1),
]


def test_fleet_preview_up_failure_resume_converged_and_destroy(fleet_cli) -> None:
    data = small_fleet(RINGS, tenants=3)  # initech and hooli share a tenant
    data["maxFailures"] = 1
    run = fleet_cli(data)
    keys = [key for key, _ in RINGS]

    out = run("preview", "--markdown", str(run.root / "preview.md"))
    assert run.emu.request_log == []  # a preview sends nothing to Azure
    assert {k: (e["result"], e["changes"]) for k, e in run.entries().items()} == {
        # Each new stack: the component, the stack's owner key and the deployment.
        key: ("succeeded", {"create": 3})
        for key in keys
    }
    assert "| `acme` | `canary` | `succeeded` |" in (run.root / "preview.md").read_text()
    assert "preview: 4 succeeded, 0 failed, 0 not started" in out

    out = run("up")
    assert [run.capacity(key) for key in keys] == [1, 1, 1, 1]
    assert out.index("acme (canary): succeeded") < out.index("ring 1: 3 customers")

    run.emu.clear_log()
    run("up")
    assert run.writes() == []
    assert {json.dumps(e["changes"]) for e in run.entries().values()} == {'{"same": 3}'}

    data["defaults"]["deployments"][0]["skuCapacity"] = 2
    run.write(data)
    victim = run.fleet.customer("initech")
    grantee = deployer_object_id(victim.tenant_id)
    assert run.emu.remove_role_assignment(grantee, OPENAI_CONTRIBUTOR, victim.account_id)
    out = run("up", expect=1)
    entries = run.entries()
    assert entries["initech"]["result"] == "failed"
    assert "AuthorizationFailed" in entries["initech"]["error"]
    assert "Cognitive Services OpenAI Contributor" in entries["initech"]["hint"]
    assert {k: e["result"] for k, e in entries.items() if k != "initech"} == dict.fromkeys(
        ("acme", "globex", "hooli"), "succeeded"
    )
    assert entries["acme"]["changes"] == {"update": 1, "same": 2}
    assert entries["acme"]["changed"] == ["acme-support-bot.sku_capacity"]
    assert [run.capacity(key) for key in keys] == [2, 2, 1, 2]
    assert "up: 3 succeeded, 1 failed, 0 not started" in out

    run.emu.add_role_assignment(grantee, OPENAI_CONTRIBUTOR, victim.account_id)
    run.emu.clear_log()
    run("up", "--only-failed")
    assert run.last_run()["selected"] == ["initech"]
    assert run.capacity("initech") == 2
    writes = run.writes()
    assert writes
    assert all(victim.account_id.lower() in w.lower() for w in writes)
    assert {e["result"] for e in run.entries().values()} == {"succeeded"}

    run("destroy", expect=2)  # no --yes and no terminal: nothing destroyed
    assert run.capacity("acme") == 2
    out = run("destroy", "--yes")
    assert [run.capacity(key) for key in keys] == [None] * 4
    assert out.index("ring 1: 3 customers") < out.index("canary: 1 customer")
    assert run.leaked() == []


def test_fleet_shared_tokens_leave_no_secret_in_the_kept_stack_files(fleet_cli) -> None:
    data = small_fleet(RINGS[:2])
    run = fleet_cli(data)
    workdir = run.root / "work"
    run("up", "--workdir", str(workdir))
    status = run("status")
    assert re.search(r"^acme\s+canary\s+up succeeded\s+update succeeded ", status, re.M), status
    files = {p.name: p.read_text() for p in workdir.glob("Pulumi*.yaml")}
    assert set(files) == {"Pulumi.yaml", "Pulumi.acme.yaml", "Pulumi.globex.yaml"}
    stack = yaml.safe_load(files["Pulumi.acme.yaml"])
    # The customer's settings stay visible; the tokens went in encrypted and are gone.
    assert stack["config"]["test-fleet:customer"] == "acme"
    assert stack["config"]["aoai-deploy:credential"] == "static"
    assert "aoai-deploy:staticTokens" not in stack["config"]
    assert find_secrets(files, needles(run.tokens.values())) == []
    assert run.leaked() == []


@pytest.mark.timeout(600)
def test_fleet_ctrl_c_lets_the_running_customer_finish_and_starts_no_other(fleet_cli) -> None:
    data = small_fleet(RINGS[:3])
    run = fleet_cli(data, provisioning_seconds=3.0)
    process = subprocess.Popen(
        run.args("up", "--parallel", "1"),
        env=run.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("acme (canary): started"):
            break
    # Once acme's stack is creating its deployment, a real SIGINT to the runner alone.
    deadline = time.monotonic() + 120
    while not any(e.method == "PUT" for e in run.emu.request_log):
        assert time.monotonic() < deadline, "acme never sent its PUT"
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=240)
    output = "".join(lines) + rest
    run.outputs.append(output)
    assert process.returncode == 130, output[-3000:]
    assert "interrupted: starting no more customers" in output
    entries = run.entries()
    assert entries["acme"]["result"] == "succeeded"
    assert run.capacity("acme") == 1
    assert {k: (e["result"], e["note"]) for k, e in entries.items() if k != "acme"} == {
        "globex": ("not-started", "interrupted before it started"),
        "initech": ("not-started", "interrupted before it started"),
    }
    assert run.last_run()["interrupted"] is True
    assert run.capacity("globex") is None

    run("up", "--only-failed")
    assert run.last_run()["selected"] == ["globex", "initech"]
    assert [run.capacity(k) for k in ("acme", "globex", "initech")] == [1, 1, 1]
    assert run.leaked() == []
