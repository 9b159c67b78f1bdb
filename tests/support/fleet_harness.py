"""`aoai-deploy fleet` against an emulator, as the fleet's end-to-end tests drive it.

:class:`FleetCli` runs the console script (this test environment's, or a release's) with a
file backend of its own, the emulator's endpoint and CA, and the static tokens the fleet
file's ``emulator`` credential reads; it reads the report, the emulator's deployments and
request log, and scans everything the fleet wrote in plain text for a token.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from aoai_deploy.emulator import Emulator
from aoai_deploy.fleet.spec import Fleet, parse_fleet
from cli_harness import PASSPHRASE
from secret_scan import find_secrets, needles

__all__ = ["WRITES", "FleetCli"]

WRITES = ("PUT", "PATCH", "DELETE")


class FleetCli:
    """`aoai-deploy fleet ...` against one emulator, with its own backend and report."""

    def __init__(self, cli: Path, emu: Emulator, root: Path, data: dict[str, Any]) -> None:
        self.emu = emu
        self.root = root
        self.file = root / "fleet.yaml"
        self.report = root / "report.json"
        self.state = root / "state"
        self.state.mkdir()
        self.write(data)
        self.tokens = {t.id: emu.token(t.id) for t in emu.seed.tenants}
        self.env = {
            **os.environ,
            "PATH": f"{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_BACKEND_URL": self.state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(root / "pulumi-home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "AOAI_FLEET_TOKENS": json.dumps(self.tokens),
        }
        self.outputs: list[str] = []
        #: The console script run: this test environment's, or a release's (test_fleet_release).
        self.command = Path(sys.executable).parent / "aoai-deploy"

    def write(self, data: dict[str, Any]) -> None:
        self.file.write_text(yaml.safe_dump(data, sort_keys=False))
        self.fleet: Fleet = parse_fleet(data)

    def args(self, operation: str, *extra: str) -> list[str]:
        return [
            str(self.command),
            "fleet",
            operation,
            str(self.file),
            "--arm-endpoint",
            self.emu.base_url,
            "--ca-bundle",
            self.emu.ca_path,
            "--report",
            str(self.report),
            *extra,
        ]

    def __call__(self, operation: str, *extra: str, expect: int = 0) -> str:
        done = subprocess.run(
            self.args(operation, *extra),
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=480,
            check=False,
        )
        self.outputs.append(done.stdout)
        assert done.returncode == expect, done.stdout[-4000:]
        return done.stdout

    def entries(self) -> dict[str, Any]:
        return json.loads(self.report.read_text())["customers"]

    def last_run(self) -> dict[str, Any]:
        return json.loads(self.report.read_text())["lastRun"]

    def capacity(self, key: str) -> int | None:
        found = self.emu.deployment(self.fleet.customer(key).account_id, "support-bot")
        return None if found is None else int(found["sku"]["capacity"])

    def writes(self) -> list[str]:
        return [f"{e.method} {e.path}" for e in self.emu.request_log if e.method in WRITES]

    def leaked(self) -> list[str]:
        """Tokens (or their claims) anywhere the fleet wrote in plain text."""
        haystacks = {f"output {n}": text for n, text in enumerate(self.outputs)}
        if self.report.exists():
            haystacks["report"] = self.report.read_text()
        for path in self.state.rglob("*"):
            if path.is_file():
                haystacks[str(path.relative_to(self.root))] = path.read_text(errors="replace")
        return find_secrets(haystacks, needles(self.tokens.values()))
