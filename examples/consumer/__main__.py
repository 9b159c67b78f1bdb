"""A stack of another team that reuses aoai-deploy.

It reads the aoai-deploy example stack's outputs through a StackReference, deploys the team's
own model into the account that stack exports, and re-exports what it read next to its own
deployments.
"""

from __future__ import annotations

import pulumi

from aoai_deploy.components import (
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
)

# This project's own package named `components`, beside aoai-deploy's aoai_deploy.components.
from components import deployment_name, team_tags

config = pulumi.Config()
team = config.require("team")

# The example stack exports accountId, endpoint, deploymentIds and deploymentNames.
example = pulumi.StackReference(config.require("exampleStack"))
account_id = example.require_output("accountId")

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
pulumi.export("endpoint", example.get_output("endpoint"))
pulumi.export("exampleDeploymentNames", example.get_output("deploymentNames"))
pulumi.export("exampleDeploymentIds", example.get_output("deploymentIds"))
pulumi.export("deploymentIds", model.deployment_ids)
