"""Without the ``azure-native`` extra: only creating an account or role assignments needs
pulumi-azure-native, and asking for either stops the program with one line naming the extra.

pulumi-azure-native is blocked here as Python blocks a module (``sys.modules[name] = None``:
``find_spec`` finds nothing and ``import`` raises ImportError). tests/e2e/
test_release_default_install.py shows the same in a real environment installed without the
extra, through the real CLI.
"""

from __future__ import annotations

import sys

import pulumi
import pytest

from aoai_deploy.components import (
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    MissingExtraError,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)

STACK_FILE = "Pulumi.local.yaml"
INSTALL = 'pip install "aoai-deploy[azure-native]"'


@pytest.fixture
def without_azure_native(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in sys.modules if n.split(".")[0] == "pulumi_azure_native"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pulumi_azure_native", None)


def _args(seed, **changes):
    return FineTunedModelDeploymentArgs(
        **{
            "deployments": [ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
            "account_id": seed.destination_account,
            "source_account_id": seed.source_account,
            "source_tenant_id": seed.contoso,
            "destination_tenant_id": seed.fabrikam,
            **changes,
        }
    )


def _stopped(runtime, program) -> str:
    with pytest.raises(MissingExtraError) as caught:
        runtime.run(program)
    assert isinstance(caught.value, pulumi.RunError)  # shown without a traceback
    assert runtime.registrations == []  # nothing is made before it
    return str(caught.value)


def test_an_existing_account_needs_no_azure_native(without_azure_native, pulumi_runtime, seed):
    runtime = pulumi_runtime(preview=True)

    runtime.run(lambda: FineTunedModelDeployment("ft", _args(seed)))

    # The component, the deployment and the stack's key for the owner tags (in any order).
    assert sorted(r.name for r in runtime.registrations) == [
        "aoai-deploy-owner-key",
        "ft",
        "ft-ft",
    ]
    assert "pulumi_azure_native" not in {n.split(".")[0] for n in sys.modules if sys.modules[n]}


def test_create_account_without_the_extra_is_one_line_naming_it(
    without_azure_native, pulumi_runtime, seed
):
    account = DestinationAccountArgs(name="ft", resource_group_name="rg", location="eastus")
    args = _args(seed, account_id=None, create_account=account)

    message = _stopped(pulumi_runtime(preview=True), lambda: FineTunedModelDeployment("ft", args))

    assert message == (
        "FineTunedModelDeployment 'ft': create_account needs pulumi-azure-native, which "
        f"aoai-deploy installs only with its azure-native extra: {INSTALL}"
    )


def test_role_assignments_without_the_extra_are_one_line_naming_it(
    without_azure_native, pulumi_runtime, seed
):
    roles = RoleAssignmentArgs(
        destination_principal_id=seed.deployer_in_fabrikam, source_managed_elsewhere=True
    )
    args = _args(seed, role_assignments=roles)

    message = _stopped(pulumi_runtime(preview=True), lambda: FineTunedModelDeployment("ft", args))

    assert message.splitlines() == [
        "FineTunedModelDeployment 'ft': role_assignments needs pulumi-azure-native, which "
        f"aoai-deploy installs only with its azure-native extra: {INSTALL}"
    ]


def test_role_assignments_all_managed_elsewhere_need_no_azure_native(
    without_azure_native, pulumi_runtime, seed
):
    roles = RoleAssignmentArgs(source_managed_elsewhere=True, destination_managed_elsewhere=True)
    runtime = pulumi_runtime(preview=True)

    runtime.run(lambda: FineTunedModelDeployment("ft", _args(seed, role_assignments=roles)))

    # The component, the deployment and the stack's key for the owner tags (in any order).
    assert sorted(r.name for r in runtime.registrations) == [
        "aoai-deploy-owner-key",
        "ft",
        "ft-ft",
    ]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"createRoleAssignments": "true"}, "aoai-deploy-example:createRoleAssignments"),
        (
            {
                "destinationAccountId": "",
                "newAccountName": "ft",
                "newAccountResourceGroup": "rg",
                "newAccountLocation": "eastus",
            },
            "aoai-deploy-example:newAccountName",
        ),
    ],
)
def test_the_example_stack_names_the_config_key_that_needs_the_extra(
    without_azure_native, pulumi_runtime, stack_config, run_main, changes, key
):
    config = stack_config(STACK_FILE)
    config.update({f"aoai-deploy-example:{k}": v for k, v in changes.items()})
    runtime = pulumi_runtime(
        preview=True, project="aoai-deploy-example", stack="local", config=config
    )

    with pytest.raises(MissingExtraError) as caught:
        run_main(runtime)

    assert str(caught.value) == (
        f"{key} needs pulumi-azure-native, which aoai-deploy installs only with its "
        f"azure-native extra: {INSTALL}"
    )
    assert runtime.registrations == []


def test_the_example_stack_on_an_existing_account_runs_without_the_extra(
    without_azure_native, pulumi_runtime, stack_config, run_main
):
    runtime = pulumi_runtime(
        preview=True,
        project="aoai-deploy-example",
        stack="local",
        config=stack_config(STACK_FILE),
    )

    run_main(runtime)

    assert {r.type for r in runtime.registrations} == {
        "aoai:index:FineTunedModelDeployment",
        "pulumi-python:dynamic/aoai:CrossTenantDeployment",
        "pulumi-python:dynamic/aoai:OwnerKey",
    }
