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

from typing import Any

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


@pytest.mark.parametrize(
    ("status", "challenge", "expected"),
    [
        pytest.param(
            401,
            f'Bearer authorization_uri="https://login.microsoftonline.com/{SOURCE_TENANT}", '
            'error="invalid_token"',
            SOURCE_TENANT,
            id="microsoftonline",
        ),
        pytest.param(
            401,
            f'Bearer authorization_uri="https://login.windows.net/{SOURCE_TENANT.upper()}"',
            SOURCE_TENANT,
            id="windows-net-upper-case",
        ),
        pytest.param(
            401, 'Bearer authorization_uri="https://login.windows.net/common"', None, id="common"
        ),
        pytest.param(401, "", None, id="no-challenge"),
        pytest.param(200, 'Bearer authorization_uri="https://x/y"', None, id="not-401"),
    ],
)
def test_the_subscription_tenant_comes_from_the_challenge_and_no_token_is_sent(
    scripted: Any, status: int, challenge: str, expected: str | None
) -> None:
    def answer(method: str, url: str, count: int) -> tuple[int, dict[str, str], Any]:
        return status, {"WWW-Authenticate": challenge} if challenge else {}, None

    lab = scripted(answer)

    found = lab.client.subscription_tenant(lab.call(), SOURCE_SUB)

    assert found == expected
    ((method, url, headers),) = lab.session.sent
    assert method == "GET"
    assert url.endswith(f"/subscriptions/{SOURCE_SUB}?api-version=2022-12-01")
    assert "Authorization" not in headers
    assert "x-ms-authorization-auxiliary" not in headers
