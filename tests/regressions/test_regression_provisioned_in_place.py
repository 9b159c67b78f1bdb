"""Provisioned deployments move to another model in place (issue 10, item 6).

For ``ProvisionedManaged``, ``GlobalProvisionedManaged`` and ``DataZoneProvisionedManaged``
Azure migrates a deployment to another model version or family in place (FACTS.md, "More
of Azure's behaviour"); a model change planned a delete-first replace, which gives up the
reserved capacity, and it may not come back.

Fixed: on those SKUs a change of ``model_name`` or ``model_format`` is an update.
"""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import arm_writes, base_model_inputs, checked
from seed_ids import DEST_ACCOUNT

PROVISIONED = ["ProvisionedManaged", "GlobalProvisionedManaged", "DataZoneProvisionedManaged"]


@pytest.mark.parametrize("sku", PROVISIONED)
def test_a_new_model_family_on_a_provisioned_sku_is_an_update_in_place(
    provider: CrossTenantDeploymentProvider, emu: Emulator, sku: str
) -> None:
    created = provider.create(checked(provider, base_model_inputs(sku_name=sku, sku_capacity=15)))
    emu.clear_log()
    news = checked(provider, base_model_inputs(model_name="gpt-4o", sku_name=sku, sku_capacity=15))

    diff = provider.diff(created.id, created.outs or {}, news)
    assert diff.changes
    assert diff.replaces == []
    outs = provider.update(created.id, created.outs or {}, news).outs or {}

    assert outs["model"]["name"] == "gpt-4o"
    stored = emu.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    assert stored["properties"]["model"]["name"] == "gpt-4o"
    assert [method for method, _ in arm_writes(emu)] == ["PUT"]


def test_a_new_model_family_on_a_standard_sku_is_still_a_replace(
    provider: CrossTenantDeploymentProvider,
) -> None:
    created = provider.create(checked(provider, base_model_inputs(sku_name="GlobalStandard")))
    news = checked(provider, base_model_inputs(model_name="gpt-4o", sku_name="GlobalStandard"))

    diff = provider.diff(created.id, created.outs or {}, news)

    assert diff.replaces == ["model_name"]
    assert diff.delete_before_replace
