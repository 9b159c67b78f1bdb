"""The account's models list (``Accounts_ListModels``): which models an account can deploy, in
which versions and deployment SKUs, which usage each SKU counts against, and when a version
retires; and the rules a PUT meets because of it.

Shapes follow the REST spec's ``AccountModel``, ``ModelSku`` (``name``, ``usageName``,
``deprecationDate``, ``capacity``) and ``ModelDeprecationInfo`` (``fineTune``, ``inference``),
defined from 2023-05-01 on, and its examples ``ListAccountModels.json`` (a fine-tuned model with
its ``baseModel``; ``deprecation`` dates) and ``ListLocationModels.json`` (``skus`` with
``usageName``), 2024-10-01. Capacities (``minimum`` 1, ``maximum`` 1000, ``step`` 1) and
``lifecycleStatus`` are the emulator's choice.

Rules a PUT meets (``routes/deployments.py``):

* a version not offered in the requested SKU is refused as Azure refuses an unknown SKU
  (``InvalidResourceProperties``, "The specified SKU ... is not supported in this region");
* a version past its retirement (``deprecation.inference``, or the SKU's ``deprecationDate``)
  is refused with ``ServiceModelDeprecated`` when a PUT creates a deployment of it or moves one
  to it (Azure's answer to azd deploying a retired version: ``armerrors.model_deprecated``).
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Final

from aoai_deploy.emulator.armerrors import arm_time
from aoai_deploy.emulator.quota import usage_name
from aoai_deploy.emulator.routes.common import canonical
from aoai_deploy.emulator.routes.deployment_body import DEPLOYMENT_SKUS
from aoai_deploy.emulator.seed import VersionSeed
from aoai_deploy.emulator.state import Account, Model

__all__ = ["offered_skus", "render_models", "retired_since"]

#: A fine-tuned model id: ``<base model>-<base version>.ft-<job>`` (the seed's and Azure's).
_FINE_TUNED: Final = re.compile(r"^(?P<base>.+)-(?P<version>\d{4}-\d{2}-\d{2})\.ft-")
_CAPACITY: Final = {"minimum": 1, "maximum": 1000, "step": 1, "default": 1}


def _detail(model: Model, version: str) -> VersionSeed | None:
    return model.details.get(version.lower())


def offered_skus(model: Model, version: str) -> tuple[str, ...]:
    """The deployment SKUs ``version`` of ``model`` is offered in (canonical spelling)."""
    detail = _detail(model, version)
    named = detail.skus if detail is not None and detail.skus is not None else model.skus
    if named is None:
        return DEPLOYMENT_SKUS
    return tuple(canonical(sku, DEPLOYMENT_SKUS) or sku for sku in named)


def _when(text: str) -> float:
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def retired_since(model: Model, version: str, sku: str, now: float) -> str | None:
    """The date ``version`` stopped being served in ``sku`` when that is at or before ``now``
    (epoch seconds), else ``None``."""
    detail = _detail(model, version)
    if detail is None:
        return None
    dates = [detail.inference] if detail.inference else []
    dates += [when for name, when in detail.sku_deprecations.items() if name.lower() == sku.lower()]
    passed = [date for date in dates if _when(date) <= now]
    return min(passed, key=_when) if passed else None


def render_models(account: Account, created: float) -> list[dict[str, Any]]:
    """The account's models list, one ``AccountModel`` per model version."""
    stamp = arm_time(created)
    out: list[dict[str, Any]] = []
    for model in account.models:
        for index, version in enumerate(model.versions):
            detail = _detail(model, version)
            item: dict[str, Any] = {"format": model.format, "name": model.name, "version": version}
            base = _FINE_TUNED.match(model.name)
            if base is not None:
                item["baseModel"] = {
                    "format": model.format,
                    "name": base["base"],
                    "version": base["version"],
                }
            item["isDefaultVersion"] = index == 0
            skus = []
            for sku in offered_skus(model, version):
                entry: dict[str, Any] = {
                    "name": sku,
                    "usageName": usage_name(sku, model.name),
                    "capacity": dict(_CAPACITY),
                }
                retires = _sku_date(detail, sku)
                if retires is not None:
                    entry["deprecationDate"] = retires
                skus.append(entry)
            item["skus"] = skus
            item["maxCapacity"] = _CAPACITY["maximum"]
            item["capabilities"] = dict(model.capabilities) or {"chatCompletion": "true"}
            deprecation = {
                key: value
                for key, value in (
                    ("fineTune", detail.fine_tune if detail else None),
                    ("inference", detail.inference if detail else None),
                )
                if value is not None
            }
            if deprecation:
                item["deprecation"] = deprecation
            item["lifecycleStatus"] = "GenerallyAvailable"
            item["systemData"] = {
                "createdBy": "Microsoft",
                "createdAt": stamp,
                "lastModifiedBy": "Microsoft",
                "lastModifiedAt": stamp,
            }
            out.append(item)
    return out


def _sku_date(detail: VersionSeed | None, sku: str) -> str | None:
    if detail is None:
        return None
    return next(
        (when for name, when in detail.sku_deprecations.items() if name.lower() == sku.lower()),
        None,
    )
