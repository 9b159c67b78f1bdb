"""A stack of another team that reuses aoai-deploy.

It reads the aoai-deploy example stack's outputs as that stack's deploy job publishes them
(a JSON file, never that stack's state: see components/published.py), deploys the team's own
model into the account they name, and re-exports what it read next to its own deployments.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from aoai_deploy.components import (
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
)

# This project's own package named `components`, beside aoai-deploy's aoai_deploy.components.
from components import deployment_name, read_published_outputs, team_tags

config = pulumi.Config()
team = config.require("team")

# The example stack's accountId, endpoint, deploymentIds and deploymentNames, as published by
# its deploy job; a relative path is taken from this project's folder.
example = read_published_outputs(Path(__file__).parent / config.require("exampleOutputs"))
account_id = example["accountId"]

model = FineTunedModelDeployment(
    f"{team}-model",
    FineTunedModelDeploymentArgs(
        account_id=account_id,
        source_account_id=config.get("sourceAccountId") or None,
        source_tenant_id=config.get("sourceTenantId") or None,
        destination_tenant_id=config.get("destinationTenantId") or None,
        deployments=[
            ModelDeploymentArgs(
                deployment_name=deployment_name(team, "chat"),
                model_name=config.require("modelName"),
                tags=team_tags(team),
            )
        ],
    ),
)

pulumi.export("accountId", account_id)
pulumi.export("endpoint", example["endpoint"])
pulumi.export("exampleDeploymentNames", example["deploymentNames"])
pulumi.export("exampleDeploymentIds", example["deploymentIds"])
pulumi.export("deploymentIds", model.deployment_ids)
