"""ARM's front door: routing, the order of ARM's checks, and the headers of every answer.

:meth:`ArmApp.handle` turns one parsed :class:`~.exchange.Request` into a
:class:`~.exchange.Response`; it knows nothing of sockets (``server.py`` does). The order of
checks follows ARM: route and method, injected front-door faults, authentication (401),
``api-version`` (400), subscription and its tenant (404 / 401), role on the target scope (403),
parent resources (404), then the body, the linked (source-account) checks, the resource
provider's own rules, and the per-account write lock (409). The first checks are here; from the
role on, each resource's handler in ``routes/`` applies them, with the checks they share on
:class:`~.routes.common.Arm`.

Routes (path segments case-insensitive, names percent-decoded; ``{P}`` stands for
``/providers/Microsoft.CognitiveServices``)::

    subscription       /subscriptions/{s}
    account            /subscriptions/{s}/resourceGroups/{g}{P}/accounts/{a}
    deployments-list   /subscriptions/{s}/resourceGroups/{g}{P}/accounts/{a}/deployments
    deployment         /subscriptions/{s}/resourceGroups/{g}{P}/accounts/{a}/deployments/{d}
    operation          /subscriptions/{s}{P}/locations/{l}/operationStatuses/{id}
    location           /subscriptions/{s}{P}/locations/{l}/operationResults/{id}
    account-models     /subscriptions/{s}/resourceGroups/{g}{P}/accounts/{a}/models
    usages             /subscriptions/{s}{P}/locations/{l}/usages

Their handlers, in ``routes/``: ``subscription`` in ``subscriptions.py``, ``account``,
``account-models`` and ``usages`` in ``accounts.py``, ``deployments-list`` and ``deployment``
in ``deployments.py``, ``operation`` and ``location`` in ``operations.py``.
"""

from __future__ import annotations

import re
import traceback
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Final

from aoai_deploy.emulator.apiversions import API_VERSIONS, row
from aoai_deploy.emulator.armerrors import ArmError, error_body
from aoai_deploy.emulator.auth import authenticate
from aoai_deploy.emulator.exchange import Context, Request, Response, Route
from aoai_deploy.emulator.faults import TRANSPORT_KINDS, Fault, FaultBook
from aoai_deploy.emulator.routes import accounts, deployments, operations, subscriptions
from aoai_deploy.emulator.routes.common import Arm
from aoai_deploy.emulator.settings import Settings
from aoai_deploy.emulator.state import World

__all__ = ["API_VERSIONS", "ArmApp", "match_route"]

_PROVIDER = r"/providers/Microsoft\.CognitiveServices"
_GROUP_PATH = r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
_ACCOUNT_PATH = rf"{_GROUP_PATH}{_PROVIDER}/accounts/(?P<acct>[^/]+)"
_LOCATION_PATH = rf"/subscriptions/(?P<sub>[^/]+){_PROVIDER}/locations/(?P<loc>[^/]+)"
_ROUTES: Final = (
    ("subscription", re.compile(r"^/subscriptions/(?P<sub>[^/]+)/?$", re.IGNORECASE)),
    ("account", re.compile(rf"^{_ACCOUNT_PATH}/?$", re.IGNORECASE)),
    ("deployments-list", re.compile(rf"^{_ACCOUNT_PATH}/deployments/?$", re.IGNORECASE)),
    ("deployment", re.compile(rf"^{_ACCOUNT_PATH}/deployments/(?P<dep>[^/]+)/?$", re.IGNORECASE)),
    (
        "operation",
        re.compile(rf"^{_LOCATION_PATH}/operationStatuses/(?P<op>[^/]+)/?$", re.IGNORECASE),
    ),
    (
        "location",
        re.compile(rf"^{_LOCATION_PATH}/operationResults/(?P<op>[^/]+)/?$", re.IGNORECASE),
    ),
    ("account-models", re.compile(rf"^{_ACCOUNT_PATH}/models/?$", re.IGNORECASE)),
    ("usages", re.compile(rf"^{_LOCATION_PATH}/usages/?$", re.IGNORECASE)),
)
_METHODS: Final = {
    "subscription": ("GET",),
    "account": ("GET",),
    "deployments-list": ("GET",),
    "deployment": ("GET", "PUT", "PATCH", "DELETE"),
    "operation": ("GET",),
    "location": ("GET",),
    "account-models": ("GET",),
    "usages": ("GET",),
}
_RESOURCE_TYPES: Final = {
    "subscription": "subscriptions",
    "account": "accounts",
    "deployments-list": "accounts/deployments",
    "deployment": "accounts/deployments",
    "operation": "locations/operationStatuses",
    "location": "locations/operationResults",
    "account-models": "accounts/models",
    "usages": "locations/usages",
}


def match_route(path: str) -> Route | None:
    """The route ``path`` belongs to, or ``None``."""
    for name, pattern in _ROUTES:
        match = pattern.match(path)
        if match is None:
            continue
        parts = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
        return Route(
            name=name,
            subscription=parts["sub"],
            resource_group=parts.get("rg"),
            account=parts.get("acct"),
            deployment=parts.get("dep"),
            location=parts.get("loc"),
            operation=parts.get("op"),
        )
    return None


class ArmApp:
    """The request handler behind the emulator's HTTP server."""

    def __init__(
        self,
        world: World,
        faults: FaultBook,
        settings: Callable[[], Settings],
        base_url: Callable[[], str],
        pause: Callable[[float], None],
    ) -> None:
        self.world = world
        self.faults = faults
        self.settings = settings
        self.base_url = base_url
        self.pause = pause
        self.internal_errors: list[str] = []
        self.arm = Arm(world, faults, base_url)

    # -- entry point -----------------------------------------------------------------------

    def handle(self, request: Request) -> tuple[Response, Context]:
        ctx = Context()
        route = match_route(request.path)
        ctx.route = route.name if route else None
        try:
            if route is None:
                raise ArmError.no_route(request.method, request.path)
            if route.account is not None:
                ctx.account = self._account_label(route)
            fault = self.faults.take(TRANSPORT_KINDS, route.name, request.method)
            if fault is not None:
                ctx.fault = fault.kind
                if fault.kind == "drop":
                    return Response(0, drop=True), ctx
                self._front_door_fault(fault, route, request.method)
            if request.method not in _METHODS[route.name]:
                raise ArmError.method_not_allowed(request.method)
            with self.world.lock:
                response = self._dispatch(request, route, ctx)
        except ArmError as err:
            ctx.error_code = err.code
            response = Response(err.status, err.body(), dict(err.headers))
        except Exception:
            # A bug in the emulator: answer like ARM would, and keep the traceback for the tests.
            self.internal_errors.append(traceback.format_exc())
            ctx.error_code = "InternalServerError"
            response = Response(
                500,
                error_body("InternalServerError", "The emulator failed; see its internal_errors."),
            )
        self._common_headers(response, request)
        return response, ctx

    def _account_label(self, route: Route) -> str:
        with self.world.lock:
            assert route.resource_group is not None
            assert route.account is not None
            account = self.world.account(route.subscription, route.resource_group, route.account)
        return account.id if account else route.account_id

    def _front_door_fault(self, fault: Fault, route: Route, method: str) -> None:
        if fault.kind == "slow":
            self.pause(fault.delay)
        elif fault.kind == "throttle":
            kind = "read" if method == "GET" else "write"
            raise ArmError.throttled(route.subscription, kind, fault.retry_after)
        elif fault.kind == "error":
            raise ArmError.server_error(
                fault.status or 500, fault.retry_after, fault.code, fault.message
            )

    def _common_headers(self, response: Response, request: Request) -> None:
        headers = response.headers
        headers.setdefault("x-ms-request-id", str(uuid.uuid4()))
        headers.setdefault("x-ms-correlation-request-id", str(uuid.uuid4()))
        headers.setdefault("Cache-Control", "no-cache")
        headers.setdefault("Pragma", "no-cache")
        headers.setdefault("Expires", "-1")
        if request.method == "GET":
            headers.setdefault("x-ms-ratelimit-remaining-subscription-reads", "11999")
        else:
            headers.setdefault("x-ms-ratelimit-remaining-subscription-writes", "1199")

    # -- routing ---------------------------------------------------------------------------

    def _dispatch(self, request: Request, route: Route, ctx: Context) -> Response:
        settings = self.settings()
        if route.name == "subscription":
            return subscriptions.get_subscription(self.arm, request, route, settings)
        caller = authenticate(request.headers, self.world.wall(), settings.audiences)
        api_version = request.param("api-version")
        if not api_version:
            raise ArmError.missing_api_version()
        tenant = self.world.subscription_tenant(route.subscription)
        if tenant is None:
            raise ArmError.subscription_not_found(route.subscription)
        if caller.tenant_id != tenant:
            raise ArmError.wrong_tenant(caller.token.tenant_id, tenant)
        if api_version not in API_VERSIONS:
            locations = tuple(sorted({a.location for a in self.world.accounts.values()}))
            raise ArmError.unsupported_api_version(
                api_version,
                self._location(route),
                _RESOURCE_TYPES[route.name],
                API_VERSIONS,
                locations,
            )
        if route.name == "account":
            return accounts.get_account(self.arm, request, route, caller, settings)
        if route.name == "account-models":
            return accounts.list_models(self.arm, request, route, caller, settings, api_version)
        if route.name == "usages":
            return accounts.list_usages(self.arm, request, route, caller)
        if route.name == "deployments-list":
            return deployments.list_deployments(
                self.arm, request, route, caller, settings, api_version
            )
        if route.name == "operation":
            return operations.operation_status(self.arm, route, settings, ctx)
        if route.name == "location":
            return operations.operation_result(self.arm, route, settings, ctx)
        if request.method == "PATCH" and not row(api_version).update:
            # Deployments_Update does not exist at this api-version (apiversions.py).
            raise ArmError.method_not_allowed(request.method)
        handler = {
            "GET": deployments.get_deployment,
            "PUT": deployments.put_deployment,
            "PATCH": deployments.patch_deployment,
            "DELETE": deployments.delete_deployment,
        }[request.method]
        return handler(self.arm, request, route, caller, settings, api_version)

    def _location(self, route: Route) -> str:
        if route.account is not None and route.resource_group is not None:
            account = self.world.account(route.subscription, route.resource_group, route.account)
            if account is not None:
                return account.location
        return route.location or "eastus"
