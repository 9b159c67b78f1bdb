"""The package's ``FineTunedModelDeployment`` (plugin/component.py) under Pulumi mocks: the
component itself, with the package's type token, the package's deployments and the plugin's
registry of shared role grants."""

from __future__ import annotations

import pulumi_azure_native as azure_native

from aoai_deploy.components import (
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)
from aoai_deploy.components.grants import RoleGrants
from aoai_deploy.plugin.component import PackageFineTunedModelDeployment

COMPONENT_TYPE = "aoai-deploy:index:FineTunedModelDeployment"
DEPLOYMENT_TYPE = "aoai-deploy:index:CrossTenantDeployment"
ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"


def _copy(name, seed, account_id, grants):
    return PackageFineTunedModelDeployment(
        name,
        FineTunedModelDeploymentArgs(
            deployments=[
                ModelDeploymentArgs(deployment_name="ft", model_name=seed.model, sku_capacity=2),
                ModelDeploymentArgs(deployment_name="ft-2", model_name=seed.model),
            ],
            account_id=account_id,
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            role_assignments=RoleAssignmentArgs(
                source_principal_id=seed.deployer_in_contoso,
                destination_principal_id=seed.deployer_in_fabrikam,
                source_provider=azure_native.Provider(f"{name}-contoso", tenant_id=seed.contoso),
            ),
        ),
        None,
        grants,
    )


def test_children_are_the_packages_deployments_in_the_schemas_names(pulumi_runtime, seed):
    runtime = pulumi_runtime(project="shop", stack="dev")

    runtime.run(lambda: _copy("bot", seed, seed.destination_account, RoleGrants()))

    (component,) = runtime.of_type(COMPONENT_TYPE)
    first, second = runtime.of_type(DEPLOYMENT_TYPE)
    assert not runtime.of_type("pulumi-python:dynamic/aoai:CrossTenantDeployment")
    assert (first.name, second.name) == ("bot-ft", "bot-ft-2")
    assert first.parent == component.urn
    assert first.custom
    assert first.inputs["accountId"] == seed.destination_account
    assert first.inputs["skuCapacity"] == 2
    assert first.inputs["sourceTenantId"] == seed.contoso
    assert first.inputs["owner"] == "organization/shop/dev/bot-ft"
    assert "__provider" not in first.inputs  # nothing pickled
    # Chained in order, after the grants, as the component does for either front.
    assert first.urn in second.dependencies
    assert {g.urn for g in runtime.of_type(ROLE_ASSIGNMENT_TYPE)} <= set(first.dependencies)


def test_components_of_one_program_share_a_grant_through_the_plugins_registry(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    grants = RoleGrants()  # what the plugin keeps for the program it serves

    def program():
        _copy("eus", seed, seed.destination_account, grants)
        _copy("wus", seed, seed.other_destination_account, grants)

    runtime.run(program)

    source = [
        r for r in runtime.of_type(ROLE_ASSIGNMENT_TYPE) if r.inputs["scope"] == seed.source_account
    ]
    assert len(source) == 1  # a second one would be RoleAssignmentExists (the mocks refuse it)
    assert len(runtime.of_type(ROLE_ASSIGNMENT_TYPE)) == 3
