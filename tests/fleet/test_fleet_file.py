"""The fleet file: every problem named by its path, before anything runs; defaults merged."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from aoai_deploy.components.stack_config import DEPLOYMENT_KEYS
from aoai_deploy.fleet import FleetFileError, load_fleet
from aoai_deploy.fleet.spec import parse_fleet, schema
from fleet_files import EXAMPLE, MODEL, REPO, SOURCE_TENANT, small_fleet, tenant


def problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(FleetFileError) as caught:
        parse_fleet(data, "fleet.yaml")
    return list(caught.value.problems)


def paths(data: Any) -> list[str]:
    return [path for path, _ in problems(data)]


def test_the_example_fleet_is_12_customers_in_3_rings() -> None:
    fleet = load_fleet(EXAMPLE)
    assert len(fleet.customers) == 12
    assert [(ring, len(members)) for ring, members in fleet.rings()] == [
        ("canary", 2),
        ("1", 5),
        ("2", 5),
    ]
    assert fleet.project == "support-bot-fleet"


def test_the_schema_ships_in_the_package_and_lists_the_deployment_keys_the_program_reads() -> None:
    assert (REPO / "fleet" / "fleet.schema.json").is_file()
    deployment = schema()["$defs"]["deployment"]["properties"]
    # The program hands these to ModelDeploymentArgs: a key only one side knows is a bug.
    assert set(deployment) == set(DEPLOYMENT_KEYS)


def test_every_problem_is_reported_at_once_each_with_its_path() -> None:
    data = small_fleet([("acme", "canary"), ("globex", 1), ("initech", 1), ("hooli", 2)])
    data["customers"][3]["ring"] = "two"
    del data["customers"][1]["tenantId"]
    data["customers"][2]["subscriptonId"] = data["customers"][2].pop("subscriptionId")
    data["customers"][0]["tenantId"] = "not-a-guid"
    found = dict(problems(data))
    assert found["customers[3].ring"] == "must be canary or a ring number (1, 2, ...), not 'two'"
    assert found["customers[1].tenantId"] == "missing"
    assert found["customers[2].subscriptionId"] == "missing"
    assert found["customers[2].subscriptonId"].startswith(
        "unknown key; did you mean subscriptionId?"
    )
    assert "is not a GUID" in found["customers[0].tenantId"]
    assert len(found) == 5


def test_the_message_lists_the_problems_under_the_files_name(fleet_file) -> None:
    data = small_fleet([("acme", "canary")])
    data["customers"][0]["ring"] = 0
    with pytest.raises(FleetFileError) as caught:
        load_fleet(fleet_file(data))
    text = str(caught.value)
    assert text.splitlines()[0].endswith("fleet.yaml: 1 problem")
    assert "  customers[0].ring: must be canary or a ring number" in text


def test_keys_are_unique_because_they_name_stacks() -> None:
    data = small_fleet([("acme", "canary"), ("acme", 1)])
    assert problems(data) == [
        (
            "customers[1].key",
            "'acme' is also the key of customers[0]; keys name stacks: make it unique",
        )
    ]


def test_rings_run_in_order_with_none_missing() -> None:
    data = small_fleet([("acme", "canary"), ("globex", 1), ("initech", 3)])
    assert problems(data) == [
        (
            "customers[2].ring",
            "ring 3 but no customer is in ring 2: rings run canary, 1, 2, ... in order, "
            "none missing",
        )
    ]


def test_the_provider_namespace_is_not_a_fleet_project() -> None:
    data = small_fleet([("acme", "canary")])
    data["project"] = "aoai-deploy"
    ((path, reason),) = problems(data)
    assert path == "project"
    assert "provider's config namespace" in reason


def test_a_credential_must_exist_and_reach_the_customers_tenant_and_the_sources() -> None:
    data = small_fleet([("acme", "canary"), ("globex", 1)])
    data["customers"][0]["credential"] = "emulatr"
    data["credentials"]["emulator"]["tenants"] = [tenant(2)]
    found = dict(problems(data))
    assert found["customers[0].credential"].startswith("'emulatr' is not one of credentials")
    assert "did you mean emulator?" in found["customers[0].credential"]
    assert found["customers[1].source"] == (
        f"credential 'emulator' cannot sign in to the source's tenant {SOURCE_TENANT}: its "
        f"tenants are {tenant(2)}; add the tenant there or name another credential"
    )


def test_a_managed_identity_never_crosses_tenants() -> None:
    data = small_fleet([("acme", "canary")])
    data["credentials"] = {"vm": {"kind": "managed-identity", "tenants": [tenant(1)]}}
    data["defaults"]["credential"] = "vm"
    reasons = [reason for path, reason in problems(data) if path == "customers[0].credential"]
    assert reasons
    assert "managed identity, which lives in one tenant" in reasons[0]


def test_a_secret_never_goes_in_the_file_only_the_name_of_its_variable() -> None:
    data = small_fleet([("acme", "canary")])
    data["credentials"]["app"] = {
        "kind": "client-secret",
        "clientId": tenant(9),
        "tenantId": SOURCE_TENANT,
        "clientSecret": "s3cr3t",
    }
    found = dict(problems(data))
    assert found["credentials.app.clientSecretEnv"] == "missing"
    assert found["credentials.app.clientSecret"].startswith("unknown key")
    assert "s3cr3t" not in json.dumps(found)


def test_a_key_the_credentials_kind_does_not_use_is_refused() -> None:
    data = small_fleet([("acme", "canary")])
    data["credentials"]["emulator"]["clientId"] = tenant(9)
    assert problems(data) == [
        (
            "credentials.emulator.clientId",
            "kind static does not use it: remove it, or pick a kind that does",
        )
    ]


def test_a_customer_overrides_default_deployments_by_name_and_adds_its_own() -> None:
    data = small_fleet([("acme", "canary")])
    data["customers"][0]["deployments"] = [
        {"deploymentName": "Support-Bot", "skuCapacity": 5},
        {"deploymentName": "batch", "modelName": MODEL},
    ]
    (customer,) = parse_fleet(data).customers
    assert [dict(d) for d in customer.deployments] == [
        {
            "deploymentName": "Support-Bot",
            "modelName": MODEL,
            "modelVersion": "1",
            "skuCapacity": 5,
        },
        {"deploymentName": "batch", "modelName": MODEL},
    ]
    assert customer.account_id == (
        f"/subscriptions/{customer.subscription_id}/resourceGroups/rg-aoai/providers/"
        "Microsoft.CognitiveServices/accounts/acme-aoai"
    )


def test_an_added_deployment_without_a_model_is_named() -> None:
    data = small_fleet([("acme", "canary")])
    data["customers"][0]["deployments"] = [{"deploymentName": "batch"}]
    assert problems(data) == [
        (
            "customers[0].deployments",
            "deployment 'batch' has no modelName (it matches no default deployment, so it "
            "needs one of its own)",
        )
    ]


def test_an_account_to_create_needs_its_region_and_an_existing_one_takes_none() -> None:
    data = small_fleet([("acme", "canary"), ("globex", 1)])
    data["customers"][0]["account"]["create"] = True
    data["customers"][1]["account"]["location"] = "eastus"
    found = dict(problems(data))
    assert found["customers[0].account.location"].startswith("an account to create needs")
    assert found["customers[1].account.location"].startswith("only for an account the fleet")


def test_yaml_that_does_not_parse_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text("project: x\ncustomers: [\n")
    with pytest.raises(FleetFileError) as caught:
        load_fleet(path)
    assert "not YAML: line" in str(caught.value)


def test_the_example_with_a_typo_in_every_customer_reports_twelve_problems(example_data) -> None:
    data = copy.deepcopy(example_data)
    for entry in data["customers"]:
        entry["rings"] = entry.pop("ring")
    found = paths(data)
    assert found.count("customers[11].ring") == 1
    assert len([p for p in found if p.endswith(".rings")]) == 12
