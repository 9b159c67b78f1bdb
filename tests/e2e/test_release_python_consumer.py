"""The release as a Python user gets it: the wheel installed into a fresh environment with the
default install's locked requirements (no azure-native extra), and a consumer program that
imports ``aoai_deploy`` from there, run by the real CLI against the emulator (`make
release-check` runs this on the wheel in dist/).

The program runs through the Automation API (scripts/pulumi-inline, with that environment's
interpreter; the CLI built here has no Python language host); ``refresh`` and ``destroy`` are
the CLI's own, which starts the dynamic provider from the project's ``.venv``, that same
environment.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aoai_deploy.emulator import Emulator
from packaging_env import IMPORT_PROBE, REPO, FreshVenv
from python_consumer import DEPLOYMENT, PROGRAM, python_consumer
from seed_ids import DEST_ACCOUNT

pytestmark = [pytest.mark.release, pytest.mark.timeout(900)]

CREATE_ACCOUNT = PROGRAM.replace(
    'account_id=config.require("destinationAccountId"),',
    'create_account=DestinationAccountArgs(name="new", resource_group_name="rg", '
    'location="eastus"),',
).replace(
    "    FineTunedModelDeployment,\n",
    "    DestinationAccountArgs,\n    FineTunedModelDeployment,\n",
)


def _writes(emulator: Emulator) -> list[tuple[str, str]]:
    return [(e.method, e.path) for e in emulator.request_log if e.method != "GET"]


def test_the_default_install_has_aoai_deploy_from_the_wheel_and_no_azure_native(
    release_venv: FreshVenv, tmp_path: Path
) -> None:
    probe = release_venv.probe(IMPORT_PROBE, cwd=tmp_path)
    azure_native = release_venv.probe(
        "import importlib.util, json;"
        "print(json.dumps(importlib.util.find_spec('pulumi_azure_native') is None))",
        cwd=tmp_path,
    )

    for origin in probe["modules"].values():
        assert Path(origin).is_relative_to(release_venv.site_packages), probe
        assert not Path(origin).is_relative_to(REPO), probe
    assert azure_native is True


def test_python_consumer_previews_with_no_request_then_up_capacity_and_destroy(
    release_venv: FreshVenv, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    project = python_consumer(pulumi_cli, tmp_path / "consumer", e2e_emulator, release_venv.root)
    e2e_emulator.clear_log()

    preview = project.cli("preview", "--diff").output
    assert e2e_emulator.request_log == [], preview
    assert "+ pulumi-python:dynamic/aoai:CrossTenantDeployment: (create)" in preview, preview

    project.cli("up", "--yes")
    outputs = json.loads(project.cli("stack", "output", "--json").output)
    assert outputs["deploymentIds"] == {"support-bot": DEPLOYMENT}
    assert Path(outputs["componentsFile"]).is_relative_to(release_venv.site_packages)
    assert project.deployments()["support-bot"]["sku"]["capacity"] == 1

    project.cli("config", "set", "consumer:capacity", "2")
    e2e_emulator.clear_log()
    update = project.cli("up", "--yes").output
    assert "1 updated" in update, update
    assert _writes(e2e_emulator) == [("PATCH", DEPLOYMENT)]
    assert project.deployments()["support-bot"]["sku"]["capacity"] == 2

    project.cli("destroy", "--yes")
    assert project.deployments(DEST_ACCOUNT) == {}
    assert project.secrets_found(project.cli.export()) == []


def test_create_account_without_the_extra_stops_preview_with_one_line_naming_it(
    release_venv: FreshVenv, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    project = python_consumer(
        pulumi_cli, tmp_path / "consumer", e2e_emulator, release_venv.root, program=CREATE_ACCOUNT
    )
    e2e_emulator.clear_log()

    preview = project.cli("preview", check=False)

    assert preview.code != 0
    line = (
        "FineTunedModelDeployment 'support': create_account needs pulumi-azure-native, which "
        "aoai-deploy installs only with its azure-native extra: "
        'pip install "aoai-deploy[azure-native]"'
    )
    diagnostics = preview.output.split("Diagnostics:", 1)[1].split("Resources:", 1)[0]
    errors = [text.strip() for text in diagnostics.splitlines() if "error:" in text]
    assert errors[0] == f"error: {line}", preview.output
    # The rest is scripts/pulumi-inline's (the Automation API's) word that the program stopped;
    # the Python language host prints the RunError's message alone.
    assert all("the program stopped on the error above" in e for e in errors[1:]), errors
    assert "Traceback" not in preview.output
    assert e2e_emulator.request_log == []
