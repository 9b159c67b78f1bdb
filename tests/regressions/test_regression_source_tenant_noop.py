"""``source_tenant_id`` unset and the destination's own tenant mean the same copy
(issue 10, item 7).

Either way the copy is not cross-tenant: the body carries ``source`` and no auxiliary
token is sent. ``diff`` compared the raw field, so writing the destination tenant down
(or removing it) planned a delete-and-create of a deployment that would come back the same.

Fixed: ``diff`` compares what is sent to Azure (cross-tenant or not); the field alone
changing is an update that sends nothing.
"""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import arm_writes, checked, cross_tenant_inputs
from seed_ids import DEST_TENANT, LAB_ACCOUNT, LAB_MODEL, SOURCE_TENANT


def _same_tenant(source_tenant_id: str | None) -> dict[str, object]:
    return cross_tenant_inputs(
        model_name=LAB_MODEL, source_account_id=LAB_ACCOUNT, source_tenant_id=source_tenant_id
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [(None, DEST_TENANT), (DEST_TENANT, None), (None, DEST_TENANT.upper())],
    ids=["set-to-destination", "unset", "set-in-upper-case"],
)
def test_unset_and_the_destination_tenant_are_the_same_copy(
    provider: CrossTenantDeploymentProvider,
    emu: Emulator,
    before: str | None,
    after: str | None,
) -> None:
    created = provider.create(checked(provider, _same_tenant(before)))
    emu.clear_log()
    news = checked(provider, _same_tenant(after))

    diff = provider.diff(created.id, created.outs or {}, news)
    assert diff.replaces == []
    outs = provider.update(created.id, created.outs or {}, news).outs or {}

    assert arm_writes(emu) == []
    assert outs["source_tenant_id"] == after
    assert outs["cross_tenant"] is False


def test_a_source_tenant_that_makes_the_copy_cross_tenant_is_a_replace(
    provider: CrossTenantDeploymentProvider,
) -> None:
    created = provider.create(checked(provider, _same_tenant(None)))
    news = checked(
        provider,
        cross_tenant_inputs(
            model_name=LAB_MODEL, source_account_id=LAB_ACCOUNT, source_tenant_id=SOURCE_TENANT
        ),
    )

    diff = provider.diff(created.id, created.outs or {}, news)

    assert diff.replaces == ["source_tenant_id"]
    assert diff.delete_before_replace
