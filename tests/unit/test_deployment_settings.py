"""The deployment settings newer api-versions define (issue 17, item 1), pure: what check
accepts and refuses, which api-version each needs, what a change of one means, and what a
write sends. Azure's rules behind the cross-checks: emulator/routes/deployment_settings.py."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from aoai_deploy.providers.core import apiversions
from aoai_deploy.providers.core.diff import UPDATE_FIELDS, diff_inputs
from aoai_deploy.providers.core.inputs import check_inputs, spec_from_inputs
from aoai_deploy.providers.core.mapping import deployment_body, patch_body
from aoai_deploy.providers.core.schema import LIVE_SETTINGS

DEST = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus"
)
CACHE = f"{DEST}/contextCaches/main"
ROUTING = {"mode": "cost", "models": [{"format": "OpenAI", "name": "gpt-4o"}]}
#: A valid value of each new setting, the inputs it needs beside it, and where ARM keeps it.
NEW: dict[str, tuple[Any, dict[str, Any], tuple[str, ...]]] = {
    "dynamic_throttling_enabled": (True, {}, ("properties", "dynamicThrottlingEnabled")),
    "spillover_deployment_name": (
        "overflow",
        {"sku_name": "GlobalProvisionedManaged"},
        ("properties", "spilloverDeploymentName"),
    ),
    "designated_capacity": (0, {}, ("properties", "capacitySettings", "designatedCapacity")),
    "capacity_priority": (3, {}, ("properties", "capacitySettings", "priority")),
    "parent_deployment_name": ("parent", {}, ("properties", "parentDeploymentName")),
    "service_tier": ("priority", {}, ("properties", "serviceTier")),
    "deployment_state": (
        "Paused",
        {"sku_name": "GlobalStandard"},
        ("properties", "deploymentState"),
    ),
    "routing": (ROUTING, {"model_name": "model-router"}, ("properties", "routing")),
    "context_cache_container_id": (CACHE, {}, ("properties", "contextCacheContainerId")),
}
#: The first api-version of each, as README's inputs table says it.
FIRST = {
    "dynamic_throttling_enabled": "2023-10-01-preview",
    "spillover_deployment_name": "2025-09-01",
    "designated_capacity": "2024-10-01",
    "capacity_priority": "2024-10-01",
    "parent_deployment_name": "2024-10-01",
    "service_tier": "2025-10-01-preview",
    "deployment_state": "2025-10-01-preview",
    "routing": "2025-12-01",
    "context_cache_container_id": "2026-09-01",
}


def inputs(**changes: Any) -> dict[str, Any]:
    return {
        "account_id": DEST,
        "deployment_name": "chat",
        "model_name": "gpt-4o",
        "api_version": "2026-09-01",
        **changes,
    }


def failures(**changes: Any) -> dict[str, str]:
    return {f.field: f.reason for f in check_inputs(inputs(**changes))[1]}


def test_every_new_setting_is_a_kept_live_setting_and_an_update() -> None:
    names = {s.name for s in LIVE_SETTINGS}
    assert set(NEW) <= names
    assert set(NEW) <= UPDATE_FIELDS


@pytest.mark.parametrize("name", NEW)
def test_each_is_accepted_at_the_newest_version(name: str) -> None:
    value, needs, _ = NEW[name]
    assert failures(**{name: value, **needs}) == {}


@pytest.mark.parametrize("name", NEW)
def test_each_is_refused_naming_the_api_version_it_needs(name: str) -> None:
    value, needs, _ = NEW[name]
    first = FIRST[name]
    older = apiversions.ROWS[[r.version for r in apiversions.ROWS].index(first) - 1].version

    reason = failures(**{name: value, **needs, "api_version": older})[name]

    assert reason.startswith(f"{name} needs api_version {first} or newer: {older} does not")
    assert failures(**{name: value, **needs, "api_version": first}) == {}


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("dynamic_throttling_enabled", "yes", "must be true or false"),
        ("spillover_deployment_name", "bad name/x", "spillover_deployment_name"),
        ("designated_capacity", -1, "at least 0"),
        ("capacity_priority", 1.5, "at least 0"),
        ("parent_deployment_name", "", "parent_deployment_name"),
        ("service_tier", "Premium", "Default, Priority"),
        ("deployment_state", "Stopped", "Running, Paused"),
        ("routing", {"mode": "fastest"}, "routing.mode must be one of balanced, cost, quality"),
        ("routing", {"strategy": "cost"}, "it takes mode and models only"),
        ("routing", {"models": [{"version": "1"}]}, "routing.models[0] must be a map with a name"),
        ("routing", "cost", "must be a map"),
        ("context_cache_container_id", "main", "must be an ARM resource id"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(name: str, value: Any, says: str) -> None:
    _, needs, _ = NEW[name]
    assert says in failures(**{name: value, **needs})[name]


def test_spillover_is_refused_on_a_standard_deployment() -> None:
    reason = failures(spillover_deployment_name="overflow", sku_name="GlobalStandard")
    assert "is for provisioned deployments" in reason["spillover_deployment_name"]
    assert "sku_name is GlobalStandard" in reason["spillover_deployment_name"]


def test_spillover_to_the_deployment_itself_is_refused() -> None:
    reason = failures(spillover_deployment_name="CHAT", sku_name="ProvisionedManaged")
    assert "names the deployment itself" in reason["spillover_deployment_name"]


def test_pausing_is_refused_on_a_provisioned_sku() -> None:
    reason = failures(deployment_state="paused", sku_name="ProvisionedManaged")["deployment_state"]
    assert "Standard, DataZoneStandard, GlobalStandard" in reason
    assert failures(deployment_state="Running", sku_name="ProvisionedManaged") == {}


def test_routing_is_refused_on_a_model_other_than_model_router() -> None:
    assert "model-router" in failures(routing=ROUTING)["routing"]


def test_a_cross_check_waits_for_values_not_known_yet() -> None:
    assert failures(spillover_deployment_name="overflow", sku_name=Unknown()) == {}
    assert failures(routing=ROUTING, model_name=Unknown()) == {}
    assert failures(routing=Unknown()) == {}


@pytest.mark.parametrize("name", NEW)
def test_each_is_sent_only_when_set_and_never_by_a_patch(name: str) -> None:
    value, needs, path = NEW[name]
    unset = deployment_body(spec_from_inputs(inputs(**needs)), cross_tenant=False)
    sent = spec_from_inputs(inputs(**{name: value, **needs}))

    body = deployment_body(sent, cross_tenant=False)

    place: Any = body
    for key in path:
        place = place[key]
    assert place == value
    assert path[1] not in unset["properties"]
    assert set(patch_body(sent)) == {"sku", "tags"}


def test_both_capacity_settings_share_one_object() -> None:
    spec = spec_from_inputs(inputs(designated_capacity=10, capacity_priority=1))
    body = deployment_body(spec, cross_tenant=False)
    assert body["properties"]["capacitySettings"] == {"designatedCapacity": 10, "priority": 1}


def _olds(**settings: Any) -> dict[str, Any]:
    checked, _ = check_inputs(inputs(**{"sku_name": "GlobalProvisionedManaged", **settings}))
    return checked


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("dynamic_throttling_enabled", False, True),
        ("spillover_deployment_name", "overflow", "overflow-2"),
        ("designated_capacity", 10, 20),
        ("capacity_priority", 1, 2),
        ("parent_deployment_name", "a", "b"),
        ("service_tier", "Default", "Priority"),
        ("deployment_state", "Running", "Paused"),
        ("routing", ROUTING, {"mode": "quality"}),
        ("context_cache_container_id", CACHE, CACHE + "2"),
    ],
)
def test_a_change_is_an_update_in_place(name: str, old: Any, new: Any) -> None:
    olds = _olds(**{name: old})
    news, _ = check_inputs({**olds, name: new})

    result = diff_inputs(olds, news)

    assert result.changes == [name]
    assert result.replaces == []


@pytest.mark.parametrize(
    ("name", "old", "same"),
    [
        ("spillover_deployment_name", "overflow", "OVERFLOW"),
        ("service_tier", "Priority", "priority"),
        ("deployment_state", "Paused", "paused"),
        ("routing", ROUTING, {"mode": "Cost", "models": [{"format": "openai", "name": "GPT-4o"}]}),
        ("context_cache_container_id", CACHE, CACHE.upper()),
    ],
)
def test_values_are_compared_as_azure_compares_them(name: str, old: Any, same: Any) -> None:
    olds = _olds(**{name: old})
    assert diff_inputs(olds, {**olds, name: same}).changes == []


@pytest.mark.parametrize("name", NEW)
def test_removing_one_from_the_program_is_no_change(name: str) -> None:
    value, needs, _ = NEW[name]
    olds = _olds(**{name: value, **needs})
    news = {k: v for k, v in olds.items() if k != name}
    assert diff_inputs(olds, news).changes == []
