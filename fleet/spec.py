"""The fleet file: read, checked against ``fleet.schema.json`` and the rules JSON Schema cannot
say, then resolved into one :class:`Customer` per entry (defaults merged in).

Checking happens before anything runs and reports every problem at once, each named by its
path in the file, as :class:`FleetFileError`::

    fleet.yaml: 2 problems
      customers[3].ring: must be canary or a ring number (1, 2, ...), not 'two'
      customers[5].key: 'acme' is also the key of customers[0]; keys name stacks: make it unique

Schema rules (types, required keys, unknown keys, patterns) come from jsonschema's
``iter_errors``; the rules across fields are
:func:`aoai_deploy.fleet.checks.cross_field_problems`:

- customer keys are unique (each names a stack);
- rings run ``canary``, ``1``, ``2``, ... with no number missing (an empty ring is a typo, not
  a plan);
- every credential named exists, and can sign in to the customer's tenant and to the source's
  tenant (a cross-tenant copy sends a token of each, from one identity): a ``static`` or
  ``managed-identity`` credential, or one with ``tenants``, lists both; a managed identity
  never crosses tenants; a key the credential's kind does not use is refused;
- after merging, each customer has a source account and tenant, an account it can name, and
  each deployment a model.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

__all__ = [
    "SCHEMA_RESOURCE",
    "Credential",
    "Customer",
    "Fleet",
    "FleetFileError",
    "load_fleet",
    "parse_fleet",
    "ring_label",
    "ring_order",
    "schema",
]

#: The schema's file name inside the package (``aoai_deploy.fleet``).
SCHEMA_RESOURCE: Final = "fleet.schema.json"
#: ``ring`` of the first ring.
CANARY: Final = "canary"
_ACCOUNT_PROVIDER: Final = "Microsoft.CognitiveServices/accounts"


class FleetFileError(ValueError):
    """The fleet file cannot be used; ``problems`` lists ``(path, reason)`` for each."""

    def __init__(self, source: str, problems: Sequence[tuple[str, str]]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [f"{source}: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  {path}: {reason}" if path else f"  {reason}" for path, reason in problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Credential:
    """A named identity of the fleet file (``credentials.<name>``)."""

    name: str
    kind: str
    """An ``aoai-deploy:credential`` kind."""
    client_id: str | None = None
    tenant_id: str | None = None
    """The identity's home tenant."""
    client_secret_env: str | None = None
    tokens_env: str | None = None
    tenants: tuple[str, ...] = ()
    """Tenants it can sign in to (lower-case); empty: not said."""
    share_tokens: bool = True
    """One token per tenant per run, handed to every stack (see tokens.py)."""


@dataclass(frozen=True)
class Customer:
    """One customer, defaults merged in: what its stack deploys."""

    key: str
    """The stack's name."""
    index: int
    """Its position in ``customers`` (for messages naming the file's path)."""
    ring: str
    """``canary`` or ``"1"``, ``"2"``, ..."""
    tenant_id: str
    subscription_id: str
    account: Mapping[str, Any]
    """``name``, ``resourceGroup``, and for a created account ``create``, ``location``, ..."""
    credential: Credential
    source_account_id: str
    source_tenant_id: str
    deployments: tuple[Mapping[str, Any], ...]
    """Deployment entries in the fleet file's (camelCase) keys."""
    role_assignment: Mapping[str, Any] | None = None

    @property
    def account_id(self) -> str:
        """The destination account's ARM id."""
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/"
            f"{self.account['resourceGroup']}/providers/{_ACCOUNT_PROVIDER}/{self.account['name']}"
        )

    @property
    def creates_account(self) -> bool:
        return bool(self.account.get("create"))

    @property
    def cross_tenant(self) -> bool:
        return self.source_tenant_id != self.tenant_id


@dataclass(frozen=True)
class Fleet:
    """A checked fleet file."""

    source: str
    """Where it was read from (for messages)."""
    project: str
    customers: tuple[Customer, ...]
    credentials: Mapping[str, Credential]
    azure: Mapping[str, str] = field(default_factory=dict)
    """``cloud``, ``armEndpoint``, ``caBundle`` as the file sets them."""
    parallel: int = 4
    max_failures: int = 0

    def rings(self) -> list[tuple[str, list[Customer]]]:
        """``(ring, customers)`` in the order the rings run, customers in file order."""
        found: dict[str, list[Customer]] = {}
        for customer in self.customers:
            found.setdefault(customer.ring, []).append(customer)
        return [(ring, found[ring]) for ring in sorted(found, key=ring_order)]

    def customer(self, key: str) -> Customer:
        for customer in self.customers:
            if customer.key == key:
                return customer
        raise KeyError(key)

    def tenants(self) -> list[str]:
        """Every tenant a run needs tokens for: the customers' and their sources', in order."""
        seen: dict[str, None] = {}
        for customer in self.customers:
            seen.setdefault(customer.source_tenant_id, None)
            seen.setdefault(customer.tenant_id, None)
        return list(seen)


def ring_order(ring: str) -> tuple[int, int]:
    """Sort key: ``canary`` first, then the numbers in order."""
    return (0, 0) if ring == CANARY else (1, int(ring))


def ring_label(ring: str) -> str:
    return ring if ring == CANARY else f"ring {ring}"


@cache
def schema() -> dict[str, Any]:
    """The fleet file's JSON schema (``fleet.schema.json`` in this package)."""
    text = resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def load_fleet(path: str | Path) -> Fleet:
    """Read, check and resolve the fleet file at ``path``; raises :class:`FleetFileError`."""
    import yaml  # imported here: `aoai-deploy --version` needs none of the fleet's libraries

    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FleetFileError(source, [("", f"cannot read it: {exc.strerror or exc}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f"line {where.line + 1}, column {where.column + 1}: " if where else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FleetFileError(source, [("", f"not YAML: {at}{problem}")]) from None
    return parse_fleet(data, source)


def parse_fleet(data: Any, source: str = "fleet file") -> Fleet:
    """Check and resolve an already parsed fleet file; raises :class:`FleetFileError`."""
    # checks.py reads this module's schema and ring names: imported here, not at the top.
    from aoai_deploy.fleet.checks import cross_field_problems, schema_problems

    problems = schema_problems(data)
    if problems:
        # The cross-field rules assume the shapes the schema promises.
        raise FleetFileError(source, problems)
    problems = cross_field_problems(data)
    customers = []
    credentials = {
        name: _credential(name, entry) for name, entry in (data.get("credentials") or {}).items()
    }
    if not problems:
        for index, entry in enumerate(data["customers"]):
            customer, found = _resolve(index, entry, data["defaults"], credentials)
            problems += found
            if customer is not None:
                customers.append(customer)
    if problems:
        raise FleetFileError(source, problems)
    return Fleet(
        source=source,
        project=data["project"],
        customers=tuple(customers),
        credentials=credentials,
        azure=dict(data.get("azure") or {}),
        parallel=int(data.get("parallel", 4)),
        max_failures=int(data.get("maxFailures", 0)),
    )


# -- resolving a customer ------------------------------------------------------------------------


def _credential(name: str, entry: Mapping[str, Any]) -> Credential:
    return Credential(
        name=name,
        kind=entry["kind"],
        client_id=entry.get("clientId"),
        tenant_id=entry["tenantId"].lower() if entry.get("tenantId") else None,
        client_secret_env=entry.get("clientSecretEnv"),
        tokens_env=entry.get("tokensEnv"),
        tenants=tuple(t.lower() for t in entry.get("tenants", ())),
        share_tokens=bool(entry.get("shareTokens", True)),
    )


def merge_deployments(
    defaults: Sequence[Mapping[str, Any]], overrides: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The default deployments with a customer's overrides applied by ``deploymentName``
    (case-insensitive, as Azure compares them); an override of a new name is added."""
    merged = [copy.deepcopy(dict(d)) for d in defaults]
    for override in overrides:
        name = str(override["deploymentName"]).lower()
        target = next((d for d in merged if str(d["deploymentName"]).lower() == name), None)
        if target is None:
            merged.append(copy.deepcopy(dict(override)))
        else:
            target.update(copy.deepcopy(dict(override)))
    return merged


def _resolve(
    index: int,
    entry: Mapping[str, Any],
    defaults: Mapping[str, Any],
    credentials: Mapping[str, Credential],
) -> tuple[Customer | None, list[tuple[str, str]]]:
    where = f"customers[{index}]"
    problems = []
    source = {**defaults.get("source", {}), **entry.get("source", {})}
    for key in ("accountId", "tenantId"):
        if not source.get(key):
            problems.append((f"{where}.source.{key}", "missing here and in defaults.source"))
    account = {**defaults.get("account", {}), **entry["account"]}
    for key in ("name", "resourceGroup"):
        if not account.get(key):
            problems.append((f"{where}.account.{key}", "missing here and in defaults.account"))
    if account.get("create") and not account.get("location"):
        problems.append(
            (f"{where}.account.location", "an account to create needs its region (eastus, ...)")
        )
    if not account.get("create"):
        for key in ("location", "kind", "subdomain"):
            if key in entry["account"]:
                problems.append(
                    (
                        f"{where}.account.{key}",
                        "only for an account the fleet creates (create: true); an existing "
                        "account keeps its own",
                    )
                )
    deployments = merge_deployments(defaults["deployments"], entry.get("deployments", []))
    for number, deployment in enumerate(deployments):
        if "modelName" not in deployment:
            name = deployment["deploymentName"]
            problems.append(
                (
                    f"{where}.deployments",
                    f"deployment '{name}' has no modelName (it matches no default deployment, "
                    "so it needs one of its own)",
                )
            )
        del number
    seen: set[str] = set()
    for deployment in deployments:
        lowered = str(deployment["deploymentName"]).lower()
        if lowered in seen:
            problems.append(
                (
                    f"{where}.deployments",
                    f"two deployments named '{deployment['deploymentName']}' (names are "
                    "compared ignoring case, as Azure does)",
                )
            )
        seen.add(lowered)
    if problems:
        return None, problems
    name = entry.get("credential", defaults.get("credential"))
    return (
        Customer(
            key=entry["key"],
            index=index,
            ring=str(entry["ring"]),
            tenant_id=entry["tenantId"].lower(),
            subscription_id=entry["subscriptionId"].lower(),
            account=account,
            credential=credentials[str(name)],
            source_account_id=source["accountId"],
            source_tenant_id=source["tenantId"].lower(),
            deployments=tuple(deployments),
            role_assignment=entry.get("roleAssignment"),
        ),
        [],
    )
