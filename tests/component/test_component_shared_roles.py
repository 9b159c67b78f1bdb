"""Role assignments that several components need: one per (principal, role, scope) in a program.

Azure holds one assignment of a role to a principal at a scope, and answers a second one, under
any name, with 409 ``RoleAssignmentExists`` (the mocks do too: see conftest.py). Two components
that copy from one source account with one identity (two regions, two customer tenants) need
the same source grant; two components that deploy into one account need the same destination
grant.
"""

from __future__ import annotations

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
    role_assignment_name,
)

COMPONENT_TYPE = "aoai:index:FineTunedModelDeployment"
DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"


def _copy(name, seed, account_id, **roles):
    """A component copying the seed's model from contoso into ``account_id``, granting the
    deployer the role on both sides unless ``roles`` says otherwise."""
    grants = {
        "source_principal_id": seed.deployer_in_contoso,
        "destination_principal_id": seed.deployer_in_fabrikam,
        "source_provider": azure_native.Provider(f"{name}-contoso", tenant_id=seed.contoso),
        **roles,
    }
    return FineTunedModelDeployment(
        name,
        FineTunedModelDeploymentArgs(
            deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
            account_id=account_id,
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            role_assignments=RoleAssignmentArgs(**grants),
        ),
    )


def _grants_on(runtime, scope):
    return [r for r in runtime.of_type(ROLE_ASSIGNMENT_TYPE) if r.inputs["scope"] == scope]


def _renames(registration):
    """The aliases that give the resource an earlier name (azure-native adds type aliases)."""
    return [a for a in registration.aliases if isinstance(a, str) or a["name"]]


def _deployment_of(runtime, component):
    return runtime.named(f"{component}-ft")


def test_two_components_sharing_a_source_and_principal_make_one_source_grant(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        _copy("eus", seed, seed.destination_account)
        _copy("wus", seed, seed.other_destination_account)

    runtime.run(program)

    (grant,) = _grants_on(runtime, seed.source_account)
    assert grant.inputs["principalId"] == seed.deployer_in_contoso
    assert grant.inputs["roleAssignmentName"] == role_assignment_name(
        seed.source_account, seed.deployer_in_contoso
    )
    # Each component still has its own destination grant (two accounts).
    assert len(runtime.of_type(ROLE_ASSIGNMENT_TYPE)) == 3
    for component in ("eus", "wus"):
        assert grant.urn in _deployment_of(runtime, component).dependencies, component


def test_the_shared_grant_goes_through_the_source_tenant_provider(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        _copy("eus", seed, seed.destination_account)
        _copy("wus", seed, seed.other_destination_account)

    runtime.run(program)

    (grant,) = _grants_on(runtime, seed.source_account)
    provider = runtime.named("eus-contoso")
    assert grant.provider == f"{provider.urn}::{provider.id}"


def test_the_shared_grant_outlives_either_component(pulumi_runtime, seed):
    # Removing a component from the program is how a stack destroys its deployments. The grant
    # must keep its URN whichever component remains, or the engine would delete it (and with it
    # the one assignment Azure holds) while the other component's deployments still need it.
    programs = {
        "both": ("eus", "wus"),
        "without eus": ("wus",),
        "without wus": ("eus",),
    }
    accounts = {"eus": seed.destination_account, "wus": seed.other_destination_account}
    urns = {}
    for label, components in programs.items():
        runtime = pulumi_runtime()
        runtime.run(lambda components=components: [_copy(c, seed, accounts[c]) for c in components])
        (grant,) = _grants_on(runtime, seed.source_account)
        urns[label] = grant.urn
        # Not a child of a component: destroying one (--target it) does not reach the grant.
        component_urns = {r.urn for r in runtime.of_type(COMPONENT_TYPE)}
        assert grant.parent not in component_urns, label

    assert len(set(urns.values())) == 1, urns


def test_two_components_into_one_account_share_the_destination_grant(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        first = _copy("first", seed, seed.destination_account)
        _copy("second", seed, seed.destination_account, opts_after=first)

    runtime.run(lambda: _two_into_one_account(seed))

    (destination,) = _grants_on(runtime, seed.destination_account)
    (source,) = _grants_on(runtime, seed.source_account)
    for component in ("first", "second"):
        dependencies = _deployment_of(runtime, component).dependencies
        assert {destination.urn, source.urn} <= set(dependencies), component


def _two_into_one_account(seed):
    first = _copy("first", seed, seed.destination_account)
    FineTunedModelDeployment(
        "second",
        FineTunedModelDeploymentArgs(
            deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
            account_id=seed.destination_account,
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            role_assignments=RoleAssignmentArgs(
                source_principal_id=seed.deployer_in_contoso,
                destination_principal_id=seed.deployer_in_fabrikam,
                source_provider=azure_native.Provider("second-contoso", tenant_id=seed.contoso),
            ),
        ),
        # Two components writing into one account must not run at once.
        pulumi.ResourceOptions(depends_on=[first]),
    )


def test_a_shared_destination_grant_goes_through_the_provider_the_component_inherits(
    pulumi_runtime, seed
):
    # Not a child of the component, the grant does not inherit its providers: it is given the
    # one the component would have passed on, the destination tenant's.
    runtime = pulumi_runtime()

    def program():
        fabrikam = azure_native.Provider("fabrikam", tenant_id=seed.fabrikam)
        FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
                account_id=seed.destination_account,
                role_assignments=RoleAssignmentArgs(
                    destination_principal_id=seed.deployer_in_fabrikam
                ),
            ),
            pulumi.ResourceOptions(providers={"azure-native": fabrikam}),
        )

    runtime.run(program)

    fabrikam = runtime.named("fabrikam")
    assert runtime.grant_on(seed.destination_account).provider == f"{fabrikam.urn}::{fabrikam.id}"


def test_a_shared_grant_follows_the_component_depends_on_and_protect(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        before = azure_native.Provider("before", tenant_id=seed.fabrikam)
        FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
                account_id=seed.destination_account,
                role_assignments=RoleAssignmentArgs(
                    destination_principal_id=seed.deployer_in_fabrikam
                ),
            ),
            pulumi.ResourceOptions(depends_on=[before], protect=True),
        )

    runtime.run(program)

    grant = runtime.grant_on(seed.destination_account)
    assert runtime.named("before").urn in grant.dependencies
    assert grant.protect is True


def test_a_grant_one_component_made_keeps_the_state_it_had_before_grants_were_shared(
    pulumi_runtime, seed
):
    # Releases before shared grants named the assignments <component>-source-role and
    # <component>-destination-role, children of the component. An alias carries that identity
    # over, so an existing stack keeps its assignments instead of replacing them (a create of
    # the same grant would be refused, and the delete of the old one would remove it).
    runtime = pulumi_runtime()
    runtime.run(lambda: _copy("copy", seed, seed.destination_account))

    component = runtime.named("copy")
    (source,) = _grants_on(runtime, seed.source_account)
    (destination,) = _grants_on(runtime, seed.destination_account)
    assert _renames(source) == [{"name": "copy-source-role", "type": "", "parent": component.urn}]
    assert _renames(destination) == [
        {"name": "copy-destination-role", "type": "", "parent": component.urn}
    ]


def test_the_grant_of_a_created_account_stays_the_component_own(pulumi_runtime, seed):
    # The new account's id is known only once Azure made it, and no other component can have
    # asked for a grant on it: the grant stays a child of the component, named as before.
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
                create_account=DestinationAccountArgs(
                    name="fabrikam-ft", resource_group_name="rg-new", location="eastus"
                ),
                role_assignments=RoleAssignmentArgs(
                    destination_principal_id=seed.deployer_in_fabrikam
                ),
            ),
        )
    )

    (grant,) = runtime.of_type(ROLE_ASSIGNMENT_TYPE)
    assert grant.name == "copy-destination-role"
    assert grant.parent == runtime.named("copy").urn
    assert _renames(grant) == []


def test_a_source_grant_managed_elsewhere_is_not_made_here(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: _copy(
            "customer",
            seed,
            seed.destination_account,
            source_principal_id=None,
            source_provider=None,
            source_managed_elsewhere=True,
        )
    )

    (grant,) = runtime.of_type(ROLE_ASSIGNMENT_TYPE)
    assert grant.inputs["scope"] == seed.destination_account
    deployment = _deployment_of(runtime, "customer")
    assert grant.urn in deployment.dependencies
    # The destination grant is new in this run: its propagation is still waited out.
    assert deployment.inputs["role_propagation_timeout_seconds"] == 300


def test_grants_managed_elsewhere_on_both_sides_make_none_and_wait_for_none(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: _copy(
            "customer",
            seed,
            seed.destination_account,
            source_principal_id=None,
            destination_principal_id=None,
            source_provider=None,
            source_managed_elsewhere=True,
            destination_managed_elsewhere=True,
        )
    )

    assert runtime.of_type(ROLE_ASSIGNMENT_TYPE) == []
    deployment = _deployment_of(runtime, "customer")
    assert deployment.inputs["role_propagation_timeout_seconds"] == 0


def test_a_principal_given_for_a_side_managed_elsewhere_is_named(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    with pytest.raises(ComponentArgsError) as caught:
        runtime.run(
            lambda: _copy("customer", seed, seed.destination_account, source_managed_elsewhere=True)
        )

    assert [(p.field, p.reason) for p in caught.value.problems] == [
        (
            "role_assignments.source_principal_id",
            "is not used: source_managed_elsewhere says another stack (or a person) grants "
            "the role on the source account; leave it unset",
        )
    ]


def test_one_principal_with_two_types_for_one_grant_is_named(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        _copy("eus", seed, seed.destination_account)
        _copy("wus", seed, seed.other_destination_account, principal_type="User")

    with pytest.raises(ComponentArgsError) as caught:
        runtime.run(program)

    assert [p.field for p in caught.value.problems] == ["role_assignments.principal_type"]
    assert "'eus'" in caught.value.problems[0].reason
    assert "ServicePrincipal" in caught.value.problems[0].reason


def test_grants_are_not_shared_between_two_programs(pulumi_runtime, seed):
    # Each program run (each test here, each Automation API run) starts without grants: a
    # grant another run registered is not taken as made.
    for _ in range(2):
        runtime = pulumi_runtime()
        runtime.run(lambda: _copy("eus", seed, seed.destination_account))
        assert len(_grants_on(runtime, seed.source_account)) == 1


def test_managed_elsewhere_takes_only_true_or_false(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    with pytest.raises(ComponentArgsError) as caught:
        runtime.run(
            lambda: _copy(
                "customer", seed, seed.destination_account, destination_managed_elsewhere="yes"
            )
        )

    assert [(p.field, p.reason) for p in caught.value.problems] == [
        ("role_assignments.destination_managed_elsewhere", "must be True or False")
    ]
