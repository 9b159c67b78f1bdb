"""The check of each input's value on its own, one checker per input (:data:`CHECKERS`).

``inputs.check_inputs`` runs them; what weighs one input against another (a spillover
deployment needs a provisioned SKU, a paused one a standard SKU, ...) is its own.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import Final

from pulumi.output import Unknown

from aoai_deploy.providers.core import apiversions
from aoai_deploy.providers.core.ids import (
    ACCOUNT_ID_SHAPE,
    AccountId,
    ArmIdError,
    describe_char,
    is_guid,
    validate_deployment_name,
)
from aoai_deploy.providers.core.schema import (
    DEFAULTS,
    DEPLOYMENT_STATES,
    ROUTING_MODES,
    SERVICE_TIERS,
    SKU_NAMES,
    VERSION_UPGRADE_OPTIONS,
)

__all__ = ["CHECKERS", "InvalidValueError", "has_unknown", "show", "whole_number"]

_API_VERSION = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(-preview)?")
# Account SKUs (S0, F0, P1, ...) are a common mistake in a deployment's sku_name.
_ACCOUNT_SKU = re.compile(r"[SFPsfp][0-9]{1,2}")
_RESOURCE_ID = re.compile(
    r"/subscriptions/[^/\s]+/resourceGroups/[^/\s]+/providers/[^/\s]+(/[^/\s]+/[^/\s]+)+",
    re.IGNORECASE,
)


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


class InvalidValueError(Exception):
    """A value a checker refuses; its text is the reason, naming the field."""


def _token(field: str, value: object) -> object:
    """A non-empty string without whitespace or control characters (model names, versions)."""
    if not isinstance(value, str):
        raise InvalidValueError(f"{field} must be a string, got {show(value)}")
    if not value:
        raise InvalidValueError(f"{field} must not be empty")
    for position, ch in enumerate(value):
        if ch.isspace() or not ch.isprintable():
            raise InvalidValueError(
                f"{field} contains {describe_char(ch)} at position {position}; "
                "remove it (no whitespace or control characters)"
            )
    return value


def _text(field: str, value: object) -> object:
    """A non-empty string without control characters or surrounding whitespace."""
    if not isinstance(value, str):
        raise InvalidValueError(f"{field} must be a string, got {show(value)}")
    if not value.strip():
        raise InvalidValueError(f"{field} must not be empty; leave it unset instead")
    if value != value.strip():
        raise InvalidValueError(f"{field} has leading or trailing whitespace; remove it")
    for position, ch in enumerate(value):
        if not ch.isprintable():
            raise InvalidValueError(
                f"{field} contains {describe_char(ch)} at position {position}; remove it"
            )
    return value


def _account_id(field: str, value: object) -> object:
    if not isinstance(value, str):
        raise InvalidValueError(
            f"{field} must be an ARM account id ({ACCOUNT_ID_SHAPE}), got {show(value)}"
        )
    try:
        AccountId.parse(value)
    except ArmIdError as error:
        raise InvalidValueError(f"{field}: {error}") from None
    return value


def _deployment_name(field: str, value: object) -> object:
    reason = validate_deployment_name(value)
    if reason:
        raise InvalidValueError(f"{field} {reason}")
    return value


def _tenant(field: str, value: object) -> object:
    if not is_guid(value):
        raise InvalidValueError(
            f"{field} must be a tenant GUID such as 11111111-1111-4111-8111-111111111111 "
            "(the tenant's id, not its domain name), got "
            f"{show(value)}"
        )
    return value


def _sku_name(field: str, value: object) -> object:
    if isinstance(value, str) and value.lower() in {name.lower() for name in SKU_NAMES}:
        return value
    allowed = ", ".join(SKU_NAMES)
    if isinstance(value, str) and _ACCOUNT_SKU.fullmatch(value):
        raise InvalidValueError(
            f"{field} {value!r} is an account SKU (the account's pricing tier); "
            f"a deployment's SKU is one of {allowed}"
        )
    raise InvalidValueError(f"{field} must be one of {allowed} (any case), got {show(value)}")


def _upgrade_option(field: str, value: object) -> object:
    if isinstance(value, str) and value.lower() in {o.lower() for o in VERSION_UPGRADE_OPTIONS}:
        return value
    allowed = ", ".join(VERSION_UPGRADE_OPTIONS)
    raise InvalidValueError(f"{field} must be one of {allowed} (any case), got {show(value)}")


def _at_least(minimum: int) -> Callable[[str, object], object]:
    def check(field: str, value: object) -> object:
        number = whole_number(value)
        if number is None or number < minimum:
            raise InvalidValueError(
                f"{field} must be a whole number of at least {minimum}, got {show(value)}"
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
        raise InvalidValueError(
            f"{field} must look like YYYY-MM-DD or YYYY-MM-DD-preview (such as "
            f"{DEFAULTS['api_version']}), got {show(value)}"
        )
    assert isinstance(value, str)
    if apiversions.row_for(value) is None:
        raise InvalidValueError(
            f"{field} {value!r} is older than the api-versions this provider is tested "
            f"against ({apiversions.supported_range()}); use one of those, such as "
            f"{DEFAULTS['api_version']}"
        )
    return value


def _bool(field: str, value: object) -> object:
    if not isinstance(value, bool):
        raise InvalidValueError(f"{field} must be true or false, got {show(value)}")
    return value


def show(value: object) -> str:
    """``value`` as a message quotes it (a boolean with its type, so True is not "True")."""
    return f"{type(value).__name__} {value!r}" if isinstance(value, bool) else repr(value)


def _one_of(known: tuple[str, ...]) -> Callable[[str, object], object]:
    def check(field: str, value: object) -> object:
        if isinstance(value, str) and value.lower() in {k.lower() for k in known}:
            return value
        raise InvalidValueError(
            f"{field} must be one of {', '.join(known)} (any case), got {show(value)}"
        )

    return check


def _routing(field: str, value: object) -> object:
    """``{mode, models}`` as the spec's ``DeploymentRouting`` has them."""
    shape = f"{{mode: {'|'.join(ROUTING_MODES)}, models: [{{format, name, version}}]}}"
    if not isinstance(value, Mapping) or not value:
        raise InvalidValueError(f"{field} must be a map such as {shape}, got {show(value)}")
    unknown = sorted(str(key) for key in value if key not in ("mode", "models"))
    if unknown:
        raise InvalidValueError(f"{field} has {', '.join(unknown)}; it takes mode and models only")
    mode = value.get("mode")
    if mode is not None:
        _one_of(ROUTING_MODES)(f"{field}.mode", mode)
    models = value.get("models")
    if models is None:
        return value
    if not isinstance(models, list | tuple):
        raise InvalidValueError(f"{field}.models must be a list of models, got {show(models)}")
    for index, model in enumerate(models):
        where = f"{field}.models[{index}]"
        if not isinstance(model, Mapping) or not isinstance(model.get("name"), str):
            raise InvalidValueError(f"{where} must be a map with a name (and format, version)")
        extra = sorted(str(k) for k in model if k not in ("format", "name", "version"))
        if extra:
            raise InvalidValueError(
                f"{where} has {', '.join(extra)}; a model takes format, name, version"
            )
        for key in ("format", "name", "version"):
            if key in model and model[key] is not None:
                _token(f"{where}.{key}", model[key])
    return value


def _resource_id(field: str, value: object) -> object:
    if not isinstance(value, str) or not _RESOURCE_ID.fullmatch(value):
        raise InvalidValueError(
            f"{field} must be an ARM resource id "
            "(/subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>), "
            f"got {show(value)}"
        )
    return value


#: The checker of each input: it takes the field name and a present, known value, and
#: returns the value to keep (normalized where allowed) or raises :class:`InvalidValueError`.
CHECKERS: Final[dict[str, Callable[[str, object], object]]] = {
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
    "dynamic_throttling_enabled": _bool,
    "spillover_deployment_name": _deployment_name,
    "designated_capacity": _at_least(0),
    "capacity_priority": _at_least(0),
    "parent_deployment_name": _deployment_name,
    "service_tier": _one_of(SERVICE_TIERS),
    "deployment_state": _one_of(DEPLOYMENT_STATES),
    "routing": _routing,
    "context_cache_container_id": _resource_id,
    "adopt_existing": _bool,
    "api_version": _api_version,
    "operation_timeout_seconds": _at_least(1),
    "role_propagation_timeout_seconds": _at_least(0),
}
