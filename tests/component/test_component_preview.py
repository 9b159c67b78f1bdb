"""A preview, where a new account's id (and all that derives from it) is not known yet."""

from __future__ import annotations

import pulumi_azure_native as azure_native
from pulumi.output import Unknown

from aoai_deploy.components import (
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
    role_assignment_name,
)


def _new_account(seed):
    return FineTunedModelDeployment(
        "copy",
        FineTunedModelDeploymentArgs(
            deployments=[
                ModelDeploymentArgs(deployment_name="a", model_name=seed.model),
                ModelDeploymentArgs(deployment_name="b", model_name=seed.model),
            ],
            create_account=DestinationAccountArgs(
                name="fabrikam-ft", resource_group_name="rg-new", location="eastus"
            ),
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            role_assignments=RoleAssignmentArgs(
                source_principal_id=seed.deployer_in_contoso,
                destination_principal_id=seed.deployer_in_fabrikam,
                source_provider=azure_native.Provider("contoso", tenant_id=seed.contoso),
            ),
        ),
    )


def test_preview_registers_what_an_update_registers(pulumi_runtime, seed):
    plans = []
    for preview in (True, False):
        runtime = pulumi_runtime(preview=preview)
        runtime.run(lambda: _new_account(seed))
        plans.append(
            sorted(
                (r.type, r.name, r.parent, tuple(sorted(r.dependencies)))
                for r in runtime.registrations
            )
        )

    assert plans[0] == plans[1]


def test_deployments_into_a_new_account_have_an_unknown_account_id_in_preview(pulumi_runtime, seed):
    runtime = pulumi_runtime(preview=True)
    runtime.run(lambda: _new_account(seed))

    for name in ("copy-a", "copy-b"):
        inputs = runtime.named(name).inputs
        assert isinstance(inputs["account_id"], Unknown)
        assert inputs["deployment_name"] == name.removeprefix("copy-")
        assert inputs["source_account_id"] == seed.source_account


def test_only_the_destination_assignment_waits_for_the_new_account_id(pulumi_runtime, seed):
    runtime = pulumi_runtime(preview=True)
    runtime.run(lambda: _new_account(seed))

    # A grant on the new account is the component's own: its scope is not known before.
    destination = runtime.named("copy-destination-role").inputs
    for key in ("scope", "roleDefinitionId", "roleAssignmentName"):
        assert isinstance(destination[key], Unknown), key
    source = runtime.grant_on(seed.source_account).inputs
    assert source["scope"] == seed.source_account
    assert source["roleAssignmentName"] == role_assignment_name(
        seed.source_account, seed.deployer_in_contoso
    )


def test_outputs_of_a_new_account_are_unknown_in_preview(pulumi_runtime, seed):
    runtime = pulumi_runtime(preview=True)
    component = runtime.run(lambda: _new_account(seed))

    for output in (component.account_id, component.endpoint, component.deployment_ids):
        assert runtime.resolve(output)[1] is False
    # A deployment's name is an input, which a preview echoes.
    assert runtime.value(component.deployment_names) == {"a": "a", "b": "b"}


def test_an_existing_account_is_known_in_preview(pulumi_runtime, seed):
    runtime = pulumi_runtime(preview=True)
    component = runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="a", model_name=seed.model)],
                account_id=seed.destination_account,
                existing_account_subdomain="fabrikam-aoai-eus",
                role_assignments=RoleAssignmentArgs(
                    destination_principal_id=seed.deployer_in_fabrikam
                ),
            ),
        )
    )

    assert runtime.named("copy-a").inputs["account_id"] == seed.destination_account
    assert runtime.grant_on(seed.destination_account).inputs["roleAssignmentName"] == (
        role_assignment_name(seed.destination_account, seed.deployer_in_fabrikam)
    )
    assert runtime.value(component.account_id) == seed.destination_account
    assert runtime.value(component.endpoint) == "https://fabrikam-aoai-eus.openai.azure.com/"
    # The deployments themselves are yet to be made: their ids are not known.
    assert runtime.resolve(component.deployment_ids)[1] is False
