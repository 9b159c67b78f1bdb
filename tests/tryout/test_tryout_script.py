"""`make up` (scripts/tryout.py) without the real Pulumi CLI, which these machines cannot run.

A stand-in `pulumi` executable records each call (arguments, the backend and passphrase it
was given, stdin) and, on `up`, reads a deployment's account from the emulator with the
endpoint, CA bundle and tokens the script configured: proof that the emulator was running
and the configuration was usable. What the real CLI then does with the program is covered by
the engine-protocol and program-to-provider tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "tryout.py"

FAKE_PULUMI = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys
    log = os.environ["FAKE_PULUMI_LOG"]
    args = sys.argv[1:]
    stdin = None if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    entry = {{
        "args": args,
        "backend": os.environ.get("PULUMI_BACKEND_URL"),
        "passphrase_set": bool(os.environ.get("PULUMI_CONFIG_PASSPHRASE")),
        "stdin": stdin,
    }}
    stack_file = os.path.join(os.environ["FAKE_PULUMI_REPO"], "Pulumi.local.yaml")
    if args[:2] == ["stack", "rm"] and "--preserve-config" not in args:
        os.remove(stack_file)  # what the real CLI does with the stack's config file
    if args[0] == "up":
        # The real CLI hands the program the config in the stack file.
        entry["program_config"] = "aoai-deploy:sourceAccountId" in open(stack_file).read()
        import requests
        config = {{}}
        for line in open(log):
            call = json.loads(line)
            made = call["args"][: call["args"].index("--cwd")]
            if made[:2] == ["config", "set"]:
                rest = [a for a in made[2:] if not a.startswith("--")]
                config[rest[0]] = rest[1] if len(rest) > 1 else call["stdin"]
        tokens = json.loads(config["aoai-deploy:staticTokens"])
        token = tokens["22222222-2222-4222-8222-222222222222"]
        account = ("/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/"
                   "rg-inference/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus")
        reply = requests.get(config["aoai-deploy:armEndpoint"] + account,
                             params={{"api-version": "2024-10-01"}},
                             headers={{"Authorization": "Bearer " + token}},
                             verify=config["aoai-deploy:caBundle"], timeout=10)
        entry["emulator_status"] = reply.status_code
    with open(log, "a") as f:
        f.write(json.dumps(entry) + "\\n")
    sys.exit(1 if args[0] == os.environ.get("FAKE_PULUMI_FAIL_ON") else 0)
    """
)


def run_tryout(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "AOAI_DEPLOY_NO_CLI_INSTALL": "1",
            "FAKE_PULUMI_REPO": str(REPO),
            **env,
        },
        check=False,
    )


@pytest.fixture
def fake_pulumi(tmp_path: Path) -> tuple[Path, Path]:
    executable = tmp_path / "pulumi"
    executable.write_text(FAKE_PULUMI.format(python=sys.executable))
    executable.chmod(0o755)
    return executable, tmp_path / "calls.jsonl"


def calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_without_the_cli_it_says_so_in_one_line(tmp_path: Path) -> None:
    done = run_tryout(tmp_path, PATH=os.path.dirname(sys.executable), PULUMI="")

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Pulumi CLI is not installed" in lines[0]
    assert "get.pulumi.com" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_runs_up_outputs_preview_diff_and_destroy_against_the_emulator(
    tmp_path: Path, fake_pulumi: tuple[Path, Path]
) -> None:
    executable, log = fake_pulumi
    stack_file = REPO / "Pulumi.local.yaml"
    before = stack_file.read_bytes()

    done = run_tryout(tmp_path, PULUMI=str(executable), FAKE_PULUMI_LOG=str(log))

    assert done.returncode == 0, done.stderr
    made = calls(log)
    commands = [c["args"][: c["args"].index("--cwd")] for c in made]
    assert commands == [
        ["stack", "rm", "--yes", "--force", "--preserve-config", "local"],
        ["stack", "init", "local"],
        ["config", "set", "aoai-deploy:armEndpoint", commands[2][3]],
        ["config", "set", "aoai-deploy:caBundle", commands[3][3]],
        ["config", "set", "--secret", "aoai-deploy:staticTokens"],
        ["up", "--yes", "--skip-preview"],
        ["stack", "output", "--json"],
        ["config", "set", "--path", "aoai-deploy:deployments[0].skuCapacity", "2"],
        ["preview", "--diff"],
        ["destroy", "--yes", "--skip-preview"],
        ["stack", "rm", "--yes", "--preserve-config", "local"],
    ]
    assert commands[2][3].startswith("https://127.0.0.1:")
    assert all(c["backend"] == (REPO / ".pulumi" / "state").as_uri() for c in made)
    assert all(c["passphrase_set"] for c in made)
    (up,) = [c for c in made if c["args"][0] == "up"]
    assert up["emulator_status"] == 200  # the emulator ran and the config reached it
    assert up["program_config"] is True  # the stack file survived to `pulumi up`
    tokens = json.loads(made[4]["stdin"])
    assert all(token not in done.stdout + done.stderr for token in tokens.values())
    assert stack_file.read_bytes() == before
    with pytest.raises(requests.ConnectionError):  # the emulator was stopped
        requests.get(commands[2][3], verify=False, timeout=5)  # noqa: S501


def test_a_failing_step_stops_with_one_line_and_cleans_up(
    tmp_path: Path, fake_pulumi: tuple[Path, Path]
) -> None:
    executable, log = fake_pulumi
    stack_file = REPO / "Pulumi.local.yaml"
    before = stack_file.read_bytes()

    done = run_tryout(
        tmp_path, PULUMI=str(executable), FAKE_PULUMI_LOG=str(log), FAKE_PULUMI_FAIL_ON="up"
    )

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "make up: `pulumi up --yes --skip-preview` failed (exit 1)"
    ]
    assert "destroy" not in [c["args"][0] for c in calls(log)]
    assert stack_file.read_bytes() == before
