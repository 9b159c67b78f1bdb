"""``GET .../accounts/{a}``: the Cognitive Services account (``Accounts_Get`` in the REST spec).

The reads that belong to an account or its location live here too as they are added.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from aoai_deploy.emulator.armerrors import ArmError, arm_time
from aoai_deploy.emulator.auth import Caller
from aoai_deploy.emulator.exchange import Request, Response, Route
from aoai_deploy.emulator.routes.common import Arm
from aoai_deploy.emulator.settings import Settings
from aoai_deploy.emulator.state import ACCOUNT_TYPE, Account

__all__ = ["READ_ACCOUNT", "get_account", "render_account"]

READ_ACCOUNT: Final = "Microsoft.CognitiveServices/accounts/read"


def get_account(
    arm: Arm, request: Request, route: Route, caller: Caller, settings: Settings
) -> Response:
    arm.authorize(caller, READ_ACCOUNT, route.account_id, route, request.method)
    assert route.resource_group is not None
    assert route.account is not None
    if not arm.world.has_resource_group(route.subscription, route.resource_group):
        raise ArmError.resource_group_not_found(route.resource_group)
    account = arm.world.account(route.subscription, route.resource_group, route.account)
    if account is None:
        raise ArmError.account_not_found(route.account, route.resource_group)
    # The az CLI recordings of an account GET carry its etag as an ETag header too.
    return Response(200, render_account(account, settings.etag_key), {"ETag": account.etag})


def render_account(account: Account, etag_key: str | None) -> dict[str, Any]:
    """The account's ARM body, as ``Accounts_Get`` answers it."""
    created = arm_time(account.created)
    body: dict[str, Any] = {
        "id": account.id,
        "name": account.name,
        "type": ACCOUNT_TYPE,
        "location": account.location,
        "kind": account.kind,
        "sku": {"name": account.sku},
        "tags": {},
        "systemData": {
            "createdBy": "emulator-seed",
            "createdByType": "Application",
            "createdAt": created,
            "lastModifiedBy": "emulator-seed",
            "lastModifiedByType": "Application",
            "lastModifiedAt": created,
        },
        "properties": {
            "endpoint": f"https://{account.name.lower()}.openai.azure.com/",
            "customSubDomainName": account.name.lower(),
            "provisioningState": "Succeeded",
            "publicNetworkAccess": "Enabled",
            "dateCreated": created,
            "internalId": uuid.uuid5(uuid.NAMESPACE_URL, account.key).hex,
            "capabilities": [{"name": "VirtualNetworks"}, {"name": "CustomerManagedKey"}],
            "networkAcls": {"defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []},
        },
    }
    if etag_key is not None:
        body[etag_key] = account.etag
    return body
