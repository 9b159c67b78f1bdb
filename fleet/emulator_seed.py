"""A seed for the local ARM emulator that serves a whole fleet file.

``aoai-deploy fleet emulator-seed FLEET > seed.json`` then ``python -m aoai_deploy.emulator
--seed seed.json``: every tenant, subscription and account the fleet names, the source account
holding every model the deployments ask for, one ``deployer`` identity with an object id in
each tenant, and its Cognitive Services OpenAI Contributor grant on the source account and on
each customer's account. The role definitions are the default seed's. Tenant aliases are
``source`` for the source tenant and the first customer's key for each other tenant, so
``python -m aoai_deploy.emulator token --seed seed.json --tenant acme`` mints acme's token.

``without_role`` leaves the destination grant out for the customers named: ARM then answers
their writes with 403 ``AuthorizationFailed`` (Azure's own text, emulator/armerrors.py), the
failure Azure returns when the deploying identity has no role in that tenant; granting the
role afterwards (``Emulator.add_role_assignment``) lifts it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any, Final

from aoai_deploy.fleet.spec import Fleet

__all__ = ["DEPLOYER", "OPENAI_CONTRIBUTOR", "deployer_object_id", "fleet_seed", "tenant_aliases"]

DEPLOYER: Final = "deployer"
OPENAI_CONTRIBUTOR: Final = "a001fd3d-188f-4b5d-821b-7da978bf7442"
_NAMESPACE: Final = uuid.UUID("6b1d3a52-8f0e-4c5e-9a57-3f3c1f0a6d21")


def deployer_object_id(tenant_id: str) -> str:
    """The seed deployer's object id in ``tenant_id`` (stable, derived from it)."""
    return str(uuid.uuid5(_NAMESPACE, f"deployer/{tenant_id.lower()}"))


def tenant_aliases(fleet: Fleet) -> dict[str, str]:
    """Tenant id -> alias: ``source`` for the sources' tenant(s), else the first customer's key."""
    aliases: dict[str, str] = {}
    sources = sorted({c.source_tenant_id for c in fleet.customers})
    for n, tenant in enumerate(sources):
        aliases[tenant] = "source" if n == 0 else f"source-{n + 1}"
    for customer in fleet.customers:
        aliases.setdefault(customer.tenant_id, customer.key)
    return aliases


def _account(account_id: str) -> tuple[str, str, str]:
    parts = account_id.split("/")
    return parts[2].lower(), parts[4], parts[8]


def fleet_seed(fleet: Fleet, without_role: Iterable[str] = ()) -> dict[str, Any]:
    """The seed (emulator/seed.py's format) for ``fleet``."""
    from aoai_deploy.emulator.seed import DEFAULT_SEED_PATH

    default = json.loads(DEFAULT_SEED_PATH.read_text(encoding="utf-8"))
    missing = set(without_role)
    unknown = missing - {c.key for c in fleet.customers}
    if unknown:
        raise KeyError(f"no customer {', '.join(sorted(unknown))} in {fleet.source}")
    aliases = tenant_aliases(fleet)
    subscriptions: dict[str, dict[str, Any]] = {}
    accounts: dict[tuple[str, str, str], dict[str, Any]] = {}
    models: dict[str, dict[str, Any]] = {}
    assignments: list[dict[str, Any]] = []

    def subscription(sub: str, tenant: str, where: str) -> None:
        known = subscriptions.setdefault(sub, {"id": sub, "tenant": tenant, "resourceGroups": []})
        if known["tenant"] != tenant:
            raise ValueError(f"{where}: subscription {sub} is in two tenants")

    def account(sub: str, group: str, name: str, location: str) -> dict[str, Any]:
        return accounts.setdefault(
            (sub, group.lower(), name.lower()),
            {
                "name": name,
                "subscription": sub,
                "resourceGroup": group,
                "location": location,
                "kind": "OpenAI",
                "models": [],
            },
        )

    for customer in fleet.customers:
        sub, group, name = _account(customer.source_account_id)
        subscription(sub, customer.source_tenant_id, f"{customer.key}'s source")
        source = account(sub, group, name, "eastus")
        for deployment in customer.deployments:
            model = str(deployment["modelName"])
            # A fine-tuned model has version 1; a base model the version the file names.
            version = str(deployment.get("modelVersion") or "1")
            entry = models.setdefault(model, {"name": model, "versions": []})
            if version not in entry["versions"]:
                entry["versions"].append(version)
        source["models"] = list(models.values())
        grant = {
            "description": f"deployer: OpenAI Contributor on the source account {name}",
            "principalId": deployer_object_id(customer.source_tenant_id),
            "roleDefinitionId": OPENAI_CONTRIBUTOR,
            "scope": customer.source_account_id,
        }
        if grant not in assignments:
            assignments.append(grant)
        if customer.creates_account:
            continue
        subscription(customer.subscription_id, customer.tenant_id, customer.key)
        account(
            customer.subscription_id,
            str(customer.account["resourceGroup"]),
            str(customer.account["name"]),
            "eastus",
        )
        if customer.key not in missing:
            assignments.append(
                {
                    "description": f"deployer: OpenAI Contributor on {customer.key}'s account",
                    "principalId": deployer_object_id(customer.tenant_id),
                    "roleDefinitionId": OPENAI_CONTRIBUTOR,
                    "scope": customer.account_id,
                }
            )
    tenants = [
        {"alias": alias, "id": tenant, "description": "generated from the fleet file"}
        for tenant, alias in aliases.items()
    ]
    return {
        "tenants": tenants,
        "subscriptions": list(subscriptions.values()),
        "accounts": list(accounts.values()),
        "principals": [
            {
                "name": DEPLOYER,
                "appId": str(uuid.uuid5(_NAMESPACE, "deployer/app")),
                "objectIds": {tenant: deployer_object_id(tenant) for tenant in aliases},
            }
        ],
        "roleDefinitions": default["roleDefinitions"],
        "roleAssignments": assignments,
    }
