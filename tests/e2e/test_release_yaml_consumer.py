"""The release as a YAML (or any other language's) user gets it: the wheel installed into a fresh
environment with the default install's locked requirements, and examples/yaml without its
``plugins`` section, so that the real CLI runs the ``pulumi-resource-aoai-deploy`` command it
finds on PATH in that environment (`make release-check` runs this on the wheel in dist/).

Also the README's `pulumi package get-schema` forms, each run as written against the
installed command and against the checkout's plugin folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

import aoai_deploy
from aoai_deploy.emulator import Emulator
from cli_harness import PulumiCli
from package_project import PackageProject
from packaging_env import REPO, FreshVenv
from seed_ids import DEST_ACCOUNT, SOURCE_ACCOUNT

pytestmark = [pytest.mark.release, pytest.mark.timeout(900)]

EXAMPLE = REPO / "examples" / "yaml"
FT_DEPLOYMENT = f"{DEST_ACCOUNT}/deployments/support-bot"
BASE_DEPLOYMENT = f"{SOURCE_ACCOUNT}/deployments/gpt-4o-mini"


def _writes(emulator: Emulator) -> list[tuple[str, str]]:
    return [(e.method, e.path) for e in emulator.request_log if e.method != "GET"]


@pytest.fixture
def project(
    release_venv: FreshVenv, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> PackageProject:
    return PackageProject.from_example_on_path(
        EXAMPLE, tmp_path / "yaml", pulumi_cli, e2e_emulator, release_venv.root / "bin"
    )


def test_yaml_consumer_previews_with_no_request_then_up_capacity_and_destroy(
    project: PackageProject, e2e_emulator: Emulator, release_venv: FreshVenv
) -> None:
    e2e_emulator.clear_log()

    preview = project.output("preview", "--diff")
    assert e2e_emulator.request_log == [], preview
    assert "+ 4 to create" in preview, preview

    project.output("up", "--yes")
    outputs = json.loads(project.output("stack", "output", "--json"))
    assert outputs["deploymentIds"] == {"support-bot": FT_DEPLOYMENT}
    assert outputs["baseModelId"] == BASE_DEPLOYMENT
    # The component was constructed by the installed command (the engine records where).
    installed = release_venv.root / "bin" / "pulumi-resource-aoai-deploy"
    positions = re.findall(r'"sourcePosition": "([^"]+)"', json.dumps(project.export()))
    assert any(
        f"/{installed.parent.parent.parent.name}/venv/bin/{installed.name}#" in p for p in positions
    ), positions

    project.output("config", "set", "capacity", "2")
    e2e_emulator.clear_log()
    update = project.output("up", "--yes")
    assert "1 updated" in update, update
    assert _writes(e2e_emulator) == [("PATCH", FT_DEPLOYMENT)]

    project.output("destroy", "--yes")
    assert e2e_emulator.deployment(DEST_ACCOUNT, "support-bot") is None
    assert e2e_emulator.deployment(SOURCE_ACCOUNT, "gpt-4o-mini") is None
    assert project.secrets_found() == []


def test_get_schema_of_the_installed_command_as_the_readme_writes_it(
    project: PackageProject, release_venv: FreshVenv
) -> None:
    # README: pulumi package get-schema "$(command -v pulumi-resource-aoai-deploy)"
    command = release_venv.root / "bin" / "pulumi-resource-aoai-deploy"

    schema = json.loads(project.output("package", "get-schema", str(command)))

    assert schema["name"] == "aoai-deploy"
    assert schema["version"] == aoai_deploy.__version__
    assert "aoai-deploy:index:FineTunedModelDeployment" in schema["resources"]


def test_package_add_of_the_installed_command_then_a_preview_that_uses_it(
    release_venv: FreshVenv, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    # README: pulumi package add "$(command -v pulumi-resource-aoai-deploy)"
    command = release_venv.root / "bin" / "pulumi-resource-aoai-deploy"
    directory = tmp_path / "added"
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(
        "name: added\nruntime: yaml\nresources:\n  base:\n"
        "    type: aoai-deploy:CrossTenantDeployment\n    properties:\n"
        f"      accountId: {SOURCE_ACCOUNT}\n      deploymentName: added\n"
        "      modelName: gpt-4o-mini\n"
    )
    cli = PulumiCli(pulumi_cli, directory, tmp_path / "added-home")
    cli.env_extra = {"PATH": f"{pulumi_cli.parent}:{command.parent}:/usr/bin:/bin"}

    added = cli("package", "add", str(command)).output
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

    assert "Added package aoai-deploy" in added, added
    project = yaml.safe_load((directory / "Pulumi.yaml").read_text())
    assert project["packages"] == {"aoai-deploy": f"aoai-deploy@{aoai_deploy.__version__}"}
    assert "+ aoai-deploy:index:CrossTenantDeployment: (create)" in preview, preview
    assert e2e_emulator.request_log == []
