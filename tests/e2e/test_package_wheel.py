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
#: What the CLI prints each time it resolves a plugin it found on PATH, not next to itself
#: (pulumi sdk/go/common/workspace/plugins.go, getPluginInfoAndPath).
AMBIENT_WARNING = f"warning: using {COMMAND} from $PATH"
PROGRAM = (
    "resources:\n"
    "  base:\n"
    "    type: aoai-deploy:CrossTenantDeployment\n"
    "    properties:\n"
    f"      accountId: {SOURCE_ACCOUNT}\n"
    "      deploymentName: from-wheel\n"
    "      modelName: gpt-4o-mini\n"
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """A fresh environment outside the repository with the project's wheel installed."""
    workdir = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(workdir)
    venv = fresh_venv(workdir / "venv")
    venv.pip("install", "--no-deps", "--no-index", str(wheel), cwd=workdir)
    return venv


def _project(
    installed: FreshVenv, pulumi_cli: Path, emulator: Emulator, directory: Path, header: str
) -> PulumiCli:
    """A YAML project ``header`` + :data:`PROGRAM` whose CLI has the wheel's ``bin`` on PATH."""
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(header + PROGRAM)
    bin_dir = installed.root / "bin"
    cli = PulumiCli(pulumi_cli, directory, directory.parent / f"{directory.name}-home")
    # The environment's bin first: the wheel's command, and its Python, are what the CLI runs.
    cli.env_extra = {"PATH": f"{pulumi_cli.parent}:{bin_dir}:/usr/bin:/bin"}
    cli("stack", "init", cli.stack)
    cli.config(
        {
            "aoai-deploy:armEndpoint": emulator.base_url,
            "aoai-deploy:caBundle": emulator.ca_path,
            "aoai-deploy:credential": "cli",
        }
    )
    return cli


def test_cli_runs_the_installed_plugin_from_path(
    installed: FreshVenv, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    cli = _project(
        installed,
        pulumi_cli,
        e2e_emulator,
        tmp_path / "project",
        "name: wheel-consumer\nruntime: yaml\n",
    )
    e2e_emulator.clear_log()

    preview = cli("preview", "--diff").output
    bin_dir = installed.root / "bin"
    schema = json.loads(cli("package", "get-schema", str(bin_dir / COMMAND)).output)

    assert "+ aoai-deploy:index:CrossTenantDeployment: (create)" in preview, preview
    assert 'deploymentName               : "from-wheel"' in preview, preview
    assert e2e_emulator.request_log == []
    assert "aoai-deploy:index:FineTunedModelDeployment" in schema["resources"]


def test_declaring_the_installed_plugin_silences_the_cli_warning_about_path(
    installed: FreshVenv, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    """Issue 15, item 6c: the CLI warned "using pulumi-resource-aoai-deploy from $PATH" two to
    four times a command. It resolves a plugin several times per command (the program's
    required plugins, the schema the YAML host loads, the provider the engine starts) and
    warns at each resolution that finds it on PATH; a project plugin (``plugins.providers``
    in Pulumi.yaml) is resolved before PATH is looked at, so it is never warned about."""
    bin_dir = installed.root / "bin"
    undeclared = _project(
        installed,
        pulumi_cli,
        e2e_emulator,
        tmp_path / "undeclared",
        "name: wheel-consumer\nruntime: yaml\n",
    )
    declared = _project(
        installed,
        pulumi_cli,
        e2e_emulator,
        tmp_path / "declared",
        "name: wheel-consumer\nruntime: yaml\n"
        f"plugins:\n  providers:\n    - name: aoai-deploy\n      path: {bin_dir}\n",
    )

    warned = undeclared("preview", "--diff").output
    quiet = declared("preview", "--diff").output

    # The CLI's own behaviour, which this project cannot change: one warning per resolution.
    assert warned.count(AMBIENT_WARNING) >= 2, warned
    # What this project documents (README, examples/yaml): no warning at all.
    assert quiet.count(AMBIENT_WARNING) == 0, quiet
    assert "+ aoai-deploy:index:CrossTenantDeployment: (create)" in quiet, quiet
