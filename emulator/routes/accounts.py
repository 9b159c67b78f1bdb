"""``GET .../accounts/{a}``: the Cognitive Services account (``Accounts_Get`` in the REST spec).

The reads that belong to an account or its location live here too as they are added.
"""

from __future__ import annotations

from typing import Final

from aoai_deploy.emulator.armerrors import ArmError
from aoai_deploy.emulator.auth import Caller
from aoai_deploy.emulator.exchange import Request, Response, Route
from aoai_deploy.emulator.routes.common import Arm
from aoai_deploy.emulator.settings import Settings

__all__ = ["READ_ACCOUNT", "get_account"]

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
    return Response(200, arm.world.render_account(account, settings.etag_key))
