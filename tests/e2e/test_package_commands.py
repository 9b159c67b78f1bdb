"""`pulumi package get-schema` and `pulumi package add` with the checkout's plugin, written as
the README writes them, run by the real CLI from the directory the README runs them in.

Why the forms are what they are (both from the CLI's source, v3.274.1): a source without a
leading ``./``, ``../`` or ``/`` that parses as a plugin name is looked up in the Pulumi
registry (``IsLocalPluginPath`` in pkg/resource/plugin/host.go), so ``plugin/...`` fails where
``./plugin/...`` works; ``package add`` ends by asking the project's language host to ``Link``
the generated SDK, which pulumi-language-yaml implements from v1.26.2 on
(scripts/pulumi-versions.env). The plugin folder itself (``./plugin``) is a Python plugin
(PulumiPlugin.yaml) that only a CLI with the Python language host can run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import aoai_deploy
from cli_harness import REPO, PulumiCli

LAUNCHER = "./plugin/pulumi-resource-aoai-deploy"


def _run(cli: PulumiCli, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``pulumi <args>`` from ``cwd`` (relative paths are the shell's), offline."""
    return subprocess.run(
        [str(cli.cli), *args],
        cwd=cwd,
        env={**cli.env, "PULUMI_AOAI_DEPLOY_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture
def cli(pulumi_cli: Path, tmp_path: Path) -> PulumiCli:
    return PulumiCli(pulumi_cli, tmp_path, tmp_path / "home")


def test_get_schema_of_the_plugin_launcher_from_the_checkout(cli: PulumiCli) -> None:
    done = _run(cli, "package", "get-schema", LAUNCHER, cwd=REPO)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["version"] == aoai_deploy.__version__


def test_get_schema_without_the_leading_dot_slash_is_taken_for_a_registry_name(
    cli: PulumiCli,
) -> None:
    done = _run(cli, "package", "get-schema", LAUNCHER.removeprefix("./"), cwd=REPO)

    assert done.returncode != 0
    assert "registry" in done.stderr + done.stdout


def test_package_add_of_the_plugin_launcher_records_the_package_in_a_yaml_project(
    cli: PulumiCli, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "plugin").symlink_to(REPO / "plugin", target_is_directory=True)
    (project / "Pulumi.yaml").write_text("name: added\nruntime: yaml\n")

    done = _run(cli, "package", "add", LAUNCHER, cwd=project)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Added package aoai-deploy" in done.stdout + done.stderr
    packages = yaml.safe_load((project / "Pulumi.yaml").read_text())["packages"]
    assert packages == {"aoai-deploy": f"aoai-deploy@{aoai_deploy.__version__}"}
