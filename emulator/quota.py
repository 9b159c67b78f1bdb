"""Quota: the limit of each usage name per subscription and region, and what is in use of it.

Azure counts a deployment's capacity against one usage name in its account's subscription and
region, named ``OpenAI.<deployment SKU>.<model>``: the usages list (``Usages_List``) names them
so, e.g. ``OpenAI.GlobalStandard.gpt-4o-mini`` (a real answer of ``GET .../locations/eastus2/
usages?api-version=2025-06-01`` quoted in Azure/azure-dev issue 8563), and the account's models
list names the usage of each model SKU (``skus[].usageName``, ``ModelSku`` in the REST spec from
2023-05-01 on). The emulator names every deployment's usage that way; a fine-tuned model by its
own id (which usage Azure counts a fine-tuned deployment against is in no public source).

In use: the seed's ``used`` (deployments the emulator does not hold) plus the capacity of every
deployment the emulator holds in the accounts of that subscription and region. A usage name
without a quota is not limited. One table serves both the usages list and the writes that it
refuses with ``InsufficientQuota`` (:func:`shortfall`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aoai_deploy.emulator.seed import QuotaSeed

if TYPE_CHECKING:
    from aoai_deploy.emulator.state import Account, Deployment, World

__all__ = ["Quota", "QuotaBook", "Shortfall", "in_use", "shortfall", "usage_name", "usage_of"]


def usage_name(sku: str, model: str) -> str:
    """The usage a deployment of ``model`` on the deployment SKU ``sku`` counts against."""
    return f"OpenAI.{sku}.{model}"


def usage_of(body: Mapping[str, Any]) -> str | None:
    """The usage name of a stored deployment body (its SKU and model)."""
    sku = body.get("sku") or {}
    model = (body.get("properties") or {}).get("model") or {}
    if not sku.get("name") or not model.get("name"):
        return None
    return usage_name(str(sku["name"]), str(model["name"]))


@dataclass
class Quota:
    """The quota of one usage name in one subscription and region."""

    subscription_id: str
    location: str
    name: str
    limit: int
    used: int = 0
    """Use by deployments the emulator does not hold."""


def _key(subscription: str, location: str, name: str) -> tuple[str, str, str]:
    return subscription.lower(), location.lower(), name.lower()


class QuotaBook:
    """Every quota, by subscription, region and usage name (case-insensitive)."""

    def __init__(self, seeds: Iterable[QuotaSeed] = ()) -> None:
        self._table: dict[tuple[str, str, str], Quota] = {}
        for seed in seeds:
            self.set(
                seed.subscription_id, seed.location, seed.name, limit=seed.limit, used=seed.used
            )

    def get(self, subscription: str, location: str, name: str) -> Quota | None:
        return self._table.get(_key(subscription, location, name))

    def set(
        self,
        subscription: str,
        location: str,
        name: str,
        *,
        limit: int | None = None,
        used: int | None = None,
    ) -> Quota:
        """Add a quota or change its limit or outside use; a new one needs a ``limit``."""
        key = _key(subscription, location, name)
        quota = self._table.get(key)
        if quota is None:
            if limit is None:
                raise KeyError(f"no quota {name!r} in {location!r} yet: give its limit")
            quota = self._table[key] = Quota(subscription.lower(), location, name, limit)
        if limit is not None:
            quota.limit = limit
        if used is not None:
            quota.used = used
        return quota

    def listed(self, subscription: str, location: str) -> list[Quota]:
        """The quotas of a subscription in a region, in the order they were added."""
        wanted = (subscription.lower(), location.lower())
        return [quota for key, quota in self._table.items() if key[:2] == wanted]


def in_use(world: World, subscription: str, location: str, name: str) -> int:
    """What is in use of a usage name: outside use plus the emulator's own deployments."""
    quota = world.quotas.get(subscription, location, name)
    total = quota.used if quota is not None else 0
    for account in world.accounts.values():
        if (account.subscription_id.lower(), account.location.lower()) != (
            subscription.lower(),
            location.lower(),
        ):
            continue
        for deployment in world.list_deployments(account.key):
            if (usage_of(deployment.body) or "").lower() == name.lower():
                total += int(deployment.body["sku"].get("capacity") or 0)
    return total


@dataclass(frozen=True)
class Shortfall:
    """A write that needs more of a usage than is free: Azure's ``InsufficientQuota``."""

    needed: int
    """New capacity the write needs."""
    available: int
    used: int
    limit: int


def shortfall(
    world: World, account: Account, usage: str, capacity: int, existing: Deployment | None
) -> Shortfall | None:
    """What a write setting a deployment of ``account`` to ``capacity`` of ``usage`` lacks,
    or ``None`` when it fits (or the usage has no quota). The deployment's own capacity, when it
    already counts against the same usage, is not needed again."""
    quota = world.quotas.get(account.subscription_id, account.location, usage)
    if quota is None:
        return None
    held = 0
    if existing is not None and (usage_of(existing.body) or "").lower() == usage.lower():
        held = int(existing.body["sku"].get("capacity") or 0)
    needed = capacity - held
    if needed <= 0:
        return None
    used = in_use(world, account.subscription_id, account.location, usage)
    available = max(0, quota.limit - used)
    if needed <= available:
        return None
    return Shortfall(needed, available, used, quota.limit)
