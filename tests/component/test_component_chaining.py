"""Order of writes: one at a time per account, after the role assignments, and propagation."""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure_native

from aoai_deploy.components import (
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"


def _component(name, seed, account_id, names, *, roles=False, opts=None, **extra):
    role_assignments = None
    if roles:
        role_assignments = RoleAssignmentArgs(
            source_principal_id=seed.deployer_in_contoso,
            destination_principal_id=seed.deployer_in_fabrikam,
            source_provider=azure_native.Provider(f"{name}-contoso", tenant_id=seed.contoso),
        )
    return FineTunedModelDeployment(
        name,
        FineTunedModelDeploymentArgs(
            deployments=[
                ModelDeploymentArgs(deployment_name=n, model_name=seed.model) for n in names
            ],
            account_id=account_id,
            source_account_id=seed.source_account,
            source_tenant_id=seed.contoso,
            destination_tenant_id=seed.fabrikam,
            role_assignments=role_assignments,
            **extra,
        ),
        opts,
    )


def _deployment_deps(runtime, prefix):
    """Each deployment's dependencies among the other deployments, by name."""
    deployments = [r for r in runtime.of_type(DEPLOYMENT_TYPE) if r.name.startswith(prefix)]
    names = {r.urn: r.name for r in runtime.of_type(DEPLOYMENT_TYPE)}
    return {r.name: sorted(names[d] for d in r.dependencies if d in names) for r in deployments}


def test_each_deployment_into_an_account_waits_for_the_one_before(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _component("copy", seed, seed.destination_account, ["one", "two", "three"]))

    assert _deployment_deps(runtime, "copy-") == {
        "copy-one": [],
        "copy-two": ["copy-one"],
        "copy-three": ["copy-two"],
    }


def test_deployments_into_different_accounts_do_not_wait_for_each_other(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        _component("eus", seed, seed.destination_account, ["a", "b"])
        _component("wus", seed, seed.other_destination_account, ["a", "b"])

    runtime.run(program)

    deps = _deployment_deps(runtime, "")
    assert deps == {"eus-a": [], "eus-b": ["eus-a"], "wus-a": [], "wus-b": ["wus-a"]}


def test_a_component_ordered_after_another_waits_for_all_its_deployments(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        first = _component("first", seed, seed.destination_account, ["a", "b"])
        _component(
            "second",
            seed,
            seed.destination_account,
            ["c", "d"],
            opts=pulumi.ResourceOptions(depends_on=[first]),
        )

    runtime.run(program)

    deps = _deployment_deps(runtime, "second-")
    assert deps == {
        "second-c": ["first-a", "first-b"],
        "second-d": ["first-a", "first-b", "second-c"],
    }


def test_deployments_wait_for_the_role_assignments_the_component_creates(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _component("copy", seed, seed.destination_account, ["a", "b"], roles=True))

    roles = {r.urn for r in runtime.of_type(ROLE_ASSIGNMENT_TYPE)}
    assert len(roles) == 2
    for deployment in runtime.of_type(DEPLOYMENT_TYPE):
        assert roles <= set(deployment.dependencies), deployment.name


def test_deployments_wait_out_role_propagation_when_roles_are_created(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _component("copy", seed, seed.destination_account, ["a"], roles=True))

    (deployment,) = runtime.of_type(DEPLOYMENT_TYPE)
    assert deployment.inputs["role_propagation_timeout_seconds"] == 300


def test_deployments_do_not_wait_for_propagation_without_new_roles(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(lambda: _component("copy", seed, seed.destination_account, ["a"]))

    (deployment,) = runtime.of_type(DEPLOYMENT_TYPE)
    assert deployment.inputs["role_propagation_timeout_seconds"] == 0


def test_role_propagation_timeout_can_be_overridden(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    def program():
        _component(
            "roles",
            seed,
            seed.destination_account,
            ["a"],
            roles=True,
            role_propagation_timeout_seconds=900,
        )
        _component(
            "granted-elsewhere",
            seed,
            seed.other_destination_account,
            ["a"],
            role_propagation_timeout_seconds=120,
        )

    runtime.run(program)

    assert runtime.named("roles-a").inputs["role_propagation_timeout_seconds"] == 900
    assert runtime.named("granted-elsewhere-a").inputs["role_propagation_timeout_seconds"] == 120
