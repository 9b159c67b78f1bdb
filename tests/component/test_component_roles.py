"""The role assignments: which role, on which scope, for whom, through which provider, named how."""

from __future__ import annotations

import uuid

import pulumi
import pulumi_azure_native as azure_native
import pytest

from aoai_deploy.components import (
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
    role_assignment_name,
    role_definition_id,
)
from aoai_deploy.providers.core.ids import ArmIdError

OPENAI_CONTRIBUTOR = "a001fd3d-188f-4b5d-821b-7da978bf7442"
ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"


def _copy(seed, *, account_id=None, create_account=None, principal_type="ServicePrincipal"):
    source_provider = azure_native.Provider("contoso", tenant_id=seed.contoso)
    return FineTunedModelDeployment(
        "copy",
        FineTunedModelDeploymentArgs(
            deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
            account_id=account_id,
            create_account=create_account,
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            role_assignments=RoleAssignmentArgs(
                source_principal_id=seed.deployer_in_contoso,
                destination_principal_id=seed.deployer_in_fabrikam,
                principal_type=principal_type,
                source_provider=source_provider,
            ),
        ),
    )


def test_role_assignment_name_is_a_stable_guid_per_scope_principal_and_role(seed):
    name = role_assignment_name(seed.source_account, seed.deployer_in_contoso)

    assert uuid.UUID(name).version == 5
    assert name == role_assignment_name(seed.source_account, seed.deployer_in_contoso)
    assert name != role_assignment_name(seed.source_account, seed.outsider_in_fabrikam)
    assert name != role_assignment_name(seed.destination_account, seed.deployer_in_contoso)
    assert name != role_assignment_name(
        seed.source_account, seed.deployer_in_contoso, "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
    )


def test_two_spellings_of_one_scope_and_principal_give_one_name(seed):
    # ARM ids and GUIDs compare ignoring case, so their spelling must not change the name.
    respelled = (
        seed.source_account.upper()
        .replace("/RESOURCEGROUPS/", "/resourcegroups/")
        .replace("MICROSOFT.COGNITIVESERVICES", "microsoft.CognitiveServices")
    )
    assert respelled != seed.source_account

    assert role_assignment_name(respelled, seed.deployer_in_contoso.upper()) == (
        role_assignment_name(seed.source_account, seed.deployer_in_contoso)
    )


def test_role_assignment_names_are_those_earlier_releases_chose(seed):
    # Pinned: a different name replaces the assignment (and Azure refuses the new one while
    # the old one exists), so every release must derive the names that were derived before.
    assert role_assignment_name(seed.source_account, seed.deployer_in_contoso) == (
        "0d279281-57a2-5c0e-aaf0-85735e21b854"
    )
    assert role_assignment_name(seed.destination_account, seed.deployer_in_fabrikam) == (
        "34a9e7fd-63ce-5df8-9758-28294841fe26"
    )


def test_a_scope_that_is_not_an_account_id_names_no_assignment(seed):
    with pytest.raises(ArmIdError, match="trailing slash"):
        role_assignment_name(seed.source_account + "/", seed.deployer_in_contoso)
    with pytest.raises(ArmIdError, match="account name is missing"):
        role_definition_id(seed.source_account.rsplit("/", 1)[0])


def test_role_definition_id_is_in_the_subscription_of_the_scope(seed):
    assert role_definition_id(seed.source_account) == (
        "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001"
        f"/providers/Microsoft.Authorization/roleDefinitions/{OPENAI_CONTRIBUTOR}"
    )
    assert role_definition_id(seed.destination_account).startswith(
        "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/providers/"
    )


def test_source_assignment_grants_openai_contributor_on_the_source_in_its_tenant(
    pulumi_runtime, seed
):
    runtime = pulumi_runtime()
    runtime.run(lambda: _copy(seed, account_id=seed.destination_account))

    source = runtime.grant_on(seed.source_account)
    assert source.type == ROLE_ASSIGNMENT_TYPE
    assert source.inputs == {
        "scope": seed.source_account,
        "principalId": seed.deployer_in_contoso,
        "principalType": "ServicePrincipal",
        "roleDefinitionId": (
            "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001"
            f"/providers/Microsoft.Authorization/roleDefinitions/{OPENAI_CONTRIBUTOR}"
        ),
        "roleAssignmentName": role_assignment_name(seed.source_account, seed.deployer_in_contoso),
        "description": "Lets the deploying principal copy and deploy models (aoai-deploy).",
    }
    contoso = runtime.named("contoso")
    assert source.provider == f"{contoso.urn}::{contoso.id}"


def test_destination_assignment_grants_openai_contributor_on_the_destination(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _copy(seed, account_id=seed.destination_account, principal_type="User"))

    destination = runtime.grant_on(seed.destination_account)
    assert destination.inputs["scope"] == seed.destination_account
    assert destination.inputs["principalId"] == seed.deployer_in_fabrikam
    assert destination.inputs["principalType"] == "User"
    assert destination.inputs["roleDefinitionId"] == (
        "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002"
        f"/providers/Microsoft.Authorization/roleDefinitions/{OPENAI_CONTRIBUTOR}"
    )
    assert destination.inputs["roleAssignmentName"] == role_assignment_name(
        seed.destination_account, seed.deployer_in_fabrikam
    )
    # No explicit provider: the default one, i.e. the destination tenant's.
    assert destination.provider == ""


def test_destination_assignment_of_a_created_account_is_named_from_its_id(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: _copy(
            seed,
            create_account=DestinationAccountArgs(
                name="fabrikam-ft", resource_group_name="rg-new", location="eastus"
            ),
        )
    )

    created = (
        f"/subscriptions/{runtime.subscription}/resourceGroups/rg-new"
        "/providers/Microsoft.CognitiveServices/accounts/fabrikam-ft"
    )
    destination = runtime.named("copy-destination-role")
    assert destination.inputs["scope"] == created
    assert destination.inputs["roleAssignmentName"] == role_assignment_name(
        created, seed.deployer_in_fabrikam
    )
    assert destination.inputs["roleDefinitionId"] == role_definition_id(created)
    assert runtime.named("copy-account").urn in destination.dependencies


def test_a_second_run_chooses_the_same_assignment_names(pulumi_runtime, seed):
    names = []
    for _ in range(2):
        runtime = pulumi_runtime()
        runtime.run(lambda: _copy(seed, account_id=seed.destination_account))
        names.append(
            sorted(r.inputs["roleAssignmentName"] for r in runtime.of_type(ROLE_ASSIGNMENT_TYPE))
        )

    assert names[0] == names[1]
    assert len(set(names[0])) == 2


def test_principal_ids_given_as_outputs_still_name_the_assignments(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
                account_id=seed.destination_account,
                role_assignments=RoleAssignmentArgs(
                    destination_principal_id=pulumi.Output.from_input(seed.deployer_in_fabrikam)
                ),
            ),
        )
    )

    destination = runtime.named("copy-destination-role")
    assert destination.inputs["roleAssignmentName"] == role_assignment_name(
        seed.destination_account, seed.deployer_in_fabrikam
    )


def test_without_a_source_account_only_the_destination_is_granted(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "base",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="mini", model_name="gpt-4o-mini")],
                account_id=seed.destination_account,
                role_assignments=RoleAssignmentArgs(
                    destination_principal_id=seed.deployer_in_fabrikam
                ),
            ),
        )
    )

    (grant,) = runtime.of_type(ROLE_ASSIGNMENT_TYPE)
    assert grant.inputs["scope"] == seed.destination_account


def test_no_role_assignments_unless_asked_for(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
                account_id=seed.destination_account,
                source_account_id=seed.source_account,
                source_tenant_id=seed.contoso,
                destination_tenant_id=seed.fabrikam,
            ),
        )
    )

    assert runtime.of_type(ROLE_ASSIGNMENT_TYPE) == []
