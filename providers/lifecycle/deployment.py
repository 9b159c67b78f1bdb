"""The deployment's lifecycle, shared by both fronts: the dynamic provider
(``providers/provider.py``) and the ``aoai-deploy`` package's provider (``providers/package.py``).

Each function takes plain property dicts (checked inputs, or old outputs, which echo every
input) and returns plain dicts (``read`` a :class:`ReadResult` of them); the fronts only
translate their SDK's request and response types and present errors their way.

* :func:`check`  validates and fills defaults; no network.
* :func:`plan`   compares old outputs with new inputs by the inputs table; no network.
* :func:`create` refuses a deployment it does not own unless ``adopt_existing``, re-adopts its
  own (owner tag with the stack's key, ``core/owner.py``) after an earlier create timed
  out when it runs the same model, PUTs and waits; a deployment that it created and whose
  provisioning failed is deleted again, and nothing else ever is. One left by a create that
  timed out or got no answer keeps the owner tag, and the next run adopts it.
* :func:`read`   GET; 404 means gone, so refresh plans a re-create. Returns the refreshed
  outputs and the inputs they stand for.
* :func:`update` a PATCH of ``{sku, tags}`` when only those changed (no auxiliary token), a
  PUT of the whole body otherwise, two writes when the model and the capacity both change
  (Azure refuses both in one), nothing when only provider-side inputs changed.
* :func:`delete` DELETE and wait; 404 counts as done. An ARM id that a create of this
  process wrote is never deleted (a replace that keeps the id).

With ``aoai-deploy:preflight`` on, create and update ask :mod:`.preflight` before their first
write (and give back what it admitted when the write fails), delete tells it what it freed,
and :func:`preflight_failures` serves the fronts' check in ``always`` mode.

The requests themselves (the PUT, the PATCH, the two writes of a model and capacity change,
and the hint that names the source tenant) are in :mod:`.writes`. Configuration, credentials
and what this update has done live in a :class:`~.runtime.Runtime`, built once per plugin
process from the provider configuration.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from aoai_deploy.providers.azure.calls import ArmResponse, Call
from aoai_deploy.providers.azure.logs import logger
from aoai_deploy.providers.core import apiversions
from aoai_deploy.providers.core.diff import diff_inputs
from aoai_deploy.providers.core.ids import DeploymentId
from aoai_deploy.providers.core.inputs import (
    DeploymentSpec,
    Failure,
    check_inputs,
    spec_from_inputs,
    whole_number,
)
from aoai_deploy.providers.core.live import Live, Reset, describe_resets, kept, resets
from aoai_deploy.providers.core.mapping import (
    is_cross_tenant,
    live_inputs,
    model_change,
    outputs_from_arm,
    owner_of,
    refreshed_outputs,
)
from aoai_deploy.providers.core.owner import Claim, claim_of, describe_claim
from aoai_deploy.providers.core.schema import ARM_INPUTS, DEFAULTS
from aoai_deploy.providers.errors import (
    AoaiDeployError,
    ForeignDeploymentError,
    OperationFailedError,
    about,
)
from aoai_deploy.providers.lifecycle import writes
from aoai_deploy.providers.lifecycle.preflight import against
from aoai_deploy.providers.lifecycle.runtime import Runtime

__all__ = [
    "Plan",
    "ReadResult",
    "Runtime",
    "check",
    "create",
    "delete",
    "plan",
    "preflight_failures",
    "read",
    "update",
]

#: Changes that ARM's ``Deployments_Update`` (a PATCH of ``{sku, tags}``) can make alone.
_PATCHABLE: Final = frozenset({"sku_capacity", "tags"})
#: Inputs that make up the model; a change of any is a change of model for Azure.
_MODEL_FIELDS: Final[tuple[str, ...]] = ("model_name", "model_format", "model_version")
#: Of those, the ones whose change in place (provisioned SKUs) is another model altogether.
_MOVED_IN_PLACE: Final[tuple[str, ...]] = ("model_name", "model_format")


# -- planning: pure -------------------------------------------------------------------


def check(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """The checked inputs (defaults filled) and a failure per bad field; no network.

    An api-version newer than the tested range is accepted with a warning (why: see
    ``core.apiversions``)."""
    inputs, failures = check_inputs(news)
    version = inputs.get("api_version")
    if isinstance(version, str) and not failures and apiversions.is_newer_than_tested(version):
        logger.warning(
            "api_version %s is newer than the api-versions this provider is tested against "
            "(%s); it is used as %s is",
            version,
            apiversions.supported_range(),
            apiversions.NEWEST,
        )
    return inputs, failures


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
    resets: list[Reset] = dataclasses.field(default_factory=list)
    """Live settings the program leaves unset that the write cannot keep (a replace, a
    model changed in place)."""
    notice: str = ""
    """What to warn the user of while planning (the ``resets``), ``""`` if nothing: each
    front shows it as a warning (``providers/engine_log.py``), since the CLI shows a dynamic
    resource's declared inputs only."""


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


def plan(olds: Mapping[str, Any], news: Mapping[str, Any], resource_id: str = "") -> Plan:
    """Compare the old outputs with the new checked inputs; no network. A live setting the
    write cannot keep goes into the plan's ``notice``, naming ``resource_id``."""
    result = diff_inputs(olds, news)
    replacing = bool(result.replaces)
    model_moves = not replacing and any(f in result.changes for f in _MOVED_IN_PLACE)
    found = resets(olds, news, replacing=replacing, model_moves=model_moves)
    return Plan(
        changed=result.changes,
        replaces=result.replaces,
        delete_before_replace=result.delete_before_replace,
        changes=bool(result.changes) or _failed(olds),
        resets=found,
        notice=describe_resets(resource_id or "the deployment", found, replacing=replacing),
    )


# -- lifecycle: network ---------------------------------------------------------------


def create(
    runtime: Runtime, props: Mapping[str, Any], *, import_note: str = ""
) -> tuple[str, dict[str, Any]]:
    """Create (or re-adopt) the deployment; returns its ARM id and the outputs.

    A deployment of that name that exists already is adopted when this stack's owner tag
    is on it (``core/owner.py``) or ``adopt_existing`` is set, and it runs the same model
    (Azure cannot change a deployment's model); anything else is refused, naming the owner.
    Nothing found here is ever deleted. ``import_note`` ends the refusal of a deployment no
    stack claims: each front says there whether `pulumi import` can bring it under the
    stack."""
    spec = _with_stack_key(runtime, spec_from_inputs(props))
    deployment = spec.account.deployment(spec.deployment_name)
    path = str(deployment)
    with about("creating", path):
        tenant, cross = _tenancy(runtime, spec)
        call = writes.make_call(runtime, "creating", deployment, spec, tenant, cross)

    existing = runtime.client.get(call, path, spec.api_version)
    live: Live | None = None
    if existing is not None:
        _may_adopt(spec, path, existing.body or {}, import_note)
        live = Live.of_arm(existing.body)

    # An adopted deployment keeps what it runs for every setting the program leaves unset.
    sent = kept(spec, live) if live is not None else spec
    held, sets_model = against(sent, live_inputs_of(existing))
    admitted = runtime.preflight.before_write(
        runtime, "creating", sent, tenant, held=held, sets_model=sets_model
    )
    try:
        try:
            final = writes.put(runtime, call, sent, tenant, cross)
        except OperationFailedError:
            if existing is None:
                writes.discard(runtime, deployment, spec, tenant)  # this create made it
            raise
    except BaseException:
        runtime.preflight.release(admitted)
        raise
    runtime.remember_create(path)
    outputs = outputs_from_arm(props, final.body or {}, tenant_id=tenant, cross_tenant=cross)
    return path, outputs


def _may_adopt(spec: DeploymentSpec, path: str, body: Mapping[str, Any], import_note: str) -> None:
    """Return if the create may take over the deployment ``body`` (logging why), else raise
    :class:`ForeignDeploymentError` saying who owns it and what to do."""
    live_tag = owner_of(body)
    claim = claim_of(live_tag, spec.owner, spec.owner_key)
    change = model_change(spec, body)
    if claim in (Claim.THIS_STACK, Claim.THIS_STACK_BEFORE_KEYS):
        if change is not None:
            raise ForeignDeploymentError(
                f"creating {path}: a deployment of that name carries this stack's owner tag "
                f"({live_tag}), left by an earlier create that did not complete, but it has "
                f"{change}, and Azure cannot change a deployment's model. The provider "
                "deletes only what it created in the same run: delete that deployment "
                "(`az cognitiveservices account deployment delete`), or choose another "
                "deployment_name."
            )
        logger.info("%s carries this stack's owner tag (%s): adopting it", path, claim.value)
        return
    if not spec.adopt_existing:
        if claim is Claim.OTHER:
            assert live_tag is not None
            raise ForeignDeploymentError(
                f"creating {path}: a deployment of that name already exists and belongs to "
                f"{describe_claim(live_tag, spec.owner)}: its owner tag is {live_tag}. "
                "Choose another deployment_name, or have that stack remove it first (its "
                "`pulumi destroy`, or deleting it once that stack no longer manages it)."
            )
        raise ForeignDeploymentError(
            f"creating {path}: a deployment of that name already exists and no stack's "
            "owner tag claims it. Set adopt_existing to take it over, choose another "
            f"deployment_name, or delete it first.{' ' + import_note if import_note else ''}"
        )
    if change is not None:
        raise ForeignDeploymentError(
            f"creating {path}: adopt_existing is set, but the existing deployment has "
            f"{change}, and Azure cannot change a deployment's model. Choose another "
            "deployment_name, or delete the existing deployment first."
        )
    if claim is Claim.OTHER:
        logger.warning(
            "%s belongs to another stack (owner tag %s); adopt_existing takes it over",
            path,
            live_tag,
        )
    else:
        logger.info("%s exists and adopt_existing is set: adopting it", path)


def read(
    runtime: Runtime, id_: str, props: Mapping[str, Any], *, importing: bool = False
) -> ReadResult | None:
    """The deployment as Azure has it now; ``None`` if it is gone. ``importing``: the
    inputs declare every setting as the deployment runs it (``pulumi import``'s program)."""
    deployment = DeploymentId.parse(id_)
    api_version = str(props.get("api_version") or DEFAULTS["api_version"])
    tenant = _str_or_none(props.get("tenant_id"))
    call = Call("reading", str(deployment), tenant, runtime.client.clock.now() + _timeout(props))
    live = runtime.client.get(call, str(deployment), api_version)
    if live is None:
        logger.info("%s is gone: the next update will create it again", deployment)
        return None
    outputs = refreshed_outputs(props, live.body or {}, every_setting=importing)
    return ReadResult(str(deployment), outputs, live_inputs(outputs))


def update(
    runtime: Runtime, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply new inputs to the deployment in place; returns the new outputs."""
    spec = _with_stack_key(runtime, spec_from_inputs(news))
    deployment = spec.account.deployment(spec.deployment_name)
    path = str(deployment)
    with about("updating", path):
        tenant, cross = _tenancy(runtime, spec)
    # source_tenant_id only changes which auxiliary token goes along here: a change that
    # makes the copy cross-tenant or not is a replace (diff), and the body is the same.
    changed = set(diff_inputs(olds, news).changes) & ARM_INPUTS - {"source_tenant_id"}
    old_capacity = whole_number(olds.get("sku_capacity"))
    patch_only = bool(changed) and changed <= _PATCHABLE
    # A PUT replaces the deployment: it sends what the deployment runs for every setting the
    # program leaves unset, as read now (a change behind the stack's back is kept too; gone
    # since, what the state recorded). A PATCH of {sku, tags} changes nothing else, except
    # where the api-version has none and it is a PUT too.
    puts = bool(changed or _failed(olds)) and (
        _failed(olds) or not patch_only or not apiversions.defines_update(spec.api_version)
    )
    running = (
        _running(runtime, deployment, spec, tenant, cross, olds) if puts else Live.of_outputs(olds)
    )
    full = kept(spec, running)

    held, _ = against(full, olds)
    admitted = None
    if changed or _failed(olds):
        sets_model = any(name in changed for name in _MODEL_FIELDS)
        admitted = runtime.preflight.before_write(
            runtime, "updating", full, tenant, held=held, sets_model=sets_model
        )
    try:
        live = _update(runtime, deployment, full, olds, spec, tenant, cross, changed, old_capacity)
    except BaseException:
        runtime.preflight.release(admitted)
        raise
    if live is None:
        raise AoaiDeployError(
            f"updating {path}: the deployment no longer exists; run `pulumi refresh` "
            "so that the next `pulumi up` creates it again"
        )
    return outputs_from_arm(news, live.body or {}, tenant_id=tenant, cross_tenant=cross)


def _update(
    runtime: Runtime,
    deployment: DeploymentId,
    full: DeploymentSpec,
    olds: Mapping[str, Any],
    spec: DeploymentSpec,
    tenant: str,
    cross: bool,
    changed: set[str],
    old_capacity: int | None,
) -> ArmResponse | None:
    """The writes of an update (or the read, when nothing is to be sent)."""
    path = str(deployment)
    model_fields = [name for name in _MODEL_FIELDS if name in changed]
    live: ArmResponse | None
    if _failed(olds):
        live = writes.put_for_update(runtime, deployment, full, tenant, cross)
    elif not changed:
        # Only provider-side inputs changed (tenant_id, say): nothing to send to ARM.
        call = writes.make_call(
            runtime, "updating", deployment, spec, tenant, cross, auxiliary=False
        )
        live = runtime.client.get(call, path, spec.api_version)
    elif changed <= _PATCHABLE:
        # `full`: where the api-version has no PATCH this is a PUT, which keeps what it runs.
        live = writes.patch(runtime, deployment, full, tenant, cross)
    elif model_fields and "sku_capacity" in changed and old_capacity is not None:
        live = writes.model_and_capacity(
            runtime, deployment, full, tenant, cross, old_capacity, model_fields
        )
    else:
        live = writes.put_for_update(runtime, deployment, full, tenant, cross)
    return live


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
    runtime.preflight.deleted(str(deployment), props)


def preflight_failures(
    runtime: Runtime, olds: Mapping[str, Any], inputs: Mapping[str, Any]
) -> list[Failure]:
    """The preflight's problems with checked ``inputs`` as check failures, when
    ``aoai-deploy:preflight`` is ``always`` (``olds``: the old inputs; empty for a new
    resource). Reads Azure (once per account and run): the fronts call it from check only in
    that mode, which the user chose for previews too."""
    return runtime.preflight.at_check(runtime, olds, inputs)


# -- helpers --------------------------------------------------------------------------


def _with_stack_key(runtime: Runtime, spec: DeploymentSpec) -> DeploymentSpec:
    """``spec`` with the stack's key of the package's provider when the inputs carry none
    (the dynamic resource's come with its inputs)."""
    if spec.owner_key is None and runtime.owner_key is not None:
        return dataclasses.replace(spec, owner_key=runtime.owner_key)
    return spec


def _tenancy(runtime: Runtime, spec: DeploymentSpec) -> tuple[str, bool]:
    tenant = spec.tenant_id or runtime.tokens.home_tenant()
    return tenant, is_cross_tenant(spec, tenant)


def _running(
    runtime: Runtime,
    deployment: DeploymentId,
    spec: DeploymentSpec,
    tenant: str,
    cross: bool,
    olds: Mapping[str, Any],
) -> Live:
    """What the deployment runs now (a GET), or, if it is gone, what the state recorded."""
    call = writes.make_call(runtime, "updating", deployment, spec, tenant, cross, auxiliary=False)
    found = runtime.client.get(call, str(deployment), spec.api_version)
    return Live.of_arm(found.body) if found is not None else Live.of_outputs(olds)


def live_inputs_of(existing: ArmResponse | None) -> dict[str, Any]:
    """What a live deployment holds, as the preflight weighs a write over it: its SKU,
    capacity and model (empty when there is none)."""
    if existing is None:
        return {}
    body = existing.body or {}
    raw_sku, raw_model = body.get("sku"), _model_of(body)
    sku: Mapping[str, Any] = raw_sku if isinstance(raw_sku, Mapping) else {}
    model: Mapping[str, Any] = raw_model if isinstance(raw_model, Mapping) else {}
    return {
        "sku_name": sku.get("name"),
        "sku_capacity": sku.get("capacity"),
        "model_name": model.get("name"),
        "model_format": model.get("format"),
        "model_version": model.get("version"),
    }


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
