"""The advice after a model Azure does not have names the right account (issue 15, item 6a).

A base model deployed with a version its account does not offer failed with
``DeploymentModelNotSupported`` and the advice "check ... against the models of the source
account ((not set))": there is no source account for a base model.

Fixed: without a source account the advice names the destination account, whose models a
base model comes from, and says when ``source_account_id`` is needed.
"""

from __future__ import annotations

import pytest

from aoai_deploy.providers import ArmError
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import base_model_inputs, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, SOURCE_ACCOUNT


def test_a_base_model_with_a_version_azure_lacks_names_the_destination_account(
    provider: CrossTenantDeploymentProvider,
) -> None:
    inputs = checked(provider, base_model_inputs(model_version="1999-01-01"))

    with pytest.raises(ArmError) as caught:
        provider.create(inputs)

    message = str(caught.value)
    assert "DeploymentModelNotSupported" in message
    assert "(not set)" not in message
    assert f"the models the account {DEST_ACCOUNT} can deploy" in message


def test_a_copy_of_a_model_the_source_lacks_names_the_source_account(
    provider: CrossTenantDeploymentProvider,
) -> None:
    inputs = checked(provider, cross_tenant_inputs(model_name="gpt-4o-mini-2024-07-18.ft-none"))

    with pytest.raises(ArmError) as caught:
        provider.create(inputs)

    message = str(caught.value)
    assert "DeploymentModelNotSupported" in message
    assert f"the models of the source account {SOURCE_ACCOUNT}" in message
