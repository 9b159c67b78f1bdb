"""The writes an operation sends, and the calls that carry them.

* :func:`put` the whole deployment (with the auxiliary token when the copy is cross-tenant);
  a copy sent as same-tenant that ARM refuses with ``LinkedAuthorizationFailed`` gets its
  source subscription's tenant looked up, and the error says to set ``source_tenant_id``.
* :func:`patch` ``{sku, tags}`` (``Deployments_Update``), with no auxiliary token; at an
  api-version without it (``core.apiversions``), the whole deployment is PUT instead.
* :func:`model_and_capacity` the two writes of a change of both (Azure refuses it in one).
* :func:`discard` a deployment this create made and whose provisioning failed.

Every body leaves out what the request's api-version does not define (the owner tag where a
deployment has no tags).
"""

from __future__ import annotations

import dataclasses

from aoai_deploy.providers.azure.calls import ArmResponse, Call
from aoai_deploy.providers.azure.logs import logger
from aoai_deploy.providers.core import apiversions
from aoai_deploy.providers.core.hints import source_tenant_hint
from aoai_deploy.providers.core.ids import DeploymentId
from aoai_deploy.providers.core.inputs import DeploymentSpec
from aoai_deploy.providers.core.mapping import deployment_body, patch_body
from aoai_deploy.providers.errors import (
    AoaiDeployError,
    ArmAuthorizationError,
    ArmError,
    InputError,
    OperationFailedError,
    about,
    with_hint,
)
from aoai_deploy.providers.lifecycle.runtime import Runtime

__all__ = [
    "discard",
    "explained",
    "make_call",
    "model_and_capacity",
    "noted",
    "patch",
    "put",
    "put_for_update",
]


def put(
    runtime: Runtime, call: Call, spec: DeploymentSpec, tenant: str, cross: bool
) -> ArmResponse:
    """PUT the whole deployment and wait; a refusal of a copy that was sent as same-tenant
    says which tenant the source is really in."""
    if cross and not apiversions.defines(spec.api_version, "properties.model.sourceAccount"):
        # check refuses this when it can tell the copy is cross-tenant; here it is certain.
        raise InputError(
            f"{call.operation} {call.resource_id}: a copy from another tenant names its source "
            f"in properties.model.sourceAccount, which api_version {spec.api_version} does not "
            f"define; set api_version to "
            f"{apiversions.first_with('properties.model.sourceAccount')} or newer"
        )
    body = apiversions.body_for(spec.api_version, deployment_body(spec, cross_tenant=cross))
    try:
        final = runtime.client.write(
            call, "PUT", call.resource_id, spec.api_version, body, account_key=str(spec.account)
        )
    except ArmAuthorizationError as exc:
        raise explained(runtime, call, exc, spec, tenant, cross) from None
    assert final is not None  # a PUT always ends with the GET of the resource
    return final


def put_for_update(
    runtime: Runtime, deployment: DeploymentId, spec: DeploymentSpec, tenant: str, cross: bool
) -> ArmResponse:
    with about("updating", str(deployment)):
        call = make_call(runtime, "updating", deployment, spec, tenant, cross)
    return put(runtime, call, spec, tenant, cross)


def patch(
    runtime: Runtime, deployment: DeploymentId, spec: DeploymentSpec, tenant: str, cross: bool
) -> ArmResponse:
    """PATCH ``{sku, tags}`` (``Deployments_Update``) and wait. It names no source account,
    so it needs no auxiliary token: a copied deployment can still be scaled and tagged
    once the source-side grant is gone.

    Where the api-version has no ``Deployments_Update`` (2023-05-01), the change is a PUT of
    the whole deployment (``spec`` must then carry everything to keep, the running model
    version too), with the source tenant's token when the copy is cross-tenant."""
    if not apiversions.defines_update(spec.api_version):
        return put_for_update(runtime, deployment, spec, tenant, cross)
    call = make_call(runtime, "updating", deployment, spec, tenant, cross, auxiliary=False)
    final = runtime.client.write(
        call,
        "PATCH",
        str(deployment),
        spec.api_version,
        patch_body(spec),
        account_key=str(spec.account),
    )
    assert final is not None  # a PATCH ends with the GET of the resource
    return final


def model_and_capacity(
    runtime: Runtime,
    deployment: DeploymentId,
    spec: DeploymentSpec,
    tenant: str,
    cross: bool,
    old_capacity: int,
    model_fields: list[str],
) -> ArmResponse:
    """Change the model and the capacity in two writes: Azure refuses a write that changes
    both ("Cannot change capacity and model at the same time for deployment").

    The order keeps the larger of the two capacities in force in between: a rise is
    applied first (to the model in place), a cut last (to the new model). So the deployment
    never serves below what it served before or what it is to serve after, the write that
    needs more quota comes before anything changed (a quota refusal leaves the deployment
    as it was), and a new model never has to run at a capacity below the old one, which a
    model with a larger minimum might refuse.
    """
    model = ", ".join(f"{name} {shown(spec, name)}" for name in model_fields)
    capacity = f"sku_capacity {spec.sku_capacity}"
    # Without Deployments_Update, a capacity change is a PUT that names the model too: the
    # model goes first (at the old capacity), whichever way the capacity moves.
    rising = spec.sku_capacity > old_capacity and apiversions.defines_update(spec.api_version)
    if rising:
        patch(runtime, deployment, spec, tenant, cross)
        applied, pending = capacity, model
    else:
        at_old_capacity = dataclasses.replace(spec, sku_capacity=old_capacity)
        put_for_update(runtime, deployment, at_old_capacity, tenant, cross)
        applied, pending = model, f"{capacity} (it is still {old_capacity})"
    try:
        if rising:
            return put_for_update(runtime, deployment, spec, tenant, cross)
        return patch(runtime, deployment, spec, tenant, cross)
    except AoaiDeployError as exc:
        note = (
            f"{applied} was applied; {pending} was not. Azure refuses a write that changes "
            "the model and the capacity at once, so the update makes two: run `pulumi up` "
            "again to apply the rest."
        )
        raise noted(exc, note) from None


def explained(
    runtime: Runtime,
    call: Call,
    exc: ArmAuthorizationError,
    spec: DeploymentSpec,
    tenant: str,
    cross: bool,
) -> ArmAuthorizationError:
    """``exc``, with the fix named when a copy sent as same-tenant was refused because the
    source account lives in another tenant (found by asking ARM whose the source
    subscription is)."""
    source = spec.source_account
    if (
        cross
        or exc.code.lower() != "linkedauthorizationfailed"
        or source is None
        or source == spec.account
    ):
        return exc
    found = runtime.client.subscription_tenant(call, source.subscription_id)
    if found is None or found == tenant.lower():
        return exc
    hint = source_tenant_hint(str(source), source.subscription_id, found, tenant)
    explained = with_hint(exc, hint)
    assert isinstance(explained, ArmAuthorizationError)
    return explained


def make_call(
    runtime: Runtime,
    operation: str,
    deployment: DeploymentId,
    spec: DeploymentSpec,
    tenant: str,
    cross: bool,
    *,
    auxiliary: bool = True,
) -> Call:
    """The call of one operation; with the source tenant's auxiliary token when the copy is
    cross-tenant and the request names the source (``auxiliary``)."""
    now = runtime.client.clock.now()
    aux: tuple[str, ...] = ()
    if cross and auxiliary and spec.source_tenant_id is not None:
        aux = (spec.source_tenant_id,)
        # Refuses, before any request, a token for the wrong tenant, an expired one, two
        # tokens of different identities, or a managed identity asked to cross tenants.
        runtime.tokens.cross_tenant_tokens(tenant, spec.source_tenant_id)
    wait = spec.role_propagation_timeout_seconds
    return Call(
        operation,
        str(deployment),
        tenant,
        now + spec.operation_timeout_seconds,
        aux_tenants=aux,
        role_wait_until=now + wait if wait > 0 else None,
        context={
            "account": str(spec.account),
            "destination_tenant": tenant,
            "source_account": str(spec.source_account or "(not set)"),
            "source_tenant": spec.source_tenant_id or "(not set)",
            "cross_tenant": "true" if cross else "false",
        },
    )


def discard(runtime: Runtime, deployment: DeploymentId, spec: DeploymentSpec, tenant: str) -> None:
    """Delete a deployment that this create made and whose provisioning failed, so that
    nothing unknown is left behind (``create`` deletes nothing it found)."""
    call = Call(
        "deleting the failed create of",
        str(deployment),
        tenant,
        runtime.client.clock.now() + spec.operation_timeout_seconds,
    )
    try:
        runtime.client.write(
            call, "DELETE", str(deployment), spec.api_version, account_key=str(spec.account)
        )
    except AoaiDeployError as exc:
        # It carries this stack's owner tag, so the next run finds it again.
        logger.warning("%s", exc)


def noted(error: AoaiDeployError, note: str) -> AoaiDeployError:
    """``error`` with ``note`` added to what it says to do."""
    hint = error.hint if isinstance(error, ArmError | OperationFailedError) else ""
    return with_hint(error, f"{hint}\n{note}" if hint else note)


def shown(spec: DeploymentSpec, field_name: str) -> object:
    value = getattr(spec, field_name)
    return "(Azure's default)" if value is None else value
