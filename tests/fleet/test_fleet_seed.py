"""The emulator serves a whole fleet file: a seed generated from it, and the fault Azure
returns for a customer whose tenant does not grant the deploying identity its role."""

from __future__ import annotations

import pytest
import requests

from aoai_deploy.emulator import Emulator
from aoai_deploy.emulator.seed import load_seed
from aoai_deploy.fleet import load_fleet
from aoai_deploy.fleet.emulator_seed import (
    OPENAI_CONTRIBUTOR,
    deployer_object_id,
    fleet_seed,
    tenant_aliases,
)
from fleet_files import EXAMPLE, MODEL, SOURCE_ACCOUNT

FLEET = load_fleet(EXAMPLE)


def test_the_seed_holds_every_tenant_subscription_and_account_the_fleet_names() -> None:
    seed = load_seed(fleet_seed(FLEET))
    assert {t.id for t in seed.tenants} == set(FLEET.tenants())
    accounts = {(a.subscription_id, a.name) for a in seed.accounts}
    for customer in FLEET.customers:
        assert (customer.subscription_id, customer.account["name"]) in accounts
    (source,) = [a for a in seed.accounts if a.name == "vendor-ft-src"]
    assert [m.name for m in source.models] == [MODEL]
    aliases = tenant_aliases(FLEET)
    assert aliases[FLEET.customers[0].source_tenant_id] == "source"
    assert aliases[FLEET.customer("initech-jp").tenant_id] == "initech"  # first of its tenant


def put(emu: Emulator, account_id: str, tenant: str) -> requests.Response:
    return requests.put(
        f"{emu.base_url}{account_id}/deployments/support-bot",
        params={"api-version": "2024-10-01"},
        json={
            "sku": {"name": "Standard", "capacity": 1},
            "properties": {
                "model": {
                    "format": "OpenAI",
                    "name": MODEL,
                    "version": "1",
                    "sourceAccount": SOURCE_ACCOUNT,
                }
            },
        },
        headers={
            "Authorization": f"Bearer {emu.token(tenant)}",
            "x-ms-authorization-auxiliary": f"Bearer {emu.token('source')}",
        },
        verify=emu.ca_path,
        timeout=30,
    )


def test_a_customer_left_without_its_role_gets_azures_authorization_failed_until_granted() -> None:
    victim = FLEET.customer("hooli")
    with Emulator(seed=fleet_seed(FLEET, without_role=["hooli"])) as emu:
        refused = put(emu, victim.account_id, victim.tenant_id)
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["code"] == "AuthorizationFailed"
        assert "does not have authorization to perform action" in error["message"]
        other = FLEET.customer("acme")
        assert put(emu, other.account_id, other.tenant_id).status_code in (200, 201)

        emu.add_role_assignment(
            deployer_object_id(victim.tenant_id), OPENAI_CONTRIBUTOR, victim.account_id
        )
        assert put(emu, victim.account_id, victim.tenant_id).status_code in (200, 201)


def test_an_unknown_customer_for_without_role_is_refused() -> None:
    with pytest.raises(KeyError, match="no customer nobody"):
        fleet_seed(FLEET, without_role=["nobody"])
