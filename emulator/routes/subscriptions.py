"""``GET /subscriptions/{s}`` (Microsoft.Resources): the subscription, and the tenant it
belongs to. The dispatcher sends this route here before its own checks, which it does not
share with the resource provider's routes."""

from __future__ import annotations

from aoai_deploy.emulator.armerrors import ArmError
from aoai_deploy.emulator.auth import authenticate
from aoai_deploy.emulator.exchange import Request, Response, Route
from aoai_deploy.emulator.routes.common import Arm
from aoai_deploy.emulator.settings import Settings

__all__ = ["get_subscription"]


def get_subscription(arm: Arm, request: Request, route: Route, settings: Settings) -> Response:
    """``GET /subscriptions/{id}``: without a token, the 401 challenge names the
    subscription's tenant; with one, the subscription (any role in it lets one read it)."""
    tenant = arm.world.subscription_tenant(route.subscription)
    value = request.headers.get("authorization")
    if value is None or not value.strip():
        raise ArmError.subscription_challenge(tenant)
    caller = authenticate(request.headers, arm.world.wall(), settings.audiences)
    if not request.param("api-version"):
        raise ArmError.missing_api_version()
    if tenant is None:
        raise ArmError.subscription_not_found(route.subscription)
    if caller.tenant_id != tenant:
        raise ArmError.wrong_tenant(caller.token.tenant_id, tenant)
    scope = f"/subscriptions/{route.subscription}"
    if not arm.world.holds_any_role(caller.token.object_id, scope):
        raise ArmError.authorization_failed(
            caller.token.client,
            caller.token.object_id or "",
            "Microsoft.Resources/subscriptions/read",
            scope,
        )
    return Response(
        200,
        {
            "id": scope.lower(),
            "subscriptionId": route.subscription.lower(),
            "tenantId": tenant,
            "displayName": f"emulated subscription {route.subscription.lower()}",
            "state": "Enabled",
        },
    )
