"""``.../accounts/{a}/deployments`` and ``.../deployments/{d}``: the deployment lifecycle.

======  =========================  ==================================  ==========================
method  path                       REST spec operation                 handler
======  =========================  ==================================  ==========================
GET     ``.../deployments``        ``Deployments_List`` (paged)        :func:`list_deployments`
GET     ``.../deployments/{d}``    ``Deployments_Get``                 :func:`get_deployment`
PUT     ``.../deployments/{d}``    ``Deployments_CreateOrUpdate``      :func:`put_deployment`
PATCH   ``.../deployments/{d}``    ``Deployments_Update``              :func:`patch_deployment`
DELETE  ``.../deployments/{d}``    ``Deployments_Delete``              :func:`delete_deployment`
======  =========================  ==================================  ==========================

Writes are long-running: their operations are polled at the URLs :mod:`.operations` serves.
A PUT also meets the models list's rules (a version offered in the SKU, not retired:
:mod:`..catalog`), and a PUT or PATCH the quota of its usage (:mod:`..quota`).
The checks before a handler runs, and their order, are the dispatcher's (``app.py``); what a
body may say is in :mod:`.deployment_body`; the linked-access rules of a copy from a source
account are :func:`_linked`'s.
"""

from __future__ import annotations

import copy
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final, Literal

from aoai_deploy.emulator.apiversions import row
from aoai_deploy.emulator.armerrors import ArmError
from aoai_deploy.emulator.auth import Caller
from aoai_deploy.emulator.catalog import offered_skus, retired_since
from aoai_deploy.emulator.exchange import Request, Response, Route
from aoai_deploy.emulator.quota import usage_name, usage_of
from aoai_deploy.emulator.routes.common import Arm, member, same
from aoai_deploy.emulator.routes.deployment_body import (
    PASSTHROUGH_PROPERTIES,
    check_model_change,
    checked_sku,
    checked_tags,
    put_spec,
)
from aoai_deploy.emulator.settings import Settings
from aoai_deploy.emulator.state import (
    DEPLOYMENT_TYPE,
    Account,
    account_arm_id,
    parse_account_id,
    rate_limits,
    system_data,
)

__all__ = [
    "DELETE_DEPLOYMENT",
    "LINKED_ACTION",
    "READ_DEPLOYMENT",
    "WRITE_DEPLOYMENT",
    "delete_deployment",
    "get_deployment",
    "list_deployments",
    "patch_deployment",
    "put_deployment",
]

READ_DEPLOYMENT: Final = "Microsoft.CognitiveServices/accounts/deployments/read"
WRITE_DEPLOYMENT: Final = "Microsoft.CognitiveServices/accounts/deployments/write"
DELETE_DEPLOYMENT: Final = "Microsoft.CognitiveServices/accounts/deployments/delete"
#: What the identity must be allowed on the source account of a copy. Azure documents that it
#: needs Cognitive Services OpenAI Contributor there; the emulator checks the write action that
#: role grants (a reader role is not enough).
LINKED_ACTION: Final = WRITE_DEPLOYMENT

_DEPLOYMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def get_deployment(
    arm: Arm, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
) -> Response:
    arm.authorize(caller, READ_DEPLOYMENT, route.deployment_id, route, request.method)
    account = arm.parent(route)
    assert route.deployment is not None
    found = arm.world.deployment(account.key, route.deployment)
    if found is None:
        raise ArmError.not_found(route.deployment_id)
    return arm.deployment_answer(200, found, settings, api_version)


def list_deployments(
    arm: Arm, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
) -> Response:
    arm.authorize(caller, READ_DEPLOYMENT, f"{route.account_id}/deployments", route, request.method)
    account = arm.parent(route)
    token = request.param("$skipToken")
    offset = 0
    if token is not None:
        if not token.isdigit():
            raise ArmError(400, "InvalidSkipToken", f"The skip token '{token}' is not valid.")
        offset = int(token)
    items = arm.world.list_deployments(account.key)
    page = items[offset : offset + settings.page_size]
    version = row(api_version)
    body: dict[str, Any] = {
        "value": [arm.world.render(d, settings.etag_key, version) for d in page]
    }
    if offset + settings.page_size < len(items):
        query = urllib.parse.urlencode(
            {"api-version": api_version, "$skipToken": str(offset + settings.page_size)}
        )
        body["nextLink"] = f"{arm.base_url()}{request.path}?{query}"
    return Response(200, body)


def put_deployment(
    arm: Arm, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
) -> Response:
    scope = route.deployment_id
    arm.authorize(caller, WRITE_DEPLOYMENT, scope, route, request.method)
    account = arm.parent(route)
    body = arm.read_json(request)
    if not isinstance(body, dict):
        raise ArmError.invalid_content("The request content must be a JSON object.")
    # Read through this version's model: what it does not define is not taken (apiversions).
    body = row(api_version).accepted(body)
    source_account = _linked(arm, caller, body, scope, route)
    assert route.deployment is not None
    name = route.deployment
    if not _DEPLOYMENT_NAME.match(name):
        raise ArmError.invalid_name(name)
    existing = arm.world.deployment(account.key, name)
    arm.preconditions(request, existing)
    spec = put_spec(body, account)
    holder = source_account or account
    found = arm.world.find_model(holder, spec.model_format, spec.model_name, spec.model_version)
    if found is None:
        raise ArmError.model_not_supported(
            spec.model_format, spec.model_name, spec.model_version or "", spec.source or ""
        )
    model, version = found
    if not any(same(spec.sku_name, sku) for sku in offered_skus(model, version)):
        raise ArmError.sku_not_supported(spec.sku_name, f"{model.name} {version}", account.location)
    old_model = existing.body["properties"]["model"] if existing is not None else {}
    if not (same(old_model.get("name"), model.name) and same(old_model.get("version"), version)):
        since = retired_since(model, version, spec.sku_name, arm.world.wall())
        if since is not None:
            raise ArmError.model_deprecated(model.format, model.name, version, since)
    arm.check_conflict(account)
    if existing is not None:
        check_model_change(existing, spec, version)
    usage = usage_name(spec.sku_name, model.name)
    arm.check_quota(request.method, account, usage, model.name, spec.capacity, existing)
    failure = arm.failure(request.method)
    kind: Literal["create", "update"] = "update" if existing else "create"
    op = arm.world.start_operation(
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
    # A PUT replaces the deployment: what it leaves out takes Azure's default, whatever the
    # deployment ran before (sources in tests/emulator/test_emulator_put_replaces.py).
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
    for key in PASSTHROUGH_PROPERTIES:
        value = member(spec.properties, key)
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
            arm.world.wall(),
            existing.body["systemData"] if existing else None,
        ),
        "properties": properties,
    }
    if spec.tags is not None:
        new_body["tags"] = spec.tags
    # What the version cannot name stays as an earlier write at a newer version left it.
    new_body = row(api_version).kept(existing.body if existing else None, new_body)
    stored = arm.world.store(account, stored_name, new_body, op.id)
    arm.world.settle()
    return arm.deployment_answer(
        200 if existing else 201, stored, settings, api_version, arm.async_headers(op, settings)
    )


def _linked(
    arm: Arm, caller: Caller, body: Mapping[str, Any], scope: str, route: Route
) -> Account | None:
    """The source account a PUT copies from, once ARM's linked-access rules pass."""
    properties = member(body, "properties")
    model = member(properties, "model") if isinstance(properties, Mapping) else None
    if not isinstance(model, Mapping):
        return None
    source_account = member(model, "sourceAccount")
    source = member(model, "source")
    field_name, text = ("sourceAccount", source_account) if source_account else ("source", source)
    if not text:
        return None
    if not isinstance(text, str) or parse_account_id(text) is None:
        raise ArmError.linked_invalid_id(str(text), f"properties.model.{field_name}")
    if source_account and source and not same(source_account, source):
        raise ArmError.invalid_properties(
            "The model 'source' and 'sourceAccount' name different accounts; set one of them.",
            target="properties.model",
        )
    parts = parse_account_id(text)
    assert parts is not None
    subscription, group, name = parts
    client = caller.token.client
    oid = caller.token.object_id or ""
    source_tenant = arm.world.subscription_tenant(subscription)
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
        if not same(principal.app_id, caller.token.app_id):
            raise ArmError.linked_other_client(
                client, oid, WRITE_DEPLOYMENT, scope, source_tenant, principal.client
            )
    window = arm.faults.propagation_window(route.name, "PUT")
    if not arm.world.permitted(principal.object_id, LINKED_ACTION, linked_scope, window):
        raise ArmError.linked_authorization_failed(
            client,
            principal.object_id or "",
            WRITE_DEPLOYMENT,
            scope,
            LINKED_ACTION,
            linked_scope,
        )
    account = arm.world.account(subscription, group, name)
    if account is None:
        raise ArmError.invalid_properties(
            f"The source account '{linked_scope}' was not found.",
            target=f"properties.model.{field_name}",
        )
    return account


def patch_deployment(
    arm: Arm, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
) -> Response:
    arm.authorize(caller, WRITE_DEPLOYMENT, route.deployment_id, route, request.method)
    account = arm.parent(route)
    assert route.deployment is not None
    existing = arm.world.deployment(account.key, route.deployment)
    if existing is None:
        raise ArmError.not_found(route.deployment_id)
    body = arm.read_json(request)
    if not isinstance(body, dict):
        raise ArmError.invalid_content("The request content must be a JSON object.")
    others = sorted(k for k in body if k.lower() not in ("sku", "tags"))
    if others:
        raise ArmError.invalid_properties(
            "Only 'sku' and 'tags' can be updated with PATCH; not "
            f"{', '.join(repr(k) for k in others)}.",
            target=others[0],
        )
    arm.preconditions(request, existing)
    new_body = copy.deepcopy(existing.body)
    model = new_body["properties"]["model"]
    sku = member(body, "sku")
    if sku is not None:
        label = f"{model.get('name')} {model.get('version', '')}".strip()
        name, capacity = checked_sku(sku, label, account, current=new_body["sku"])
        new_body["sku"] = {"name": name, "capacity": capacity}
        new_body["properties"]["currentCapacity"] = capacity
        new_body["properties"]["rateLimits"] = rate_limits(capacity)
        new_body["properties"]["callRateLimit"] = {"rules": rate_limits(capacity)}
        model["callRateLimit"] = {"rules": rate_limits(capacity)}
    if any(k.lower() == "tags" for k in body):
        tags = checked_tags(body)
        if tags is None:
            new_body.pop("tags", None)
        else:
            new_body["tags"] = tags
    arm.check_conflict(account)
    if sku is not None:
        usage = usage_of(new_body) or ""
        capacity = new_body["sku"]["capacity"]
        arm.check_quota(request.method, account, usage, str(model.get("name")), capacity, existing)
    failure = arm.failure(request.method)
    op = arm.world.start_operation(
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
        caller.token.client, caller.client_type, arm.world.wall(), existing.body["systemData"]
    )
    stored = arm.world.store(account, existing.name, new_body, op.id)
    arm.world.settle()
    if settings.async_style == "none":
        return arm.deployment_answer(200, stored, settings, api_version)
    # Deployments_Update answers 200, or 202: the spec's response declares a Location header,
    # its own UpdateDeployment.json example shows Azure-AsyncOperation (settings.update_header).
    return Response(202, None, arm.polling_header(op, settings, settings.update_header))


def delete_deployment(
    arm: Arm, request: Request, route: Route, caller: Caller, settings: Settings, api_version: str
) -> Response:
    arm.authorize(caller, DELETE_DEPLOYMENT, route.deployment_id, route, request.method)
    account = arm.parent(route)
    assert route.deployment is not None
    existing = arm.world.deployment(account.key, route.deployment)
    if existing is None:
        if settings.absent_delete_status == 404:
            raise ArmError.not_found(route.deployment_id)
        return Response(204)
    arm.preconditions(request, existing)
    arm.check_conflict(account)
    failure = arm.failure(request.method)
    op = arm.world.start_operation(
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
    if settings.async_style == "none":
        # No header to poll: the answer is the outcome. 200 means deleted (the az CLI
        # recordings list no deployment right after a DELETE answered 200); a failure is
        # answered as the error itself.
        op.ends = arm.world.clock()
        arm.world.settle()
        if op.error is not None:
            raise ArmError(op.fail_status, op.error["code"], op.error["message"])
        return Response(200)
    arm.world.settle()
    return Response(202, None, arm.async_headers(op, settings))
