"""The provider's lifecycle against the emulator: create, read, update, delete."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers import ForeignDeploymentError, OperationTimeoutError
from aoai_deploy.providers.core.schema import OWNER_TAG
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import OWNER, MakeProvider, checked, cross_tenant_inputs
from seed_ids import (
    DEST_ACCOUNT,
    DEST_TENANT,
    FT_MODEL,
    LAB_ACCOUNT,
    LAB_MODEL,
    OTHER_DEST_ACCOUNTS,
    SOURCE_ACCOUNT,
    SOURCE_TENANT,
)

DEPLOYMENT_ID = DEST_ACCOUNT + "/deployments/ft"


def writes(emu: Emulator, method: str = "PUT") -> list[Any]:
    return [e for e in emu.request_log if e.method == method and "/deployments/" in e.path]


def test_cross_tenant_create_puts_source_account_with_an_auxiliary_token(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    inputs = checked(provider, cross_tenant_inputs())

    result = provider.create(inputs)

    assert result.id == DEPLOYMENT_ID
    outs = result.outs or {}
    assert outs["provisioning_state"] == "Succeeded"
    assert outs["cross_tenant"] is True
    assert outs["model"]["sourceAccount"].lower() == SOURCE_ACCOUNT.lower()
    assert outs["sku_name"] == "Standard"
    assert outs["sku_capacity"] == 1
    assert outs["tenant_id"] == DEST_TENANT
    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    assert stored["properties"]["model"]["name"] == FT_MODEL
    assert stored["tags"][OWNER_TAG] == OWNER
    (put,) = writes(emu)
    assert put.tenant == DEST_TENANT
    assert [tid for tid, _ in put.aux] == [SOURCE_TENANT]


def test_same_tenant_copy_uses_source_and_sends_no_auxiliary_header(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    inputs = checked(
        provider,
        cross_tenant_inputs(
            model_name=LAB_MODEL, source_account_id=LAB_ACCOUNT, source_tenant_id=DEST_TENANT
        ),
    )

    outs = provider.create(inputs).outs or {}

    assert outs["cross_tenant"] is False
    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    model = stored["properties"]["model"]
    assert model["source"].lower() == LAB_ACCOUNT.lower()
    assert "sourceAccount" not in model
    assert all(not e.aux for e in emu.request_log)


def test_read_reports_live_state_and_404_means_gone(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, cross_tenant_inputs()))
    outs = created.outs or {}
    body = emu.deployment(DEST_ACCOUNT, "ft")
    assert body is not None
    body["sku"]["capacity"] = 7  # someone scaled it in the portal
    emu.put_deployment_direct(DEST_ACCOUNT, "ft", body)

    read = provider.read(created.id, outs)

    assert read.id == DEPLOYMENT_ID
    assert (read.outs or {})["sku_capacity"] == 7
    assert provider.diff(
        created.id, read.outs or {}, checked(provider, cross_tenant_inputs())
    ).changes

    emu.delete_deployment_direct(DEST_ACCOUNT, "ft")  # Azure removed it after 15 idle days
    gone = provider.read(created.id, outs)
    assert gone.id is None


def test_update_of_capacity_and_tags_is_a_patch_without_the_source(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    olds = provider.create(checked(provider, cross_tenant_inputs())).outs or {}
    news = checked(provider, cross_tenant_inputs(sku_capacity=3, tags={"team": "ml"}))

    outs = provider.update(DEPLOYMENT_ID, olds, news).outs or {}

    assert outs["sku_capacity"] == 3
    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    assert stored["sku"]["capacity"] == 3
    assert stored["tags"] == {"team": "ml", OWNER_TAG: OWNER}
    assert stored["properties"]["model"]["sourceAccount"].lower() == SOURCE_ACCOUNT.lower()
    (patch,) = writes(emu, "PATCH")
    assert patch.aux == ()
    assert len(writes(emu)) == 1  # the create's PUT only


def test_update_of_anything_else_puts_the_whole_body_with_the_auxiliary_token(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    olds = provider.create(checked(provider, cross_tenant_inputs())).outs or {}
    news = checked(provider, cross_tenant_inputs(rai_policy_name="strict", sku_capacity=2))

    outs = provider.update(DEPLOYMENT_ID, olds, news).outs or {}

    assert outs["rai_policy_name"] == "strict"
    assert outs["sku_capacity"] == 2
    _create_put, update_put = writes(emu)
    assert [tid for tid, _ in update_put.aux] == [SOURCE_TENANT]
    assert writes(emu, "PATCH") == []


def test_update_of_provider_side_inputs_only_sends_no_write(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    olds = provider.create(checked(provider, cross_tenant_inputs())).outs or {}
    news = checked(
        provider, cross_tenant_inputs(operation_timeout_seconds=600, tenant_id=DEST_TENANT.upper())
    )

    provider.update(DEPLOYMENT_ID, olds, {**news, "tenant_id": DEST_TENANT})

    assert len(writes(emu)) == 1


def test_delete_waits_until_gone_and_404_counts_as_done(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    up = make_provider()
    outs = up.create(checked(up, cross_tenant_inputs())).outs or {}
    destroy = make_provider()  # `pulumi destroy`: another plugin process

    destroy.delete(DEPLOYMENT_ID, outs)

    assert emu.deployment(DEST_ACCOUNT, "ft") is None
    destroy.delete(DEPLOYMENT_ID, outs)  # already gone: still success
    assert len(writes(emu, "DELETE")) == 2


def test_delete_in_the_update_that_created_the_id_leaves_it_in_place(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    """The engine never deletes a resource in the update that created it: a delete of an
    id this update's create wrote is the old resource's, in a replace that keeps the id."""
    outs = provider.create(checked(provider, cross_tenant_inputs())).outs or {}

    provider.delete(DEPLOYMENT_ID, outs)

    assert emu.deployment(DEST_ACCOUNT, "ft") is not None
    assert writes(emu, "DELETE") == []


def test_create_refuses_a_foreign_deployment_unless_adopt_existing(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.put_deployment_direct(
        DEST_ACCOUNT,
        "ft",
        {
            "sku": {"name": "Standard", "capacity": 1},
            "tags": {"owner": "someone-else"},
            "properties": {
                "model": {
                    "format": "OpenAI",
                    "name": FT_MODEL,
                    "version": "1",
                    "sourceAccount": SOURCE_ACCOUNT,
                }
            },
        },
    )

    with pytest.raises(ForeignDeploymentError, match="adopt_existing"):
        provider.create(checked(provider, cross_tenant_inputs()))
    assert writes(emu) == []

    outs = provider.create(checked(provider, cross_tenant_inputs(adopt_existing=True))).outs or {}

    assert outs["provisioning_state"] == "Succeeded"
    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    assert stored["tags"][OWNER_TAG] == OWNER


def test_create_that_timed_out_is_adopted_again_on_the_next_run(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.settings.provisioning_seconds = 120
    emu.settings.retry_after = 10
    inputs = checked(provider, cross_tenant_inputs(operation_timeout_seconds=30))

    with pytest.raises(OperationTimeoutError, match="adopted again on the next run"):
        provider.create(inputs)
    left = emu.deployment(DEST_ACCOUNT, "ft")
    assert left is not None
    assert left["tags"][OWNER_TAG] == OWNER

    emu.settings.provisioning_seconds = 0.05
    emu.settings.retry_after = 1
    result = provider.create(checked(provider, cross_tenant_inputs()))

    assert (result.outs or {})["provisioning_state"] == "Succeeded"
    assert len(emu.deployments(DEST_ACCOUNT)) == 1


def test_four_threads_into_one_account_see_no_conflict(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    errors: list[BaseException] = []

    def create(name: str) -> None:
        try:
            provider.create(checked(provider, cross_tenant_inputs(deployment_name=name)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(f"ft-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(emu.deployments(DEST_ACCOUNT)) == 4
    assert emu.conflicts == 0
    assert emu.write_overlaps == 0


def test_writes_to_different_accounts_are_not_serialized_against_each_other(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    for account in [DEST_ACCOUNT, *OTHER_DEST_ACCOUNTS]:
        provider.create(checked(provider, cross_tenant_inputs(account_id=account)))

    assert all(len(emu.deployments(a)) == 1 for a in [DEST_ACCOUNT, *OTHER_DEST_ACCOUNTS])
    assert emu.conflicts == 0


def test_adopt_existing_refuses_a_deployment_of_another_model(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.put_deployment_direct(
        DEST_ACCOUNT,
        "ft",
        {
            "sku": {"name": "Standard", "capacity": 1},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"}
            },
        },
    )

    with pytest.raises(ForeignDeploymentError, match="cannot change a deployment's model"):
        provider.create(checked(provider, cross_tenant_inputs(adopt_existing=True)))

    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    assert stored["properties"]["model"]["name"] == "gpt-4o"  # someone else's: left alone
    assert writes(emu) == []


def test_a_deployment_refresh_found_failed_is_applied_again_by_the_next_up(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, cross_tenant_inputs()))
    body = emu.deployment(DEST_ACCOUNT, "ft")
    assert body is not None
    body["properties"]["provisioningState"] = "Failed"  # e.g. Azure lost the capacity
    emu.put_deployment_direct(DEST_ACCOUNT, "ft", body)
    refreshed = provider.read(created.id, created.outs or {}).outs or {}
    assert refreshed["provisioning_state"] == "Failed"
    news = checked(provider, cross_tenant_inputs())

    diff = provider.diff(created.id, refreshed, news)
    outs = provider.update(created.id, refreshed, news).outs or {}

    assert diff.changes is True
    assert diff.replaces == []
    assert outs["provisioning_state"] == "Succeeded"
    assert len(writes(emu)) == 2  # the create's PUT, and the update's
