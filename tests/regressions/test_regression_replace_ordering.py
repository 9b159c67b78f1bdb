"""Which replaces delete first.

``delete_before_replace`` exists for one reason (FACTS.md): a replace that keeps the same
ARM id must delete first, or create-before-delete PUTs that id and then deletes it. When
the ARM id changes (a new ``deployment_name`` or ``account_id``), create-before-delete is
safe and is what keeps the model online; deleting first takes it offline for the whole
creation of the new deployment (minutes for a fine-tuned model).

Fixed: ``diff`` deletes first only when the ARM id stays the same (or may, while unknown).
"""

from __future__ import annotations

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import checked, cross_tenant_inputs
from seed_ids import DEST_TENANT, LAB_ACCOUNT, LAB_MODEL, OTHER_DEST_ACCOUNTS


def test_new_name_with_new_model_is_created_before_the_old_one_is_deleted(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, cross_tenant_inputs()))
    # The usual blue/green roll of a new fine-tuned model: a new name, the new model.
    news = checked(
        provider,
        cross_tenant_inputs(
            deployment_name="ft-v2",
            model_name=LAB_MODEL,
            source_account_id=LAB_ACCOUNT,
            source_tenant_id=DEST_TENANT,
        ),
    )

    diff = provider.diff(created.id, created.outs or {}, news)

    assert "deployment_name" in diff.replaces
    assert diff.delete_before_replace is False, (
        "the new deployment has another ARM id; deleting the old one first only causes downtime"
    )


def test_move_to_another_account_with_another_sku_is_created_first(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, cross_tenant_inputs()))
    news = checked(
        provider, cross_tenant_inputs(account_id=OTHER_DEST_ACCOUNTS[0], sku_name="GlobalStandard")
    )

    diff = provider.diff(created.id, created.outs or {}, news)

    assert "account_id" in diff.replaces
    assert diff.delete_before_replace is False
