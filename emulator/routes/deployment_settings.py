"""The deployment settings that newer api-versions define, and Azure's rules for each.

A PUT body reaches :func:`read_settings` already read through its api-version's model
(:mod:`aoai_deploy.emulator.apiversions`): a setting the version does not define is gone by
then, so it is neither stored nor echoed. What is left is checked here, each rule with its
source. Where no public recording or issue quotes Azure's own words for a refusal, the
message is the emulator's (said per rule); the code is ``InvalidResourceProperties``, Azure's
code for a property it refuses (FACTS.md).

========================  ==================================================================
member                    rules (source)
========================  ==================================================================
dynamicThrottlingEnabled  a boolean; off when a PUT leaves it out. The spec marks it read-only
                          on a deployment, yet Azure takes it on a PUT: the dynamic quota
                          how-to sets it (learn.microsoft.com .../openai/how-to/dynamic-quota),
                          Azure/bicep-types-az#2121 and #2156, Azure/azure-rest-api-specs#30507
                          ("Weird, I see it can be edit through AI Foundry"), and azurerm's
                          ``dynamic_throttling_enabled`` PUTs it in place.
capacitySettings          ``designatedCapacity`` and ``priority``, whole numbers of at least 0
                          (``DeploymentCapacitySettings``, ``minValue: 0`` in the types
                          bicep-types-az generates from the spec).
parentDeploymentName      a string, stored as sent: no rule of Azure's for it is public.
spilloverDeploymentName   Microsoft's "Manage traffic with spillover for provisioned
                          deployments" (learn.microsoft.com .../spillover-traffic-management):
                          only a provisioned deployment spills over; its target is a
                          standard deployment in the same resource, of the same data
                          processing level (global to GlobalStandard, data zone to
                          DataZoneStandard), running the same model and version ("at least
                          one active pay-as-you-go deployment whose model and version match").
                          So a target that is missing, is the deployment itself, spills over
                          itself (a provisioned one), or is of another SKU or model is refused.
serviceTier               ``Default`` or ``Priority`` (the spec's enum, any case).
deploymentState           ``Running`` or ``Paused``; ``Paused`` only on the Standard,
                          DataZoneStandard and GlobalStandard SKUs (the spec's own note: "Pause
                          operations are only supported on Standard, DataZoneStandard, and
                          GlobalStandard SKUs").
routing                   ``mode`` ``balanced``, ``cost`` or ``quality``; ``models`` a list of
                          deployment models; only for "the deployed model is 'model-router'
                          version 2025-11-18 or later" (the spec's description of ``routing``).
contextCacheContainerId   a resource id (the spec: "The resource ID of the context cache
                          container"); anything else gets Azure's answer to a property id that
                          is not one (``LinkedInvalidPropertyId``).
========================  ==================================================================

None of them is changed by a PATCH (``Deployments_Update`` takes ``sku`` and ``tags`` only).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, Final

from aoai_deploy.emulator.apiversions import ApiVersion
from aoai_deploy.emulator.armerrors import ArmError
from aoai_deploy.emulator.routes.common import canonical, member, same
from aoai_deploy.emulator.state import Account, World

__all__ = ["SETTINGS", "check_settings", "read_settings", "settings_stored"]

#: The members this module reads, as the spec spells them.
SETTINGS: Final = (
    "dynamicThrottlingEnabled",
    "capacitySettings",
    "parentDeploymentName",
    "spilloverDeploymentName",
    "serviceTier",
    "deploymentState",
    "routing",
    "contextCacheContainerId",
)
SERVICE_TIERS: Final = ("Default", "Priority")
DEPLOYMENT_STATES: Final = ("Running", "Paused")
ROUTING_MODES: Final = ("balanced", "cost", "quality")
#: The SKUs a deployment may be paused on (the spec's note on ``serviceTier``).
PAUSABLE_SKUS: Final = ("Standard", "DataZoneStandard", "GlobalStandard")
#: A provisioned SKU and the standard SKU of the same data processing level, which is the
#: only kind of deployment it spills over to (the spillover how-to's prerequisites).
SPILLOVER_TARGET_SKU: Final = {
    "provisionedmanaged": "Standard",
    "globalprovisionedmanaged": "GlobalStandard",
    "datazoneprovisionedmanaged": "DataZoneStandard",
}
#: The model routing configures, and its first version that takes it (the spec).
ROUTER_MODEL: Final = "model-router"
ROUTER_SINCE: Final = "2025-11-18"
_RESOURCE_ID: Final = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+(/[^/]+/[^/]+)*$",
    re.IGNORECASE,
)


def _target(key: str) -> str:
    return f"properties.{key}"


def _refused(key: str, message: str) -> ArmError:
    return ArmError.invalid_properties(message, target=_target(key))


def _text(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ArmError.invalid_content(f"{_target(key)} must be a string.")
    return value


def _enum(key: str, value: object, known: tuple[str, ...]) -> str:
    found = canonical(_text(key, value), known)
    if found is None:
        # Worded by the emulator: the spec lists the values, no recording quotes the refusal.
        raise _refused(key, f"The {key} '{value}' is not supported; use one of {', '.join(known)}.")
    return found


def _whole(key: str, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        # Worded by the emulator (the spec's minValue is 0).
        raise _refused(
            key, f"The {key} '{name}' must be a whole number of at least 0, not {value!r}."
        )
    return value


def _capacity_settings(value: object) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise ArmError.invalid_content("properties.capacitySettings must be an object.")
    out: dict[str, int] = {}
    for name in ("designatedCapacity", "priority"):
        given = member(value, name)
        if given is not None:
            out[name] = _whole("capacitySettings", name, given)
    return out


def _routing(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ArmError.invalid_content("properties.routing must be an object.")
    out: dict[str, Any] = {}
    mode = member(value, "mode")
    if mode is not None:
        out["mode"] = _enum("routing", mode, ROUTING_MODES)
    models = member(value, "models")
    if models is not None:
        if not isinstance(models, list) or not all(isinstance(m, Mapping) for m in models):
            raise ArmError.invalid_content("properties.routing.models must be a list of models.")
        out["models"] = [
            {k: member(m, k) for k in ("format", "name", "version") if member(m, k) is not None}
            for m in models
        ]
    return out


def read_settings(properties: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a PUT's ``properties`` (read through its api-version) carry, each checked
    on its own and spelled as the spec spells it; absent ones are left out."""
    found: dict[str, Any] = {}
    for key in SETTINGS:
        value = member(properties, key)
        if value is None:
            continue
        if key == "dynamicThrottlingEnabled":
            if not isinstance(value, bool):
                raise ArmError.invalid_content(f"{_target(key)} must be a boolean.")
            found[key] = value
        elif key == "capacitySettings":
            found[key] = _capacity_settings(value)
        elif key == "serviceTier":
            found[key] = _enum(key, value, SERVICE_TIERS)
        elif key == "deploymentState":
            found[key] = _enum(key, value, DEPLOYMENT_STATES)
        elif key == "routing":
            found[key] = _routing(value)
        elif key == "contextCacheContainerId":
            if not isinstance(value, str) or not _RESOURCE_ID.match(value):
                raise ArmError.linked_invalid_id(str(value), _target(key))
            found[key] = value
        else:
            found[key] = _text(key, value)
    return found


def check_settings(
    world: World,
    account: Account,
    name: str,
    settings: Mapping[str, Any],
    *,
    sku_name: str,
    model_name: str,
    model_version: str,
) -> None:
    """The rules that weigh a setting against the rest of the deployment or its account."""
    state = settings.get("deploymentState")
    if state == "Paused" and canonical(sku_name, PAUSABLE_SKUS) is None:
        # Worded by the emulator; the rule is the spec's note.
        raise _refused(
            "deploymentState",
            f"A deployment of sku '{sku_name}' cannot be paused; pausing is supported on the "
            f"{', '.join(PAUSABLE_SKUS)} skus only.",
        )
    if "routing" in settings and not (
        same(model_name, ROUTER_MODEL) and model_version >= ROUTER_SINCE
    ):
        # Worded by the emulator; the rule is the spec's description of routing.
        raise _refused(
            "routing",
            f"Routing applies to a deployment of {ROUTER_MODEL} version {ROUTER_SINCE} or "
            f"later, not to '{model_name} {model_version}'.",
        )
    target = settings.get("spilloverDeploymentName")
    if target is not None:
        _check_spillover(world, account, name, target, sku_name, model_name, model_version)


def _check_spillover(
    world: World,
    account: Account,
    name: str,
    target_name: str,
    sku_name: str,
    model_name: str,
    model_version: str,
) -> None:
    """The spillover how-to's prerequisites; every message here is worded by the emulator."""

    def refused(message: str) -> ArmError:
        return _refused("spilloverDeploymentName", message)

    wanted_sku = SPILLOVER_TARGET_SKU.get(sku_name.lower())
    if wanted_sku is None:
        raise refused(
            f"Spillover is supported on provisioned deployments only; this deployment's sku is "
            f"'{sku_name}'."
        )
    if same(target_name, name):
        raise refused("A deployment cannot spill over to itself.")
    target = world.deployment(account.key, target_name)
    if target is None:
        raise refused(
            f"The spillover deployment '{target_name}' does not exist in account "
            f"'{account.name}'; create that standard deployment first."
        )
    target_properties = target.body["properties"]
    if target_properties.get("spilloverDeploymentName"):
        raise refused(
            f"The spillover deployment '{target.name}' spills over to "
            f"'{target_properties['spilloverDeploymentName']}' itself; a spillover deployment "
            "must be a standard deployment."
        )
    target_sku = str(target.body["sku"].get("name", ""))
    if not same(target_sku, wanted_sku):
        raise refused(
            f"The spillover deployment '{target.name}' has sku '{target_sku}'; a {sku_name} "
            f"deployment spills over to a {wanted_sku} deployment (the same data processing "
            "level)."
        )
    target_model = target_properties.get("model", {})
    if not (
        same(target_model.get("name"), model_name)
        and same(target_model.get("version"), model_version)
    ):
        raise refused(
            f"The spillover deployment '{target.name}' runs "
            f"'{target_model.get('name')} {target_model.get('version')}'; it must run the same "
            f"model and version as this deployment ('{model_name} {model_version}')."
        )


def settings_stored(settings: Mapping[str, Any], version: ApiVersion) -> dict[str, Any]:
    """What a PUT at ``version`` stores for the settings: the ones sent, and dynamic
    throttling off where the version defines it and the PUT leaves it out (the dynamic quota
    how-to: a deployment has it once it is enabled)."""
    out = copy.deepcopy(dict(settings))
    if "dynamicThrottlingEnabled" in version.properties:
        out.setdefault("dynamicThrottlingEnabled", False)
    return out
