"""The preflight's judgement: what one write asks of the account's models and of the
subscription's quota, against what Azure reported before the first write, and the lines that
say so. Pure: the reads are :mod:`aoai_deploy.providers.lifecycle.preflight`'s.

What Azure reports, as the REST spec defines it from 2023-05-01 on (every api-version the
provider supports):

* the account's models list (``Accounts_ListModels``): one ``AccountModel`` per model version,
  with ``isDefaultVersion``, ``deprecation {inference, fineTune}`` and ``skus[]``, each
  ``ModelSku`` with its ``name``, ``usageName`` (the quota it counts against) and
  ``deprecationDate``;
* the region's usages (``Usages_List``): ``name {value}``, ``currentValue``, ``limit``. A
  deployment counts against ``OpenAI.<deployment SKU>.<model>`` (the usage names Azure lists,
  e.g. ``OpenAI.GlobalStandard.gpt-4o-mini``: Azure/azure-dev issue 8563); the SKU's
  ``usageName`` wins where the models list gives one.

What is judged (:func:`assess`):

* a write that sets the model (a create, or a change of model or version) fails when the
  model, its version, or the version in the SKU is not offered, and when the version is past
  its retirement (Azure answers ``ServiceModelDeprecated``); a version that retires within
  :data:`RETIREMENT_WARNING_DAYS` is a warning with its date;
* a write that adds capacity fails when what it adds, plus what this run already admitted
  against the same quota, is more than was free when the quota was read.

A model the destination's list does not name is not judged when the write copies it from
another account (a fine-tuned model copied across tenants is held by its source account, and
the destination's list need not name it): its SKU, version and quota are left to Azure's
answer to the write.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from aoai_deploy.providers.core.schema import SKU_NAMES

__all__ = [
    "RETIREMENT_WARNING_DAYS",
    "Assessment",
    "Finding",
    "ModelOffer",
    "SkuOffer",
    "Target",
    "Usage",
    "assess",
    "model_offers",
    "usage_name",
    "usages",
]

#: A version retiring within this many days is warned of.
RETIREMENT_WARNING_DAYS: Final = 30
#: How many names a message lists before it says "and N more".
_LISTED: Final = 8


def usage_name(sku: str, model: str) -> str:
    """The quota a deployment counts against when the models list names none."""
    return f"OpenAI.{_canonical_sku(sku)}.{model}"


def _canonical_sku(sku: str) -> str:
    return next((known for known in SKU_NAMES if known.lower() == sku.lower()), sku)


def _date(value: object) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class SkuOffer:
    """A deployment SKU one model version is offered in."""

    name: str
    usage_name: str | None
    """The quota it counts against (``skus[].usageName``)."""
    retires: datetime.datetime | None
    """``skus[].deprecationDate``."""


@dataclass(frozen=True)
class ModelOffer:
    """One model version of the account's models list."""

    format: str
    name: str
    version: str
    is_default: bool
    retires: datetime.datetime | None
    """``deprecation.inference``: when Azure stops serving it."""
    skus: tuple[SkuOffer, ...] | None
    """``None`` when the list says nothing of its SKUs."""

    def sku(self, name: str) -> SkuOffer | None:
        return next((s for s in self.skus or () if s.name.lower() == name.lower()), None)


def model_offers(items: Iterable[object]) -> list[ModelOffer]:
    """The versions in a models list's ``value`` items; malformed items are skipped."""
    found: list[ModelOffer] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        name, version = _text(item, "name"), _text(item, "version")
        if name is None or version is None:
            continue
        deprecation = item.get("deprecation")
        skus: tuple[SkuOffer, ...] | None = None
        raw_skus = item.get("skus")
        if isinstance(raw_skus, list):
            skus = tuple(
                SkuOffer(sku_name, _text(sku, "usageName"), _date(sku.get("deprecationDate")))
                for sku in raw_skus
                if isinstance(sku, Mapping) and (sku_name := _text(sku, "name")) is not None
            )
        found.append(
            ModelOffer(
                format=_text(item, "format") or "OpenAI",
                name=name,
                version=version,
                is_default=item.get("isDefaultVersion") is True,
                retires=_date(deprecation.get("inference"))
                if isinstance(deprecation, Mapping)
                else None,
                skus=skus,
            )
        )
    return found


@dataclass(frozen=True)
class Usage:
    """One quota of a subscription in a region, as ``Usages_List`` reported it."""

    name: str
    current: float
    limit: float

    @property
    def free(self) -> float:
        return max(0.0, self.limit - self.current)


def usages(items: Iterable[object]) -> dict[str, Usage]:
    """The usages in a usages list's ``value`` items, by lower-cased name."""
    found: dict[str, Usage] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        name = item.get("name")
        value = _text(name, "value") if isinstance(name, Mapping) else None
        current, limit = _number(item.get("currentValue")), _number(item.get("limit"))
        if value is None or current is None or limit is None:
            continue
        found[value.lower()] = Usage(value, current, limit)
    return found


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class Target:
    """What one write asks for."""

    deployment_id: str
    """The deployment's ARM id."""
    account: str
    """The account's name, for messages."""
    subscription_id: str
    location: str
    model_format: str
    model_name: str
    model_version: str | None
    """``None``: Azure's default version (create), the running one (update)."""
    sku_name: str
    capacity: int
    held: int = 0
    """Capacity the deployment already holds against the same quota (its live capacity)."""
    sets_model: bool = True
    """Whether the write creates the deployment or changes its model or version."""
    copy: bool = False
    """Whether the model is copied from another account (``source_account_id``)."""

    @property
    def name(self) -> str:
        return self.deployment_id.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Finding:
    """One problem: the input it is about and the line that says what to do."""

    field: str
    text: str


@dataclass
class Assessment:
    """What :func:`assess` found."""

    problems: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What could not be judged, and why."""
    usage: str | None = None
    """The quota the write counts against, when known."""
    adds: int = 0
    """What the write adds to that quota (to be admitted when there are no problems)."""


def assess(
    target: Target,
    offers: Sequence[ModelOffer],
    region: Mapping[str, Usage],
    admitted: Mapping[str, Mapping[str, int]],
    now: datetime.datetime,
) -> Assessment:
    """Judge one write; ``admitted`` maps a lower-cased quota name to what this run admitted
    against it since it was read, by deployment ARM id (negative: freed by a delete)."""
    result = Assessment()
    where = f"in {target.location}"
    model = target.model_name
    versions = [
        o
        for o in offers
        if o.name.lower() == model.lower() and o.format.lower() == target.model_format.lower()
    ]
    if not versions:
        if target.copy or ".ft-" in model:
            result.notes.append(
                f"model {model} is not in the models list of account {target.account}: a model "
                "copied from another account (a fine-tuned model copied from another tenant) is "
                "held by its source account, so its SKU, version and quota are left to Azure's "
                "answer to the write"
            )
        elif target.sets_model:
            names = sorted({o.name for o in offers}, key=str.lower)
            result.problems.append(
                Finding(
                    "model_name",
                    f"model {model} is not offered to account {target.account} {where}; models "
                    f"offered there: {_listed(names)}: check model_name and model_format",
                )
            )
        return result

    chosen = _version(target, versions, result, where)
    sku = chosen.sku(target.sku_name) if chosen is not None else None
    if chosen is not None and chosen.skus is not None and sku is None and target.sets_model:
        result.problems.append(_sku_problem(target, chosen, versions, where))
    if chosen is not None:
        _retirement(target, chosen, sku, versions, now, result, where)
    if result.problems:
        return result

    quota_name = (sku.usage_name if sku is not None else None) or usage_name(target.sku_name, model)
    result.usage = quota_name
    usage = region.get(quota_name.lower())
    if usage is None:
        result.notes.append(f"no quota named {quota_name} is listed {where}: not checked")
        return result
    needed = target.capacity - target.held
    if needed <= 0:
        return result
    earlier = {
        key: value
        for key, value in admitted.get(quota_name.lower(), {}).items()
        if key.lower() != target.deployment_id.lower()
    }
    others = sum(earlier.values())
    if needed + others > usage.free:
        result.problems.append(_quota_problem(target, usage, needed, earlier, where))
        return result
    result.adds = needed
    return result


def _version(
    target: Target, versions: Sequence[ModelOffer], result: Assessment, where: str
) -> ModelOffer | None:
    wanted = target.model_version
    if wanted is None:
        return next((o for o in versions if o.is_default), None)
    chosen = next((o for o in versions if o.version.lower() == wanted.lower()), None)
    if chosen is None and target.sets_model:
        result.problems.append(
            Finding(
                "model_version",
                f"model {target.model_name} version {wanted} is not offered to account "
                f"{target.account} {where}; versions offered: "
                f"{_listed([o.version for o in versions])}: set model_version to one of them",
            )
        )
    return chosen


def _sku_problem(
    target: Target, chosen: ModelOffer, versions: Sequence[ModelOffer], where: str
) -> Finding:
    sku = _canonical_sku(target.sku_name)
    offering = [o.version for o in versions if o.sku(target.sku_name) is not None]
    what = (
        f"model {target.model_name} version {chosen.version}"
        if target.model_version is not None
        else f"the default version ({chosen.version}) of model {target.model_name}"
    )
    if offering:
        return Finding(
            "model_version",
            f"{what} is not available for {sku} {where}; versions that are: "
            f"{_listed(offering)}: set model_version to one of them",
        )
    skus = sorted({s.name for o in versions for s in o.skus or ()}, key=str.lower)
    return Finding(
        "sku_name",
        f"{what} is not available for {sku} {where}, nor is any version of it; SKUs offered "
        f"for it there: {_listed(skus)}: set sku_name to one of them",
    )


def _retirement(
    target: Target,
    chosen: ModelOffer,
    sku: SkuOffer | None,
    versions: Sequence[ModelOffer],
    now: datetime.datetime,
    result: Assessment,
    where: str,
) -> None:
    dates = [d for d in (chosen.retires, sku.retires if sku is not None else None) if d]
    if not dates:
        return
    retires = min(dates)
    what = f"model {target.model_name} version {chosen.version}"
    sku_name = _canonical_sku(target.sku_name)
    newer = [
        o.version
        for o in versions
        if o is not chosen
        and (o.skus is None or o.sku(target.sku_name) is not None)
        and not any(d <= now for d in (o.retires,) if d)
    ]
    others = f" (offered: {_listed(newer)})" if newer else ""
    if retires <= now:
        line = (
            f"{what} was retired for {sku_name} {where} on {retires:%Y-%m-%d}, and Azure "
            f"refuses to deploy it (ServiceModelDeprecated): choose another version{others}"
        )
        if target.sets_model:
            result.problems.append(Finding("model_version", line))
        else:
            result.warnings.append(line)
    elif retires - now <= datetime.timedelta(days=RETIREMENT_WARNING_DAYS):
        days = (retires - now).days
        result.warnings.append(
            f"{what} retires for {sku_name} {where} on {retires:%Y-%m-%d} (in {days} "
            f"day{'s' if days != 1 else ''}): plan the move to another version{others}"
        )


def _quota_problem(
    target: Target, usage: Usage, needed: int, earlier: Mapping[str, int], where: str
) -> Finding:
    others = sum(earlier.values())
    total = needed + others
    sku = _canonical_sku(target.sku_name)
    detail = ""
    if others:
        admitted = [key.rsplit("/", 1)[-1] for key, value in earlier.items() if value > 0]
        freed = -sum(value for value in earlier.values() if value < 0)
        parts = [f"{needed} for {target.name}"]
        if admitted:
            added = sum(value for value in earlier.values() if value > 0)
            parts.append(f"{added} for {_listed(admitted)} earlier in this run")
        if freed:
            parts.append(f"{freed} freed earlier in this run")
        detail = " (" + ", ".join(parts) + ")"
    elif target.held:
        detail = f" (sku_capacity {target.held} -> {target.capacity})"
    more = " more" if target.held and not others else ""
    return Finding(
        "sku_capacity",
        f"needs {total}{more} of {sku} {target.model_name} {where}{detail}, "
        f"{_shown(usage.free)} free: lower sku_capacity or request quota ({usage.name} in "
        f"subscription {target.subscription_id}: limit {_shown(usage.limit)}, "
        f"{_shown(usage.current)} in use)",
    )


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _listed(names: Sequence[str]) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")
