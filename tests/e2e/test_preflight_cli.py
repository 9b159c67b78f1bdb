"""``aoai-deploy:preflight`` through the real Pulumi CLI: a YAML program using the package's
``CrossTenantDeployment``, whose capacity exceeds the free quota of its region. `pulumi up`
fails with the line that says what is needed and what is free, and nothing was written; with
``always``, `pulumi preview` shows the same line and writes nothing either."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from aoai_deploy.emulator import Emulator
from package_project import PackageProject
from seed_ids import DEST_ACCOUNT, DEST_SUB, DEST_TENANT

pytestmark = pytest.mark.timeout(600)

USAGE = "OpenAI.GlobalStandard.gpt-4o-mini"
SHORT = (
    "needs 50 of GlobalStandard gpt-4o-mini in eastus, 20 free: lower skuCapacity or request "
    f"quota ({USAGE} in subscription {DEST_SUB}: limit 1000, 980 in use)"
)
PROGRAM = {
    "name": "preflight-e2e",
    "runtime": "yaml",
    "plugins": {"providers": [{"name": "aoai-deploy", "path": "(set by PackageProject)"}]},
    "config": {"capacity": {"type": "integer", "default": 50}},
    "resources": {
        "chat": {
            "type": "aoai-deploy:CrossTenantDeployment",
            "properties": {
                "accountId": DEST_ACCOUNT,
                "tenantId": DEST_TENANT,
                "deploymentName": "chat",
                "modelName": "gpt-4o-mini",
                "modelVersion": "2024-07-18",
                "skuName": "GlobalStandard",
                "skuCapacity": "${capacity}",
            },
        }
    },
}

Make = Callable[[str], PackageProject]


@pytest.fixture
def make(tmp_path: Path, pulumi_cli: Path, e2e_emulator: Emulator) -> Make:
    """A stack of the program with ``aoai-deploy:preflight`` set to ``mode``; the region has
    980 of 1000 of GlobalStandard gpt-4o-mini in use."""
    e2e_emulator.set_quota(DEST_ACCOUNT, USAGE, limit=1000, used=980)

    def make(mode: str) -> PackageProject:
        example = tmp_path / f"program-{mode}"
        example.mkdir()
        (example / "Pulumi.yaml").write_text(yaml.safe_dump(PROGRAM, sort_keys=False))
        project = PackageProject.from_example(example, example, pulumi_cli, e2e_emulator)
        project.cli.config({"aoai-deploy:preflight": mode})
        return project

    return make


def writes(emulator: Emulator) -> list[str]:
    return [e.method for e in emulator.request_log if e.method in ("PUT", "PATCH", "DELETE")]


def resources(project: PackageProject) -> list[str]:
    state = project.export()
    return [r["type"] for r in state["deployment"].get("resources", [])]


def test_up_fails_with_what_is_needed_and_free_and_writes_nothing(
    make: Make, e2e_emulator: Emulator
) -> None:
    project = make("up")
    e2e_emulator.clear_log()

    preview = project.cli("preview")
    assert e2e_emulator.request_log == [], preview.output  # `up` mode: previews read nothing

    up = project.cli("up", "--yes", check=False)

    assert up.code != 0
    assert f"creating {DEST_ACCOUNT}/deployments/chat: PreflightFailed: {SHORT}" in up.output
    assert "Nothing was written" in up.output
    assert writes(e2e_emulator) == []
    assert [e.route for e in e2e_emulator.request_log if e.method == "GET"] == [
        "deployment",  # does it exist already?
        "account",
        "account-models",
        "usages",
    ]
    assert e2e_emulator.deployment(DEST_ACCOUNT, "chat") is None
    assert "aoai-deploy:index:CrossTenantDeployment" not in resources(project)
    assert project.secrets_found() == []


def test_always_shows_the_line_in_the_preview_and_up_passes_once_capacity_fits(
    make: Make, e2e_emulator: Emulator
) -> None:
    project = make("always")
    e2e_emulator.clear_log()

    preview = project.cli("preview", check=False)

    assert preview.code != 0
    assert f"preflight: {SHORT}" in preview.output
    assert writes(e2e_emulator) == []
    assert {e.route for e in e2e_emulator.request_log} == {"account", "account-models", "usages"}

    project.cli.config({"capacity": 20})
    project.cli("up", "--yes")
    deployed = e2e_emulator.deployment(DEST_ACCOUNT, "chat")
    assert deployed is not None
    assert deployed["sku"] == {"name": "GlobalStandard", "capacity": 20}
    assert e2e_emulator.quota(DEST_ACCOUNT, USAGE) == {"limit": 1000, "currentValue": 1000}
    assert json.dumps(project.export()).count("aoai-deploy:index:CrossTenantDeployment") >= 1
    assert project.secrets_found() == []
