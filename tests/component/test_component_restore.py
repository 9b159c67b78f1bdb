"""A destination account that a destroy left soft-deleted, and bringing it back.

Azure keeps a deleted Cognitive Services account soft-deleted for 48 hours, holding its name
and quota, and refuses to create it again with 409 ``FlagMustBeSetForRestore`` unless the
create says ``properties.restore: true`` (or the account is purged first). The mocks answer so
for the accounts given as ``soft_deleted`` (see conftest.py).
"""

from __future__ import annotations

import pytest

from aoai_deploy.components import (
    ComponentArgsError,
    DestinationAccountArgs,
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
)
from aoai_deploy.providers.core.hints import hint_for

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"


def _account_id(subscription):
    """The ARM id of the account that _new_account() creates, in the mocks' subscription."""
    return (
        f"/subscriptions/{subscription}/resourceGroups/rg-new"
        "/providers/Microsoft.CognitiveServices/accounts/fabrikam-ft"
    )


def _new_account(seed, **account):
    return FineTunedModelDeployment(
        "copy",
        FineTunedModelDeploymentArgs(
            deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
            create_account=DestinationAccountArgs(
                name="fabrikam-ft", resource_group_name="rg-new", location="eastus", **account
            ),
        ),
    )


def test_an_account_a_destroy_soft_deleted_cannot_be_created_again(
    pulumi_runtime, seed, mock_subscription
):
    runtime = pulumi_runtime(soft_deleted=(_account_id(mock_subscription),))

    with pytest.raises(Exception, match="FlagMustBeSetForRestore"):
        runtime.run(lambda: _new_account(seed))


def test_restore_brings_back_a_soft_deleted_account(pulumi_runtime, seed, mock_subscription):
    runtime = pulumi_runtime(soft_deleted=(_account_id(mock_subscription),))
    runtime.run(lambda: _new_account(seed, restore=True))

    account = runtime.named("copy-account")
    assert account.inputs["properties"]["restore"] is True
    assert account.id == _account_id(mock_subscription)
    (deployment,) = runtime.of_type(DEPLOYMENT_TYPE)
    assert deployment.inputs["account_id"] == account.id


def test_restore_unset_sends_nothing(pulumi_runtime, seed):
    # Existing stacks' accounts must not see a change of inputs.
    runtime = pulumi_runtime()
    runtime.run(lambda: _new_account(seed))

    assert "restore" not in runtime.named("copy-account").inputs["properties"]


def test_restore_takes_only_true_or_false(pulumi_runtime, seed):
    runtime = pulumi_runtime()

    with pytest.raises(ComponentArgsError) as caught:
        runtime.run(lambda: _new_account(seed, restore="yes"))

    assert [(p.field, p.reason) for p in caught.value.problems] == [
        ("create_account.restore", "must be True or False")
    ]


def test_the_hint_for_a_soft_deleted_account_names_restore_and_purge():
    hint = hint_for("FlagMustBeSetForRestore", {})

    assert "restore=True" in hint
    assert "aoai-deploy-example:newAccountRestore" in hint
    assert "az cognitiveservices account purge --name" in hint
