"""Issue 17, item 1, with the real Pulumi CLI and its YAML language host: a new setting
(``dynamicThrottlingEnabled``) toggled in place through a YAML program, the preview showing the
change and the emulator proving it; and the function ``getDeployment`` through ``fn::invoke``,
in a preview (one GET, no write) and an ``up``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aoai_deploy.emulator import Emulator
from package_project import PackageProject
from seed_ids import DEST_ACCOUNT, DEST_TENANT

pytestmark = pytest.mark.timeout(900)


def _program(resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {
        "name": "aoai-deploy-surface",
        "runtime": "yaml",
        "plugins": {"providers": [{"name": "aoai-deploy", "path": "set by PackageProject"}]},
        "resources": resources,
        **sections,
    }


def _deployment(throttling: bool) -> dict[str, Any]:
    return {
        "chat": {
            "type": "aoai-deploy:CrossTenantDeployment",
            "properties": {
                "accountId": DEST_ACCOUNT,
                "tenantId": DEST_TENANT,
                "deploymentName": "chat",
                "modelName": "gpt-4o-mini",
                "modelVersion": "2024-07-18",
                "skuName": "GlobalStandard",
                "apiVersion": "2024-10-01",
                "dynamicThrottlingEnabled": throttling,
            },
        }
    }


def _write(directory: Path, program: dict[str, Any]) -> None:
    """Replace the program, keeping the plugin path PackageProject set."""
    current = yaml.safe_load((directory / "Pulumi.yaml").read_text())
    program = {**program, "plugins": current["plugins"]}
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))


@pytest.fixture
def make(tmp_path: Path, e2e_emulator: Emulator, pulumi_cli: Path) -> Iterator[Any]:
    made: list[PackageProject] = []

    def start(program: dict[str, Any]) -> PackageProject:
        source = tmp_path / "source"
        source.mkdir()
        (source / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
        project = PackageProject.from_example(source, tmp_path, pulumi_cli, e2e_emulator)
        made.append(project)
        return project

    yield start
    for project in made:
        assert project.secrets_found() == []


def _writes(emu: Emulator) -> list[str]:
    return [e.method for e in emu.request_log if e.method in ("PUT", "PATCH", "DELETE")]


def test_dynamic_throttling_toggled_through_yaml_is_previewed_and_applied_in_place(
    make: Any, e2e_emulator: Emulator
) -> None:
    project = make(_program(_deployment(throttling=True)))
    project.output("up", "--yes")
    stored = e2e_emulator.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    assert stored["properties"]["dynamicThrottlingEnabled"] is True

    _write(project.directory, _program(_deployment(throttling=False)))
    e2e_emulator.clear_log()
    preview = project.output("preview", "--diff")

    assert _writes(e2e_emulator) == []
    assert "~ 1 to update" in preview, preview
    assert "dynamicThrottlingEnabled: true => false" in preview, preview
    assert "replace" not in preview.lower(), preview

    project.output("up", "--yes")

    assert _writes(e2e_emulator) == ["PUT"]  # a PATCH takes sku and tags only
    stored = e2e_emulator.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    assert stored["properties"]["dynamicThrottlingEnabled"] is False
    outputs = project.export()["deployment"]["resources"]
    (chat,) = [r for r in outputs if r["type"] == "aoai-deploy:index:CrossTenantDeployment"]
    assert chat["outputs"]["dynamicThrottlingEnabled"] is False
    assert chat["outputs"]["liveSettings"]["dynamicThrottlingEnabled"] is False


def test_get_deployment_through_fn_invoke_reads_with_one_get_and_writes_nothing(
    make: Any, e2e_emulator: Emulator
) -> None:
    e2e_emulator.put_deployment_direct(
        DEST_ACCOUNT,
        "made-elsewhere",
        {
            "sku": {"name": "GlobalProvisionedManaged", "capacity": 15},
            "tags": {"team": "ml"},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4o-mini", "version": "2024-07-18"},
                "dynamicThrottlingEnabled": True,
                "spilloverDeploymentName": "overflow",
            },
        },
    )
    program = _program(
        {},
        variables={
            "existing": {
                "fn::invoke": {
                    "function": "aoai-deploy:index:getDeployment",
                    "arguments": {
                        "accountId": DEST_ACCOUNT,
                        "deploymentName": "made-elsewhere",
                        "apiVersion": "2025-09-01",
                        "tenantId": DEST_TENANT,
                    },
                }
            }
        },
        outputs={
            "id": "${existing.id}",
            "capacity": "${existing.skuCapacity}",
            "spillover": "${existing.spilloverDeploymentName}",
            "throttling": "${existing.dynamicThrottlingEnabled}",
            "team": "${existing.tags.team}",
        },
    )
    project = make(program)
    e2e_emulator.clear_log()

    preview = project.output("preview")

    reads = [(e.method, e.path.rsplit("/", 1)[-1]) for e in e2e_emulator.request_log]
    assert reads == [("GET", "made-elsewhere")], preview
    project.output("up", "--yes")
    outputs = json.loads(project.output("stack", "output", "--json"))
    assert outputs == {
        "id": f"{DEST_ACCOUNT}/deployments/made-elsewhere",
        "capacity": 15,
        "spillover": "overflow",
        "throttling": True,
        "team": "ml",
    }
    assert _writes(e2e_emulator) == []
    resources = project.export()["deployment"]["resources"]
    assert [r["type"] for r in resources if r["type"].startswith("aoai-deploy:index")] == []


def test_get_deployment_of_a_missing_deployment_fails_the_preview_naming_it(
    make: Any, e2e_emulator: Emulator
) -> None:
    program = _program(
        {},
        variables={
            "missing": {
                "fn::invoke": {
                    "function": "aoai-deploy:index:getDeployment",
                    "arguments": {
                        "accountId": DEST_ACCOUNT,
                        "deploymentName": "nope",
                        "tenantId": DEST_TENANT,
                    },
                }
            }
        },
        outputs={"id": "${missing.id}"},
    )
    project = make(program)

    failed = project.cli("preview", check=False)

    assert failed.code != 0
    assert f"{DEST_ACCOUNT}/deployments/nope: NotFound" in failed.output, failed.output
    assert "Traceback" not in failed.output
