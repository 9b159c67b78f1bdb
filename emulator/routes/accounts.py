"""The account and the reads that belong to it or to its region.

======  ==========================================  ======================  ==================
method  path                                        REST spec operation     handler
======  ==========================================  ======================  ==================
GET     ``.../accounts/{a}``                        ``Accounts_Get``        :func:`get_account`
GET     ``.../accounts/{a}/models``                 ``Accounts_ListModels``
                                                                            :func:`list_models`
GET     ``/subscriptions/{s}{P}/locations/{l}/      ``Usages_List``         :func:`list_usages`
        usages``
======  ==========================================  ======================  ==================

The models list is :mod:`..catalog`'s, paged by ``nextLink`` like the deployments list; the
usages list is :mod:`..quota`'s, in the shape of the spec's ``ListUsages.json`` example
(``name {value, localizedValue}``, ``currentValue``, ``limit``, ``unit``), with its
``AccountCount`` entry (limit 200, as the example shows) and one entry per quota of that
subscription and region. The usages read is authorized at the subscription: it needs
``Microsoft.CognitiveServices/locations/usages/read`` there (the built-in role "Cognitive
Services Usages Reader", or Reader), which a role on an account or resource group does not give.
"""

from __future__ import annotations

import urllib.parse
import uuid
from typing import Any, Final

from aoai_deploy.emulator.armerrors import ArmError, arm_time
from aoai_deploy.emulator.auth import Caller
from aoai_deploy.emulator.catalog import render_models
from aoai_deploy.emulator.exchange import Request, Response, Route
from aoai_deploy.emulator.quota import in_use
from aoai_deploy.emulator.routes.common import Arm
from aoai_deploy.emulator.settings import Settings
from aoai_deploy.emulator.state import ACCOUNT_TYPE, Account

__all__ = [
    "READ_ACCOUNT",
    "READ_MODELS",
    "READ_USAGES",
    "get_account",
    "list_models",
    "list_usages",
    "render_account",
]

READ_ACCOUNT: Final = "Microsoft.CognitiveServices/accounts/read"
READ_MODELS: Final = "Microsoft.CognitiveServices/accounts/models/read"
READ_USAGES: Final = "Microsoft.CognitiveServices/locations/usages/read"
#: ``AccountCount``'s limit, as the spec's ListUsages.json example shows it.
_ACCOUNT_LIMIT: Final = 200


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


def list_models(
    arm: Arm, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
) -> Response:
    arm.authorize(caller, READ_MODELS, f"{route.account_id}/models", route, request.method)
    account = arm.parent(route)
    items = render_models(account, account.created)
    token = request.param("$skipToken")
    offset = 0
    if token is not None:
        if not token.isdigit():
            raise ArmError(400, "InvalidSkipToken", f"The skip token '{token}' is not valid.")
        offset = int(token)
    body: dict[str, Any] = {"value": items[offset : offset + settings.page_size]}
    if offset + settings.page_size < len(items):
        query = urllib.parse.urlencode(
            {"api-version": api_version, "$skipToken": str(offset + settings.page_size)}
        )
        body["nextLink"] = f"{arm.base_url()}{request.path}?{query}"
    return Response(200, body)


def list_usages(arm: Arm, request: Request, route: Route, caller: Caller) -> Response:
    subscription = f"/subscriptions/{route.subscription}"
    arm.authorize(caller, READ_USAGES, subscription, route, request.method)
    assert route.location is not None
    world = arm.world
    accounts = [
        a
        for a in world.accounts.values()
        if a.subscription_id.lower() == route.subscription.lower()
        and a.location.lower() == route.location.lower()
    ]
    value: list[dict[str, Any]] = [
        {
            "name": {
                "value": "AccountCount",
                "localizedValue": "Cognitive Services total account limit",
            },
            "currentValue": len(accounts),
            "limit": _ACCOUNT_LIMIT,
            "unit": "Count",
        }
    ]
    for quota in world.quotas.listed(route.subscription, route.location):
        model = quota.name.split(".", 2)[-1]
        value.append(
            {
                # Worded as Azure names the quota in its InsufficientQuota message.
                "name": {
                    "value": quota.name,
                    "localizedValue": f"Tokens Per Minute (thousands) - {model}",
                },
                "currentValue": in_use(world, route.subscription, route.location, quota.name),
                "limit": quota.limit,
                "unit": "Count",
            }
        )
    return Response(200, {"value": value})
