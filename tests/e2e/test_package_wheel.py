"""The real CLI finds the ``aoai-deploy`` package's plugin that the wheel installs.

A YAML program with no ``plugins`` section, in a project outside the repository, with the
environment's ``bin`` (where pip put the ``pulumi-resource-aoai-deploy`` command) on PATH: what
a consumer has after ``pip install aoai-deploy``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aoai_deploy.emulator import Emulator
from cli_harness import PulumiCli
from packaging_env import FreshVenv, build_wheel, fresh_venv
from seed_ids import SOURCE_ACCOUNT

pytestmark = pytest.mark.timeout(900)

COMMAND = "pulumi-resource-aoai-deploy"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """A fresh environment outside the repository with the project's wheel installed."""
    workdir = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(workdir)
    venv = fresh_venv(workdir / "venv")
    venv.pip("install", "--no-deps", "--no-index", str(wheel), cwd=workdir)
    return venv


def test_cli_runs_the_installed_plugin_from_path(
    installed: FreshVenv, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: wheel-consumer\n"
        "runtime: yaml\n"
        "resources:\n"
        "  base:\n"
        "    type: aoai-deploy:CrossTenantDeployment\n"
        "    properties:\n"
        f"      accountId: {SOURCE_ACCOUNT}\n"
        "      deploymentName: from-wheel\n"
        "      modelName: gpt-4o-mini\n"
    )
    bin_dir = installed.root / "bin"
    cli = PulumiCli(pulumi_cli, project, tmp_path / "home")
    # The environment's bin first: the wheel's command, and its Python, are what the CLI runs.
    cli.env_extra = {"PATH": f"{pulumi_cli.parent}:{bin_dir}:/usr/bin:/bin"}
    cli("stack", "init", cli.stack)
    cli.config(
        {
            "aoai-deploy:armEndpoint": e2e_emulator.base_url,
            "aoai-deploy:caBundle": e2e_emulator.ca_path,
            "aoai-deploy:credential": "cli",
        }
    )
    e2e_emulator.clear_log()

    preview = cli("preview", "--diff").output
    schema = json.loads(cli("package", "get-schema", str(bin_dir / COMMAND)).output)

    assert "+ aoai-deploy:index:CrossTenantDeployment: (create)" in preview, preview
    assert 'deploymentName               : "from-wheel"' in preview, preview
    assert e2e_emulator.request_log == []
    assert "aoai-deploy:index:FineTunedModelDeployment" in schema["resources"]
