"""What a deployment's PUT or PATCH body may say: its model, SKU, capacity, tags, RAI policy
and upgrade option, read the way ARM reads them (member names case-insensitive), and Azure's
rules for changing the model of an existing deployment.

The answers to a bad body are in :mod:`aoai_deploy.emulator.armerrors`; the handlers that
call these are in :mod:`.deployments`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from aoai_deploy.emulator.armerrors import ArmError
from aoai_deploy.emulator.routes.common import canonical, member, same
from aoai_deploy.emulator.state import Account, Deployment

__all__ = [
    "DEPLOYMENT_SKUS",
    "PASSTHROUGH_PROPERTIES",
    "PROVISIONED_SKUS",
    "VERSION_UPGRADE_OPTIONS",
    "PutSpec",
    "check_model_change",
    "checked_sku",
    "checked_tags",
    "put_spec",
]

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
PASSTHROUGH_PROPERTIES: Final = (
    "scaleSettings",
    "parentDeploymentName",
    "spilloverDeploymentName",
    "serviceTier",
    "deploymentState",
)


@dataclass(frozen=True)
class PutSpec:
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


def put_spec(body: Mapping[str, Any], account: Account) -> PutSpec:
    properties = member(body, "properties")
    if not isinstance(properties, dict):
        raise ArmError.invalid_properties(
            "The deployment 'properties' are required.", target="properties"
        )
    model = member(properties, "model")
    if not isinstance(model, dict):
        raise ArmError.invalid_properties(
            "The deployment model is required.", target="properties.model"
        )
    model = {
        k: v
        for k, v in (
            (key, member(model, key))
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
    sku_name, capacity = checked_sku(
        member(body, "sku"), f"{model['name']} {version or ''}".strip(), account
    )
    tags = checked_tags(body)
    rai = member(properties, "raiPolicyName")
    if rai is not None and not isinstance(rai, str):
        raise ArmError.invalid_content("properties.raiPolicyName must be a string.")
    upgrade = member(properties, "versionUpgradeOption")
    if upgrade is not None:
        known = canonical(upgrade, VERSION_UPGRADE_OPTIONS) if isinstance(upgrade, str) else None
        if known is None:
            raise ArmError.invalid_properties(
                f"The versionUpgradeOption '{upgrade}' is not supported; use one of "
                f"{', '.join(VERSION_UPGRADE_OPTIONS)}.",
                target="properties.versionUpgradeOption",
            )
        upgrade = known
    source_field = (
        "sourceAccount" if model.get("sourceAccount") else "source" if model.get("source") else None
    )
    return PutSpec(
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


def checked_sku(
    sku: Any, model_label: str, account: Account, current: Mapping[str, Any] | None = None
) -> tuple[str, int]:
    if not isinstance(sku, dict):
        if current is None:
            raise ArmError.invalid_properties("The deployment 'sku' is required.", target="sku")
        raise ArmError.invalid_content("sku must be an object.")
    name = member(sku, "name", current.get("name") if current else None)
    if not isinstance(name, str) or not name:
        raise ArmError.invalid_properties(
            "The deployment sku 'name' is required.", target="sku.name"
        )
    known = canonical(name, DEPLOYMENT_SKUS)
    if known is None:
        raise ArmError.sku_not_supported(name, model_label, account.location)
    capacity = member(sku, "capacity", current.get("capacity") if current else 1)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        # Worded by the emulator; Azure refuses zero and negative capacities.
        raise ArmError.invalid_properties(
            f"The capacity '{capacity}' of sku '{known}' is invalid: it must be a whole "
            "number of at least 1.",
            target="sku.capacity",
        )
    return known, capacity


def checked_tags(body: Mapping[str, Any]) -> dict[str, str] | None:
    tags = member(body, "tags")
    if tags is None:
        return None
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise ArmError.invalid_content("tags must be an object of string values.")
    if len(tags) > 50:
        raise ArmError(400, "InvalidTag", "At most 50 tags are allowed on a resource.")
    return dict(tags)


def check_model_change(existing: Deployment, spec: PutSpec, version: str) -> None:
    """Azure's rules for a PUT that changes an existing deployment's model.

    The source never changes. The model's name or format changes only on the
    provisioned SKUs, which migrate in place to another model family (FACTS.md, "More of
    Azure's behaviour"); other SKUs may change only the version. And a write may not
    change the model (name or version) and the capacity at once.
    """
    old = existing.body["properties"]["model"]
    if not (
        same(old.get("source"), spec.model.get("source"))
        and same(old.get("sourceAccount"), spec.model.get("sourceAccount"))
    ):
        raise ArmError.cannot_change_model()
    same_family = same(old.get("name"), spec.model_name) and same(
        old.get("format"), spec.model_format
    )
    provisioned = {name.lower() for name in PROVISIONED_SKUS}
    in_place = (
        str(existing.body["sku"].get("name", "")).lower() in provisioned
        and spec.sku_name.lower() in provisioned
    )
    if not same_family and not in_place:
        raise ArmError.cannot_change_model()
    model_changes = not same_family or not same(old.get("version"), version)
    if model_changes and existing.body["sku"].get("capacity") != spec.capacity:
        raise ArmError.capacity_and_model()
