"""getDeployment, pure (core/lookup.py): its arguments, its result from a deployment as ARM
returns it, and its one definition in the package's schema and Python's typed result."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pulumi.output import Unknown

from aoai_deploy.plugin.package_schema import package_schema
from aoai_deploy.providers import GetDeploymentResult
from aoai_deploy.providers.core.ids import DeploymentId
from aoai_deploy.providers.core.lookup import (
    GET_DEPLOYMENT,
    LOOKUP_ARGS,
    LOOKUP_RESULTS,
    check_lookup,
    lookup_result,
)
from aoai_deploy.providers.core.schema import INPUTS, LIVE_SETTINGS, OUTPUTS

DEST = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus"
)
SOURCE = (
    "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg-models"
    "/providers/Microsoft.CognitiveServices/accounts/contoso-ft-src"
)


def _arm(**properties: Any) -> dict[str, Any]:
    return {
        "id": f"{DEST}/deployments/Chat",
        "name": "Chat",
        "sku": {"name": "GlobalProvisionedManaged", "capacity": 15.0},
        "tags": {"team": "ml", "aoai-deploy-owner": "organization/p/s/chat#0123456789abcdef"},
        "eTag": '"e1"',
        "properties": {
            "model": {
                "format": "OpenAI",
                "name": "gpt-4o",
                "version": "2024-08-06",
                "sourceAccount": SOURCE,
            },
            "provisioningState": "Succeeded",
            "raiPolicyName": "Microsoft.DefaultV2",
            "versionUpgradeOption": "NoAutoUpgrade",
            "dynamicThrottlingEnabled": True,
            "spilloverDeploymentName": "overflow",
            "capacitySettings": {"designatedCapacity": 10, "priority": 2},
            "currentCapacity": 15,
            "capabilities": {"chatCompletion": "true"},
            "rateLimits": [{"key": "request", "renewalPeriod": 10, "count": 90}],
            **properties,
        },
    }


def test_the_result_reads_every_setting_as_the_deployment_runs_it() -> None:
    result = lookup_result(DeploymentId.parse(f"{DEST}/deployments/chat"), "2025-09-01", _arm())

    assert result["id"] == f"{DEST}/deployments/chat"
    assert result["deployment_name"] == "Chat"  # as Azure spells it
    assert result["account_id"] == DEST
    assert result["api_version"] == "2025-09-01"
    assert result["model_name"] == "gpt-4o"
    assert result["model_version"] == "2024-08-06"
    assert result["source_account_id"] == SOURCE
    assert (result["sku_name"], result["sku_capacity"]) == ("GlobalProvisionedManaged", 15)
    assert result["version_upgrade_option"] == "NoAutoUpgrade"
    assert result["dynamic_throttling_enabled"] is True
    assert result["spillover_deployment_name"] == "overflow"
    assert (result["designated_capacity"], result["capacity_priority"]) == (10, 2)
    assert result["service_tier"] is None  # not reported
    assert result["tags"]["aoai-deploy-owner"].startswith("organization/p/s/chat")
    assert result["etag"] == '"e1"'
    assert result["provisioning_state"] == "Succeeded"
    assert set(result) == {f.name for f in LOOKUP_RESULTS}


def test_arguments_are_checked_and_defaulted() -> None:
    checked, failures = check_lookup({"account_id": DEST, "deployment_name": "chat"})
    assert failures == []
    assert checked["api_version"] == "2024-10-01"

    _, failures = check_lookup({"account_id": "fabrikam", "api_version": "2020-01-01"})
    by_field = {f.field: f.reason for f in failures}
    assert set(by_field) == {"account_id", "deployment_name", "api_version"}
    assert "deployment_name is required" in by_field["deployment_name"]
    assert "older than the api-versions" in by_field["api_version"]


def test_arguments_not_known_yet_are_not_judged() -> None:
    _, failures = check_lookup({"account_id": Unknown(), "deployment_name": "chat"})
    assert failures == []


def test_the_result_has_the_names_of_the_resources_fields() -> None:
    names = [f.name for f in LOOKUP_RESULTS]
    assert set(names) - {"id"} <= set(INPUTS) | set(OUTPUTS)
    assert {s.name for s in LIVE_SETTINGS} <= set(names)


def test_the_schema_declares_the_function_from_the_tables() -> None:
    function = package_schema()["functions"][GET_DEPLOYMENT]

    assert list(function["inputs"]["properties"]) == [f.camel_name for f in LOOKUP_ARGS]
    assert function["inputs"]["required"] == ["accountId", "deploymentName"]
    outputs = function["outputs"]["properties"]
    assert list(outputs) == [f.camel_name for f in LOOKUP_RESULTS]
    assert outputs["dynamicThrottlingEnabled"]["type"] == "boolean"
    assert "2023-10-01-preview" in outputs["dynamicThrottlingEnabled"]["description"]
    assert {"id", "accountId", "tags", "model"} <= set(function["outputs"]["required"])
    assert "preview" in function["description"]


def test_pythons_typed_result_has_every_field_of_the_table() -> None:
    names = [f.name for f in dataclasses.fields(GetDeploymentResult)]
    assert names == [f.name for f in LOOKUP_RESULTS]


@pytest.mark.parametrize("spelling", ["core", "schema"])
def test_pythons_result_reads_either_spelling_and_whole_floats(spelling: str) -> None:
    result = lookup_result(DeploymentId.parse(f"{DEST}/deployments/chat"), "2025-09-01", _arm())
    if spelling == "schema":
        from aoai_deploy.providers.core.schema import camel

        result = {
            camel(k): float(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in result.items()
        }

    typed = GetDeploymentResult.of(result)

    assert typed.sku_capacity == 15
    assert isinstance(typed.sku_capacity, int)
    assert typed.designated_capacity == 10
    assert typed.dynamic_throttling_enabled is True
    assert typed.routing is None
