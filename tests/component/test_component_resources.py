"""What FineTunedModelDeployment registers: types, names, parents, the account, its outputs."""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure_native

from aoai_deploy.components import (
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)

COMPONENT_TYPE = "aoai:index:FineTunedModelDeployment"
DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
#: The stack's key for the owner tags: one per stack, registered with its first deployment.
OWNER_KEY_TYPE = "pulumi-python:dynamic/aoai:OwnerKey"
ACCOUNT_TYPE = "azure-native:cognitiveservices:Account"
ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"


def _created_account(runtime):
    """The ARM id the mocks give the account that _everything() creates."""
    return (
        f"/subscriptions/{runtime.subscription}/resourceGroups/rg-new"
        "/providers/Microsoft.CognitiveServices/accounts/fabrikam-ft"
    )


def _everything(name, seed, source_provider=None, account_name="fabrikam-ft"):
    """A component that creates all it can: account, both role assignments, two deployments."""
    if source_provider is None:
        source_provider = azure_native.Provider("contoso", tenant_id=seed.contoso)
    return FineTunedModelDeployment(
        name,
        FineTunedModelDeploymentArgs(
            deployments=[
                ModelDeploymentArgs(deployment_name="ft-a", model_name=seed.model),
                ModelDeploymentArgs(deployment_name="ft-b", model_name=seed.model),
            ],
            create_account=DestinationAccountArgs(
                name=account_name, resource_group_name="rg-new", location="eastus"
            ),
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            role_assignments=RoleAssignmentArgs(
                source_principal_id=seed.deployer_in_contoso,
                destination_principal_id=seed.deployer_in_fabrikam,
                source_provider=source_provider,
            ),
        ),
    )


def _existing(name, seed, **extra):
    return FineTunedModelDeployment(
        name,
        FineTunedModelDeploymentArgs(
            deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
            account_id=seed.destination_account,
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            **extra,
        ),
    )


def test_component_registers_under_its_type_token_at_the_stack(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _existing("copy", seed))

    component = runtime.named("copy")
    assert component.type == COMPONENT_TYPE
    assert not component.custom
    assert component.parent == "urn:pulumi:stack::project::pulumi:pulumi:Stack::project-stack"


def test_children_are_named_from_the_component_and_parented_to_it(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _everything("copy", seed))

    component = runtime.named("copy")
    children = [r for r in runtime.registrations if r.parent == component.urn]
    assert sorted((r.type, r.name) for r in children) == sorted(
        [
            (ACCOUNT_TYPE, "copy-account"),
            # The source grant is the program's, which other components may share: see
            # test_component_shared_roles.py. The grant on the new account is this one's.
            (ROLE_ASSIGNMENT_TYPE, "copy-destination-role"),
            (DEPLOYMENT_TYPE, "copy-ft-a"),
            (DEPLOYMENT_TYPE, "copy-ft-b"),
        ]
    )
    # The URN records the parent chain too: Stack $ component $ child type.
    for child in children:
        assert f"::{COMPONENT_TYPE}${child.type}::{child.name}" in child.urn


def test_two_components_in_one_stack_name_their_children_apart(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        contoso = azure_native.Provider("contoso", tenant_id=seed.contoso)
        _everything("eus", seed, contoso, account_name="fabrikam-ft-eus")
        _everything("wus", seed, contoso, account_name="fabrikam-ft-wus")

    runtime.run(program)

    for component in ("eus", "wus"):
        urn = runtime.named(component).urn
        assert {r.name for r in runtime.registrations if r.parent == urn} == {
            f"{component}-account",
            f"{component}-destination-role",
            f"{component}-ft-a",
            f"{component}-ft-b",
        }


def test_an_existing_account_brings_no_azure_native_resources(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _existing("copy", seed))

    assert sorted(r.type for r in runtime.registrations) == [
        COMPONENT_TYPE,
        DEPLOYMENT_TYPE,
        OWNER_KEY_TYPE,
    ]


def test_outputs_of_an_existing_account_without_its_subdomain(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    component = runtime.run(lambda: _existing("copy", seed))

    assert runtime.value(component.account_id) == seed.destination_account
    assert runtime.value(component.endpoint) is None
    assert runtime.value(component.deployment_ids) == {
        "ft": f"{seed.destination_account}/deployments/ft"
    }
    assert runtime.value(component.deployment_names) == {"ft": "ft"}


def test_endpoint_of_an_existing_account_from_its_subdomain(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    public = runtime.run(
        lambda: _existing("copy", seed, existing_account_subdomain="fabrikam-aoai-eus")
    )
    assert runtime.value(public.endpoint) == "https://fabrikam-aoai-eus.openai.azure.com/"

    runtime = pulumi_runtime()
    government = runtime.run(
        lambda: _existing(
            "copy", seed, existing_account_subdomain="fabrikam", openai_domain="openai.azure.us"
        )
    )
    assert runtime.value(government.endpoint) == "https://fabrikam.openai.azure.us/"


def test_registered_outputs_are_the_component_outputs(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _existing("copy", seed, existing_account_subdomain="fabrikam-aoai-eus"))

    assert runtime.monitor.registered_outputs[runtime.named("copy").urn] == {
        "account_id": seed.destination_account,
        "endpoint": "https://fabrikam-aoai-eus.openai.azure.com/",
        "deployment_ids": {"ft": f"{seed.destination_account}/deployments/ft"},
        "deployment_names": {"ft": "ft"},
    }


def test_created_account_is_an_s0_account_with_the_given_settings(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
                create_account=DestinationAccountArgs(
                    name="fabrikam-ft",
                    resource_group_name="rg-new",
                    location="swedencentral",
                    kind="AIServices",
                    custom_subdomain_name="fabrikam-ft-sub",
                    public_network_access="Disabled",
                    disable_local_auth=False,
                    tags={"team": "ml"},
                ),
            ),
        )
    )

    assert runtime.named("copy-account").inputs == {
        "accountName": "fabrikam-ft",
        "resourceGroupName": "rg-new",
        "location": "swedencentral",
        "kind": "AIServices",
        "sku": {"name": "S0"},
        "properties": {
            "customSubDomainName": "fabrikam-ft-sub",
            "publicNetworkAccess": "Disabled",
            "disableLocalAuth": False,
        },
        "tags": {"team": "ml"},
    }


def test_created_account_defaults_to_openai_entra_only_with_its_name_as_subdomain(
    pulumi_runtime, seed
):
    runtime = pulumi_runtime()
    runtime.run(lambda: _everything("copy", seed))

    account = runtime.named("copy-account").inputs
    assert account["kind"] == "OpenAI"
    assert account["properties"] == {
        "customSubDomainName": "fabrikam-ft",
        "publicNetworkAccess": "Enabled",
        "disableLocalAuth": True,
    }


def test_outputs_of_a_created_account_come_from_the_account(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    component = runtime.run(lambda: _everything("copy", seed))
    created = _created_account(runtime)

    assert runtime.value(component.account_id) == created
    # The mocks answer with the endpoint Azure reports for kind OpenAI.
    assert runtime.value(component.endpoint) == "https://fabrikam-ft.openai.azure.com/"
    assert runtime.value(component.deployment_ids) == {
        "ft-a": f"{created}/deployments/ft-a",
        "ft-b": f"{created}/deployments/ft-b",
    }
    assert runtime.value(component.deployment_names) == {"ft-a": "ft-a", "ft-b": "ft-b"}
    assert component.account is not None
    assert set(component.deployments) == {"ft-a", "ft-b"}


def test_an_inherited_azure_native_provider_serves_the_destination_side(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        destination = azure_native.Provider("fabrikam", tenant_id=seed.fabrikam)
        return _everything_with(
            seed, pulumi.ResourceOptions(providers={"azure-native": destination})
        )

    runtime.run(program)

    fabrikam = runtime.named("fabrikam")
    fabrikam_ref = f"{fabrikam.urn}::{fabrikam.id}"
    assert runtime.named("copy-account").provider == fabrikam_ref
    assert runtime.named("copy-destination-role").provider == fabrikam_ref
    contoso = runtime.named("contoso")
    assert runtime.grant_on(seed.source_account).provider == f"{contoso.urn}::{contoso.id}"


def _everything_with(seed, opts):
    source_provider = azure_native.Provider("contoso", tenant_id=seed.contoso)
    return FineTunedModelDeployment(
        "copy",
        FineTunedModelDeploymentArgs(
            deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
            create_account=DestinationAccountArgs(
                name="fabrikam-ft", resource_group_name="rg-new", location="eastus"
            ),
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            role_assignments=RoleAssignmentArgs(
                source_principal_id=seed.deployer_in_contoso,
                destination_principal_id=seed.deployer_in_fabrikam,
                source_provider=source_provider,
            ),
        ),
        opts,
    )
