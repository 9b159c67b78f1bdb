"""The fleet's Pulumi program: one customer's stack, built from that stack's config.

Every customer's stack runs this one function as an Automation API inline program (the wheel
carries it, so ``aoai-deploy fleet`` needs no checkout and no Python language host). It reads
what the runner wrote into the stack's config (:data:`CONFIG_KEYS`, under the fleet's project
namespace, visible with ``pulumi config`` and kept in the backend's update history) and builds
one :class:`~aoai_deploy.components.FineTunedModelDeployment` named after the customer's key.
The provider's own settings (``aoai-deploy:*``) are read by the provider, not here.

The source grant is never made here: one source stack owns it (README, "Role assignments"), so
a customer's optional ``roleAssignment`` makes the destination grant alone and declares the
source side managed elsewhere.
"""

from __future__ import annotations

from typing import Any, Final

import pulumi

from aoai_deploy.components import (
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)
from aoai_deploy.components.stack_config import DEPLOYMENT_KEYS

__all__ = ["CONFIG_KEYS", "customer_program"]

#: The stack config keys the program reads (in the fleet project's namespace).
CONFIG_KEYS: Final = (
    "customer",
    "destinationTenantId",
    "destinationAccountId",
    "createAccount",
    "sourceAccountId",
    "sourceTenantId",
    "deployments",
    "roleAssignment",
)


def customer_program() -> None:
    """The inline program: read the stack's config, build the component, export its outputs."""
    config = pulumi.Config()
    key = config.require("customer")
    create: dict[str, Any] | None = config.get_object("createAccount")
    grant: dict[str, Any] | None = config.get_object("roleAssignment")
    entries: list[dict[str, Any]] = config.require_object("deployments")
    deployments = [
        ModelDeploymentArgs(**{DEPLOYMENT_KEYS[k]: value for k, value in entry.items()})
        for entry in entries
    ]
    model = FineTunedModelDeployment(
        key,
        FineTunedModelDeploymentArgs(
            deployments=deployments,
            account_id=None if create else config.require("destinationAccountId"),
            create_account=_account(create) if create else None,
            source_account_id=config.require("sourceAccountId"),
            source_tenant_id=config.require("sourceTenantId"),
            destination_tenant_id=config.require("destinationTenantId"),
            role_assignments=(
                RoleAssignmentArgs(
                    destination_principal_id=grant["principalObjectId"],
                    principal_type=grant.get("principalType", "ServicePrincipal"),
                    source_managed_elsewhere=True,
                )
                if grant
                else None
            ),
        ),
    )
    pulumi.export("accountId", model.account_id)
    pulumi.export("deploymentIds", model.deployment_ids)
    pulumi.export("deploymentNames", model.deployment_names)


def _account(create: dict[str, Any]) -> DestinationAccountArgs:
    return DestinationAccountArgs(
        name=create["name"],
        resource_group_name=create["resourceGroup"],
        location=create["location"],
        kind=create.get("kind", "OpenAI"),
        custom_subdomain_name=create.get("subdomain"),
    )
