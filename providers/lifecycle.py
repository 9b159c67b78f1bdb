"""The deployment's lifecycle, shared by both fronts: the dynamic provider (``provider.py``)
and the ``aoai-deploy`` package's provider.

Each function takes plain property dicts (checked inputs, or old outputs, which echo every
input) and returns plain dicts (``read`` a :class:`ReadResult` of them); the fronts only
translate their SDK's request and response types and present errors their way.

* :func:`check`  validates and fills defaults; no network.
* :func:`plan`   compares old outputs with new inputs by the inputs table; no network.
* :func:`create` refuses a deployment it does not own unless ``adopt_existing``, re-adopts its
  own (owner tag) after an earlier create timed out, PUTs and waits; a deployment that it
  created and whose provisioning failed is deleted again. One left by a create that timed
  out or got no answer keeps the owner tag, and the next run adopts it.
* :func:`read`   GET; 404 means gone, so refresh plans a re-create. Returns the refreshed
  outputs and the inputs they stand for.
* :func:`update` a PATCH of ``{sku, tags}`` when only those changed (no auxiliary token), a
  PUT of the whole body otherwise, two writes when the model and the capacity both change
  (Azure refuses both in one), nothing when only provider-side inputs changed.
* :func:`delete` DELETE and wait; 404 counts as done. An ARM id that a create of this
  process wrote is never deleted (a replace that keeps the id).

A copy sent as same-tenant that ARM refuses with ``LinkedAuthorizationFailed`` gets its
source subscription's tenant looked up, and the error says to set ``source_tenant_id`` to it.

Configuration, credentials and caches live in a :class:`Runtime`, built once per plugin
process from the provider configuration.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aoai_deploy.providers.arm import (
    ArmClient,
    ArmResponse,
    Call,
    Clock,
    RetryPolicy,
    SystemClock,
)
from aoai_deploy.providers.auth import TokenProvider
from aoai_deploy.providers.config import ProviderConfig
from aoai_deploy.providers.diff import diff_inputs
from aoai_deploy.providers.errors import (
    AoaiDeployError,
    ArmAuthorizationError,
    ArmError,
    ForeignDeploymentError,
    OperationFailedError,
    about,
    with_hint,
)
from aoai_deploy.providers.hints import source_tenant_hint
from aoai_deploy.providers.ids import DeploymentId
from aoai_deploy.providers.inputs import (
    DeploymentSpec,
    Failure,
    check_inputs,
    spec_from_inputs,
    whole_number,
)
from aoai_deploy.providers.logs import logger
from aoai_deploy.providers.mapping import (
    deployment_body,
    is_cross_tenant,
    live_inputs,
    model_change,
    outputs_from_arm,
    owner_of,
    patch_body,
    refreshed_outputs,
    version_to_send,
)
from aoai_deploy.providers.schema import ARM_INPUTS, DEFAULTS

__all__ = [
    "Plan",
    "ReadResult",
    "Runtime",
    "check",
    "create",
    "delete",
    "plan",
    "read",
    "update",
]

#: Changes that ARM's ``Deployments_Update`` (a PATCH of ``{sku, tags}``) can make alone.
_PATCHABLE: Final = frozenset({"sku_capacity", "tags"})
#: Inputs that make up the model; a change of any is a change of model for Azure.
_MODEL_FIELDS: Final[tuple[str, ...]] = ("model_name", "model_format", "model_version")


@dataclass
class Runtime:
    """Everything the lifecycle needs at operation time; built in the plugin process only.

    The engine starts one plugin process per update (`pulumi up`, `destroy`, `refresh`), so
    what a Runtime remembers lasts one update.
    """

    config: ProviderConfig
    tokens: TokenProvider
    client: ArmClient
    created: set[str] = field(default_factory=set)
    """ARM ids (lower-cased) of the deployments a create of this process wrote."""
    created_lock: threading.Lock = field(default_factory=threading.Lock)

    def remember_create(self, resource_id: str) -> None:
        """Note that a create of this update wrote ``resource_id``."""
        with self.created_lock:
            self.created.add(resource_id.lower())

    def created_here(self, resource_id: str) -> bool:
        """Whether a create of this update wrote ``resource_id``.

        On `pulumi up --replace` (or ``replace_on_changes``) the engine replaces without
        asking ``diff`` whether to delete first, so it creates, then deletes the old
        resource. With an ARM id that stays the same, the create re-adopts the deployment
        (it carries this stack's owner tag), and the delete that follows would remove what
        the new state records. The engine never deletes, in the update that created it, a
        resource it created, so a delete of an id a create of this update wrote is always
        that of another (older) resource under the same id. An etag cannot tell them apart:
        Azure may send none, and an identical PUT need not change it.
        """
        with self.created_lock:
            return resource_id.lower() in self.created

    @classmethod
    def build(
        cls,
        config: ProviderConfig,
        *,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
        tokens: TokenProvider | None = None,
    ) -> Runtime:
        tokens = tokens or TokenProvider(config)
        client = ArmClient(config, tokens, clock=clock or SystemClock(), policy=policy)
        return cls(config, tokens, client)


# -- planning: pure -------------------------------------------------------------------


def check(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """The checked inputs (defaults filled) and a failure per bad field; no network."""
    return check_inputs(news)


@dataclass(frozen=True)
class Plan:
    """What a change of inputs takes."""

    changed: list[str]
    """The inputs whose change matters, in the order of the inputs table."""
    replaces: list[str]
    """The changed inputs that force a replace."""
    delete_before_replace: bool
    """Whether the old deployment must go before the new one is created (same ARM id)."""
    changes: bool
    """Whether anything is to be done: a changed input, or a deployment that Azure reported
    Failed and is applied again, as declared."""


@dataclass(frozen=True)
class ReadResult:
    """A deployment that ``read`` found."""

    id: str
    """Its ARM id."""
    outputs: dict[str, Any]
    """The refreshed outputs: the old ones with what Azure reports in place."""
    inputs: dict[str, Any]
    """The inputs the live deployment stands for (every input the outputs echo, and the
    hidden ``owner``): the engine keeps them as the resource's inputs after a refresh."""


def plan(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Plan:
    """Compare the old outputs with the new checked inputs; no network."""
    result = diff_inputs(olds, news)
    return Plan(
        changed=result.changes,
        replaces=result.replaces,
        delete_before_replace=result.delete_before_replace,
        changes=bool(result.changes) or _failed(olds),
    )


# -- lifecycle: network ---------------------------------------------------------------


def create(runtime: Runtime, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Create (or re-adopt) the deployment; returns its ARM id and the outputs."""
    spec = spec_from_inputs(props)
    deployment = spec.account.deployment(spec.deployment_name)
    path = str(deployment)
    with about("creating", path):
        tenant, cross = _tenancy(runtime, spec)
        call = _call(runtime, "creating", deployment, spec, tenant, cross)

    existing = runtime.client.get(call, path, spec.api_version)
    created_here = existing is None
    live_model: object = None
    if existing is not None:
        live = existing.body or {}
        owner = owner_of(live)
        change = model_change(spec, live)
        if spec.owner is not None and owner == spec.owner:
            if change is None:
                logger.info("%s exists with this stack's owner tag: adopting it", path)
                live_model = _model_of(live)
            else:
                # Left by an earlier create of this stack that never completed, and Azure
                # cannot change a deployment's model: replace it.
                logger.info("%s is this stack's leftover with %s: replacing it", path, change)
                _discard(runtime, deployment, spec, tenant, raise_errors=True)
                created_here = True
        elif not spec.adopt_existing:
            raise ForeignDeploymentError(
                f"creating {path}: a deployment of that name already exists and this "
                f"stack did not create it (owner tag: {owner or 'none'}). Set "
                "adopt_existing to take it over, choose another deployment_name, or "
                "delete it first. (`pulumi import` does not work for dynamic resources.)"
            )
        elif change is not None:
            raise ForeignDeploymentError(
                f"creating {path}: adopt_existing is set, but the existing deployment has "
                f"{change}, and Azure cannot change a deployment's model. Choose another "
                "deployment_name, or delete the existing deployment first."
            )
        else:
            logger.info("%s exists and adopt_existing is set: adopting it", path)
            live_model = _model_of(live)

    # An adopted deployment keeps the version it runs when none is asked for.
    sent = dataclasses.replace(spec, model_version=version_to_send(spec, live_model))
    try:
        final = _put(runtime, call, sent, tenant, cross)
    except OperationFailedError:
        if created_here:
            _discard(runtime, deployment, spec, tenant)
        raise
    runtime.remember_create(path)
    outputs = outputs_from_arm(props, final.body or {}, tenant_id=tenant, cross_tenant=cross)
    return path, outputs


def read(runtime: Runtime, id_: str, props: Mapping[str, Any]) -> ReadResult | None:
    """The deployment as Azure has it now; ``None`` if it is gone."""
    deployment = DeploymentId.parse(id_)
    api_version = str(props.get("api_version") or DEFAULTS["api_version"])
    tenant = _str_or_none(props.get("tenant_id"))
    call = Call("reading", str(deployment), tenant, runtime.client.clock.now() + _timeout(props))
    live = runtime.client.get(call, str(deployment), api_version)
    if live is None:
        logger.info("%s is gone: the next update will create it again", deployment)
        return None
    outputs = refreshed_outputs(props, live.body or {})
    return ReadResult(str(deployment), outputs, live_inputs(outputs))


def update(
    runtime: Runtime, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply new inputs to the deployment in place; returns the new outputs."""
    spec = spec_from_inputs(news)
    deployment = spec.account.deployment(spec.deployment_name)
    path = str(deployment)
    with about("updating", path):
        tenant, cross = _tenancy(runtime, spec)
    # source_tenant_id only changes which auxiliary token goes along here: a change that
    # makes the copy cross-tenant or not is a replace (diff), and the body is the same.
    changed = set(diff_inputs(olds, news).changes) & ARM_INPUTS - {"source_tenant_id"}
    full = dataclasses.replace(spec, model_version=version_to_send(spec, olds.get("model")))
    old_capacity = whole_number(olds.get("sku_capacity"))
    model_fields = [name for name in _MODEL_FIELDS if name in changed]

    live: ArmResponse | None
    if _failed(olds):
        live = _put_for_update(runtime, deployment, full, tenant, cross)
    elif not changed:
        # Only provider-side inputs changed (tenant_id, say): nothing to send to ARM.
        call = _call(runtime, "updating", deployment, spec, tenant, cross, auxiliary=False)
        live = runtime.client.get(call, path, spec.api_version)
    elif changed <= _PATCHABLE:
        live = _patch(runtime, deployment, spec, tenant, cross)
    elif model_fields and "sku_capacity" in changed and old_capacity is not None:
        live = _model_and_capacity(
            runtime, deployment, full, tenant, cross, old_capacity, model_fields
        )
    else:
        live = _put_for_update(runtime, deployment, full, tenant, cross)
    if live is None:
        raise AoaiDeployError(
            f"updating {path}: the deployment no longer exists; run `pulumi refresh` "
            "so that the next `pulumi up` creates it again"
        )
    return outputs_from_arm(news, live.body or {}, tenant_id=tenant, cross_tenant=cross)


def delete(runtime: Runtime, id_: str, props: Mapping[str, Any]) -> None:
    """Delete the deployment and wait until it is gone; gone already counts as done."""
    deployment = DeploymentId.parse(id_)
    if runtime.created_here(str(deployment)):
        logger.info(
            "%s was written by a create of this update (a replace that keeps the ARM id): "
            "the old resource's delete leaves it in place",
            deployment,
        )
        return
    api_version = str(props.get("api_version") or DEFAULTS["api_version"])
    call = Call(
        "deleting",
        str(deployment),
        _str_or_none(props.get("tenant_id")),
        runtime.client.clock.now() + _timeout(props),
    )
    runtime.client.write(
        call, "DELETE", str(deployment), api_version, account_key=str(deployment.account)
    )


# -- writes ---------------------------------------------------------------------------


def _put(
    runtime: Runtime, call: Call, spec: DeploymentSpec, tenant: str, cross: bool
) -> ArmResponse:
    """PUT the whole deployment and wait; a refusal of a copy that was sent as same-tenant
    says which tenant the source is really in."""
    body = deployment_body(spec, cross_tenant=cross)
    try:
        final = runtime.client.write(
            call, "PUT", call.resource_id, spec.api_version, body, account_key=str(spec.account)
        )
    except ArmAuthorizationError as exc:
        raise _explained(runtime, call, exc, spec, tenant, cross) from None
    assert final is not None  # a PUT always ends with the GET of the resource
    return final


def _put_for_update(
    runtime: Runtime, deployment: DeploymentId, spec: DeploymentSpec, tenant: str, cross: bool
) -> ArmResponse:
    with about("updating", str(deployment)):
        call = _call(runtime, "updating", deployment, spec, tenant, cross)
    return _put(runtime, call, spec, tenant, cross)


def _patch(
    runtime: Runtime, deployment: DeploymentId, spec: DeploymentSpec, tenant: str, cross: bool
) -> ArmResponse:
    """PATCH ``{sku, tags}`` (``Deployments_Update``) and wait. It names no source account,
    so it needs no auxiliary token: a copied deployment can still be scaled and tagged
    once the source-side grant is gone."""
    call = _call(runtime, "updating", deployment, spec, tenant, cross, auxiliary=False)
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


def _model_and_capacity(
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
    model = ", ".join(f"{name} {_shown(spec, name)}" for name in model_fields)
    capacity = f"sku_capacity {spec.sku_capacity}"
    rising = spec.sku_capacity > old_capacity
    if rising:
        _patch(runtime, deployment, spec, tenant, cross)
        applied, pending = capacity, model
    else:
        at_old_capacity = dataclasses.replace(spec, sku_capacity=old_capacity)
        _put_for_update(runtime, deployment, at_old_capacity, tenant, cross)
        applied, pending = model, f"{capacity} (it is still {old_capacity})"
    try:
        if rising:
            return _put_for_update(runtime, deployment, spec, tenant, cross)
        return _patch(runtime, deployment, spec, tenant, cross)
    except AoaiDeployError as exc:
        note = (
            f"{applied} was applied; {pending} was not. Azure refuses a write that changes "
            "the model and the capacity at once, so the update makes two: run `pulumi up` "
            "again to apply the rest."
        )
        raise _noted(exc, note) from None


def _explained(
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


# -- helpers --------------------------------------------------------------------------


def _tenancy(runtime: Runtime, spec: DeploymentSpec) -> tuple[str, bool]:
    tenant = spec.tenant_id or runtime.tokens.home_tenant()
    return tenant, is_cross_tenant(spec, tenant)


def _call(
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


def _discard(
    runtime: Runtime,
    deployment: DeploymentId,
    spec: DeploymentSpec,
    tenant: str,
    *,
    raise_errors: bool = False,
) -> None:
    """Delete a deployment this stack made but does not record (a failed or abandoned
    create), so that nothing unknown is left behind."""
    call = Call(
        "deleting the failed or abandoned create of",
        str(deployment),
        tenant,
        runtime.client.clock.now() + spec.operation_timeout_seconds,
    )
    try:
        runtime.client.write(
            call, "DELETE", str(deployment), spec.api_version, account_key=str(spec.account)
        )
    except AoaiDeployError as exc:
        if raise_errors:
            raise
        # It carries this stack's owner tag, so the next run finds it again.
        logger.warning("%s", exc)


def _noted(error: AoaiDeployError, note: str) -> AoaiDeployError:
    """``error`` with ``note`` added to what it says to do."""
    hint = error.hint if isinstance(error, ArmError | OperationFailedError) else ""
    return with_hint(error, f"{hint}\n{note}" if hint else note)


def _shown(spec: DeploymentSpec, field_name: str) -> object:
    value = getattr(spec, field_name)
    return "(Azure's default)" if value is None else value


def _model_of(arm: Mapping[str, Any]) -> object:
    properties = arm.get("properties")
    return properties.get("model") if isinstance(properties, Mapping) else None


def _failed(outputs: Mapping[str, Any]) -> bool:
    """Whether the recorded state says Azure's last operation on the deployment failed."""
    state = outputs.get("provisioning_state")
    return isinstance(state, str) and state.lower() in ("failed", "canceled")


def _timeout(props: Mapping[str, Any]) -> float:
    value = props.get("operation_timeout_seconds")
    return float(value) if isinstance(value, int | float) and value > 0 else 1800.0


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
