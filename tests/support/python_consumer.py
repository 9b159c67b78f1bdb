"""A Python consumer of aoai-deploy as another team writes one, run by the real CLI through the
Automation API (scripts/pulumi-inline) with whichever installed aoai-deploy a test points it at.

The program imports ``aoai_deploy`` (it names nothing of this repository) and rolls the seed's
fine-tuned model into fabrikam's account with ``FineTunedModelDeployment``, whose deployment is
the dynamic ``CrossTenantDeployment``; its capacity is the stack's ``consumer:capacity``. It
exports where ``aoai_deploy.components`` was imported from. The project's ``.venv`` (which the
CLI runs the dynamic provider from on refresh and destroy) and the interpreter that runs the
program are always the same environment: :func:`use_environment` moves both.
"""

from __future__ import annotations

from pathlib import Path

from aoai_deploy.emulator import Emulator
from cli_harness import PulumiCli
from e2e_project import Project, tokens_for
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

__all__ = ["DEPLOYMENT", "PROGRAM", "python_consumer", "use_environment"]

#: The ARM id of the one deployment the program makes.
DEPLOYMENT = f"{DEST_ACCOUNT}/deployments/support-bot"

PROGRAM = """\
import pulumi

import aoai_deploy.components
from aoai_deploy.components import (
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
)

config = pulumi.Config()
model = FineTunedModelDeployment(
    "support",
    FineTunedModelDeploymentArgs(
        account_id=config.require("destinationAccountId"),
        source_account_id=config.require("sourceAccountId"),
        source_tenant_id=config.require("sourceTenantId"),
        destination_tenant_id=config.require("destinationTenantId"),
        deployments=[
            ModelDeploymentArgs(
                deployment_name="support-bot",
                model_name=config.require("model"),
                model_version="1",
                sku_capacity=config.require_int("capacity"),
            )
        ],
    ),
)
pulumi.export("deploymentIds", model.deployment_ids)
pulumi.export("componentsFile", aoai_deploy.components.__file__)
"""


def python_consumer(
    cli: Path, directory: Path, emulator: Emulator, venv: Path, *, program: str = PROGRAM
) -> Project:
    """The consumer project in ``directory`` (made here), its stack initialised for
    ``emulator`` with capacity 1, run with the environment ``venv``."""
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(
        "name: consumer\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n"
    )
    (directory / "__main__.py").write_text(program)
    pulumi = PulumiCli(cli, directory, directory.parent / f"{directory.name}-home")
    project = Project(pulumi, emulator, tokens_for(emulator))
    use_environment(project, venv)
    project.init(
        {
            "aoai-deploy:armEndpoint": emulator.base_url,
            "aoai-deploy:caBundle": emulator.ca_path,
            "aoai-deploy:credential": "static",
            "consumer:sourceAccountId": SOURCE_ACCOUNT,
            "consumer:sourceTenantId": SOURCE_TENANT,
            "consumer:destinationAccountId": DEST_ACCOUNT,
            "consumer:destinationTenantId": DEST_TENANT,
            "consumer:model": FT_MODEL,
            "consumer:capacity": 1,
        }
    )
    return project


def use_environment(project: Project, venv: Path) -> None:
    """Run the program, and the dynamic provider, with the environment at ``venv``."""
    link = project.dir / ".venv"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(venv, target_is_directory=True)
    project.cli.python = venv / "bin" / "python"
