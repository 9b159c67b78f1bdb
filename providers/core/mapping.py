"""Inputs to the ARM request body, and ARM responses to outputs (azurerm's expand / flatten).

* :func:`deployment_body` builds the PUT body field by field from a
  :class:`~aoai_deploy.providers.core.inputs.DeploymentSpec`, never from the property bag (which
  carries the pickled provider under ``__provider``); :func:`patch_body` the ``{sku, tags}``
  of a PATCH (``Deployments_Update``).
* :func:`outputs_from_arm` makes the outputs of create and update: every input echoed (Pulumi
  hands old outputs to ``diff``, ``update`` and ``delete``) plus what Azure reports.
* :func:`refreshed_outputs` makes the outputs of ``read``: the echoed inputs that Azure stores
  are replaced by the live values, so ``pulumi refresh`` shows drift; :func:`live_inputs`
  the inputs they stand for, which ``read`` hands back too.

ARM keys are looked up case-insensitively: a real service sent ``eTag`` for ``etag``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aoai_deploy.providers.core.ids import AccountId, ArmIdError
from aoai_deploy.providers.core.inputs import DeploymentSpec, whole_number
from aoai_deploy.providers.core.live import live_settings, member
from aoai_deploy.providers.core.owner import tag_value
from aoai_deploy.providers.core.schema import (
    DEFAULTS,
    INPUTS,
    LIVE_SETTINGS,
    OWNER_INPUT,
    OWNER_KEY_INPUT,
    OWNER_TAG,
)

__all__ = [
    "computed_outputs",
    "deployment_body",
    "is_cross_tenant",
    "live_inputs",
    "model_change",
    "outputs_from_arm",
    "owner_of",
    "patch_body",
    "refreshed_outputs",
    "version_to_send",
]


def is_cross_tenant(spec: DeploymentSpec, destination_tenant: str) -> bool:
    """Whether the model comes from another account in another tenant, so that the body
    carries ``sourceAccount`` and requests carry an auxiliary token for ``source_tenant_id``.

    A source account that is the destination account itself is no copy at all, whatever
    tenant it is said to be in.
    """
    return (
        spec.source_tenant_id is not None
        and spec.source_account is not None
        and spec.source_account != spec.account
        and spec.source_tenant_id.lower() != destination_tenant.lower()
    )


def deployment_body(spec: DeploymentSpec, *, cross_tenant: bool) -> dict[str, Any]:
    """The body of the PUT that creates or updates the deployment (the whole resource).

    A setting of ``LIVE_SETTINGS`` left unset is left out (Azure then gives it its default,
    so a write of an existing deployment sends the spec :func:`~.live.kept` filled)."""
    model: dict[str, Any] = {"format": spec.model_format, "name": spec.model_name}
    if spec.source_account is not None and spec.source_account != spec.account:
        model["sourceAccount" if cross_tenant else "source"] = str(spec.source_account)
    body: dict[str, Any] = {
        "sku": {"name": spec.sku_name, "capacity": spec.sku_capacity},
        "properties": {"model": model},
    }
    for setting in LIVE_SETTINGS:
        value = getattr(spec, setting.name)
        if value is not None:
            _put_at(body, setting.arm_path, value)
    tags = _tags_of(spec)
    if tags:
        body["tags"] = tags
    return body


def _put_at(body: dict[str, Any], path: tuple[str, ...], value: object) -> None:
    *parents, last = path
    for key in parents:
        body = body.setdefault(key, {})
    body[last] = value


def patch_body(spec: DeploymentSpec) -> dict[str, Any]:
    """The body of a PATCH (``Deployments_Update``): the SKU and every tag, nothing that
    names the source account, so it needs no auxiliary token."""
    return {"sku": {"name": spec.sku_name, "capacity": spec.sku_capacity}, "tags": _tags_of(spec)}


def _tags_of(spec: DeploymentSpec) -> dict[str, str]:
    tags = dict(spec.tags or {})
    owner = tag_value(spec.owner, spec.owner_key)
    if owner is not None:
        tags[OWNER_TAG] = owner
    return tags


_get = member


def _properties(arm: Mapping[str, Any]) -> Any:
    return _get(arm, "properties")


def computed_outputs(arm: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs Azure computes, from a deployment as ARM returns it (``cross_tenant``
    aside, which the caller knows)."""
    properties = _properties(arm)
    capabilities = _get(properties, "capabilities")
    rate_limits = _get(properties, "rateLimits")
    model = _get(properties, "model")
    state = _get(properties, "provisioningState")
    capacity = whole_number(_get(properties, "currentCapacity"))
    etag = _get(arm, "etag")
    return {
        "provisioning_state": state if isinstance(state, str) else None,
        "capabilities": copy.deepcopy(dict(capabilities))
        if isinstance(capabilities, Mapping)
        else {},
        "rate_limits": copy.deepcopy(list(rate_limits)) if isinstance(rate_limits, list) else [],
        "model": copy.deepcopy(dict(model)) if isinstance(model, Mapping) else {},
        "current_capacity": capacity,
        "etag": etag if isinstance(etag, str) else None,
        "live_settings": live_settings(arm),
    }


def outputs_from_arm(
    inputs: Mapping[str, Any],
    arm: Mapping[str, Any],
    *,
    tenant_id: str,
    cross_tenant: bool,
) -> dict[str, Any]:
    """The outputs of create and update: every input (defaults filled, ``tenant_id``
    resolved, the hidden ``owner`` too) followed by the outputs Azure computes."""
    outputs: dict[str, Any] = {}
    for key in INPUTS:
        value = inputs.get(key)
        outputs[key] = DEFAULTS.get(key) if value is None else copy.deepcopy(value)
    outputs["tenant_id"] = tenant_id
    outputs[OWNER_INPUT] = inputs.get(OWNER_INPUT)
    if inputs.get(OWNER_KEY_INPUT) is not None:
        outputs[OWNER_KEY_INPUT] = inputs.get(OWNER_KEY_INPUT)
    outputs.update(computed_outputs(arm))
    outputs["cross_tenant"] = cross_tenant
    return outputs


def _same_text(old: object, live: object) -> object:
    """The old spelling when it equals the live value ignoring case, else the live value."""
    if isinstance(old, str) and isinstance(live, str) and old.lower() == live.lower():
        return old
    return live


def _same_account(old: object, live: str) -> object:
    try:
        if isinstance(old, str) and AccountId.parse(old) == AccountId.parse(live):
            return old
    except ArmIdError:
        pass
    return _same_text(old, live)


def _live_tags(old: object, live: object) -> dict[str, str] | None:
    """Live tags without the owner tag, each name in the old spelling where it matches."""
    old_names = {name.lower(): name for name in old} if isinstance(old, Mapping) else {}
    tags = {
        old_names.get(name.lower(), name): value
        for name, value in (live.items() if isinstance(live, Mapping) else ())
        if isinstance(name, str) and name.lower() != OWNER_TAG.lower()
    }
    return tags if tags or old is not None else None


def refreshed_outputs(
    old_outputs: Mapping[str, Any], arm: Mapping[str, Any], *, every_setting: bool = False
) -> dict[str, Any]:
    """The outputs of ``read``: the old outputs with what Azure stores replaced by the live
    values (so that drift shows) and the computed outputs refreshed.

    What Azure does not report is kept: the source tenant (never reported) and a source
    account the response leaves out. A setting of ``LIVE_SETTINGS`` that the user left unset
    stays unset (its live value is in ``live_settings``: the next write keeps it, and it is
    not drift), unless ``every_setting`` (``pulumi import``: the inputs then declare what
    the deployment runs, so that the generated program changes nothing).
    """
    outputs = dict(old_outputs)
    properties = _properties(arm)
    model = _get(properties, "model")
    for key, arm_key in (("model_name", "name"), ("model_format", "format")):
        live = _get(model, arm_key)
        if isinstance(live, str):
            outputs[key] = _same_text(old_outputs.get(key), live)
    source = _get(model, "sourceAccount") or _get(model, "source")
    if isinstance(source, str):
        outputs["source_account_id"] = _same_account(old_outputs.get("source_account_id"), source)
    sku = _get(arm, "sku")
    sku_name = _get(sku, "name")
    if isinstance(sku_name, str):
        outputs["sku_name"] = _same_text(old_outputs.get("sku_name"), sku_name)
    capacity = whole_number(_get(sku, "capacity"))
    if capacity is not None:
        outputs["sku_capacity"] = capacity
    for setting in LIVE_SETTINGS:
        old = old_outputs.get(setting.name)
        if old is None and not every_setting:
            continue
        live = _at(arm, setting.arm_path)
        if isinstance(live, str):
            outputs[setting.name] = _same_text(old, live)
        elif not setting.model_bound:
            outputs[setting.name] = None  # Azure reports none now: that is drift
    outputs["tags"] = _live_tags(old_outputs.get("tags"), _get(arm, "tags"))
    outputs.update(computed_outputs(arm))
    return outputs


def _at(body: object, path: tuple[str, ...]) -> Any:
    for key in path:
        body = _get(body, key)
    return body


def live_inputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that refreshed outputs stand for: every input they echo (the hidden
    ``owner`` too), with what Azure reported in place of what was declared.

    ``read`` returns them so that the engine keeps inputs that match the live deployment:
    it applies ``ignore_changes`` against them and names drifted properties in a preview.
    """
    return {
        key: copy.deepcopy(outputs[key])
        for key in (*INPUTS, OWNER_INPUT, OWNER_KEY_INPUT)
        if outputs.get(key) is not None
    }


def version_to_send(spec: DeploymentSpec, model: object) -> str | None:
    """The version to send when ``spec`` leaves it unset but a deployment of the same model
    exists: the one it runs (``model`` as Azure reports it), so that a write meant to change
    something else never moves it to the model's default version. ``None`` otherwise."""
    if spec.model_version is not None:
        return spec.model_version
    name, fmt, version = _get(model, "name"), _get(model, "format"), _get(model, "version")
    if (
        isinstance(name, str)
        and name.lower() == spec.model_name.lower()
        and (not isinstance(fmt, str) or fmt.lower() == spec.model_format.lower())
        and isinstance(version, str)
    ):
        return version
    return None


def model_change(spec: DeploymentSpec, arm: Mapping[str, Any]) -> str | None:
    """What Azure would refuse to change from the live deployment's model to ``spec``'s (its
    name, format or source; a version may change in place), described; ``None`` if nothing."""
    model = _get(_properties(arm), "model")
    live_name, live_format = _get(model, "name"), _get(model, "format")
    if isinstance(live_name, str) and live_name.lower() != spec.model_name.lower():
        return f"model {live_name!r}, not {spec.model_name!r}"
    if isinstance(live_format, str) and live_format.lower() != spec.model_format.lower():
        return f"model format {live_format!r}, not {spec.model_format!r}"
    live_source = _get(model, "sourceAccount") or _get(model, "source")
    if not isinstance(live_source, str):
        return None  # a source Azure does not report cannot be told apart
    wanted = spec.source_account if spec.source_account != spec.account else None
    try:
        source: AccountId | None = AccountId.parse(live_source)
    except ArmIdError:
        source = None
    if source != wanted:
        return f"its model from {live_source}, not from {wanted or 'the account itself'}"
    return None


def owner_of(arm: Mapping[str, Any]) -> str | None:
    """The owner tag on a live deployment (tag names compared case-insensitively), if any."""
    owner = _get(_get(arm, "tags"), OWNER_TAG)
    return owner if isinstance(owner, str) else None
