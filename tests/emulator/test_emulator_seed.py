"""The seed (default identities and format checks) and the state helpers tests use."""

from __future__ import annotations

import json
import re

import pytest

from aoai_deploy.emulator import DEFAULT_SEED_PATH, Emulator, SeedError
from aoai_deploy.emulator.seed import load_seed

CONTRIBUTOR = "a001fd3d-188f-4b5d-821b-7da978bf7442"
USAGES_READER = "bba48692-92b0-4667-a9ad-c31c7b334ac2"


def test_default_seed_holds_the_contract_identities():
    seed = load_seed()
    assert {t.alias: t.id for t in seed.tenants} == {
        "contoso": "11111111-1111-4111-8111-111111111111",
        "fabrikam": "22222222-2222-4222-8222-222222222222",
    }
    assert {s.id: s.tenant_id for s in seed.subscriptions} == {
        "aaaaaaaa-0000-4000-8000-000000000001": "11111111-1111-4111-8111-111111111111",
        "bbbbbbbb-0000-4000-8000-000000000002": "22222222-2222-4222-8222-222222222222",
    }
    accounts = {
        a.name: (a.subscription_id[:8], a.resource_group, a.location, a.kind) for a in seed.accounts
    }
    assert accounts == {
        "contoso-ft-src": ("aaaaaaaa", "rg-models", "eastus", "OpenAI"),
        "fabrikam-ft-lab": ("bbbbbbbb", "rg-lab", "eastus", "OpenAI"),
        "fabrikam-aoai-eus": ("bbbbbbbb", "rg-inference", "eastus", "OpenAI"),
        "fabrikam-aoai-wus": ("bbbbbbbb", "rg-inference", "westus", "OpenAI"),
        "fabrikam-aoai-swc": ("bbbbbbbb", "rg-inference", "swedencentral", "OpenAI"),
        "fabrikam-aoai-jpe": ("bbbbbbbb", "rg-inference", "japaneast", "OpenAI"),
    }
    source = next(a for a in seed.accounts if a.name == "contoso-ft-src")
    assert {(m.name, m.versions[0]) for m in source.models} == {
        ("gpt-4o-mini", "2024-07-18"),
        ("gpt-4o", "2024-08-06"),
        ("gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef", "1"),
    }
    deployer, outsider = seed.principal("deployer"), seed.principal("outsider")
    assert deployer.app_id == "33333333-3333-4333-8333-333333333333"
    assert dict(deployer.object_ids) == {
        "11111111-1111-4111-8111-111111111111": "44444444-4444-4444-8444-444444444444",
        "22222222-2222-4222-8222-222222222222": "55555555-5555-4555-8555-555555555555",
    }
    assert outsider.app_id == "66666666-6666-4666-8666-666666666666"
    contributors = [a for a in seed.role_assignments if a.role_definition_id == CONTRIBUTOR]
    assert {(a.principal_id[:8], a.scope.rsplit("/", 1)[-1]) for a in contributors} == {
        ("44444444", "contoso-ft-src"),
        ("55555555", "rg-inference"),
        ("55555555", "fabrikam-ft-lab"),
        ("88888888", "rg-inference"),
    }
    # The preflight's usages read: the deployer holds Cognitive Services Usages Reader on both
    # subscriptions (the read is authorized at the subscription); the outsider does not.
    others = {
        (a.principal_id[:8], a.role_definition_id, a.scope)
        for a in seed.role_assignments
        if a.role_definition_id != CONTRIBUTOR
    }
    assert others == {
        ("44444444", USAGES_READER, "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001"),
        ("55555555", USAGES_READER, "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002"),
    }


def _minimal() -> dict:
    return {
        "tenants": [{"alias": "t", "id": "12345678-1234-4234-8234-123456789012"}],
        "subscriptions": [{"id": "abcdef00-0000-4000-8000-000000000000", "tenant": "t"}],
        "accounts": [
            {
                "name": "acct",
                "subscription": "abcdef00-0000-4000-8000-000000000000",
                "resourceGroup": "rg",
                "location": "westeurope",
                "models": [{"name": "m", "versions": ["1"]}],
            }
        ],
        "principals": [
            {
                "name": "p",
                "appId": "abcdef00-1111-4000-8000-000000000000",
                "objectIds": {"t": "abcdef00-2222-4000-8000-000000000000"},
            }
        ],
        "roleDefinitions": [
            {"id": "abcdef00-3333-4000-8000-000000000000", "name": "All", "actions": ["*"]}
        ],
        "roleAssignments": [
            {
                "principalId": "abcdef00-2222-4000-8000-000000000000",
                "roleDefinitionId": "abcdef00-3333-4000-8000-000000000000",
                "scope": "/subscriptions/abcdef00-0000-4000-8000-000000000000",
            }
        ],
    }


def test_custom_seed_from_a_dict_and_from_a_file(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(_minimal()))
    for seed in (_minimal(), path, str(path)):
        with Emulator(seed=seed) as emu:
            assert emu.account_id("acct").endswith(
                "/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct"
            )
            assert emu.tenant_id("t") == "12345678-1234-4234-8234-123456789012"
            assert emu.token("t", principal="p")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s["tenants"][0].update(id="nope"), "tenants[0].id"),
        (lambda s: s["subscriptions"][0].update(tenant="x"), "subscriptions[0].tenant"),
        (
            lambda s: s["accounts"][0]["models"][0].update(versions=[]),
            "accounts[0].models[0].versions",
        ),
        (
            lambda s: s["accounts"][0].update(subscription="abcdef00-9999-4000-8000-000000000000"),
            "accounts[0].subscription",
        ),
        (
            lambda s: s["roleAssignments"][0].update(
                roleDefinitionId="abcdef00-4444-4000-8000-000000000000"
            ),
            "roleAssignments[0].roleDefinitionId",
        ),
        (
            lambda s: s["principals"][0]["objectIds"].update(
                u="abcdef00-2222-4000-8000-000000000000"
            ),
            "principals[0].objectIds",
        ),
    ],
)
def test_bad_seed_names_the_bad_entry(change, where):
    seed = _minimal()
    change(seed)
    with pytest.raises(SeedError, match="seed " + re.escape(where)):
        load_seed(seed)


def test_unreadable_seed_file_is_a_seed_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{")
    with pytest.raises(SeedError, match="not valid JSON"):
        load_seed(path)
    with pytest.raises(SeedError, match="cannot read"):
        load_seed(tmp_path / "missing.json")


def test_default_seed_is_packaged_next_to_the_module():
    assert DEFAULT_SEED_PATH.name == "seed.json"
    assert DEFAULT_SEED_PATH.is_file()


def test_put_deployment_direct_seeds_a_foreign_deployment(arm):
    body = arm.base_body()
    body["tags"] = {"owner": "someone-else"}
    stored = arm.emu.put_deployment_direct(arm.DEST, "foreign", body)
    assert stored["properties"]["provisioningState"] == "Succeeded"
    fetched = arm.get_deployment("foreign").json()
    assert fetched == stored
    assert fetched["tags"] == {"owner": "someone-else"}
    assert not [e for e in arm.emu.request_log if e.method == "PUT"]


def test_put_deployment_direct_lets_given_properties_win(arm):
    body = arm.base_body()
    body["properties"]["provisioningState"] = "Failed"
    assert (
        arm.emu.put_deployment_direct(arm.DEST, "broken", body)["properties"]["provisioningState"]
        == "Failed"
    )


def test_delete_deployment_direct(arm):
    arm.emu.put_deployment_direct(arm.DEST, "d", arm.base_body())
    assert arm.emu.delete_deployment_direct(arm.DEST, "d") is True
    assert arm.emu.delete_deployment_direct(arm.DEST, "d") is False
    assert arm.get_deployment("d").status_code == 404


def test_add_model_makes_it_deployable(arm):
    assert arm.put("d", arm.base_body(model="o3-mini", version="2025-01-31")).status_code == 400
    arm.emu.add_model(arm.DEST, "o3-mini", version="2025-01-31")
    assert arm.put("d", arm.base_body(model="o3-mini", version="2025-01-31")).status_code == 201


def test_state_helpers_accept_an_arm_id_or_a_name(arm):
    arm.emu.put_deployment_direct(arm.emu.account_id(arm.DEST).upper(), "d", arm.base_body())
    assert arm.emu.deployment(arm.DEST, "D")["name"] == "d"
    assert [d["name"] for d in arm.emu.deployments(arm.emu.account_id(arm.DEST))] == ["d"]
    with pytest.raises(KeyError):
        arm.emu.deployments("no-such-account")
