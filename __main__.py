"""The example stack: roll a fine-tuned model from its source account into a destination account.

Reads the stack config that Pulumi.yaml declares, builds one FineTunedModelDeployment and
exports what another stack reads through a StackReference: accountId, endpoint,
deploymentIds and deploymentNames.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pulumi
import pulumi_azure_native as azure_native

from aoai_deploy.components import (
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)
from aoai_deploy.providers.ids import AccountId

config = pulumi.Config()


def optional(key: str) -> str | None:
    """An optional string; Pulumi.yaml gives each one "" as its default."""
    return config.get(key) or None


def snake(key: str) -> str:
    return re.sub("([A-Z])", r"_\1", key).lower()


def deployment(item: dict[str, Any]) -> ModelDeploymentArgs:
    """A ``deployments`` entry, its camelCase keys turned into the argument names."""
    known = {field.name for field in dataclasses.fields(ModelDeploymentArgs)}
    if unknown := sorted(key for key in item if snake(key) not in known):
        raise ValueError(
            f"aoai-deploy:deployments: unknown key(s) {', '.join(unknown)}; "
            "Pulumi.yaml lists the keys a deployment takes"
        )
    return ModelDeploymentArgs(**{snake(key): value for key, value in item.items()})


source_account_id = config.require("sourceAccountId")
source_tenant_id = optional("sourceTenantId")

new_account = None
if optional("newAccountName"):
    new_account = DestinationAccountArgs(
        name=config.require("newAccountName"),
        resource_group_name=config.require("newAccountResourceGroup"),
        location=config.require("newAccountLocation"),
        kind=config.get("newAccountKind") or "OpenAI",
        custom_subdomain_name=optional("newAccountSubdomain"),
        public_network_access=config.get("newAccountPublicNetworkAccess") or "Enabled",
        disable_local_auth=config.get_bool("newAccountDisableLocalAuth") is not False,
    )

role_assignments = None
if config.get_bool("createRoleAssignments"):
    source_provider = None
    if source_tenant_id:  # the source assignment is made in the source tenant
        source_provider = azure_native.Provider(
            "source-tenant",
            tenant_id=source_tenant_id,
            subscription_id=AccountId.parse(source_account_id).subscription_id,
        )
    role_assignments = RoleAssignmentArgs(
        source_principal_id=optional("sourcePrincipalObjectId"),
        destination_principal_id=optional("destinationPrincipalObjectId"),
        principal_type=config.get("principalType") or "ServicePrincipal",
        source_provider=source_provider,
    )

model = FineTunedModelDeployment(
    "fine-tuned",
    FineTunedModelDeploymentArgs(
        deployments=[deployment(item) for item in config.require_object("deployments")],
        account_id=optional("destinationAccountId"),
        create_account=new_account,
        existing_account_subdomain=optional("destinationAccountSubdomain"),
        source_account_id=source_account_id,
        source_tenant_id=source_tenant_id,
        destination_tenant_id=optional("destinationTenantId"),
        role_assignments=role_assignments,
    ),
)

pulumi.export("accountId", model.account_id)
pulumi.export("endpoint", model.endpoint)
pulumi.export("deploymentIds", model.deployment_ids)
pulumi.export("deploymentNames", model.deployment_names)
