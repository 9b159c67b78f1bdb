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

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi.output import Unknown

from aoai_deploy.providers.core import apiversions
from aoai_deploy.providers.core.ids import (
    ACCOUNT_ID_SHAPE,
    AccountId,
    ArmIdError,
    DeploymentId,
    describe_char,
    is_guid,
    validate_deployment_name,
)
from aoai_deploy.providers.core.owner import KEY_SUFFIX_LENGTH
from aoai_deploy.providers.core.schema import (
    DEFAULTS,
    INPUTS,
    OWNER_INPUT,
    OWNER_KEY_INPUT,
    OWNER_TAG,
    SKU_NAMES,
    VERSION_UPGRADE_OPTIONS,
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
_API_VERSION = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(-preview)?")
# Account SKUs (S0, F0, P1, ...) are a common mistake in a deployment's sku_name.
_ACCOUNT_SKU = re.compile(r"[SFPsfp][0-9]{1,2}")


@dataclass(frozen=True)
class Failure:
    """One input that cannot be used: the field and what is wrong with it."""

    field: str
    """The input's name, as in the inputs table (``sku_capacity``)."""
    reason: str
    """A sentence that names the field and says what to do."""


def has_unknown(value: object) -> bool:
    """Whether ``value`` is, or contains, a value not known yet (preview)."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(has_unknown(key) or has_unknown(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_unknown(item) for item in value)
    return False


def whole_number(value: object) -> int | None:
    """``value`` as an int when it is a whole number (``2`` or ``2.0``), else ``None``.

    Pulumi sends every number as a float; booleans are not numbers here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


# Each checker takes the field name and a present, known value, and returns the value to keep
# (normalized where allowed) or raises _InvalidError with the reason.
class _InvalidError(Exception):
    pass


def _token(field: str, value: object) -> object:
    """A non-empty string without whitespace or control characters (model names, versions)."""
    if not isinstance(value, str):
        raise _InvalidError(f"{field} must be a string, got {_show(value)}")
    if not value:
        raise _InvalidError(f"{field} must not be empty")
    for position, ch in enumerate(value):
        if ch.isspace() or not ch.isprintable():
            raise _InvalidError(
                f"{field} contains {describe_char(ch)} at position {position}; "
                "remove it (no whitespace or control characters)"
            )
    return value


def _text(field: str, value: object) -> object:
    """A non-empty string without control characters or surrounding whitespace."""
    if not isinstance(value, str):
        raise _InvalidError(f"{field} must be a string, got {_show(value)}")
    if not value.strip():
        raise _InvalidError(f"{field} must not be empty; leave it unset instead")
    if value != value.strip():
        raise _InvalidError(f"{field} has leading or trailing whitespace; remove it")
    for position, ch in enumerate(value):
        if not ch.isprintable():
            raise _InvalidError(
                f"{field} contains {describe_char(ch)} at position {position}; remove it"
            )
    return value


def _account_id(field: str, value: object) -> object:
    if not isinstance(value, str):
        raise _InvalidError(
            f"{field} must be an ARM account id ({ACCOUNT_ID_SHAPE}), got {_show(value)}"
        )
    try:
        AccountId.parse(value)
    except ArmIdError as error:
        raise _InvalidError(f"{field}: {error}") from None
    return value


def _deployment_name(field: str, value: object) -> object:
    reason = validate_deployment_name(value)
    if reason:
        raise _InvalidError(f"{field} {reason}")
    return value


def _tenant(field: str, value: object) -> object:
    if not is_guid(value):
        raise _InvalidError(
            f"{field} must be a tenant GUID such as 11111111-1111-4111-8111-111111111111 "
            "(the tenant's id, not its domain name), got "
            f"{_show(value)}"
        )
    return value


def _sku_name(field: str, value: object) -> object:
    if isinstance(value, str) and value.lower() in {name.lower() for name in SKU_NAMES}:
        return value
    allowed = ", ".join(SKU_NAMES)
    if isinstance(value, str) and _ACCOUNT_SKU.fullmatch(value):
        raise _InvalidError(
            f"{field} {value!r} is an account SKU (the account's pricing tier); "
            f"a deployment's SKU is one of {allowed}"
        )
    raise _InvalidError(f"{field} must be one of {allowed} (any case), got {_show(value)}")


def _upgrade_option(field: str, value: object) -> object:
    if isinstance(value, str) and value.lower() in {o.lower() for o in VERSION_UPGRADE_OPTIONS}:
        return value
    allowed = ", ".join(VERSION_UPGRADE_OPTIONS)
    raise _InvalidError(f"{field} must be one of {allowed} (any case), got {_show(value)}")


def _at_least(minimum: int) -> Callable[[str, object], object]:
    def check(field: str, value: object) -> object:
        number = whole_number(value)
        if number is None or number < minimum:
            raise _InvalidError(
                f"{field} must be a whole number of at least {minimum}, got {_show(value)}"
            )
        return number

    return check


def _api_version(field: str, value: object) -> object:
    match = _API_VERSION.fullmatch(value) if isinstance(value, str) else None
    if match:
        try:
            datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            match = None
    if not match:
        raise _InvalidError(
            f"{field} must look like YYYY-MM-DD or YYYY-MM-DD-preview (such as "
            f"{DEFAULTS['api_version']}), got {_show(value)}"
        )
    assert isinstance(value, str)
    if apiversions.row_for(value) is None:
        raise _InvalidError(
            f"{field} {value!r} is older than the api-versions this provider is tested "
            f"against ({apiversions.supported_range()}); use one of those, such as "
            f"{DEFAULTS['api_version']}"
        )
    return value


def _bool(field: str, value: object) -> object:
    if not isinstance(value, bool):
        raise _InvalidError(f"{field} must be true or false, got {_show(value)}")
    return value


def _show(value: object) -> str:
    return f"{type(value).__name__} {value!r}" if isinstance(value, bool) else repr(value)


_CHECKERS: Final[dict[str, Callable[[str, object], object]]] = {
    "account_id": _account_id,
    "deployment_name": _deployment_name,
    "model_name": _token,
    "model_format": _token,
    "model_version": _token,
    "source_account_id": _account_id,
    "source_tenant_id": _tenant,
    "tenant_id": _tenant,
    "sku_name": _sku_name,
    "sku_capacity": _at_least(1),
    "rai_policy_name": _text,
    "version_upgrade_option": _upgrade_option,
    "adopt_existing": _bool,
    "api_version": _api_version,
    "operation_timeout_seconds": _at_least(1),
    "role_propagation_timeout_seconds": _at_least(0),
}


def _tag_failures(tags: object, with_owner: bool) -> list[str]:
    if not isinstance(tags, Mapping):
        return [f"tags must be a map of strings to strings, got {_show(tags)}"]
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
            reasons.append(f"tags[{name!r}] must be a string, got {_show(value)}")
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
            inputs[field] = _CHECKERS[field](field, value)
        except _InvalidError as bad:
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
        reasons.append(f"{OWNER_INPUT} must be a non-empty string, got {_show(owner)}")
    owner_key = inputs.get(OWNER_KEY_INPUT)
    if owner_key is not None and not has_unknown(owner_key) and not isinstance(owner_key, str):
        reasons.append(f"{OWNER_KEY_INPUT} must be a string, got {_show(owner_key)}")
    if reasons:
        raise InputError("invalid inputs: " + "; ".join(reasons))
    source = inputs.get("source_account_id")
    tags = inputs.get("tags")
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
    )
