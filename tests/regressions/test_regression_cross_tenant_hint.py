"""A cross-tenant copy set up as a same-tenant one names the real fix (issue 10, item 11).

With ``source_tenant_id`` unset, or set to the destination's tenant, a copy from an
account in another tenant passes preview and fails at create with
``LinkedAuthorizationFailed``; the hint then asked for a role "on the source account in
tenant (not set)", which does not help. ARM answers an unauthenticated
``GET /subscriptions/{id}`` with 401 and a ``WWW-Authenticate`` challenge whose
``authorization_uri`` ends in the subscription's tenant (FACTS.md, "More of Azure's
behaviour"): that is the ``source_tenant_id`` to set.

Fixed: on that failure the provider looks the source subscription's tenant up that way
(no token on that request) and says "set source_tenant_id to <that id>".
"""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers import ArmAuthorizationError
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_SUB, SOURCE_TENANT

DEPLOYMENT_ID = DEST_ACCOUNT + "/deployments/ft"


@pytest.mark.parametrize("source_tenant_id", [None, DEST_TENANT], ids=["unset", "destination"])
def test_a_copy_from_another_tenant_without_its_tenant_names_the_tenant_to_set(
    provider: CrossTenantDeploymentProvider, emu: Emulator, source_tenant_id: str | None
) -> None:
    inputs = checked(provider, cross_tenant_inputs(source_tenant_id=source_tenant_id))

    with pytest.raises(ArmAuthorizationError) as caught:
        provider.create(inputs)

    message = str(caught.value)
    assert message.startswith(f"creating {DEPLOYMENT_ID}: LinkedAuthorizationFailed: ")
    assert f"set source_tenant_id to {SOURCE_TENANT}" in message
    lookups = [e for e in emu.request_log if e.route == "subscription"]
    assert [e.path for e in lookups] == [f"/subscriptions/{SOURCE_SUB}"]
    assert lookups[0].status == 401
    assert "authorization" not in lookups[0].headers_seen
    assert lookups[0].tenant is None
