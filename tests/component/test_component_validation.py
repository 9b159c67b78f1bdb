"""Arguments the component refuses at construction, before anything is registered."""

from __future__ import annotations

from dataclasses import replace

import pulumi
import pulumi_azure_native as azure_native
import pytest

from aoai_deploy.components import (
    ComponentArgsError,
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)
from aoai_deploy.providers import InputError


def _valid(seed, **changes):
    """Arguments that pass: a cross-tenant copy into an existing account, roles included."""
    args = FineTunedModelDeploymentArgs(
        deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
        account_id=seed.destination_account,
        source_account_id=seed.source_account,
        source_tenant_id=seed.contoso,
        destination_tenant_id=seed.fabrikam,
        role_assignments=RoleAssignmentArgs(
            source_principal_id=seed.deployer_in_contoso,
            destination_principal_id=seed.deployer_in_fabrikam,
            source_provider=azure_native.Provider("contoso", tenant_id=seed.contoso),
        ),
    )
    return replace(args, **changes)


def _deployment(seed, **changes):
    return ModelDeploymentArgs(**{"deployment_name": "ft", "model_name": seed.model, **changes})


def _new_account(**changes):
    return DestinationAccountArgs(
        **{"name": "fabrikam-ft", "resource_group_name": "rg", "location": "eastus", **changes}
    )


def _roles(args, **changes):
    return replace(args.role_assignments, **changes)


# (field named in the error, a word of the reason, how to break valid arguments)
CASES = {
    "no deployments": ("deployments", "at least one", lambda s, a: replace(a, deployments=[])),
    "duplicate names ignoring case": (
        "deployments[1].deployment_name",
        "ignoring case",
        lambda s, a: replace(
            a,
            deployments=[
                _deployment(s, deployment_name="FT-1"),
                _deployment(s, deployment_name="ft-1"),
            ],
        ),
    ),
    "deployment name not URL-safe": (
        "deployments[0].deployment_name",
        "contains '/'",
        lambda s, a: replace(a, deployments=[_deployment(s, deployment_name="ft/1")]),
    ),
    # The component once allowed '~'; the provider's rule (letters, digits, '-', '_', '.') wins.
    "deployment name with a tilde": (
        "deployments[0].deployment_name",
        "contains '~'",
        lambda s, a: replace(a, deployments=[_deployment(s, deployment_name="ft~1")]),
    ),
    "deployment name with two dots": (
        "deployments[0].deployment_name",
        "'..'",
        lambda s, a: replace(a, deployments=[_deployment(s, deployment_name="ft..1")]),
    ),
    "deployment name not a plain string": (
        "deployments[0].deployment_name",
        "plain string",
        lambda s, a: replace(
            a, deployments=[_deployment(s, deployment_name=pulumi.Output.from_input("ft"))]
        ),
    ),
    "empty model name": (
        "deployments[0].model_name",
        "must not be empty",
        lambda s, a: replace(a, deployments=[_deployment(s, model_name="")]),
    ),
    "capacity zero": (
        "deployments[0].sku_capacity",
        "at least 1, got 0",
        lambda s, a: replace(a, deployments=[_deployment(s, sku_capacity=0)]),
    ),
    "capacity not whole": (
        "deployments[0].sku_capacity",
        "whole number",
        lambda s, a: replace(a, deployments=[_deployment(s, sku_capacity=1.5)]),
    ),
    "capacity a boolean": (
        "deployments[0].sku_capacity",
        "whole number",
        lambda s, a: replace(a, deployments=[_deployment(s, sku_capacity=True)]),
    ),
    "account SKU on a deployment": (
        "deployments[0].sku_name",
        "GlobalStandard",
        lambda s, a: replace(a, deployments=[_deployment(s, sku_name="S0")]),
    ),
    "api version that is not a date": (
        "deployments[0].api_version",
        "YYYY-MM-DD",
        lambda s, a: replace(a, deployments=[_deployment(s, api_version="latest")]),
    ),
    "tag the provider writes itself": (
        "deployments[0].tags",
        "aoai-deploy-owner",
        lambda s, a: replace(
            a, deployments=[_deployment(s, tags={"aoai-deploy-owner": "someone/else/x"})]
        ),
    ),
    # Azure allows 50 tags; the resource adds its owner tag, so 50 of the user's are too many.
    "as many tags as Azure allows, with the owner tag to come": (
        "deployments[0].tags",
        "at most 49",
        lambda s, a: replace(
            a, deployments=[_deployment(s, tags={f"t{i}": "v" for i in range(50)})]
        ),
    ),
    "unknown upgrade option": (
        "deployments[0].version_upgrade_option",
        "NoAutoUpgrade",
        lambda s, a: replace(a, deployments=[_deployment(s, version_upgrade_option="Never")]),
    ),
    "operation timeout zero": (
        "deployments[0].operation_timeout_seconds",
        "at least 1, got 0",
        lambda s, a: replace(a, deployments=[_deployment(s, operation_timeout_seconds=0)]),
    ),
    "both an account id and a new account": (
        "account_id",
        "not both",
        lambda s, a: replace(a, create_account=_new_account()),
    ),
    "neither an account id nor a new account": (
        "account_id",
        "no destination account",
        lambda s, a: replace(a, account_id=None),
    ),
    "malformed account id": (
        "account_id",
        "Microsoft.CognitiveServices/accounts",
        lambda s, a: replace(a, account_id="fabrikam-aoai-eus"),
    ),
    # The component's former parser dropped a trailing slash; the provider refuses it.
    "account id with a trailing slash": (
        "account_id",
        "trailing slash",
        lambda s, a: replace(a, account_id=s.destination_account + "/"),
    ),
    "malformed source account id": (
        "source_account_id",
        "Microsoft.CognitiveServices/accounts",
        lambda s, a: replace(a, source_account_id=s.source_account.replace("accounts", "vaults")),
    ),
    "source tenant without source account": (
        "source_tenant_id",
        "source_account_id",
        lambda s, a: replace(a, source_account_id=None, role_assignments=None),
    ),
    "tenant that is not a GUID": (
        "destination_tenant_id",
        "GUID",
        lambda s, a: replace(a, destination_tenant_id="fabrikam.onmicrosoft.com"),
    ),
    "roles without the source principal": (
        "role_assignments.source_principal_id",
        "source tenant",
        lambda s, a: replace(a, role_assignments=_roles(a, source_principal_id=None)),
    ),
    "roles without the destination principal": (
        "role_assignments.destination_principal_id",
        "destination tenant",
        lambda s, a: replace(a, role_assignments=_roles(a, destination_principal_id="")),
    ),
    "principal id that is not a GUID": (
        "role_assignments.source_principal_id",
        "GUID",
        lambda s, a: replace(a, role_assignments=_roles(a, source_principal_id="deployer")),
    ),
    "roles across tenants without a source-tenant provider": (
        "role_assignments.source_provider",
        "source tenant",
        lambda s, a: replace(a, role_assignments=_roles(a, source_provider=None)),
    ),
    "roles with an unknown destination tenant and no source provider": (
        "role_assignments.source_provider",
        "source tenant",
        lambda s, a: replace(
            a, destination_tenant_id=None, role_assignments=_roles(a, source_provider=None)
        ),
    ),
    "source provider of another package": (
        "role_assignments.source_provider",
        "azure-native",
        lambda s, a: replace(
            a, role_assignments=_roles(a, source_provider=pulumi.ProviderResource("azure", "old"))
        ),
    ),
    "source provider that is not a provider": (
        "role_assignments.source_provider",
        "Provider",
        lambda s, a: replace(a, role_assignments=_roles(a, source_provider=s.contoso)),
    ),
    "unknown principal type": (
        "role_assignments.principal_type",
        "ServicePrincipal",
        lambda s, a: replace(a, role_assignments=_roles(a, principal_type="App")),
    ),
    "negative propagation timeout": (
        "role_propagation_timeout_seconds",
        "at least 0, got -1",
        lambda s, a: replace(a, role_propagation_timeout_seconds=-1),
    ),
    "bad new account name": (
        "create_account.name",
        "account name",
        lambda s, a: replace(a, account_id=None, create_account=_new_account(name="x")),
    ),
    "new account name that cannot be a subdomain": (
        "create_account.name",
        "custom_subdomain_name",
        lambda s, a: replace(a, account_id=None, create_account=_new_account(name="ft_account")),
    ),
    "bad new account subdomain": (
        "create_account.custom_subdomain_name",
        "subdomain",
        lambda s, a: replace(
            a, account_id=None, create_account=_new_account(custom_subdomain_name="-ft-")
        ),
    ),
    "unknown account kind": (
        "create_account.kind",
        "AIServices",
        lambda s, a: replace(a, account_id=None, create_account=_new_account(kind="TextAnalytics")),
    ),
    "unknown public network access": (
        "create_account.public_network_access",
        "Disabled",
        lambda s, a: replace(
            a, account_id=None, create_account=_new_account(public_network_access="Private")
        ),
    ),
    "empty resource group": (
        "create_account.resource_group_name",
        "resource group name",
        lambda s, a: replace(
            a, account_id=None, create_account=_new_account(resource_group_name="")
        ),
    ),
    "resource group ending with a dot": (
        "create_account.resource_group_name",
        "must not end with '.'",
        lambda s, a: replace(
            a, account_id=None, create_account=_new_account(resource_group_name="rg.")
        ),
    ),
    "existing-account subdomain that is a URL": (
        "existing_account_subdomain",
        "subdomain",
        lambda s, a: replace(
            a, existing_account_subdomain="https://fabrikam-aoai-eus.openai.azure.com/"
        ),
    ),
    "existing-account subdomain with a new account": (
        "existing_account_subdomain",
        "custom_subdomain_name",
        lambda s, a: replace(
            a,
            account_id=None,
            create_account=_new_account(),
            existing_account_subdomain="fabrikam-ft",
        ),
    ),
}


@pytest.mark.parametrize(("field", "reason", "breaks"), CASES.values(), ids=CASES.keys())
def test_bad_arguments_are_refused_naming_the_field(pulumi_runtime, seed, field, reason, breaks):
    runtime = pulumi_runtime()
    error = _refused(runtime, lambda: breaks(seed, _valid(seed)))

    assert [p.field for p in error.problems] == [field]
    assert reason in error.problems[0].reason
    assert f"{field}: " in str(error)
    assert "FineTunedModelDeployment 'copy'" in str(error)
    assert not any(r.name.startswith("copy") for r in runtime.registrations)


def test_valid_arguments_pass(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: FineTunedModelDeployment("copy", _valid(seed)))

    assert runtime.named("copy").type == "aoai:index:FineTunedModelDeployment"


def _refused(runtime, make_args):
    """The error constructing a component from ``make_args()`` raises."""

    def program():
        with pytest.raises(ComponentArgsError) as raised:
            FineTunedModelDeployment("copy", make_args())
        return raised.value

    return runtime.run(program)


def test_every_problem_is_reported_at_once(pulumi_runtime, seed):
    error = _refused(
        pulumi_runtime(),
        lambda: _valid(
            seed,
            deployments=[
                _deployment(seed, sku_capacity=0),
                _deployment(seed, deployment_name="FT"),
            ],
            destination_tenant_id="fabrikam",
        ),
    )

    assert [p.field for p in error.problems] == [
        "deployments[0].sku_capacity",
        "deployments[1].deployment_name",
        "destination_tenant_id",
    ]


def test_a_problem_with_a_shared_input_is_reported_once_whatever_the_deployments(
    pulumi_runtime, seed
):
    error = _refused(
        pulumi_runtime(),
        lambda: _valid(
            seed,
            deployments=[_deployment(seed, deployment_name=n) for n in ("a", "b", "c")],
            source_account_id=seed.source_account + "/",
        ),
    )

    assert [p.field for p in error.problems] == ["source_account_id"]


def test_shared_inputs_are_checked_without_any_deployment(pulumi_runtime, seed):
    error = _refused(
        pulumi_runtime(),
        lambda: _valid(seed, deployments=[], account_id="fabrikam-aoai-eus"),
    )

    assert [p.field for p in error.problems] == ["deployments", "account_id"]


def test_the_provider_reasons_are_told_under_the_component_field_names(pulumi_runtime, seed):
    error = _refused(pulumi_runtime(), lambda: _valid(seed, destination_tenant_id="fabrikam"))

    (problem,) = error.problems
    # The resource input is tenant_id; the component's argument is destination_tenant_id.
    assert problem.field == "destination_tenant_id"
    assert problem.reason.startswith("must be a tenant GUID")
    assert "destination_tenant_id: must be a tenant GUID" in str(error)


def test_the_error_is_an_input_error_and_a_value_error(pulumi_runtime, seed):
    error = _refused(pulumi_runtime(), lambda: _valid(seed, deployments=[]))

    assert isinstance(error, InputError)
    assert isinstance(error, ValueError)


def test_outputs_are_not_judged_before_they_are_known(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        unknown = pulumi.Output.from_input
        FineTunedModelDeployment(
            "copy",
            _valid(
                seed,
                deployments=[_deployment(seed, sku_capacity=unknown(0), sku_name=unknown("S0"))],
                account_id=unknown("not an id"),
                destination_tenant_id=unknown(seed.fabrikam),
                role_assignments=None,
            ),
        )

    runtime.run(program)

    assert runtime.named("copy-ft").inputs["sku_capacity"] == 0


def test_a_copy_within_one_tenant_needs_no_source_provider(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    args = _valid(seed, destination_tenant_id=seed.contoso.upper())
    args = replace(args, role_assignments=_roles(args, source_provider=None))
    runtime.run(lambda: FineTunedModelDeployment("copy", args))

    assert runtime.grant_on(seed.source_account).provider == ""


def test_a_whole_number_sent_as_a_float_is_a_capacity_as_the_provider_takes_it(
    pulumi_runtime, seed
):
    runtime = pulumi_runtime()
    args = _valid(seed, deployments=[_deployment(seed, sku_capacity=2.0)], role_assignments=None)
    runtime.run(lambda: FineTunedModelDeployment("copy", args))

    assert runtime.named("copy-ft").inputs["sku_capacity"] == 2
