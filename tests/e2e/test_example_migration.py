"""A stack of the example made under its old project name moves by the README's steps.

The example project was called ``aoai-deploy``, which is the provider's namespace; it is
``aoai-deploy-example`` now (issue 15, item 2). README.md, "Migrating a stack of the example",
gives the commands; this test runs exactly those lines, with the real CLI and a file backend,
on a stack as the old example left it: its URNs, its deployments' owners and its stack file's
keys under ``aoai-deploy``. The preview afterwards shows no change and ``up`` writes nothing.

The old stack is made by today's code with the example's resources declared in the program
itself (the old program's keys would now be refused by the provider, which is the point), and
its stack file then holds the old example's keys, as ``git pull`` finds it.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import yaml

from cli_harness import REPO
from e2e_project import Project, example_config
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

README = (REPO / "README.md").read_text()
ONE = [{"deploymentName": "ft-a", "modelName": FT_MODEL, "modelVersion": "1"}]

#: The example's resources, as __main__.py makes them from Pulumi.local.yaml with ``ONE``.
OLD_EXAMPLE = f"""\
import pulumi
from aoai_deploy.components import (
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
)

model = FineTunedModelDeployment(
    "fine-tuned",
    FineTunedModelDeploymentArgs(
        deployments=[
            ModelDeploymentArgs(deployment_name="ft-a", model_name={FT_MODEL!r}, model_version="1")
        ],
        account_id={DEST_ACCOUNT!r},
        existing_account_subdomain="fabrikam-aoai-eus",
        source_account_id={SOURCE_ACCOUNT!r},
        source_tenant_id={SOURCE_TENANT!r},
        destination_tenant_id={DEST_TENANT!r},
    ),
)
pulumi.export("accountId", model.account_id)
pulumi.export("endpoint", model.endpoint)
pulumi.export("deploymentIds", model.deployment_ids)
pulumi.export("deploymentNames", model.deployment_names)
"""


def readme_steps() -> list[str]:
    """The command lines of the README's migration section."""
    section = README.split("### Migrating a stack of the example", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def old_example_stack(project: Project) -> list[str]:
    """The example stack as it stood under the old project name, after an `up`; its URNs."""
    # The project file without its config declarations: the program above reads no config.
    old_project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    old_project["name"] = "aoai-deploy"
    del old_project["config"]
    (project.dir / "Pulumi.yaml").write_text(yaml.safe_dump(old_project, sort_keys=False))
    (project.dir / "__main__.py").write_text(OLD_EXAMPLE)
    config = example_config(project.emu, deployments=ONE)
    provider = {k: v for k, v in config.items() if k.startswith("aoai-deploy:")}
    project.init(provider)
    project.cli("up", "--yes")
    old_urns = urns(project)
    # The old example's own keys, as its stack file held them.
    old_keys = {
        key.replace("aoai-deploy-example:", "aoai-deploy:"): value
        for key, value in config.items()
        if key.startswith("aoai-deploy-example:")
    }
    stack_file = project.dir / f"Pulumi.{project.cli.stack}.yaml"
    settings = yaml.safe_load(stack_file.read_text())
    settings["config"].update(old_keys)
    stack_file.write_text(yaml.safe_dump(settings, sort_keys=False))
    # The checkout as `git pull` leaves it: today's Pulumi.yaml and program.
    (project.dir / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    (project.dir / "__main__.py").write_text((REPO / "__main__.py").read_text())
    return old_urns


def run(project: Project, line: str) -> str:
    words = shlex.split(line.replace("<stack>", project.cli.stack), comments=True)
    if words[0] == "pulumi":
        return project.cli(*words[1:]).output
    done = subprocess.run(words, cwd=project.dir, capture_output=True, text=True, check=True)
    return done.stdout


def urns(project: Project) -> list[str]:
    return [r["urn"] for r in json.loads(project.cli.export())["deployment"]["resources"]]


def test_the_readme_steps_move_an_old_example_stack_with_no_change(make_project):
    project = make_project(name="old")
    old_urns = old_example_stack(project)
    before = project.deployments()
    assert {urn.split("::")[1] for urn in old_urns} == {"aoai-deploy"}
    assert before["ft-a"]["tags"]["aoai-deploy-owner"].startswith("organization/aoai-deploy/")
    project.emu.clear_log()

    printed = [run(project, line) for line in readme_steps()]

    preview = printed[-1]
    # The stack, the component, the deployment and the stack's key for the owner tags.
    assert re.search(r"\b4 unchanged\b", preview), preview
    for change in ("to create", "to update", "to replace", "to delete"):
        assert change not in preview, preview
    assert urns(project) == [
        urn.replace("::aoai-deploy::", "::aoai-deploy-example::").replace(
            "Stack::aoai-deploy-", "Stack::aoai-deploy-example-"
        )
        for urn in old_urns
    ]
    stack_file = yaml.safe_load((project.dir / f"Pulumi.{project.cli.stack}.yaml").read_text())
    keys = set(stack_file["config"])
    assert "aoai-deploy-example:deployments" in keys
    assert {"aoai-deploy:credential", "aoai-deploy:staticTokens"} <= keys
    assert not any(k.startswith("aoai-deploy:source") for k in keys)

    project.cli("up", "--yes")

    writes = [e for e in project.emu.request_log if e.method in ("PUT", "PATCH", "DELETE")]
    assert writes == []
    assert project.deployments()["ft-a"]["etag"] == before["ft-a"]["etag"]
    outputs = project.cli("stack", "output", "--json").json()
    assert outputs["deploymentIds"] == {"ft-a": f"{DEST_ACCOUNT}/deployments/ft-a"}


def test_the_steps_leave_the_providers_settings_where_the_provider_reads_them():
    sed = next(line for line in readme_steps() if line.startswith("sed "))
    kept = re.search(r"aoai-deploy:\(([^)]*)\)", sed)
    assert kept is not None

    from aoai_deploy.providers.core.schema import CONFIG_FIELDS

    assert kept[1].split("|") == [field.name for field in CONFIG_FIELDS]
    assert Path("Pulumi.<stack>.yaml").name in sed
