"""The ``aoai-deploy`` package from a YAML program, run by the real Pulumi CLI (examples/yaml).

Each test copies the example project into a temporary directory (its own file backend,
passphrase and ``PULUMI_HOME``, offline), points it at a fresh emulator and runs the CLI:
the YAML language host runs the program, the engine loads the package's plugin from the
checkout's ``plugin/`` folder, and the plugin talks to the emulator over HTTPS. Nothing is
imitated but Azure.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aoai_deploy.emulator import Emulator
from package_harness import put_legacy_deployment
from package_project import PLUGIN, PackageProject
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.timeout(900)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "yaml"
FT_DEPLOYMENT = f"{DEST_ACCOUNT}/deployments/support-bot"
BASE_DEPLOYMENT = f"{SOURCE_ACCOUNT}/deployments/gpt-4o-mini"
PACKAGE_TYPES = {
    "aoai-deploy:index:FineTunedModelDeployment",
    "aoai-deploy:index:CrossTenantDeployment",
}


@pytest.fixture
def emulator(e2e_emulator: Emulator) -> Emulator:
    return e2e_emulator


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator, pulumi_cli: Path) -> Iterator[PackageProject]:
    """The example YAML project with a stack configured for ``emulator``; whatever a test
    did, no token may show in anything the CLI printed or in the state."""
    project = PackageProject.from_example(EXAMPLE, tmp_path, pulumi_cli, emulator)
    project.cli.config(
        {
            "fineTunedModel": FT_MODEL,
            "sourceAccountId": SOURCE_ACCOUNT,
            "sourceTenantId": SOURCE_TENANT,
            "destinationAccountId": DEST_ACCOUNT,
            "destinationTenantId": DEST_TENANT,
            "baseModelAccountId": SOURCE_ACCOUNT,
            "baseModelTenantId": SOURCE_TENANT,
        }
    )
    yield project
    assert project.secrets_found() == []


def test_get_schema_lists_both_resources_with_descriptions(project: PackageProject) -> None:
    # The plugin folder's launcher; `get-schema plugin/` itself needs a CLI that has the
    # Python language host (the folder's PulumiPlugin.yaml says `runtime: python`).
    schema = json.loads(
        project.output("package", "get-schema", str(PLUGIN / "pulumi-resource-aoai-deploy"))
    )

    assert set(schema["resources"]) == PACKAGE_TYPES
    for token, resource in schema["resources"].items():
        assert resource["description"], token
        for name, spec in resource["inputProperties"].items():
            assert spec.get("description"), f"{token}.{name}"
    assert schema["config"]["variables"]["staticTokens"]["secret"] is True


def _sku(emulator: Emulator, deployment_id: str) -> dict[str, Any]:
    account, _, name = deployment_id.rpartition("/deployments/")
    found = emulator.deployment(account, name)
    assert found is not None, f"{deployment_id} is not in the emulator"
    return dict(found["sku"])


def _stack_key(state: dict[str, Any]) -> str:
    """The key the package's default provider keeps in its inputs (its CheckConfig's)."""
    (provider,) = [
        r for r in state["deployment"]["resources"] if r["type"] == "pulumi:providers:aoai-deploy"
    ]
    key = provider["inputs"]["ownerKey"]
    assert re.fullmatch("[0-9a-f]{16}", key), key
    return str(key)


def _writes(emulator: Emulator) -> list[tuple[str, str]]:
    return [
        (entry.method, entry.path)
        for entry in emulator.request_log
        if entry.method in ("PUT", "PATCH", "DELETE")
    ]


def test_preview_diff_names_every_resource_and_sends_nothing_to_azure(
    project: PackageProject, emulator: Emulator, pulumi_cli: Path
) -> None:
    # The package's command on PATH too (the editable install's, next to this Python): the
    # example declares its plugin, so the CLI never warns "using ... from $PATH" about it.
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "pulumi-resource-aoai-deploy").is_file()
    path = os.pathsep.join((str(pulumi_cli.parent), str(venv_bin), os.environ["PATH"]))
    project.cli.env_extra = {**project.cli.env_extra, "PATH": path}
    emulator.clear_log()

    preview = project.output("preview", "--diff")

    assert "from $PATH" not in preview, preview
    assert emulator.request_log == []
    for shown in (
        "+ aoai-deploy:index:FineTunedModelDeployment: (create)",
        "::support-bot-support-bot]",
        "::base-model]",
        "+ 4 to create",
        f'modelName                    : "{FT_MODEL}"',
    ):
        assert shown in preview, preview


def test_up_capacity_change_drift_and_destroy(project: PackageProject, emulator: Emulator) -> None:
    project.output("up", "--yes")

    outputs = json.loads(project.output("stack", "output", "--json"))
    assert outputs["deploymentIds"] == {"support-bot": FT_DEPLOYMENT}
    assert outputs["baseModelId"] == BASE_DEPLOYMENT
    assert outputs["baseModelState"] == "Succeeded"
    copied = emulator.deployment(DEST_ACCOUNT, "support-bot")
    assert copied is not None
    assert copied["properties"]["model"]["sourceAccount"] == SOURCE_ACCOUNT
    # The component registered its deployment with the organization Construct was given,
    # and the provider added the stack's key, which the provider's inputs keep in the state.
    state = project.export()
    assert copied["tags"]["aoai-deploy-owner"] == (
        f"organization/aoai-deploy-yaml/{project.cli.stack}/support-bot-support-bot"
        f"#{_stack_key(state)}"
    )
    types = {resource["type"] for resource in state["deployment"]["resources"]}
    assert types >= PACKAGE_TYPES
    assert not any(t.startswith("pulumi-python:dynamic") for t in types)
    assert "__provider" not in json.dumps(state)  # nothing pickled

    # A capacity change: shown as a property-level update, applied in place.
    project.output("config", "set", "capacity", "2")
    preview = project.output("preview", "--diff")
    assert "~ skuCapacity: 1 => 2" in preview, preview
    assert "~ 1 to update" in preview, preview
    emulator.clear_log()
    project.output("up", "--yes")
    assert _sku(emulator, FT_DEPLOYMENT)["capacity"] == 2
    # In place: one PATCH of {sku, tags}, no delete and no PUT.
    assert _writes(emulator) == [("PATCH", FT_DEPLOYMENT)]

    # Drift behind the stack's back: refresh records it, the next preview wants it back.
    emulator.put_deployment_direct(
        DEST_ACCOUNT,
        "support-bot",
        {**copied, "sku": {"name": "Standard", "capacity": 5}},
    )
    emulator.delete_deployment_direct(SOURCE_ACCOUNT, "gpt-4o-mini")
    refresh = project.output("refresh", "--yes", "--diff")
    assert "skuCapacity: 2 => 5" in refresh, refresh
    assert "- aoai-deploy:index:CrossTenantDeployment: (delete)" in refresh, refresh
    preview = project.output("preview", "--diff")
    assert "~ skuCapacity: 5 => 2" in preview, preview
    assert "+ 1 to create" in preview, preview
    project.output("up", "--yes")
    assert _sku(emulator, FT_DEPLOYMENT)["capacity"] == 2
    assert emulator.deployment(SOURCE_ACCOUNT, "gpt-4o-mini") is not None

    project.output("destroy", "--yes")
    assert emulator.deployment(DEST_ACCOUNT, "support-bot") is None
    assert emulator.deployment(SOURCE_ACCOUNT, "gpt-4o-mini") is None
    emulator.clear_log()
    again = project.output("destroy", "--yes")
    assert emulator.request_log == [], again


def test_a_replace_warns_of_a_live_setting_the_new_deployment_loses(
    project: PackageProject, emulator: Emulator
) -> None:
    """Issue 15, item 1: the preview never hides a change to a live setting; the warning
    comes through the engine, under the resource (the plugin's stderr is not shown)."""
    project.output("up", "--yes")
    body = emulator.deployment(SOURCE_ACCOUNT, "gpt-4o-mini")
    assert body is not None
    body["properties"]["versionUpgradeOption"] = "NoAutoUpgrade"
    emulator.put_deployment_direct(SOURCE_ACCOUNT, "gpt-4o-mini", body)
    project.output("refresh", "--yes")
    program = yaml.safe_load((project.directory / "Pulumi.yaml").read_text())
    program["resources"]["base-model"]["properties"]["skuName"] = "Standard"
    (project.directory / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))

    preview = project.output("preview")

    assert "+-1 to replace" in preview, preview
    assert "aoai-deploy:index:CrossTenantDeployment (base-model):\n    warning: replacing " in (
        preview
    ), preview
    assert "versionUpgradeOption NoAutoUpgrade becomes OnceNewDefaultVersionAvailable" in preview


#: What the out-of-band deployment runs: another version than the model's default (2024-08-06),
#: and two settings that a PUT leaving them out would reset.
LEGACY_GPT_4O = {"format": "OpenAI", "name": "gpt-4o", "version": "2024-05-13"}
LEGACY_SETTINGS = {"versionUpgradeOption": "NoAutoUpgrade", "raiPolicyName": "strict-filter"}


def _legacy_live(emulator: Emulator) -> dict[str, Any]:
    found = emulator.deployment(DEST_ACCOUNT, "legacy")
    assert found is not None
    props = found["properties"]
    return {
        "version": props["model"]["version"],
        **{key: props[key] for key in LEGACY_SETTINGS},
    }


def test_import_of_a_deployment_made_out_of_band_round_trips(
    project: PackageProject, emulator: Emulator
) -> None:
    project.output("up", "--yes")
    emulator.add_model(DEST_ACCOUNT, "gpt-4o", version="2024-05-13")
    legacy_id = put_legacy_deployment(
        emulator, DEST_ACCOUNT, model=LEGACY_GPT_4O, settings=LEGACY_SETTINGS
    )

    generated_file = project.directory / "imported.yaml"
    project.output(
        "import",
        "--yes",
        "aoai-deploy:index:CrossTenantDeployment",
        "legacy",
        legacy_id,
        "--protect=false",
        "--out",
        str(generated_file),
    )

    generated = yaml.safe_load(generated_file.read_text())
    resource = generated["resources"]["legacy"]
    assert resource["type"] == "aoai-deploy:CrossTenantDeployment"
    properties = resource["properties"]
    assert properties["accountId"] == DEST_ACCOUNT
    assert properties["deploymentName"] == "legacy"
    assert properties["modelName"] == "gpt-4o"
    assert properties["skuName"] == "GlobalStandard"
    assert properties["skuCapacity"] == 4
    # Issue 15, item 1: every live setting is declared, so that no write resets it.
    # (PyYAML reads an unquoted 2024-05-13 as a date; Pulumi YAML reads it as the string.)
    assert str(properties["modelVersion"]) == "2024-05-13"
    assert properties["versionUpgradeOption"] == "NoAutoUpgrade"
    assert properties["raiPolicyName"] == "strict-filter"
    # Another stack's owner tag is not the user's: it stays out of the program.
    assert properties["tags"] == {"env": "legacy"}
    assert "owner" not in properties
    # The subscription's tenant, as ARM names it (the static credential has two tenants).
    assert properties["tenantId"] == DEST_TENANT

    project.add_resources(generated_file.read_text())
    emulator.clear_log()
    preview = project.output("preview", "--diff")
    assert "5 unchanged" in preview, preview
    for change in ("to create", "to update", "to replace", "to delete"):
        assert change not in preview, preview
    assert _writes(emulator) == []

    # The user drops two of the settings from the program (unset: keep what it runs) and
    # makes an unrelated change that Azure takes only as a whole-body PUT.
    program = yaml.safe_load((project.directory / "Pulumi.yaml").read_text())
    legacy = program["resources"]["legacy"]["properties"]
    del legacy["versionUpgradeOption"], legacy["raiPolicyName"]
    legacy["apiVersion"] = "2025-09-01"
    (project.directory / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    preview = project.output("preview", "--diff")
    assert 'apiVersion: "2025-09-01"' in preview, preview
    assert "1 to update" in preview, preview
    assert "versionUpgradeOption" not in preview, preview
    emulator.clear_log()
    project.output("up", "--yes")

    assert _writes(emulator) == [("PUT", legacy_id)]
    assert _legacy_live(emulator) == {"version": "2024-05-13", **LEGACY_SETTINGS}

    project.output("destroy", "--yes")
    assert emulator.deployment(DEST_ACCOUNT, "legacy") is None


def test_a_stack_of_the_same_name_in_another_backend_is_refused_and_nothing_is_deleted(
    tmp_path: Path, emulator: Emulator, pulumi_cli: Path
) -> None:
    """Issue 15, item 3: two teams run this project, each with a stack called ``e2e``, each
    in a file backend of its own, into one account. Self-managed backends all call their
    organization "organization", so only the stack's key tells the owner tags apart."""
    teams = []
    for team in ("team-a", "team-b"):
        (tmp_path / team).mkdir()
        made = PackageProject.from_example(EXAMPLE, tmp_path / team, pulumi_cli, emulator)
        made.cli.config(
            {
                "fineTunedModel": FT_MODEL,
                "sourceAccountId": SOURCE_ACCOUNT,
                "sourceTenantId": SOURCE_TENANT,
                "destinationAccountId": DEST_ACCOUNT,
                "destinationTenantId": DEST_TENANT,
                "baseModelAccountId": SOURCE_ACCOUNT,
                "baseModelTenantId": SOURCE_TENANT,
            }
        )
        teams.append(made)
    team_a, team_b = teams
    assert team_a.cli.home != team_b.cli.home  # two backends, the same project and stack names

    team_a.output("up", "--yes")
    key_a = _stack_key(team_a.export())
    tags_a = {
        name: _owner_tag(emulator, account, name)
        for account, name in ((DEST_ACCOUNT, "support-bot"), (SOURCE_ACCOUNT, "gpt-4o-mini"))
    }
    assert tags_a == {
        "support-bot": f"organization/aoai-deploy-yaml/e2e/support-bot-support-bot#{key_a}",
        "gpt-4o-mini": f"organization/aoai-deploy-yaml/e2e/base-model#{key_a}",
    }
    emulator.clear_log()

    # Both creates are tried (the engine stops at the first error otherwise).
    refused = team_b.cli("up", "--yes", "--continue-on-error", check=False)

    assert refused.code != 0
    assert _stack_key(team_b.export()) != key_a
    for tag in tags_a.values():
        assert f"its owner tag is {tag}" in refused.output, refused.output
    assert "adopt_existing" not in refused.output, refused.output
    # The stack and the component are created; both deployments (and so the stack) fail.
    assert "Resources:\n    + 2 created\n    3 errored" in refused.output, refused.output
    assert _writes(emulator) == []  # no DELETE, and no PUT either
    assert {
        name: _owner_tag(emulator, account, name)
        for account, name in ((DEST_ACCOUNT, "support-bot"), (SOURCE_ACCOUNT, "gpt-4o-mini"))
    } == tags_a
    for team in teams:
        assert team.secrets_found() == []


def _owner_tag(emulator: Emulator, account: str, name: str) -> str:
    found = emulator.deployment(account, name)
    assert found is not None, f"{name} is gone from {account}"
    return str(found["tags"]["aoai-deploy-owner"])
