"""Reading and checking the emulator's seed: the tenants, accounts and identities it starts with.

The seed is one JSON object (the default is :data:`DEFAULT_SEED_PATH`, ``seed.json`` next to
this file)::

    {
      "tenants": [{"alias": "contoso", "id": "<guid>", "description": "..."}],
      "subscriptions": [{"id": "<guid>", "tenant": "<alias or id>",
                         "resourceGroups": ["rg-a"]}],          # optional; accounts add theirs
      "accounts": [{"name": "acct", "subscription": "<guid>", "resourceGroup": "rg-a",
                    "location": "eastus", "kind": "OpenAI",     # kind defaults to OpenAI
                    "sku": "S0",                                # optional, the account SKU
                    "models": [{"name": "gpt-4o-mini", "versions": ["2024-07-18"],
                                "format": "OpenAI",             # optional, default OpenAI
                                "skus": ["Standard"],           # optional, default: every SKU
                                "capabilities": {"chatCompletion": "true"}}]}],  # optional
      "principals": [{"name": "deployer", "appId": "<guid>",
                      "objectIds": {"<tenant alias or id>": "<guid>"}}],
      "roleDefinitions": [{"id": "<guid>", "name": "Reader", "actions": ["*/read"],
                           "notActions": []}],                  # ARM action patterns, * wildcards
      "roleAssignments": [{"principalId": "<object id>", "roleDefinitionId": "<guid>",
                           "scope": "/subscriptions/<guid>[/resourceGroups/<rg>[/providers/...]]",
                           "description": "optional"}],
      "quotas": [{"subscription": "<guid>", "location": "eastus",          # optional
                  "name": "OpenAI.Standard.gpt-4o-mini", "limit": 1000, "used": 0}]
    }

A model's first version is its default (used when a PUT names no version). A version may also
be an object saying more of it, as the account's models list (``Accounts_ListModels``) tells it::

    {"version": "2024-05-13", "skus": ["Standard"],         # SKUs offered (default: the model's)
     "inference": "2025-06-30T00:00:00Z",                   # deprecation.inference
     "fineTune": "2025-03-31T00:00:00Z",                    # deprecation.fineTune
     "skuDeprecations": {"Standard": "2025-05-31T00:00:00Z"}}  # skus[].deprecationDate

A model whose name holds ``.ft-`` is a fine-tuned model. A quota is the limit of one usage name
(``OpenAI.<deployment SKU>.<model>``) in one subscription and location; ``used`` is what
deployments the emulator does not hold use of it (the emulator adds its own deployments'
capacity). A usage name without a quota is not limited. :class:`SeedError` names the first bad
entry by path, for example ``accounts[2].models[0].versions``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_SEED_PATH",
    "AccountSeed",
    "ModelSeed",
    "PrincipalSeed",
    "QuotaSeed",
    "RoleAssignmentSeed",
    "RoleDefinitionSeed",
    "Seed",
    "SeedError",
    "SubscriptionSeed",
    "TenantSeed",
    "VersionSeed",
    "load_seed",
]

DEFAULT_SEED_PATH: Path = Path(__file__).with_name("seed.json")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ACCOUNT_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$")


class SeedError(ValueError):
    """The seed cannot be used; the message names the entry and what is wrong."""


@dataclass(frozen=True)
class TenantSeed:
    """An Entra tenant."""

    alias: str
    """A short name tests and the CLI use (``contoso``)."""
    id: str
    """The tenant id (a GUID)."""


@dataclass(frozen=True)
class SubscriptionSeed:
    """A subscription and the tenant it trusts."""

    id: str
    """The subscription id."""
    tenant_id: str
    """The id of the tenant whose tokens it accepts."""
    resource_groups: tuple[str, ...]
    """Resource groups that exist in it (the accounts' own included)."""


@dataclass(frozen=True)
class VersionSeed:
    """What the account's models list says of one version of a model (``AccountModel``)."""

    version: str
    skus: tuple[str, ...] | None = None
    """The deployment SKUs it is offered in; ``None``: the model's."""
    inference: str | None = None
    """``deprecation.inference``: when Azure stops serving it (ISO 8601)."""
    fine_tune: str | None = None
    """``deprecation.fineTune``: when it can no longer be fine-tuned (ISO 8601)."""
    sku_deprecations: Mapping[str, str] = field(default_factory=dict)
    """``skus[].deprecationDate`` by SKU name (ISO 8601)."""


@dataclass(frozen=True)
class ModelSeed:
    """A model an account can deploy: a base model or a fine-tuned model it holds."""

    name: str
    """Model name or fine-tuned model id."""
    versions: tuple[str, ...]
    """Known versions; the first is the default."""
    format: str = "OpenAI"
    """Model format (``OpenAI``)."""
    capabilities: Mapping[str, str] = field(default_factory=dict)
    """What a deployment of it reports as ``capabilities``."""
    skus: tuple[str, ...] | None = None
    """The deployment SKUs its versions are offered in; ``None``: every deployment SKU."""
    details: tuple[VersionSeed, ...] = ()
    """What the seed says of single versions (SKUs, retirement dates)."""

    @property
    def fine_tuned(self) -> bool:
        """Whether this is a fine-tuned model (its id holds ``.ft-``)."""
        return ".ft-" in self.name


@dataclass(frozen=True)
class AccountSeed:
    """A Cognitive Services account."""

    name: str
    subscription_id: str
    resource_group: str
    location: str
    kind: str
    sku: str
    models: tuple[ModelSeed, ...]


@dataclass(frozen=True)
class PrincipalSeed:
    """An identity: one app id, one object id per tenant it exists in."""

    name: str
    app_id: str
    object_ids: Mapping[str, str]
    """Tenant id -> object id."""


@dataclass(frozen=True)
class RoleDefinitionSeed:
    """A role: the ARM actions it grants (``*`` wildcards, case-insensitive)."""

    id: str
    name: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleAssignmentSeed:
    """A role assignment in force from the start."""

    principal_id: str
    role_definition_id: str
    scope: str


@dataclass(frozen=True)
class QuotaSeed:
    """The quota of one usage name in one subscription and location."""

    subscription_id: str
    location: str
    name: str
    """The usage name: ``OpenAI.<deployment SKU>.<model>``."""
    limit: int
    used: int = 0
    """Use by deployments the emulator does not hold."""


@dataclass(frozen=True)
class Seed:
    """A checked seed."""

    tenants: tuple[TenantSeed, ...]
    subscriptions: tuple[SubscriptionSeed, ...]
    accounts: tuple[AccountSeed, ...]
    principals: tuple[PrincipalSeed, ...]
    role_definitions: tuple[RoleDefinitionSeed, ...]
    role_assignments: tuple[RoleAssignmentSeed, ...]
    quotas: tuple[QuotaSeed, ...] = ()

    def tenant_id(self, alias_or_id: str) -> str:
        """The tenant id for an alias or id (case-insensitive); :class:`KeyError` if unknown."""
        wanted = alias_or_id.lower()
        for tenant in self.tenants:
            if wanted in (tenant.alias.lower(), tenant.id.lower()):
                return tenant.id
        raise KeyError(f"no tenant {alias_or_id!r} in the seed")

    def principal(self, name: str) -> PrincipalSeed:
        """The principal called ``name`` (case-insensitive); :class:`KeyError` if unknown."""
        for principal in self.principals:
            if principal.name.lower() == name.lower():
                return principal
        raise KeyError(f"no principal {name!r} in the seed")


def role_guid(role_definition_id: str) -> str:
    """The GUID of a role definition id, given bare or as a full ARM id; lowercased."""
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


class _Reader:
    """Typed access to raw JSON that reports where a bad value sits."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def fail(self, key: str, problem: str) -> SeedError:
        return SeedError(
            f"seed {self.where}.{key}: {problem}" if self.where else f"seed {key}: {problem}"
        )

    def text(
        self, key: str, default: str | None = None, pattern: re.Pattern[str] | None = None
    ) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(key, "expected a non-empty string")
        if pattern is not None and not pattern.match(value):
            raise self.fail(key, f"{value!r} does not match {pattern.pattern}")
        return value

    def guid(self, key: str) -> str:
        return self.text(key, pattern=_GUID)

    def count(self, key: str, default: int | None = None) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, "expected a whole number of at least 0")
        return value

    def array(self, key: str, required: bool = True) -> list[Any]:
        value = self.data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        return value

    def texts(self, key: str, required: bool = True) -> tuple[str, ...]:
        values = self.array(key, required)
        if not all(isinstance(v, str) and v for v in values):
            raise self.fail(key, "expected a list of non-empty strings")
        return tuple(values)

    def obj(self, key: str, required: bool = True) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "expected an object")
        return value

    def entries(self, key: str, required: bool = True) -> list[_Reader]:
        out = []
        for index, item in enumerate(self.array(key, required)):
            where = f"{self.where}.{key}[{index}]" if self.where else f"{key}[{index}]"
            if not isinstance(item, dict):
                raise SeedError(f"seed {where}: expected an object")
            out.append(_Reader(item, where))
        return out


def _parse(data: Mapping[str, Any]) -> Seed:
    root = _Reader(data, "")
    tenants = tuple(
        TenantSeed(alias=t.text("alias"), id=t.guid("id").lower()) for t in root.entries("tenants")
    )
    aliases: dict[str, str] = {}
    for tenant in tenants:
        for key in (tenant.alias.lower(), tenant.id):
            if key in aliases:
                raise SeedError(f"seed tenants: {key!r} appears twice")
            aliases[key] = tenant.id

    def tenant_ref(reader: _Reader, key: str) -> str:
        ref = reader.text(key)
        if ref.lower() not in aliases:
            raise reader.fail(key, f"{ref!r} is not a tenant alias or id of the seed")
        return aliases[ref.lower()]

    account_readers = root.entries("accounts")
    subscriptions = []
    sub_ids: set[str] = set()
    for reader in root.entries("subscriptions"):
        sub_id = reader.guid("id").lower()
        if sub_id in sub_ids:
            raise reader.fail("id", f"subscription {sub_id} appears twice")
        sub_ids.add(sub_id)
        groups = list(reader.texts("resourceGroups", required=False))
        for account in account_readers:
            if account.text("subscription").lower() == sub_id:
                group = account.text("resourceGroup")
                if group.lower() not in {g.lower() for g in groups}:
                    groups.append(group)
        subscriptions.append(
            SubscriptionSeed(
                id=sub_id, tenant_id=tenant_ref(reader, "tenant"), resource_groups=tuple(groups)
            )
        )

    accounts = []
    account_keys: set[tuple[str, str, str]] = set()
    for reader in account_readers:
        sub_id = reader.guid("subscription").lower()
        if sub_id not in sub_ids:
            raise reader.fail("subscription", f"{sub_id} is not a subscription of the seed")
        name = reader.text("name", pattern=_ACCOUNT_NAME)
        group = reader.text("resourceGroup")
        account_key = (sub_id, group.lower(), name.lower())
        if account_key in account_keys:
            raise reader.fail("name", f"account {name!r} appears twice in {group!r}")
        account_keys.add(account_key)
        models = []
        for model in reader.entries("models", required=False):
            versions, details = _versions(model)
            capabilities = model.obj("capabilities", required=False)
            if not all(isinstance(v, str) for v in capabilities.values()):
                raise model.fail("capabilities", "expected string values")
            skus = model.texts("skus") if "skus" in model.data else None
            models.append(
                ModelSeed(
                    name=model.text("name"),
                    versions=versions,
                    format=model.text("format", default="OpenAI"),
                    capabilities=dict(capabilities),
                    skus=skus,
                    details=details,
                )
            )
        accounts.append(
            AccountSeed(
                name=name,
                subscription_id=sub_id,
                resource_group=group,
                location=reader.text("location"),
                kind=reader.text("kind", default="OpenAI"),
                sku=reader.text("sku", default="S0"),
                models=tuple(models),
            )
        )

    principals = []
    for reader in root.entries("principals", required=False):
        object_ids = {}
        for tenant_ref_text, oid in reader.obj("objectIds").items():
            if tenant_ref_text.lower() not in aliases:
                raise reader.fail(
                    "objectIds", f"{tenant_ref_text!r} is not a tenant alias or id of the seed"
                )
            if not isinstance(oid, str) or not _GUID.match(oid):
                raise reader.fail(
                    "objectIds", f"the object id for {tenant_ref_text!r} is not a GUID"
                )
            object_ids[aliases[tenant_ref_text.lower()]] = oid.lower()
        principals.append(
            PrincipalSeed(
                name=reader.text("name"), app_id=reader.guid("appId").lower(), object_ids=object_ids
            )
        )

    role_definitions = tuple(
        RoleDefinitionSeed(
            id=reader.guid("id").lower(),
            name=reader.text("name"),
            actions=reader.texts("actions"),
            not_actions=reader.texts("notActions", required=False),
        )
        for reader in root.entries("roleDefinitions", required=False)
    )
    role_ids = {role.id for role in role_definitions}
    assignments = []
    for reader in root.entries("roleAssignments", required=False):
        role = role_guid(reader.text("roleDefinitionId"))
        if role not in role_ids:
            raise reader.fail("roleDefinitionId", f"{role} is not a role definition of the seed")
        scope = reader.text("scope")
        if not scope.startswith("/"):
            raise reader.fail("scope", "expected an ARM scope starting with '/'")
        assignments.append(
            RoleAssignmentSeed(
                principal_id=reader.guid("principalId").lower(),
                role_definition_id=role,
                scope=scope,
            )
        )
    quotas = []
    seen_quotas: set[tuple[str, str, str]] = set()
    for reader in root.entries("quotas", required=False):
        sub_id = reader.guid("subscription").lower()
        if sub_id not in sub_ids:
            raise reader.fail("subscription", f"{sub_id} is not a subscription of the seed")
        quota = QuotaSeed(
            subscription_id=sub_id,
            location=reader.text("location"),
            name=reader.text("name"),
            limit=reader.count("limit"),
            used=reader.count("used", default=0),
        )
        quota_key = (sub_id, quota.location.lower(), quota.name.lower())
        if quota_key in seen_quotas:
            raise reader.fail("name", f"{quota.name!r} appears twice in {quota.location!r}")
        seen_quotas.add(quota_key)
        quotas.append(quota)
    return Seed(
        tenants=tenants,
        subscriptions=tuple(subscriptions),
        accounts=tuple(accounts),
        principals=tuple(principals),
        role_definitions=role_definitions,
        role_assignments=tuple(assignments),
        quotas=tuple(quotas),
    )


def _versions(model: _Reader) -> tuple[tuple[str, ...], tuple[VersionSeed, ...]]:
    """A model's versions (strings, or objects saying more of one) and the details given."""
    versions: list[str] = []
    details: list[VersionSeed] = []
    for index, item in enumerate(model.array("versions")):
        if isinstance(item, str) and item:
            versions.append(item)
            continue
        if not isinstance(item, dict):
            raise model.fail(f"versions[{index}]", "expected a version string or an object")
        entry = _Reader(item, f"{model.where}.versions[{index}]")
        deprecations = entry.obj("skuDeprecations", required=False)
        for sku, when in deprecations.items():
            _date(entry, f"skuDeprecations.{sku}", when)
        detail = VersionSeed(
            version=entry.text("version"),
            skus=entry.texts("skus") if "skus" in item else None,
            inference=_date(entry, "inference", item.get("inference")),
            fine_tune=_date(entry, "fineTune", item.get("fineTune")),
            sku_deprecations=dict(deprecations),
        )
        versions.append(detail.version)
        details.append(detail)
    if not versions:
        raise model.fail("versions", "expected at least one version")
    return tuple(versions), tuple(details)


def _date(reader: _Reader, key: str, value: object) -> str | None:
    """An ISO 8601 date-time as the models list sends it (``2025-06-30T00:00:00Z``), checked."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise reader.fail(key, f"{value!r} is not an ISO 8601 date-time (2025-06-30T00:00:00Z)")


def load_seed(source: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> Seed:
    """Read a seed from a mapping, a JSON file path, or (``None``) the default seed."""
    if source is None:
        source = DEFAULT_SEED_PATH
    if isinstance(source, Mapping):
        return _parse(source)
    path = Path(source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"cannot read seed file {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise SeedError(f"seed file {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SeedError(f"seed file {path}: expected a JSON object")
    return _parse(data)
