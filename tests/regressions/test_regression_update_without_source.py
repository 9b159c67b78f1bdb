"""A capacity or tag change of a copied deployment needs nothing of the source tenant
(issue 10, item 5).

``update`` PUT the whole body with ``sourceAccount`` and the auxiliary token, so once the
temporary source-side grant was removed (or the source tenant's token was no longer at
hand) a mere capacity change failed with ``LinkedAuthorizationFailed``. ARM's
``Deployments_Update`` (PATCH with ``{sku, tags}``, 200 or 202 + Location; FACTS.md) does
not reference the source account.

Fixed: a change of only ``sku_capacity`` and/or ``tags`` is a PATCH of ``{sku, tags}``
with no auxiliary token.
"""

from __future__ import annotations

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.core.schema import OPENAI_CONTRIBUTOR_ROLE_ID, OWNER_TAG
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import OWNER, MakeProvider, arm_writes, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_ACCOUNT, SOURCE_TENANT


def test_capacity_and_tags_change_after_the_source_grant_is_gone(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, cross_tenant_inputs()))
    assert emu.remove_role_assignment(
        emu.object_id("deployer", SOURCE_TENANT), OPENAI_CONTRIBUTOR_ROLE_ID, SOURCE_ACCOUNT
    )
    emu.clear_log()
    news = checked(provider, cross_tenant_inputs(sku_capacity=3, tags={"team": "ml"}))

    outs = provider.update(created.id, created.outs or {}, news).outs or {}

    assert outs["sku_capacity"] == 3
    assert outs["tags"] == {"team": "ml"}
    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    assert stored["sku"] == {"name": "Standard", "capacity": 3}
    assert stored["tags"] == {"team": "ml", OWNER_TAG: OWNER}
    assert [method for method, _ in arm_writes(emu)] == ["PATCH"]
    assert all(not entry.aux for entry in emu.request_log)


def test_capacity_changes_with_only_the_destination_token(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    both = make_provider()
    created = both.create(checked(both, cross_tenant_inputs()))
    destination_only = make_provider(tokens={DEST_TENANT: emu.token(DEST_TENANT)})

    outs = (
        destination_only.update(
            created.id,
            created.outs or {},
            checked(destination_only, cross_tenant_inputs(sku_capacity=2)),
        ).outs
        or {}
    )

    assert outs["sku_capacity"] == 2
    assert outs["cross_tenant"] is True
