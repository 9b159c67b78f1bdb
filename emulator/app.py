"""ARM's answers: routing, authentication and authorization, and the deployment lifecycle.

:meth:`ArmApp.handle` turns one parsed :class:`Request` into a :class:`Response`; it knows
nothing of sockets (``server.py`` does). The order of checks follows ARM: route and method,
injected front-door faults, authentication (401), ``api-version`` (400), subscription and its
tenant (404 / 401), role on the target scope (403), parent resources (404), then the body, the
linked (source-account) checks, the resource provider's own rules, and the per-account write
lock (409).

Routes (path segments case-insensitive, names percent-decoded; ``{P}`` stands for
``/providers/Microsoft.CognitiveServices``)::

    subscription       /subscriptions/{s}
    account            /subscriptions/{s}/resourceGroups/{g}{P}/accounts/{a}
    deployments-list   /subscriptions/{s}/resourceGroups/{g}{P}/accounts/{a}/deployments
    deployment         /subscriptions/{s}/resourceGroups/{g}{P}/accounts/{a}/deployments/{d}
    operation          /subscriptions/{s}{P}/locations/{l}/operationStatuses/{id}
    location           /subscriptions/{s}{P}/locations/{l}/operationResults/{id}
"""

from __future__ import annotations

import copy
import json
import re
import traceback
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from aoai_deploy.emulator.armerrors import ArmError, arm_time, error_body
from aoai_deploy.emulator.auth import Caller, authenticate
from aoai_deploy.emulator.faults import TRANSPORT_KINDS, Fault, FaultBook
from aoai_deploy.emulator.settings import Settings
from aoai_deploy.emulator.state import (
    DEPLOYMENT_TYPE,
    Account,
    Deployment,
    Operation,
    World,
    account_arm_id,
    parse_account_id,
    rate_limits,
    system_data,
)

__all__ = [
    "API_VERSIONS",
    "DEPLOYMENT_SKUS",
    "ArmApp",
    "Context",
    "Request",
    "Response",
    "Route",
    "match_route",
]

#: API versions the emulator answers; others get 400 ``NoRegisteredProviderFound``.
API_VERSIONS: Final = ("2023-05-01", "2024-10-01", "2025-06-01", "2025-09-01", "2025-10-01-preview")
#: Deployment SKUs Azure documents (an account SKU such as ``S0`` is not one).
DEPLOYMENT_SKUS: Final = (
    "Standard",
    "GlobalStandard",
    "DataZoneStandard",
    "GlobalBatch",
    "DataZoneBatch",
    "ProvisionedManaged",
    "GlobalProvisionedManaged",
    "DataZoneProvisionedManaged",
    "DeveloperTier",
)
#: The SKUs whose deployments move to another model version or family in place.
PROVISIONED_SKUS: Final = (
    "ProvisionedManaged",
    "GlobalProvisionedManaged",
    "DataZoneProvisionedManaged",
)
VERSION_UPGRADE_OPTIONS: Final = (
    "OnceNewDefaultVersionAvailable",
    "OnceCurrentVersionExpired",
    "NoAutoUpgrade",
)
#: Deployment properties a PUT may carry beyond the ones the emulator interprets; echoed as sent.
_PASSTHROUGH_PROPERTIES: Final = (
    "scaleSettings",
    "parentDeploymentName",
    "spilloverDeploymentName",
    "serviceTier",
    "deploymentState",
)

READ_ACCOUNT: Final = "Microsoft.CognitiveServices/accounts/read"
READ_DEPLOYMENT: Final = "Microsoft.CognitiveServices/accounts/deployments/read"
WRITE_DEPLOYMENT: Final = "Microsoft.CognitiveServices/accounts/deployments/write"
DELETE_DEPLOYMENT: Final = "Microsoft.CognitiveServices/accounts/deployments/delete"
#: What the identity must be allowed on the source account of a copy. Azure documents that it
#: needs Cognitive Services OpenAI Contributor there; the emulator checks the write action that
#: role grants (a reader role is not enough).
LINKED_ACTION: Final = WRITE_DEPLOYMENT

MAX_BODY_BYTES: Final = 1 << 20
_DEPLOYMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
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
)
_METHODS: Final = {
    "subscription": ("GET",),
    "account": ("GET",),
    "deployments-list": ("GET",),
    "deployment": ("GET", "PUT", "PATCH", "DELETE"),
    "operation": ("GET",),
    "location": ("GET",),
}
_RESOURCE_TYPES: Final = {
    "subscription": "subscriptions",
    "account": "accounts",
    "deployments-list": "accounts/deployments",
    "deployment": "accounts/deployments",
    "operation": "locations/operationStatuses",
    "location": "locations/operationResults",
}


@dataclass(frozen=True)
class Route:
    """A matched path."""

    name: str
    subscription: str
    resource_group: str | None = None
    account: str | None = None
    deployment: str | None = None
    location: str | None = None
    operation: str | None = None

    @property
    def account_id(self) -> str:
        """The account's ARM id as the request spelled it."""
        assert self.resource_group is not None
        assert self.account is not None
        return account_arm_id(self.subscription, self.resource_group, self.account)

    @property
    def deployment_id(self) -> str:
        return f"{self.account_id}/deployments/{self.deployment}"


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


@dataclass(frozen=True)
class Request:
    """One HTTP request, parsed."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    """Lower-cased header names."""
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """A query parameter by case-insensitive name."""
        for key, value in self.query.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Response:
    """One HTTP answer; ``body`` is JSON-able, ``None`` for no body."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    """Close the connection without answering."""


@dataclass
class Context:
    """What handling learnt about a request, for the request log."""

    route: str | None = None
    account: str | None = None
    fault: str | None = None
    error_code: str | None = None


def _get(obj: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A JSON member by case-insensitive name (ARM deserializes case-insensitively)."""
    if key in obj:
        return obj[key]
    for name, value in obj.items():
        if name.lower() == key.lower():
            return value
    return default


def _canonical(value: str, known: tuple[str, ...]) -> str | None:
    for item in known:
        if item.lower() == value.lower():
            return item
    return None


def _same(a: Any, b: Any) -> bool:
    """Case-insensitive equality of optional strings (absent and empty are the same)."""
    return str(a or "").lower() == str(b or "").lower()


@dataclass(frozen=True)
class _Failure:
    """How an injected ``failed-provisioning`` fault makes a write end (no error: it succeeds)."""

    error: dict[str, str] | None = None
    status: int = 400
    outcome: str = "Failed"


@dataclass(frozen=True)
class _PutSpec:
    sku_name: str
    capacity: int
    tags: dict[str, str] | None
    properties: dict[str, Any]
    model: dict[str, Any]
    model_format: str
    model_name: str
    model_version: str | None
    source_field: str | None
    source: str | None
    rai_policy: str | None
    upgrade_option: str | None


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

    # -- shared checks ---------------------------------------------------------------------

    def _dispatch(self, request: Request, route: Route, ctx: Context) -> Response:
        settings = self.settings()
        if route.name == "subscription":
            return self._get_subscription(request, route, settings)
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
            return self._get_account(request, route, caller, settings)
        if route.name == "deployments-list":
            return self._list(request, route, caller, settings, api_version)
        if route.name == "operation":
            return self._operation_status(route, settings, ctx)
        if route.name == "location":
            return self._operation_result(route, settings, ctx)
        handler = {
            "GET": self._get_deployment,
            "PUT": self._put,
            "PATCH": self._patch,
            "DELETE": self._delete,
        }[request.method]
        return handler(request, route, caller, settings, api_version)

    def _location(self, route: Route) -> str:
        if route.account is not None and route.resource_group is not None:
            account = self.world.account(route.subscription, route.resource_group, route.account)
            if account is not None:
                return account.location
        return route.location or "eastus"

    def _authorize(
        self, caller: Caller, action: str, scope: str, route: Route, method: str
    ) -> None:
        window = self.faults.propagation_window(route.name, method)
        oid = caller.token.object_id
        if not self.world.permitted(oid, action, scope, window):
            raise ArmError.authorization_failed(caller.token.client, oid or "", action, scope)

    def _parent(self, route: Route) -> Account:
        assert route.resource_group is not None
        assert route.account is not None
        if not self.world.has_resource_group(route.subscription, route.resource_group):
            raise ArmError.resource_group_not_found(route.resource_group)
        account = self.world.account(route.subscription, route.resource_group, route.account)
        if account is None:
            raise ArmError.parent_not_found(route.account)
        return account

    @staticmethod
    def _json(request: Request) -> Any:
        if len(request.body) > MAX_BODY_BYTES:
            raise ArmError.body_too_large()
        if not request.body.strip():
            raise ArmError.invalid_content("The request content is empty.")
        try:
            return json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ArmError.invalid_content(str(exc)) from None

    @staticmethod
    def _preconditions(request: Request, existing: Deployment | None) -> None:
        if_match = request.headers.get("if-match")
        if if_match is not None:
            wanted = if_match.strip()
            if existing is None or (wanted != "*" and wanted.removeprefix("W/") != existing.etag):
                raise ArmError.precondition_failed("If-Match", wanted)
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None and if_none_match.strip() == "*" and existing is not None:
            raise ArmError.precondition_failed("If-None-Match", "*")

    def _check_conflict(self, account: Account) -> None:
        if self.world.running_operation(account.key) is not None:
            self.world.conflicts += 1
            raise ArmError.conflict(account.id)

    def _operation_url(self, op: Operation, kind: str) -> str:
        return (
            f"{self.base_url()}/subscriptions/{op.subscription_id}/providers/Microsoft.CognitiveServices"
            f"/locations/{op.location}/{kind}/{op.id}?api-version={op.api_version}"
        )

    def _async_headers(self, op: Operation, settings: Settings) -> dict[str, str]:
        if settings.async_style == "none":
            return {}
        if settings.async_style == "location":
            headers = {"Location": self._operation_url(op, "operationResults")}
        else:
            headers = {"Azure-AsyncOperation": self._operation_url(op, "operationStatuses")}
        if settings.retry_after is not None:
            headers["Retry-After"] = str(settings.retry_after)
        return headers

    def _failure(self, method: str) -> _Failure:
        fault = self.faults.take(frozenset({"failed-provisioning"}), "deployment", method)
        if fault is None:
            return _Failure()
        if fault.outcome == "Canceled":
            # Worded by the emulator: no recorded Azure answer for a canceled deployment write.
            code, message = "OperationCanceled", "The operation was canceled."
        else:
            code, message = (
                "InternalServerError",
                "The deployment operation failed because of an internal error.",
            )
        error = {"code": fault.code or code, "message": fault.message or message}
        return _Failure(error, fault.status or 400, fault.outcome)

    def _check_quota(self, method: str, model: str, capacity: int) -> None:
        fault = self.faults.take(frozenset({"insufficient-quota"}), "deployment", method)
        if fault is not None:
            raise ArmError.insufficient_quota(model, capacity, fault.message)

    # -- accounts and reads ----------------------------------------------------------------

    def _get_account(
        self, request: Request, route: Route, caller: Caller, settings: Settings
    ) -> Response:
        self._authorize(caller, READ_ACCOUNT, route.account_id, route, request.method)
        assert route.resource_group is not None
        assert route.account is not None
        if not self.world.has_resource_group(route.subscription, route.resource_group):
            raise ArmError.resource_group_not_found(route.resource_group)
        account = self.world.account(route.subscription, route.resource_group, route.account)
        if account is None:
            raise ArmError.account_not_found(route.account, route.resource_group)
        return Response(200, self.world.render_account(account, settings.etag_key))

    def _get_subscription(self, request: Request, route: Route, settings: Settings) -> Response:
        """``GET /subscriptions/{id}``: without a token, the 401 challenge names the
        subscription's tenant; with one, the subscription (any role in it lets one read it)."""
        tenant = self.world.subscription_tenant(route.subscription)
        value = request.headers.get("authorization")
        if value is None or not value.strip():
            raise ArmError.subscription_challenge(tenant)
        caller = authenticate(request.headers, self.world.wall(), settings.audiences)
        if not request.param("api-version"):
            raise ArmError.missing_api_version()
        if tenant is None:
            raise ArmError.subscription_not_found(route.subscription)
        if caller.tenant_id != tenant:
            raise ArmError.wrong_tenant(caller.token.tenant_id, tenant)
        scope = f"/subscriptions/{route.subscription}"
        if not self.world.holds_any_role(caller.token.object_id, scope):
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

    def _get_deployment(
        self, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
    ) -> Response:
        self._authorize(caller, READ_DEPLOYMENT, route.deployment_id, route, request.method)
        account = self._parent(route)
        assert route.deployment is not None
        found = self.world.deployment(account.key, route.deployment)
        if found is None:
            raise ArmError.not_found(route.deployment_id)
        return Response(200, self.world.render(found, settings.etag_key))

    def _list(
        self, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
    ) -> Response:
        self._authorize(
            caller, READ_DEPLOYMENT, f"{route.account_id}/deployments", route, request.method
        )
        account = self._parent(route)
        token = request.param("$skipToken")
        offset = 0
        if token is not None:
            if not token.isdigit():
                raise ArmError(400, "InvalidSkipToken", f"The skip token '{token}' is not valid.")
            offset = int(token)
        items = self.world.list_deployments(account.key)
        page = items[offset : offset + settings.page_size]
        body: dict[str, Any] = {"value": [self.world.render(d, settings.etag_key) for d in page]}
        if offset + settings.page_size < len(items):
            query = urllib.parse.urlencode(
                {"api-version": api_version, "$skipToken": str(offset + settings.page_size)}
            )
            body["nextLink"] = f"{self.base_url()}{request.path}?{query}"
        return Response(200, body)

    # -- operations ------------------------------------------------------------------------

    def _find_operation(self, route: Route, ctx: Context) -> Operation:
        assert route.operation is not None
        op = self.world.operations.get(route.operation.lower())
        if op is None or op.subscription_id != route.subscription.lower():
            raise ArmError.not_found(route.operation)
        ctx.account = op.account_id
        self.world.settle()
        return op

    def _operation_status(self, route: Route, settings: Settings, ctx: Context) -> Response:
        op = self._find_operation(route, ctx)
        body: dict[str, Any] = {
            "id": urllib.parse.urlsplit(self._operation_url(op, "operationStatuses")).path,
            "name": op.id,
            "status": op.status(settings.running_status),
            "startTime": arm_time(op.started_wall),
        }
        headers: dict[str, str] = {}
        if op.applied:
            body["endTime"] = arm_time(op.ends_wall)
            if op.error is not None:
                body["error"] = dict(op.error)
        elif settings.retry_after is not None:
            headers["Retry-After"] = str(settings.retry_after)
        return Response(200, body, headers)

    def _operation_result(self, route: Route, settings: Settings, ctx: Context) -> Response:
        op = self._find_operation(route, ctx)
        if not op.applied:
            headers = {"Location": self._operation_url(op, "operationResults")}
            if settings.retry_after is not None:
                headers["Retry-After"] = str(settings.retry_after)
            return Response(202, None, headers)
        if op.error is not None:
            return Response(op.fail_status, {"error": dict(op.error)})
        if op.kind == "delete":
            return Response(204)
        found = self.world.deployment(op.account_key, op.deployment_name)
        if found is None:
            return Response(204)
        return Response(200, self.world.render(found, settings.etag_key))

    # -- writes ----------------------------------------------------------------------------

    def _put(
        self, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
    ) -> Response:
        scope = route.deployment_id
        self._authorize(caller, WRITE_DEPLOYMENT, scope, route, request.method)
        account = self._parent(route)
        body = self._json(request)
        if not isinstance(body, dict):
            raise ArmError.invalid_content("The request content must be a JSON object.")
        source_account = self._linked(caller, body, scope, route)
        assert route.deployment is not None
        name = route.deployment
        if not _DEPLOYMENT_NAME.match(name):
            raise ArmError.invalid_name(name)
        existing = self.world.deployment(account.key, name)
        self._preconditions(request, existing)
        spec = self._put_spec(body, account)
        holder = source_account or account
        found = self.world.find_model(
            holder, spec.model_format, spec.model_name, spec.model_version
        )
        if found is None:
            raise ArmError.model_not_supported(
                spec.model_format, spec.model_name, spec.model_version or "", spec.source or ""
            )
        model, version = found
        self._check_conflict(account)
        if existing is not None:
            self._check_model_change(existing, spec, version)
        self._check_quota(request.method, model.name, spec.capacity)
        failure = self._failure(request.method)
        kind: Literal["create", "update"] = "update" if existing else "create"
        op = self.world.start_operation(
            account,
            name,
            kind,
            api_version,
            settings.provisioning_seconds,
            failure.error,
            failure.status,
            failure.outcome,
        )
        model_out: dict[str, Any] = {"format": model.format, "name": model.name, "version": version}
        for key in ("publisher", "source", "sourceAccount"):
            value = spec.model.get(key)
            if value is not None:
                model_out[key] = value
        model_out["callRateLimit"] = {"rules": rate_limits(spec.capacity)}
        properties: dict[str, Any] = {
            "model": model_out,
            "versionUpgradeOption": spec.upgrade_option or "OnceNewDefaultVersionAvailable",
            "currentCapacity": spec.capacity,
            "capabilities": dict(model.capabilities) or {"chatCompletion": "true"},
            "provisioningState": settings.creating_state,
            "rateLimits": rate_limits(spec.capacity),
            "callRateLimit": {"rules": rate_limits(spec.capacity)},
            "raiPolicyName": spec.rai_policy or "Microsoft.DefaultV2",
            "dynamicThrottlingEnabled": False,
        }
        for key in _PASSTHROUGH_PROPERTIES:
            value = _get(spec.properties, key)
            if value is not None:
                properties[key] = copy.deepcopy(value)
        stored_name = existing.name if existing else name
        new_body: dict[str, Any] = {
            "id": f"{account.id}/deployments/{stored_name}",
            "type": DEPLOYMENT_TYPE,
            "name": stored_name,
            "sku": {"name": spec.sku_name, "capacity": spec.capacity},
            "systemData": system_data(
                caller.token.client,
                caller.client_type,
                self.world.wall(),
                existing.body["systemData"] if existing else None,
            ),
            "properties": properties,
        }
        if spec.tags is not None:
            new_body["tags"] = spec.tags
        stored = self.world.store(account, stored_name, new_body, op.id)
        self.world.settle()
        return Response(
            200 if existing else 201,
            self.world.render(stored, settings.etag_key),
            self._async_headers(op, settings),
        )

    @staticmethod
    def _check_model_change(existing: Deployment, spec: _PutSpec, version: str) -> None:
        """Azure's rules for a PUT that changes an existing deployment's model.

        The source never changes. The model's name or format changes only on the
        provisioned SKUs, which migrate in place to another model family (FACTS.md, "More of
        Azure's behaviour"); other SKUs may change only the version. And a write may not
        change the model (name or version) and the capacity at once.
        """
        old = existing.body["properties"]["model"]
        if not (
            _same(old.get("source"), spec.model.get("source"))
            and _same(old.get("sourceAccount"), spec.model.get("sourceAccount"))
        ):
            raise ArmError.cannot_change_model()
        same_family = _same(old.get("name"), spec.model_name) and _same(
            old.get("format"), spec.model_format
        )
        provisioned = {name.lower() for name in PROVISIONED_SKUS}
        in_place = (
            str(existing.body["sku"].get("name", "")).lower() in provisioned
            and spec.sku_name.lower() in provisioned
        )
        if not same_family and not in_place:
            raise ArmError.cannot_change_model()
        model_changes = not same_family or not _same(old.get("version"), version)
        if model_changes and existing.body["sku"].get("capacity") != spec.capacity:
            raise ArmError.capacity_and_model()

    def _linked(
        self, caller: Caller, body: Mapping[str, Any], scope: str, route: Route
    ) -> Account | None:
        """The source account a PUT copies from, once ARM's linked-access rules pass."""
        properties = _get(body, "properties")
        model = _get(properties, "model") if isinstance(properties, Mapping) else None
        if not isinstance(model, Mapping):
            return None
        source_account = _get(model, "sourceAccount")
        source = _get(model, "source")
        field_name, text = (
            ("sourceAccount", source_account) if source_account else ("source", source)
        )
        if not text:
            return None
        if not isinstance(text, str) or parse_account_id(text) is None:
            raise ArmError.linked_invalid_id(str(text), f"properties.model.{field_name}")
        if source_account and source and not _same(source_account, source):
            raise ArmError.invalid_properties(
                "The model 'source' and 'sourceAccount' name different accounts; set one of them.",
                target="properties.model",
            )
        parts = parse_account_id(text)
        assert parts is not None
        subscription, group, name = parts
        client = caller.token.client
        oid = caller.token.object_id or ""
        source_tenant = self.world.subscription_tenant(subscription)
        linked_scope = account_arm_id(subscription, group, name)
        if source_tenant is None:
            raise ArmError.linked_authorization_failed(
                client, oid, WRITE_DEPLOYMENT, scope, LINKED_ACTION, linked_scope
            )
        principal = caller.token
        if source_tenant != caller.tenant_id:
            # Another tenant: only sourceAccount with an auxiliary token from that tenant crosses.
            aux = [t for t in caller.aux if t.tenant_id.lower() == source_tenant]
            if field_name != "sourceAccount" or not aux:
                raise ArmError.linked_tenant_not_authorized(
                    client, oid, WRITE_DEPLOYMENT, scope, caller.token.tenant_id, subscription
                )
            principal = aux[0]
            if not _same(principal.app_id, caller.token.app_id):
                raise ArmError.linked_other_client(
                    client, oid, WRITE_DEPLOYMENT, scope, source_tenant, principal.client
                )
        window = self.faults.propagation_window(route.name, "PUT")
        if not self.world.permitted(principal.object_id, LINKED_ACTION, linked_scope, window):
            raise ArmError.linked_authorization_failed(
                client,
                principal.object_id or "",
                WRITE_DEPLOYMENT,
                scope,
                LINKED_ACTION,
                linked_scope,
            )
        account = self.world.account(subscription, group, name)
        if account is None:
            raise ArmError.invalid_properties(
                f"The source account '{linked_scope}' was not found.",
                target=f"properties.model.{field_name}",
            )
        return account

    def _put_spec(self, body: Mapping[str, Any], account: Account) -> _PutSpec:
        properties = _get(body, "properties")
        if not isinstance(properties, dict):
            raise ArmError.invalid_properties(
                "The deployment 'properties' are required.", target="properties"
            )
        model = _get(properties, "model")
        if not isinstance(model, dict):
            raise ArmError.invalid_properties(
                "The deployment model is required.", target="properties.model"
            )
        model = {
            k: v
            for k, v in (
                (key, _get(model, key))
                for key in ("format", "name", "version", "publisher", "source", "sourceAccount")
            )
            if v is not None
        }
        for key in ("format", "name"):
            if not isinstance(model.get(key), str) or not model[key]:
                raise ArmError.invalid_properties(
                    f"The deployment model '{key}' is required.", target=f"properties.model.{key}"
                )
        for key in ("version", "publisher", "source", "sourceAccount"):
            if key in model and not isinstance(model[key], str):
                raise ArmError.invalid_content(f"properties.model.{key} must be a string.")
        version = model.get("version") or None
        sku_name, capacity = self._sku(
            _get(body, "sku"), f"{model['name']} {version or ''}".strip(), account
        )
        tags = self._tags(body)
        rai = _get(properties, "raiPolicyName")
        if rai is not None and not isinstance(rai, str):
            raise ArmError.invalid_content("properties.raiPolicyName must be a string.")
        upgrade = _get(properties, "versionUpgradeOption")
        if upgrade is not None:
            known = (
                _canonical(upgrade, VERSION_UPGRADE_OPTIONS) if isinstance(upgrade, str) else None
            )
            if known is None:
                raise ArmError.invalid_properties(
                    f"The versionUpgradeOption '{upgrade}' is not supported; use one of "
                    f"{', '.join(VERSION_UPGRADE_OPTIONS)}.",
                    target="properties.versionUpgradeOption",
                )
            upgrade = known
        source_field = (
            "sourceAccount"
            if model.get("sourceAccount")
            else "source"
            if model.get("source")
            else None
        )
        return _PutSpec(
            sku_name=sku_name,
            capacity=capacity,
            tags=tags,
            properties=properties,
            model=model,
            model_format=model["format"],
            model_name=model["name"],
            model_version=version,
            source_field=source_field,
            source=model.get(source_field) if source_field else None,
            rai_policy=rai,
            upgrade_option=upgrade,
        )

    @staticmethod
    def _sku(
        sku: Any, model_label: str, account: Account, current: Mapping[str, Any] | None = None
    ) -> tuple[str, int]:
        if not isinstance(sku, dict):
            if current is None:
                raise ArmError.invalid_properties("The deployment 'sku' is required.", target="sku")
            raise ArmError.invalid_content("sku must be an object.")
        name = _get(sku, "name", current.get("name") if current else None)
        if not isinstance(name, str) or not name:
            raise ArmError.invalid_properties(
                "The deployment sku 'name' is required.", target="sku.name"
            )
        known = _canonical(name, DEPLOYMENT_SKUS)
        if known is None:
            raise ArmError.invalid_properties(
                f"The specified SKU '{name}' for model '{model_label}' is not supported in this "
                f"region '{account.location}'.",
                target="sku.name",
            )
        capacity = _get(sku, "capacity", current.get("capacity") if current else 1)
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            # Worded by the emulator; Azure refuses zero and negative capacities.
            raise ArmError.invalid_properties(
                f"The capacity '{capacity}' of sku '{known}' is invalid: it must be a whole "
                "number of at least 1.",
                target="sku.capacity",
            )
        return known, capacity

    @staticmethod
    def _tags(body: Mapping[str, Any]) -> dict[str, str] | None:
        tags = _get(body, "tags")
        if tags is None:
            return None
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise ArmError.invalid_content("tags must be an object of string values.")
        if len(tags) > 50:
            raise ArmError(400, "InvalidTag", "At most 50 tags are allowed on a resource.")
        return dict(tags)

    def _patch(
        self, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
    ) -> Response:
        self._authorize(caller, WRITE_DEPLOYMENT, route.deployment_id, route, request.method)
        account = self._parent(route)
        assert route.deployment is not None
        existing = self.world.deployment(account.key, route.deployment)
        if existing is None:
            raise ArmError.not_found(route.deployment_id)
        body = self._json(request)
        if not isinstance(body, dict):
            raise ArmError.invalid_content("The request content must be a JSON object.")
        others = sorted(k for k in body if k.lower() not in ("sku", "tags"))
        if others:
            raise ArmError.invalid_properties(
                "Only 'sku' and 'tags' can be updated with PATCH; not "
                f"{', '.join(repr(k) for k in others)}.",
                target=others[0],
            )
        self._preconditions(request, existing)
        new_body = copy.deepcopy(existing.body)
        model = new_body["properties"]["model"]
        sku = _get(body, "sku")
        if sku is not None:
            label = f"{model.get('name')} {model.get('version', '')}".strip()
            name, capacity = self._sku(sku, label, account, current=new_body["sku"])
            new_body["sku"] = {"name": name, "capacity": capacity}
            new_body["properties"]["currentCapacity"] = capacity
            new_body["properties"]["rateLimits"] = rate_limits(capacity)
            new_body["properties"]["callRateLimit"] = {"rules": rate_limits(capacity)}
            model["callRateLimit"] = {"rules": rate_limits(capacity)}
        if any(k.lower() == "tags" for k in body):
            tags = self._tags(body)
            if tags is None:
                new_body.pop("tags", None)
            else:
                new_body["tags"] = tags
        self._check_conflict(account)
        if sku is not None:
            self._check_quota(request.method, str(model.get("name")), new_body["sku"]["capacity"])
        failure = self._failure(request.method)
        op = self.world.start_operation(
            account,
            existing.name,
            "update",
            api_version,
            settings.provisioning_seconds,
            failure.error,
            failure.status,
            failure.outcome,
        )
        new_body["properties"]["provisioningState"] = settings.creating_state
        new_body["systemData"] = system_data(
            caller.token.client, caller.client_type, self.world.wall(), existing.body["systemData"]
        )
        stored = self.world.store(account, existing.name, new_body, op.id)
        self.world.settle()
        if settings.async_style == "none":
            return Response(200, self.world.render(stored, settings.etag_key))
        # Deployments_Update answers 200, or 202 with a Location to poll (the REST spec's
        # responses for the PATCH; FACTS.md), whatever style the PUT uses.
        headers = {"Location": self._operation_url(op, "operationResults")}
        if settings.retry_after is not None:
            headers["Retry-After"] = str(settings.retry_after)
        return Response(202, None, headers)

    def _delete(
        self, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
    ) -> Response:
        self._authorize(caller, DELETE_DEPLOYMENT, route.deployment_id, route, request.method)
        account = self._parent(route)
        assert route.deployment is not None
        existing = self.world.deployment(account.key, route.deployment)
        if existing is None:
            if settings.absent_delete_status == 404:
                raise ArmError.not_found(route.deployment_id)
            return Response(204)
        self._preconditions(request, existing)
        self._check_conflict(account)
        failure = self._failure(request.method)
        op = self.world.start_operation(
            account,
            existing.name,
            "delete",
            api_version,
            settings.deprovisioning_seconds,
            failure.error,
            failure.status,
            failure.outcome,
        )
        existing.body["properties"]["provisioningState"] = "Deleting"
        existing.op_id = op.id
        self.world.settle()
        if settings.async_style == "none":
            return Response(200)
        return Response(202, None, self._async_headers(op, settings))
