"""A Pulumi project that uses the ``aoai-deploy`` package, run by the real CLI, offline.

:func:`find_cli_dir` finds a directory holding ``pulumi`` and ``pulumi-language-yaml``;
:class:`PackageProject` copies an example project into a temporary directory, gives it its own
file backend, passphrase and ``PULUMI_HOME``, points the package's plugin at this checkout and
the provider at an emulator, and runs CLI commands, keeping everything they printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from aoai_deploy.emulator import Emulator

__all__ = ["PLUGIN", "REPO", "CliError", "PackageProject", "find_cli_dir"]

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "plugin"
STACK = "dev"
#: Only protects the throw-away state of a test stack.
PASSPHRASE = "aoai-deploy-e2e"
_TIMEOUT = 300.0


class CliError(AssertionError):
    """A CLI command failed; the message holds what it printed."""


def find_cli_dir() -> tuple[Path | None, str]:
    """The directory with ``pulumi`` and ``pulumi-language-yaml``, or ``None`` and why not.

    ``scripts/pulumi-cli --cached-only --dir`` when the repository has it (a build from the
    Go module proxy, or the CLI on PATH), else ``pulumi`` on PATH.
    """
    script = REPO / "scripts" / "pulumi-cli"
    found: Path | None = None
    if script.exists():
        done = subprocess.run(
            [str(script), "--cached-only", "--dir"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if done.returncode == 0 and done.stdout.strip():
            found = Path(done.stdout.strip())
    if found is None:
        on_path = shutil.which("pulumi")
        found = Path(on_path).parent if on_path else None
    if found is None:
        return None, "no Pulumi CLI (scripts/pulumi-cli builds one; or put `pulumi` on PATH)"
    if not (found / "pulumi-language-yaml").exists() and not shutil.which("pulumi-language-yaml"):
        return None, f"no pulumi-language-yaml next to {found / 'pulumi'} or on PATH"
    return found, ""


class PackageProject:
    """One project directory with one stack, ``dev``, run by the real CLI."""

    def __init__(self, directory: Path, cli_dir: Path, emulator: Emulator) -> None:
        self.directory = directory
        self.transcript: dict[str, str] = {}
        """What each command printed (stdout and stderr), keyed by the command."""
        tenants = [emulator.tenant_id(alias) for alias in ("contoso", "fabrikam")]
        self.tokens = [emulator.token(tenant) for tenant in tenants]
        home = directory.parent / "pulumi-home"
        state = directory.parent / "state"
        home.mkdir(exist_ok=True)
        state.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "PATH": f"{cli_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(home),
            "PULUMI_BACKEND_URL": state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # The plugin folder's launcher: this interpreter, which has aoai-deploy installed.
            "PULUMI_AOAI_DEPLOY_PYTHON": sys.executable,
        }
        self.cli("stack", "init", STACK)
        self.cli(
            "config",
            "set-all",
            "--plaintext",
            f"aoai-deploy:armEndpoint={emulator.base_url}",
            "--plaintext",
            f"aoai-deploy:caBundle={emulator.ca_path}",
            "--plaintext",
            "aoai-deploy:credential=static",
            "--secret",
            "aoai-deploy:staticTokens=" + json.dumps(dict(zip(tenants, self.tokens, strict=True))),
        )

    @classmethod
    def from_example(
        cls, example: Path, tmp_path: Path, cli_dir: Path, emulator: Emulator
    ) -> PackageProject:
        """A copy of ``example`` whose plugin path points at this checkout's ``plugin/``."""
        directory = tmp_path / "project"
        directory.mkdir()
        project = yaml.safe_load((example / "Pulumi.yaml").read_text())
        for provider in project.get("plugins", {}).get("providers", []):
            if provider.get("name") == "aoai-deploy":
                provider["path"] = str(PLUGIN)
        (directory / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        return cls(directory, cli_dir, emulator)

    def configure(self, values: dict[str, str]) -> None:
        """Set the program's own (project-namespaced) config keys."""
        pairs: list[str] = []
        for key, value in values.items():
            pairs += ["--plaintext", f"{key}={value}"]
        self.cli("config", "set-all", *pairs)

    def cli(self, *args: str) -> str:
        """Run ``pulumi <args> --non-interactive`` (and ``--yes`` where it applies);
        its stdout and stderr, together. Raises :class:`CliError` when it fails."""
        command = ["pulumi", *args, "--non-interactive"]
        if args[0] in ("up", "destroy", "refresh", "import"):
            command.append("--yes")
        done = subprocess.run(
            command,
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
        printed = done.stdout + done.stderr
        key = " ".join(args)
        while key in self.transcript:
            key += " (again)"
        self.transcript[key] = printed
        if done.returncode != 0:
            raise CliError(f"`{' '.join(command)}` exited {done.returncode}:\n{printed}")
        return printed

    def export(self) -> dict[str, Any]:
        """The stack's state (``pulumi stack export``)."""
        exported: dict[str, Any] = json.loads(self.cli("stack", "export"))
        return exported

    def add_resources(self, program: str) -> None:
        """Add the resources of a YAML program (``pulumi import --out``) to the project's."""
        project = yaml.safe_load((self.directory / "Pulumi.yaml").read_text())
        project.setdefault("resources", {}).update(yaml.safe_load(program)["resources"])
        (self.directory / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
