"""The example stack run by the real `pulumi` CLI against the emulator, as a user runs it.

Preview, up, a change, drift, a forced replace, an interrupted update, destroy and bad config:
what the engine-protocol and mock layers infer, done by the CLI itself.
"""

from __future__ import annotations

import json
import time
from typing import Any

import requests
import yaml

from aoai_deploy.emulator import Emulator
from cli_harness import REPO, children_named, interrupt, kill_session, wait_for
from e2e_project import Project, example_config
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL

DYNAMIC_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
ONE = [{"deploymentName": "ft-a", "modelName": FT_MODEL, "modelVersion": "1"}]
TWO = [
    *ONE,
    {"deploymentName": "ft-b", "modelName": FT_MODEL, "modelVersion": "1", "skuCapacity": 2},
]


def deployed(project: Project, deployments: list[dict[str, Any]] = ONE) -> Project:
    """The example stack with ``deployments``, after `pulumi up`."""
    project.init(example_config(project.emu, deployments=deployments))
    project.cli("up", "--yes")
    assert set(project.deployments()) == {d["deploymentName"] for d in deployments}
    return project


def capacity(project: Project, name: str = "ft-a") -> int:
    return int(project.deployments()[name]["sku"]["capacity"])


def writes(emu: Emulator) -> list[str]:
    """The writes the emulator answered, as ``METHOD name`` in order (polls left out)."""
    return [
        f"{entry.method} {entry.path.rsplit('/', 1)[-1]}"
        for entry in emu.request_log
        if entry.method in ("PUT", "PATCH", "DELETE") and entry.route == "deployment"
    ]


def scale_behind_the_stacks_back(project: Project, name: str, to: int) -> None:
    """What someone with `az cognitiveservices account deployment` (or the portal) does."""
    reply = requests.patch(
        f"{project.emu.base_url}{DEST_ACCOUNT}/deployments/{name}",
        params={"api-version": "2024-10-01"},
        headers={"Authorization": "Bearer " + project.emu.token(DEST_TENANT)},
        json={"sku": {"name": "Standard", "capacity": to}},
        verify=project.emu.ca_path,
        timeout=30,
    )
    assert reply.status_code in (200, 202), reply.text
    wait_for(lambda: capacity(project, name) == to, 30, f"{name} at capacity {to}")
    deadline = time.monotonic() + 30
    while project.deployments()[name]["properties"]["provisioningState"] != "Succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_preview_of_a_new_stack_sends_nothing_to_azure_and_names_every_deployment(make_project):
    project = make_project()
    project.init(example_config(project.emu, deployments=TWO))
    project.emu.clear_log()

    out = project.cli("preview", "--diff").output

    assert project.emu.request_log == []
    assert "fine-tuned-ft-a" in out
    assert "fine-tuned-ft-b" in out
    # The stack, the component, the two deployments and the stack's key for their owner tags.
    assert "+ 5 to create" in out
    assert "aoai-deploy-owner-key" in out


def test_up_creates_them_with_the_outputs_and_state_the_readme_promises(make_project):
    project = deployed(make_project(), TWO)

    live = project.deployments()
    assert [live[name]["sku"]["capacity"] for name in ("ft-a", "ft-b")] == [1, 2]
    outputs = project.cli("stack", "output", "--json").json()
    assert set(outputs) == {"accountId", "endpoint", "deploymentIds", "deploymentNames"}
    assert outputs["deploymentIds"] == {
        n: f"{DEST_ACCOUNT}/deployments/{n}" for n in ("ft-a", "ft-b")
    }
    assert outputs["deploymentNames"] == {"ft-a": "ft-a", "ft-b": "ft-b"}
    exported = project.cli.export()
    resources = json.loads(exported)["deployment"]["resources"]
    ours = [r for r in resources if r["type"] == DYNAMIC_TYPE]
    assert sorted(r["id"] for r in ours) == sorted(outputs["deploymentIds"].values())
    for resource in ours:
        state = resource["outputs"]
        assert state["provisioning_state"] == "Succeeded"
        assert state["cross_tenant"] is True
        assert state["model"]["name"] == FT_MODEL
    stack_file = (project.dir / "Pulumi.e2e.yaml").read_text()
    assert project.secrets_found(exported, stack_file) == []


def test_a_capacity_change_is_previewed_as_an_update_and_applied_in_place(make_project):
    project = deployed(make_project())
    project.cli("config", "set", "--path", "aoai-deploy-example:deployments[0].skuCapacity", "2")
    project.emu.clear_log()

    preview = project.cli("preview", "--diff").output
    assert project.emu.request_log == []
    assert "~ sku_capacity" in preview
    assert "1 => 2" in preview
    assert "~ 1 to update" in preview

    project.cli("up", "--yes")
    assert capacity(project) == 2
    assert all(not write.startswith("DELETE") for write in writes(project.emu))


CUSTOM = """\
import pulumi
from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs

config = pulumi.Config()
chat = CrossTenantDeployment(
    "chat",
    CrossTenantDeploymentArgs(
        account_id=config.require("accountId"),
        deployment_name="chat",
        model_name=config.require("model"),
        model_version=config.require("version"),
        sku_capacity=config.require_int("capacity"),
        tenant_id=config.require("tenantId"),
    ),
    opts=pulumi.ResourceOptions(ignore_changes=config.get_object("ignoreChanges") or []),
)
pulumi.export("id", chat.id)
"""


def custom(project: Project, **values: Any) -> Project:
    """The one-deployment program above (a base model in the destination account)."""
    config = {
        "aoai-deploy:credential": "static",
        "aoai-deploy:armEndpoint": project.emu.base_url,
        "aoai-deploy:caBundle": project.emu.ca_path,
        "custom:accountId": DEST_ACCOUNT,
        "custom:model": "gpt-4o-mini",
        "custom:version": "2024-07-18",
        "custom:capacity": 1,
        "custom:tenantId": DEST_TENANT,
    }
    config.update({f"custom:{key}": value for key, value in values.items()})
    project.init(config)
    return project


def test_a_model_change_is_a_replace_that_deletes_before_it_creates(make_project):
    project = custom(make_project(CUSTOM, name="custom"))
    project.cli("up", "--yes")
    project.cli("config", "set", "custom:model", "gpt-4o")
    project.cli("config", "set", "custom:version", "2024-08-06")

    preview = project.cli("preview", "--diff").output
    assert "+-" in preview or "-+" in preview, preview
    assert "1 to replace" in preview

    project.emu.clear_log()
    project.cli("up", "--yes")
    assert writes(project.emu) == ["DELETE chat", "PUT chat"]
    assert project.deployments()["chat"]["properties"]["model"]["name"] == "gpt-4o"


def test_a_replace_warns_of_a_live_setting_the_new_deployment_loses(make_project):
    """Issue 15, item 1: the preview never hides a change to a live setting. Set behind the
    stack's back and left unset in the program, NoAutoUpgrade is kept by every update; a
    replace creates a new deployment, which gets Azure's default, and the preview says so."""
    project = custom(make_project(CUSTOM, name="custom"))
    project.cli("up", "--yes")
    body = project.emu.deployment(DEST_ACCOUNT, "chat")
    assert body is not None
    body["properties"]["versionUpgradeOption"] = "NoAutoUpgrade"
    project.emu.put_deployment_direct(DEST_ACCOUNT, "chat", body)
    project.cli("refresh", "--yes")
    project.cli("config", "set", "custom:model", "gpt-4o")
    project.cli("config", "set", "custom:version", "2024-08-06")

    preview = project.cli("preview", "--diff").output

    assert "1 to replace" in preview, preview
    assert (
        "warning: replacing " + DEST_ACCOUNT + "/deployments/chat creates a new deployment"
    ) in preview, preview
    assert "version_upgrade_option NoAutoUpgrade becomes OnceNewDefaultVersionAvailable" in preview


def test_refresh_drops_a_deployment_deleted_behind_the_stacks_back_and_up_makes_it_again(
    make_project,
):
    project = deployed(make_project())
    assert project.emu.delete_deployment_direct(DEST_ACCOUNT, "ft-a")

    project.cli("refresh", "--yes")
    resources = json.loads(project.cli.export())["deployment"]["resources"]
    assert [r for r in resources if r["type"] == DYNAMIC_TYPE] == []

    project.cli("up", "--yes")
    assert project.deployments()["ft-a"]["properties"]["provisioningState"] == "Succeeded"


def test_a_capacity_scaled_behind_the_stacks_back_shows_in_preview_refresh_diff(make_project):
    project = deployed(make_project())
    scale_behind_the_stacks_back(project, "ft-a", 3)

    preview = project.cli("preview", "--refresh", "--diff").output
    assert "~ sku_capacity" in preview
    assert "3 => 1" in preview
    assert "~ 1 to update" in preview


def test_with_ignore_changes_up_refresh_leaves_a_drifted_capacity_alone(make_project):
    project = custom(make_project(CUSTOM, name="custom"), ignoreChanges=["sku_capacity"])
    project.cli("up", "--yes")
    scale_behind_the_stacks_back(project, "chat", 3)

    project.cli("up", "--yes", "--refresh")
    assert capacity(project, "chat") == 3


def test_up_replace_of_a_deployment_whose_id_stays_leaves_it_in_place_and_in_the_state(
    make_project,
):
    project = deployed(make_project())
    urn = project.urn("fine-tuned-ft-a")

    project.cli("up", "--yes", "--replace", urn)

    assert "ft-a" in project.deployments()
    ids = [r.get("id") for r in json.loads(project.cli.export())["deployment"]["resources"]]
    assert f"{DEST_ACCOUNT}/deployments/ft-a" in ids


def test_an_interrupted_up_converges_on_the_next_with_no_duplicate_and_no_orphan(make_project):
    project = make_project()
    project.init(example_config(project.emu, deployments=TWO))
    project.emu.settings.provisioning_seconds = 20  # long enough to be interrupted mid-create
    running = project.cli.start("up", "--yes")
    try:
        wait_for(
            lambda: any(e.method == "PUT" for e in project.emu.request_log),
            120,
            "the first deployment's PUT",
        )
        (cli_pid,) = children_named(running.pid, "pulumi")
        printed = interrupt(running, cli_pid)
        project.cli.outputs.append(printed)
        assert running.returncode != 0
        # The killed CLI leaves its dynamic-provider plugin running (nothing tells it the
        # engine is gone), and it may finish the create on its own; the next run adopts it
        # either way, by its owner tag.

        project.emu.settings.provisioning_seconds = 0.5
        # What the CLI asks for after a killed update on a file backend: remove its lock.
        locked = project.cli("up", "--yes", check=False)
        if locked.code != 0:
            assert "pulumi cancel" in locked.output, locked.output
            project.cli("cancel", "--yes")
            project.cli("up", "--yes")
    finally:
        kill_session(running)  # the killed CLI's orphaned plugin, and anything else it left

    live = project.deployments()
    assert sorted(live) == ["ft-a", "ft-b"]  # no duplicate, nothing else left
    assert all(d["properties"]["provisioningState"] == "Succeeded" for d in live.values())
    project.cli("preview", "--expect-no-changes")


def test_destroy_leaves_no_deployment_and_a_second_destroy_does_nothing(make_project):
    project = deployed(make_project(), TWO)

    project.cli("destroy", "--yes")
    assert project.deployments() == {}
    project.emu.clear_log()
    second = project.cli("destroy", "--yes").output
    assert project.emu.request_log == []
    assert "0 to delete" in second or "no changes" in second.lower() or "Resources:" in second


def test_a_misspelt_arm_id_fails_preview_once_with_the_projects_message(make_project):
    project = make_project()
    bad = DEST_ACCOUNT.replace("Microsoft.CognitiveServices", "Microsoft.CognitiveService")
    project.init(example_config(project.emu, destinationAccountId=bad, deployments=ONE))
    project.emu.clear_log()

    result = project.cli("preview", check=False)

    assert result.code != 0
    assert project.emu.request_log == []
    diagnostics = result.output.split("Diagnostics:", 1)[1]
    said = [line for line in diagnostics.splitlines() if "destinationAccountId" in line]
    assert len(said) == 1, result.output
    assert "aoai-deploy-example:destinationAccountId: " in said[0]
    assert "Microsoft.CognitiveServices" in said[0]  # what to write instead
    assert "Traceback" not in result.output


def test_a_missing_required_key_fails_preview_naming_it(make_project):
    project = make_project()
    project.init(example_config(project.emu, sourceAccountId=None, deployments=ONE))
    project.emu.clear_log()

    result = project.cli("preview", check=False)

    assert result.code != 0
    assert project.emu.request_log == []
    # The CLI checks the project's declared config before the program runs.
    assert "missing configuration value 'sourceAccountId'" in result.output
    assert "Traceback" not in result.output


def declared_keys() -> dict[str, Any]:
    """Pulumi.yaml's declared config: key -> its declaration."""
    return yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]


def test_every_documented_key_and_the_providers_own_are_accepted_by_cli_and_program(
    make_project,
):
    project = make_project()
    config = example_config(project.emu, deployments=ONE)
    # Every key Pulumi.yaml declares, set explicitly to a value that keeps the stack local.
    for key, declared in declared_keys().items():
        full = f"aoai-deploy-example:{key}"
        if full not in config:
            config[full] = declared.get("default", "")
    # The provider's own keys, in its own namespace (staticTokens is set as a secret).
    config.update({"aoai-deploy:cloud": "AzureCloud", "aoai-deploy:credential": "static"})
    project.init(config)
    project.emu.clear_log()

    project.cli("preview")
    assert project.emu.request_log == []


def test_a_misspelt_key_is_caught_before_anything_is_planned(make_project):
    project = make_project()
    config = example_config(project.emu, deployments=ONE)
    config["aoai-deploy-example:destinationAcountSubdomain"] = "fabrikam-aoai-eus"
    project.init(config)
    project.emu.clear_log()

    result = project.cli("preview", check=False)

    assert result.code != 0
    assert project.emu.request_log == []
    assert "did you mean aoai-deploy-example:destinationAccountSubdomain?" in result.output
    assert "Traceback" not in result.output
