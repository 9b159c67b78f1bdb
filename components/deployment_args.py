"""The inputs the component hands each ``CrossTenantDeployment``, built in one place.

The component passes them to the resource, and its validation hands the same inputs to the
provider's ``check_inputs``: what is checked is what is passed.
"""

from __future__ import annotations

from typing import Final

import pulumi

from aoai_deploy.components.args import FineTunedModelDeploymentArgs, ModelDeploymentArgs
from aoai_deploy.providers import CrossTenantDeploymentArgs

__all__ = ["SHARED_INPUTS", "deployment_args"]

#: The component argument behind each resource input that every deployment shares; the other
#: inputs are a deployment's own, named alike in ``ModelDeploymentArgs``.
SHARED_INPUTS: Final = {
    "account_id": "account_id",
    "source_account_id": "source_account_id",
    "source_tenant_id": "source_tenant_id",
    "tenant_id": "destination_tenant_id",
    "role_propagation_timeout_seconds": "role_propagation_timeout_seconds",
}


def deployment_args(
    args: FineTunedModelDeploymentArgs,
    deployment: ModelDeploymentArgs,
    account_id: pulumi.Input[str],
    role_propagation_timeout_seconds: pulumi.Input[int] | None,
) -> CrossTenantDeploymentArgs:
    """One deployment's resource inputs: its own settings and those every deployment shares."""
    return CrossTenantDeploymentArgs(
        account_id=account_id,
        deployment_name=deployment.deployment_name,
        model_name=deployment.model_name,
        model_format=deployment.model_format,
        model_version=deployment.model_version,
        source_account_id=args.source_account_id,
        source_tenant_id=args.source_tenant_id,
        tenant_id=args.destination_tenant_id,
        sku_name=deployment.sku_name,
        sku_capacity=deployment.sku_capacity,
        rai_policy_name=deployment.rai_policy_name,
        version_upgrade_option=deployment.version_upgrade_option,
        dynamic_throttling_enabled=deployment.dynamic_throttling_enabled,
        spillover_deployment_name=deployment.spillover_deployment_name,
        designated_capacity=deployment.designated_capacity,
        capacity_priority=deployment.capacity_priority,
        parent_deployment_name=deployment.parent_deployment_name,
        service_tier=deployment.service_tier,
        deployment_state=deployment.deployment_state,
        routing=deployment.routing,
        context_cache_container_id=deployment.context_cache_container_id,
        tags=deployment.tags,
        adopt_existing=deployment.adopt_existing,
        api_version=deployment.api_version,
        operation_timeout_seconds=deployment.operation_timeout_seconds,
        role_propagation_timeout_seconds=role_propagation_timeout_seconds,
    )
