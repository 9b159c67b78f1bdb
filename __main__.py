"""The example stack: roll a fine-tuned model from its source account into a destination account.

Reads the stack config that Pulumi.yaml declares, builds one FineTunedModelDeployment and
exports what another stack reads through a StackReference: accountId, endpoint,
deploymentIds and deploymentNames. Config it cannot use stops it with one line per problem,
naming the key as the stack file spells it (aoai-deploy-example:deployments[0].modelName).
The provider's own settings (aoai-deploy:*) are the provider's to check.
"""

from __future__ import annotations

import pulumi

from aoai_deploy.components import (
    ComponentArgsError,
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    RoleAssignmentArgs,
)
from aoai_deploy.components.extra import require_azure_native
from aoai_deploy.components.stack_config import (
    in_config_terms,
    read_deployments,
    subscription_of,
    unknown_keys,
)

config = pulumi.Config()
if misspelt := unknown_keys(config, pulumi.runtime.config.CONFIG.get()):
    raise misspelt


def optional(key: str) -> str | None:
    """An optional string; Pulumi.yaml gives each one "" as its default."""
    return config.get(key) or None


source_account_id = config.require("sourceAccountId")
source_tenant_id = optional("sourceTenantId")

new_account = None
if optional("newAccountName"):
    # Creating an account needs the azure-native extra: one line saying so, before anything.
    require_azure_native(config.full_key("newAccountName"))
    new_account = DestinationAccountArgs(
        name=config.require("newAccountName"),
        resource_group_name=config.require("newAccountResourceGroup"),
        location=config.require("newAccountLocation"),
        kind=config.get("newAccountKind") or "OpenAI",
        custom_subdomain_name=optional("newAccountSubdomain"),
        public_network_access=config.get("newAccountPublicNetworkAccess") or "Enabled",
        disable_local_auth=config.get_bool("newAccountDisableLocalAuth") is not False,
        # Sent only when set: an account created without it must not see a change.
        restore=config.get_bool("newAccountRestore") or None,
    )

role_assignments = None
if config.get_bool("createRoleAssignments"):
    # Another stack owns a grant that several stacks need (README: "Role assignments").
    source_elsewhere = config.get_bool("sourceRoleAssignmentManagedElsewhere") is True
    destination_elsewhere = config.get_bool("destinationRoleAssignmentManagedElsewhere") is True
    if not (source_elsewhere and destination_elsewhere):
        require_azure_native(config.full_key("createRoleAssignments"))
    source_provider = None
    if source_tenant_id and not source_elsewhere:  # the source grant is made in its tenant
        import pulumi_azure_native as azure_native  # only here: it is slow and an extra

        source_provider = azure_native.Provider(
            "source-tenant",
            tenant_id=source_tenant_id,
            subscription_id=subscription_of(source_account_id),
        )
    role_assignments = RoleAssignmentArgs(
        source_principal_id=None if source_elsewhere else optional("sourcePrincipalObjectId"),
        destination_principal_id=(
            None if destination_elsewhere else optional("destinationPrincipalObjectId")
        ),
        principal_type=config.get("principalType") or "ServicePrincipal",
        source_provider=source_provider,
        source_managed_elsewhere=source_elsewhere,
        destination_managed_elsewhere=destination_elsewhere,
    )

try:
    model = FineTunedModelDeployment(
        "fine-tuned",
        FineTunedModelDeploymentArgs(
            deployments=read_deployments(config, "deployments"),
            account_id=optional("destinationAccountId"),
            create_account=new_account,
            existing_account_subdomain=optional("destinationAccountSubdomain"),
            source_account_id=source_account_id,
            source_tenant_id=source_tenant_id,
            destination_tenant_id=optional("destinationTenantId"),
            role_assignments=role_assignments,
        ),
    )
except ComponentArgsError as error:
    raise in_config_terms(error, config) from None

pulumi.export("accountId", model.account_id)
pulumi.export("endpoint", model.endpoint)
pulumi.export("deploymentIds", model.deployment_ids)
pulumi.export("deploymentNames", model.deployment_names)
