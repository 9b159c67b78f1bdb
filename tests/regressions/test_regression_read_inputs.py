"""``read`` returns inputs that reflect the live deployment (issue 10, item 10).

With pulumi >= 3.216 a dynamic provider's ``read`` may return inputs; without them a
refresh leaves the old inputs in the state. The engine applies ``ignore_changes`` against
those inputs, so a property the user ignores after it drifted was reverted by the next
``up``, and a drifted resource showed in a preview as an update naming no property
(FACTS.md, "Pulumi Python dynamic providers").

Fixed: ``lifecycle.read`` returns a ``ReadResult`` with the inputs the live deployment
stands for, and the dynamic front passes them on.
"""

from __future__ import annotations

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.core.schema import INPUTS, OWNER_INPUT
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import OWNER, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT


def test_refresh_returns_the_live_capacity_as_an_input(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, cross_tenant_inputs(tags={"team": "ml"})))
    body = emu.deployment(DEST_ACCOUNT, "ft")
    assert body is not None
    body["sku"]["capacity"] = 7  # scaled in the portal
    body["tags"]["team"] = "research"
    emu.put_deployment_direct(DEST_ACCOUNT, "ft", body)

    read = provider.read(created.id, created.outs or {})

    assert read.inputs is not None, "read returned no inputs: a refresh keeps stale ones"
    assert read.inputs["sku_capacity"] == 7
    assert read.inputs["tags"] == {"team": "research"}
    assert read.inputs[OWNER_INPUT] == OWNER
    assert set(read.inputs) <= {*INPUTS, OWNER_INPUT}
    # `ignore_changes=["sku_capacity", "tags"]`: the engine takes those from the refreshed
    # inputs, and the next `up` leaves the drift alone.
    news = checked(
        provider,
        {
            **cross_tenant_inputs(tags={"team": "ml"}),
            "sku_capacity": read.inputs["sku_capacity"],
            "tags": read.inputs["tags"],
        },
    )
    assert not provider.diff(created.id, read.outs or {}, news).changes
