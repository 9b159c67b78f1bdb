"""Validation of a deployment's inputs (``check``) and their typed view (:class:`DeploymentSpec`).

:func:`check_inputs` never touches the network. It fills :data:`~schema.DEFAULTS`, turns the
floats Pulumi sends for every number into ints where the value is whole, and returns a
:class:`Failure` per bad field, whose reason names the field and says what to write instead.
Everything else stays as the user wrote it (case-insensitive values keep their spelling), keys
it does not know (``owner``, ``__provider``, outputs) are kept untouched, and values not known
yet (``pulumi.output.Unknown`` during preview) pass through unvalidated.

:func:`spec_from_inputs` is what create, update and read use: the same checks, but every
failure (and any unknown value) raises one :class:`InputError` naming each bad field.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi.output import Unknown

from aoai_deploy.providers.core import apiversions
from aoai_deploy.providers.core.checkers import (
    CHECKERS,
    InvalidValueError,
    has_unknown,
    show,
    whole_number,
)
from aoai_deploy.providers.core.ids import ACCOUNT_ID_SHAPE, AccountId, DeploymentId, describe_char
from aoai_deploy.providers.core.owner import KEY_SUFFIX_LENGTH
from aoai_deploy.providers.core.schema import (
    DEFAULTS,
    INPUTS,
    LIVE_SETTINGS,
    OWNER_INPUT,
    OWNER_KEY_INPUT,
    OWNER_TAG,
    PAUSABLE_SKUS,
    PROVISIONED_SKUS,
    ROUTER_MODEL,
)
from aoai_deploy.providers.errors import InputError

__all__ = [
    "MAX_TAGS",
    "MAX_TAG_NAME",
    "MAX_TAG_VALUE",
    "DeploymentSpec",
    "Failure",
    "check_inputs",
    "has_unknown",
    "spec_from_inputs",
    "whole_number",
]

#: Azure's limits on the tags of one resource.
MAX_TAGS: Final = 50
MAX_TAG_NAME: Final = 512
MAX_TAG_VALUE: Final = 256
# Azure refuses these characters in tag names.
_TAG_NAME_FORBIDDEN: Final = "<>%&\\?/"

_REQUIRED: Final = {
    "account_id": f"the ARM id of the destination account ({ACCOUNT_ID_SHAPE})",
    "deployment_name": "the name of the deployment in the destination account",
    "model_name": "the fine-tuned model id or base model name to deploy",
}


@dataclass(frozen=True)
class Failure:
    """One input that cannot be used: the field and what is wrong with it."""

    field: str
    """The input's name, as in the inputs table (``sku_capacity``)."""
    reason: str
    """A sentence that names the field and says what to do."""


def _tag_failures(tags: object, with_owner: bool) -> list[str]:
    if not isinstance(tags, Mapping):
        return [f"tags must be a map of strings to strings, got {show(tags)}"]
    reasons: list[str] = []
    # The provider adds its own owner tag, which counts against Azure's limit.
    limit = MAX_TAGS - 1 if with_owner else MAX_TAGS
    if len(tags) > limit:
        extra = f" (Azure allows {MAX_TAGS}; the provider adds {OWNER_TAG!r})" if with_owner else ""
        reasons.append(f"tags has {len(tags)} entries; at most {limit} are allowed{extra}")
    for name, value in tags.items():
        if has_unknown(name):
            continue
        if not isinstance(name, str) or not name:
            reasons.append(f"tags has the name {name!r}; tag names must be non-empty strings")
            continue
        if name.lower() == OWNER_TAG.lower():
            reasons.append(
                f"tags must not set {name!r}: the provider writes that tag to recognise "
                "its own deployments; rename the tag"
            )
        if len(name) > MAX_TAG_NAME:
            reasons.append(
                f"tags name {name[:40]!r}... is {len(name)} characters; "
                f"at most {MAX_TAG_NAME} are allowed"
            )
        bad = [ch for ch in name if ch in _TAG_NAME_FORBIDDEN or not ch.isprintable()]
        if bad:
            reasons.append(
                f"tags name {name!r} contains {describe_char(bad[0])}; Azure refuses "
                f"{' '.join(_TAG_NAME_FORBIDDEN)} and control characters in tag names"
            )
        if has_unknown(value):
            continue
        if not isinstance(value, str):
            reasons.append(f"tags[{name!r}] must be a string, got {show(value)}")
        elif len(value) > MAX_TAG_VALUE:
            reasons.append(
                f"tags[{name!r}] is {len(value)} characters; at most {MAX_TAG_VALUE} are allowed"
            )
    return reasons


def _version_failures(inputs: Mapping[str, Any], found: list[Failure]) -> list[Failure]:
    """Inputs that need a member the chosen api-version does not define (apiversions)."""
    version = inputs.get("api_version")
    if not isinstance(version, str) or any(f.field == "api_version" for f in found):
        return []
    failures: list[Failure] = []
    for setting in LIVE_SETTINGS:
        value = inputs.get(setting.name)
        if value is None or has_unknown(value) or apiversions.defines(version, setting.member):
            continue
        first = apiversions.first_with(setting.member)
        failures.append(
            Failure(
                setting.name,
                f"{setting.name} needs api_version {first} or newer: {version} does not define "
                f"{setting.member}; set api_version to {first} or newer, or remove "
                f"{setting.name}",
            )
        )
    tags = inputs.get("tags")
    if isinstance(tags, Mapping) and tags and not apiversions.defines(version, "tags"):
        failures.append(
            Failure(
                "tags",
                f"tags need api_version {apiversions.first_with('tags')} or newer: "
                f"{version} defines no tags on a deployment; remove tags or set api_version",
            )
        )
    source_tenant, tenant = inputs.get("source_tenant_id"), inputs.get("tenant_id")
    cross = (
        isinstance(source_tenant, str)
        and inputs.get("source_account_id") is not None
        and not (isinstance(tenant, str) and tenant.lower() == source_tenant.lower())
    )
    if cross and not apiversions.defines(version, "properties.model.sourceAccount"):
        failures.append(
            Failure(
                "api_version",
                f"a copy from another tenant (source_tenant_id) names its source in "
                f"properties.model.sourceAccount, which api_version {version} does not define; "
                f"use {apiversions.first_with('properties.model.sourceAccount')} or newer (or, "
                "if the source account is in the destination tenant, set tenant_id to it)",
            )
        )
    return failures


def _known_text(inputs: Mapping[str, Any], field: str) -> str | None:
    value = inputs.get(field)
    return value if isinstance(value, str) and not has_unknown(value) else None


def _one_of(value: str, names: tuple[str, ...]) -> bool:
    return value.lower() in {name.lower() for name in names}


def _setting_failures(inputs: Mapping[str, Any], found: list[Failure]) -> list[Failure]:
    """Settings that the rest of the inputs rule out, as Azure does (the sources are in
    ``emulator/routes/deployment_settings.py``); a value not known yet is not judged."""
    bad = {failure.field for failure in found}
    sku = _known_text(inputs, "sku_name") if "sku_name" not in bad else None
    failures: list[Failure] = []
    spillover = _known_text(inputs, "spillover_deployment_name")
    if spillover is not None and "spillover_deployment_name" not in bad:
        name = _known_text(inputs, "deployment_name")
        if name is not None and name.lower() == spillover.lower():
            failures.append(
                Failure(
                    "spillover_deployment_name",
                    "spillover_deployment_name names the deployment itself; name a standard "
                    "deployment in the same account",
                )
            )
        elif sku is not None and not _one_of(sku, PROVISIONED_SKUS):
            failures.append(
                Failure(
                    "spillover_deployment_name",
                    f"spillover_deployment_name is for provisioned deployments (sku_name "
                    f"{', '.join(PROVISIONED_SKUS)}), and sku_name is {sku}: remove "
                    "spillover_deployment_name, or set it on the provisioned deployment "
                    "that spills over to this one",
                )
            )
    state = _known_text(inputs, "deployment_state")
    if (
        state is not None
        and state.lower() == "paused"
        and sku is not None
        and not _one_of(sku, PAUSABLE_SKUS)
    ):
        failures.append(
            Failure(
                "deployment_state",
                f"deployment_state Paused is supported on {', '.join(PAUSABLE_SKUS)} "
                f"deployments only, and sku_name is {sku}: use Running, or remove "
                "deployment_state",
            )
        )
    model = _known_text(inputs, "model_name")
    if (
        inputs.get("routing") is not None
        and not has_unknown(inputs.get("routing"))
        and "routing" not in bad
        and model is not None
        and model.lower() != ROUTER_MODEL
    ):
        failures.append(
            Failure(
                "routing",
                f"routing applies to {ROUTER_MODEL} deployments only, and model_name is "
                f"{model}: remove routing, or deploy {ROUTER_MODEL}",
            )
        )
    return failures


def check_inputs(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize a resource's new inputs; the heart of ``check``.

    Returns the inputs to keep (defaults filled, whole floats made ints, everything else as
    given) and the failures, in the order of :data:`~schema.INPUTS`.
    """
    inputs = dict(news)
    for key, default in DEFAULTS.items():
        if inputs.get(key) is None:
            inputs[key] = default
    failures: list[Failure] = []
    for field in INPUTS:
        value = inputs.get(field)
        if isinstance(value, Unknown):
            continue
        if value is None:
            if field in _REQUIRED:
                failures.append(
                    Failure(field, f"{field} is required; set it to {_REQUIRED[field]}")
                )
            continue
        if field == "tags":
            # Known entries of a map with unknown values are still checked.
            with_owner = inputs.get(OWNER_INPUT) is not None
            failures.extend(Failure(field, reason) for reason in _tag_failures(value, with_owner))
            continue
        if has_unknown(value):
            continue
        try:
            inputs[field] = CHECKERS[field](field, value)
        except InvalidValueError as bad:
            failures.append(Failure(field, str(bad)))
    source_tenant = inputs.get("source_tenant_id")
    if (
        source_tenant is not None
        and not has_unknown(source_tenant)
        and inputs.get("source_account_id") is None
    ):
        failures.append(
            Failure(
                "source_tenant_id",
                "source_tenant_id is set without source_account_id; set source_account_id to "
                "the account that holds the model, or remove source_tenant_id",
            )
        )
    failures.extend(_setting_failures(inputs, failures))
    failures.extend(_version_failures(inputs, failures))
    owner = inputs.get(OWNER_INPUT)
    # The tag's value is the owner, "#" and the stack's key.
    owner_room = MAX_TAG_VALUE - KEY_SUFFIX_LENGTH
    if isinstance(owner, str) and len(owner) > owner_room:
        failures.append(
            Failure(
                OWNER_INPUT,
                f"the owner {owner[:60]!r}... "
                f"(<organization>/<project>/<stack>/<resource name>) is {len(owner)} "
                f"characters; with the stack's key it must fit the {MAX_TAG_VALUE} Azure "
                f"allows in a tag value, so at most {owner_room}: shorten the resource name",
            )
        )
    order = {field: index for index, field in enumerate(INPUTS)}
    failures.sort(key=lambda failure: order.get(failure.field, len(order)))
    return inputs, failures


@dataclass(frozen=True)
class DeploymentSpec:
    """The validated, typed inputs of one deployment, as create, update and read use them."""

    account: AccountId
    """The destination account."""
    deployment_name: str
    """The deployment's name inside the destination account."""
    model_name: str
    """The model to deploy (a fine-tuned model id or a base model name)."""
    model_format: str
    """The model's format (``OpenAI``)."""
    model_version: str | None
    """The model's version (``1`` for fine-tuned models); ``None``: Azure's default."""
    source_account: AccountId | None
    """The account that holds the model, when one is named."""
    source_tenant_id: str | None
    """The source account's tenant, when given."""
    tenant_id: str | None
    """The destination tenant; ``None`` means the credential's home tenant."""
    sku_name: str
    """The deployment SKU, as the user spelled it."""
    sku_capacity: int
    """Capacity in units of the SKU."""
    rai_policy_name: str | None
    """The content-filter policy, when set."""
    version_upgrade_option: str | None
    """The version upgrade option, when set."""
    tags: dict[str, str] | None
    """The user's tags, without the provider's owner tag."""
    adopt_existing: bool
    """Whether create may take over an existing deployment it does not own."""
    api_version: str
    """The ARM api-version to use."""
    operation_timeout_seconds: int
    """Deadline for one create, update or delete, polling included."""
    role_propagation_timeout_seconds: int
    """How long to retry 403s while new role assignments propagate."""
    owner: str | None
    """``<organization>/<project>/<stack>/<resource>``, written as the owner tag, when the
    resource set it."""
    owner_key: str | None = None
    """The stack's key, which the owner tag carries after the owner (``core/owner.py``):
    the dynamic resource's hidden input; the package's provider adds its own."""
    dynamic_throttling_enabled: bool | None = None
    """Dynamic quota, when set."""
    spillover_deployment_name: str | None = None
    """The standard deployment this provisioned one spills over to, when set."""
    designated_capacity: int | None = None
    """``capacitySettings.designatedCapacity``, when set."""
    capacity_priority: int | None = None
    """``capacitySettings.priority``, when set."""
    parent_deployment_name: str | None = None
    """The parent deployment's name, when set."""
    service_tier: str | None = None
    """The service tier, when set."""
    deployment_state: str | None = None
    """``Running`` or ``Paused``, when set."""
    routing: dict[str, Any] | None = None
    """A model-router deployment's routing (``{mode, models}``), when set."""
    context_cache_container_id: str | None = None
    """The context cache container's ARM id, when set."""

    @property
    def deployment_id(self) -> DeploymentId:
        """The deployment's ARM id."""
        return self.account.deployment(self.deployment_name)


def spec_from_inputs(props: Mapping[str, Any]) -> DeploymentSpec:
    """Build the typed view of ``props`` (checked inputs or old outputs).

    Raises :class:`InputError` naming every bad or not-yet-known field.
    """
    inputs, failures = check_inputs(props)
    reasons = [failure.reason for failure in failures]
    unknown = [
        key for key in (*INPUTS, OWNER_INPUT, OWNER_KEY_INPUT) if has_unknown(inputs.get(key))
    ]
    reasons.extend(f"{key} is not known yet" for key in unknown)
    owner = inputs.get(OWNER_INPUT)
    if owner is not None and not has_unknown(owner) and (not isinstance(owner, str) or not owner):
        reasons.append(f"{OWNER_INPUT} must be a non-empty string, got {show(owner)}")
    owner_key = inputs.get(OWNER_KEY_INPUT)
    if owner_key is not None and not has_unknown(owner_key) and not isinstance(owner_key, str):
        reasons.append(f"{OWNER_KEY_INPUT} must be a string, got {show(owner_key)}")
    if reasons:
        raise InputError("invalid inputs: " + "; ".join(reasons))
    source = inputs.get("source_account_id")
    tags = inputs.get("tags")
    routing = inputs.get("routing")
    return DeploymentSpec(
        account=AccountId.parse(inputs["account_id"]),
        deployment_name=inputs["deployment_name"],
        model_name=inputs["model_name"],
        model_format=inputs["model_format"],
        model_version=inputs.get("model_version"),
        source_account=AccountId.parse(source) if source is not None else None,
        source_tenant_id=inputs.get("source_tenant_id"),
        tenant_id=inputs.get("tenant_id"),
        sku_name=inputs["sku_name"],
        sku_capacity=inputs["sku_capacity"],
        rai_policy_name=inputs.get("rai_policy_name"),
        version_upgrade_option=inputs.get("version_upgrade_option"),
        tags=dict(tags) if tags is not None else None,
        adopt_existing=inputs["adopt_existing"],
        api_version=inputs["api_version"],
        operation_timeout_seconds=inputs["operation_timeout_seconds"],
        role_propagation_timeout_seconds=inputs["role_propagation_timeout_seconds"],
        owner=owner,
        owner_key=owner_key or None,
        dynamic_throttling_enabled=inputs.get("dynamic_throttling_enabled"),
        spillover_deployment_name=inputs.get("spillover_deployment_name"),
        designated_capacity=inputs.get("designated_capacity"),
        capacity_priority=inputs.get("capacity_priority"),
        parent_deployment_name=inputs.get("parent_deployment_name"),
        service_tier=inputs.get("service_tier"),
        deployment_state=inputs.get("deployment_state"),
        routing=copy.deepcopy(dict(routing)) if isinstance(routing, Mapping) else None,
        context_cache_container_id=inputs.get("context_cache_container_id"),
    )
