"""The deployment's lifecycle, shared by both fronts: the dynamic provider (``provider.py``)
and the ``aoai-deploy`` package's provider.

Each function takes plain property dicts (checked inputs, or old outputs, which echo every
input) and returns plain dicts; the fronts only translate their SDK's request and response
types and present errors their way.

* :func:`check`  validates and fills defaults; no network.
* :func:`plan`   compares old outputs with new inputs by the README's inputs table; no network.
* :func:`create` refuses a deployment it does not own unless ``adopt_existing``, re-adopts its
  own (owner tag) after an earlier create timed out, PUTs and waits; a deployment that it
  created and whose provisioning failed is deleted again. One left by a create that timed
  out or got no answer keeps the owner tag, and the next run adopts it.
* :func:`read`   GET; 404 means gone, so refresh plans a re-create.
* :func:`update` PUTs the whole body (or nothing, when only provider-side inputs changed).
* :func:`delete` DELETE and wait; 404 counts as done.

Configuration, credentials and caches live in a :class:`Runtime`, built once per plugin
process from the provider configuration.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aoai_deploy.providers.arm import ArmClient, Call, Clock, RetryPolicy, SystemClock
from aoai_deploy.providers.auth import TokenProvider
from aoai_deploy.providers.config import ProviderConfig
from aoai_deploy.providers.diff import diff_inputs
from aoai_deploy.providers.errors import (
    AoaiDeployError,
    ForeignDeploymentError,
    OperationFailedError,
    about,
)
from aoai_deploy.providers.ids import DeploymentId
from aoai_deploy.providers.inputs import DeploymentSpec, Failure, check_inputs, spec_from_inputs
from aoai_deploy.providers.logs import logger
from aoai_deploy.providers.mapping import (
    deployment_body,
    is_cross_tenant,
    model_change,
    outputs_from_arm,
    owner_of,
    refreshed_outputs,
)
from aoai_deploy.providers.schema import ARM_INPUTS, DEFAULTS

__all__ = ["Plan", "Runtime", "check", "create", "delete", "plan", "read", "update"]


@dataclass
class Runtime:
    """Everything the lifecycle needs at operation time; built in the plugin process only."""

    config: ProviderConfig
    tokens: TokenProvider
    client: ArmClient
    created: dict[str, str | None] = field(default_factory=dict)
    """ARM id (lower-cased) -> latest etag of each deployment a create of this process wrote."""
    created_lock: threading.Lock = field(default_factory=threading.Lock)

    def remember_write(self, resource_id: str, etag: str | None, *, create: bool) -> None:
        """Note the etag a create wrote, or an update of a deployment a create wrote."""
        with self.created_lock:
            if create or resource_id.lower() in self.created:
                self.created[resource_id.lower()] = etag

    def replaced_in_place(self, resource_id: str, old_etag: object) -> bool:
        """Whether a create of this process rewrote this deployment after ``old_etag``.

        On `pulumi up --replace` (or ``replace_on_changes``) the engine replaces without
        asking ``diff`` whether to delete first, so it creates, then deletes the old
        resource. With an ARM id that stays the same, the create re-adopts the deployment
        (it carries this stack's owner tag), and the delete that follows would remove what
        the new state records. One plugin process serves one update, so a create recorded
        here with another etag than the old outputs' is that replacement.
        """
        with self.created_lock:
            if resource_id.lower() not in self.created:
                return False
            etag = self.created[resource_id.lower()]
        return etag is not None and etag != old_etag

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
    if existing is not None:
        live = existing.body or {}
        owner = owner_of(live)
        change = model_change(spec, live)
        if spec.owner is not None and owner == spec.owner:
            if change is None:
                logger.info("%s exists with this stack's owner tag: adopting it", path)
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

    body = deployment_body(spec, cross_tenant=cross)
    try:
        final = runtime.client.write(
            call, "PUT", path, spec.api_version, body, account_key=str(spec.account)
        )
    except OperationFailedError:
        if created_here:
            _discard(runtime, deployment, spec, tenant)
        raise
    assert final is not None  # a PUT always ends with the GET of the resource
    outputs = outputs_from_arm(props, final.body or {}, tenant_id=tenant, cross_tenant=cross)
    runtime.remember_write(path, outputs.get("etag"), create=True)
    return path, outputs


def read(runtime: Runtime, id_: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The deployment as Azure has it now: its ARM id and refreshed outputs; ``None`` if gone."""
    deployment = DeploymentId.parse(id_)
    api_version = str(props.get("api_version") or DEFAULTS["api_version"])
    tenant = _str_or_none(props.get("tenant_id"))
    call = Call("reading", str(deployment), tenant, runtime.client.clock.now() + _timeout(props))
    live = runtime.client.get(call, str(deployment), api_version)
    if live is None:
        logger.info("%s is gone: the next update will create it again", deployment)
        return None
    return str(deployment), refreshed_outputs(props, live.body or {})


def update(
    runtime: Runtime, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply new inputs to the deployment in place; returns the new outputs."""
    spec = spec_from_inputs(news)
    deployment = spec.account.deployment(spec.deployment_name)
    path = str(deployment)
    with about("updating", path):
        tenant, cross = _tenancy(runtime, spec)
        call = _call(runtime, "updating", deployment, spec, tenant, cross)
    touched = set(diff_inputs(olds, news).changes)
    if touched & ARM_INPUTS or _failed(olds):
        body = deployment_body(spec, cross_tenant=cross)
        live = runtime.client.write(
            call, "PUT", path, spec.api_version, body, account_key=str(spec.account)
        )
    else:
        # Only provider-side inputs changed (tenant_id, say): nothing to send to ARM.
        live = runtime.client.get(call, path, spec.api_version)
    if live is None:
        raise AoaiDeployError(
            f"updating {path}: the deployment no longer exists; run `pulumi refresh` "
            "so that the next `pulumi up` creates it again"
        )
    outputs = outputs_from_arm(news, live.body or {}, tenant_id=tenant, cross_tenant=cross)
    runtime.remember_write(path, outputs.get("etag"), create=False)
    return outputs


def delete(runtime: Runtime, id_: str, props: Mapping[str, Any]) -> None:
    """Delete the deployment and wait until it is gone; gone already counts as done."""
    deployment = DeploymentId.parse(id_)
    if runtime.replaced_in_place(str(deployment), props.get("etag")):
        logger.info(
            "%s was written again by this update's create (a replace that keeps the ARM "
            "id): the old resource's delete leaves it in place",
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
) -> Call:
    now = runtime.client.clock.now()
    aux: tuple[str, ...] = ()
    if cross and spec.source_tenant_id is not None:
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


def _failed(outputs: Mapping[str, Any]) -> bool:
    """Whether the recorded state says Azure's last operation on the deployment failed."""
    state = outputs.get("provisioning_state")
    return isinstance(state, str) and state.lower() in ("failed", "canceled")


def _timeout(props: Mapping[str, Any]) -> float:
    value = props.get("operation_timeout_seconds")
    return float(value) if isinstance(value, int | float) and value > 0 else 1800.0


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
