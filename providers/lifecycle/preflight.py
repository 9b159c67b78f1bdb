"""The preflight (``aoai-deploy:preflight``): what Azure would refuse at a write, read before
the first write into a region, once per account and run.

Modes (:data:`~aoai_deploy.providers.azure.config.PREFLIGHT_MODES`):

* ``off`` (default): nothing is read; a preview sends no request at all.
* ``up``: create and update call :meth:`Preflight.before_write` before their first write;
  `pulumi preview` calls neither (the engine never asks a provider that does not support
  previews to create or update in one), so it still sends nothing.
* ``always``: the fronts' check calls :meth:`Preflight.at_check` too. Check is the only call a
  preview makes for a new resource, and a provider cannot tell a preview's check from an
  update's, so this runs in both; in `pulumi up` it runs before the create it precedes.

The reads, each sent once per account (or region) per plugin process, at the deployment's
api-version (every api-version of the supported range serves them: the REST spec defines
``Accounts_ListModels`` and ``Usages_List``, with ``ModelSku.usageName`` and
``deprecationDate``, from 2023-05-01 on):

* ``GET {account}``: its region (``location``);
* ``GET {account}/models`` (``Accounts_ListModels``, paged): models, versions, SKUs, dates;
* ``GET /subscriptions/{s}/providers/Microsoft.CognitiveServices/locations/{l}/usages``
  (``Usages_List``): each quota's limit and current use.

The first two need read access to the account (any role with
``Microsoft.CognitiveServices/accounts/read`` and ``.../accounts/models/read``: Reader,
Cognitive Services OpenAI User or Contributor); the usages read is authorized at the
subscription (``Microsoft.CognitiveServices/locations/usages/read``: Reader, or the built-in
"Cognitive Services Usages Reader", on the subscription). No write permission is needed.

One plugin process serves one update, so what a :class:`Preflight` remembers lasts one run.
The usages are read once; what this run adds after that is kept in a ledger per quota
(admitted by a write that passed, given back when the write fails, freed by a delete), so
that each write is judged against what is free after the writes before it. The plugin's
worker threads share one :class:`Preflight`: the reads of one account happen once, under its
lock, and the judgement and admission of a write happen under one lock.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from aoai_deploy.providers.azure.arm import ArmClient
from aoai_deploy.providers.azure.calls import Call
from aoai_deploy.providers.azure.logs import logger
from aoai_deploy.providers.core.inputs import DeploymentSpec, Failure, has_unknown, spec_from_inputs
from aoai_deploy.providers.core.preflight import (
    Assessment,
    ModelOffer,
    Target,
    Usage,
    assess,
    model_offers,
    usage_name,
    usages,
)
from aoai_deploy.providers.core.schema import DEFAULTS
from aoai_deploy.providers.errors import (
    AoaiDeployError,
    ArmAuthorizationError,
    PreflightError,
    with_hint,
)

if TYPE_CHECKING:
    from aoai_deploy.providers.lifecycle.runtime import Runtime

__all__ = ["Admission", "Preflight", "against"]

_USAGES_HINT: Final = (
    "The preflight (aoai-deploy:preflight) reads the subscription's quota, which needs "
    "Microsoft.CognitiveServices/locations/usages/read on the subscription /subscriptions/{s}: "
    "assign the identity Reader or 'Cognitive Services Usages Reader' "
    "(bba48692-92b0-4667-a9ad-c31c7b334ac2) there, or set aoai-deploy:preflight off."
)
_ACCOUNT_HINT: Final = (
    "The preflight (aoai-deploy:preflight) reads the account {a} and its models list, which "
    "needs read access to it (Reader, or Cognitive Services OpenAI User or Contributor), or "
    "set aoai-deploy:preflight off."
)
_MODEL_FIELDS: Final = ("model_name", "model_format", "model_version")


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class _Account:
    location: str
    offers: list[ModelOffer]


@dataclass
class _Region:
    usages: dict[str, Usage]
    ledger: dict[str, dict[str, int]] = field(default_factory=dict)
    """Lower-cased quota name -> ARM id (``#deleted`` for a delete) -> capacity admitted
    (negative: freed) since the usages were read."""


@dataclass(frozen=True)
class Admission:
    """What a write was admitted with, to give back if it fails."""

    region: tuple[str, str]
    usage: str
    deployment_id: str


class Preflight:
    """The preflight of one plugin process (one run); see the module docstring."""

    def __init__(
        self, mode: str = "off", today: Callable[[], datetime.datetime] = _utc_now
    ) -> None:
        self.mode = mode
        self._today = today
        self._lock = threading.Lock()
        self._read_locks: dict[object, threading.Lock] = {}
        self._accounts: dict[str, _Account] = {}
        self._regions: dict[tuple[str, str], _Region] = {}
        self._said: set[str] = set()

    @property
    def on_write(self) -> bool:
        return self.mode in ("up", "always")

    @property
    def on_check(self) -> bool:
        return self.mode == "always"

    # -- the hooks ------------------------------------------------------------------------

    def before_write(
        self,
        runtime: Runtime,
        operation: str,
        spec: DeploymentSpec,
        tenant: str,
        *,
        held: int,
        sets_model: bool,
    ) -> Admission | None:
        """Judge a write before it is sent; raise :class:`PreflightError` with one line per
        problem. Returns what was admitted (give it back with :meth:`release` if the write
        fails), or ``None``."""
        if not self.on_write:
            return None
        result, admission = self._judge(runtime, operation, spec, tenant, held, sets_model)
        if result.problems:
            raise PreflightError(
                operation, str(spec.deployment_id), [p.text for p in result.problems]
            )
        return admission

    def at_check(
        self, runtime: Runtime, olds: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> list[Failure]:
        """The problems of a resource's checked ``inputs`` (``olds``: its old inputs, empty
        for a new one) as check failures; nothing when the mode is not ``always`` or an
        input is not known yet."""
        if not self.on_check or any(has_unknown(value) for value in inputs.values()):
            return []
        try:
            spec = spec_from_inputs(inputs)
        except AoaiDeployError:
            return []
        held, sets_model = against(spec, olds)
        try:
            tenant = spec.tenant_id or runtime.tokens.home_tenant()
            result, _ = self._judge(runtime, "checking", spec, tenant, held, sets_model)
        except AoaiDeployError as exc:
            return [Failure("account_id", f"preflight: {exc}")]
        return [Failure(p.field, f"preflight: {p.text}") for p in result.problems]

    def release(self, admission: Admission | None) -> None:
        """Give back what a write that failed was admitted with."""
        if admission is None:
            return
        with self._lock:
            region = self._regions.get(admission.region)
            if region is not None:
                region.ledger.get(admission.usage, {}).pop(admission.deployment_id.lower(), None)

    def deleted(self, deployment_id: str, props: Mapping[str, Any]) -> None:
        """Note that a delete of this run freed a deployment's capacity, when its region's
        quota was read before (a later read sees it anyway)."""
        if not self.on_write:
            return
        account = deployment_id.lower().rsplit("/deployments/", 1)[0]
        capacity = props.get("sku_capacity")
        model, sku = props.get("model_name"), props.get("sku_name")
        if not isinstance(capacity, int | float) or not isinstance(model, str):
            return
        with self._lock:
            facts = self._accounts.get(account)
            subscription = account.split("/")[2] if account.count("/") > 2 else ""
            region = self._regions.get((subscription, facts.location)) if facts else None
            if facts is None or region is None or not isinstance(sku, str):
                return
            quota = _quota_name(facts.offers, props, sku, model).lower()
            region.ledger.setdefault(quota, {})[deployment_id.lower() + "#deleted"] = -int(capacity)

    # -- judging --------------------------------------------------------------------------

    def _judge(
        self,
        runtime: Runtime,
        operation: str,
        spec: DeploymentSpec,
        tenant: str,
        held: int,
        sets_model: bool,
    ) -> tuple[Assessment, Admission | None]:
        client = runtime.client
        deployment_id = str(spec.deployment_id)
        call = Call(
            operation,
            deployment_id,
            tenant,
            client.clock.now() + spec.operation_timeout_seconds,
        )
        account = self._account(client, call, spec)
        subscription = spec.account.subscription_id.lower()
        region_key = (subscription, account.location)
        region = self._region(client, call, region_key, spec.api_version)
        source = spec.source_account
        target = Target(
            deployment_id=deployment_id,
            account=spec.account.name,
            subscription_id=spec.account.subscription_id,
            location=account.location,
            model_format=spec.model_format,
            model_name=spec.model_name,
            model_version=spec.model_version,
            sku_name=spec.sku_name,
            capacity=spec.sku_capacity,
            held=held,
            sets_model=sets_model,
            copy=source is not None and source != spec.account,
        )
        admission = None
        with self._lock:
            result = assess(target, account.offers, region.usages, region.ledger, self._today())
            if not result.problems and result.usage is not None:
                entries = region.ledger.setdefault(result.usage.lower(), {})
                entries[deployment_id.lower()] = result.adds
                admission = Admission(region_key, result.usage.lower(), deployment_id)
        self._say(deployment_id, result)
        return result, admission

    def _say(self, deployment_id: str, result: Assessment) -> None:
        for line in result.warnings:
            if self._first(f"{deployment_id} {line}"):
                logger.warning("%s: preflight: %s", deployment_id, line)
        for line in result.notes:
            if self._first(f"{deployment_id} {line}"):
                logger.info("%s: preflight: %s", deployment_id, line)

    def _first(self, line: str) -> bool:
        with self._lock:
            if line in self._said:
                return False
            self._said.add(line)
            return True

    # -- reading, once ----------------------------------------------------------------------

    def _read_lock(self, key: object) -> threading.Lock:
        with self._lock:
            return self._read_locks.setdefault(key, threading.Lock())

    def _account(self, client: ArmClient, call: Call, spec: DeploymentSpec) -> _Account:
        key = str(spec.account).lower()
        with self._read_lock(key):
            with self._lock:
                found = self._accounts.get(key)
            if found is not None:
                return found
            path = str(spec.account)
            try:
                live = client.get(call, path, spec.api_version)
                if live is None:
                    raise PreflightError(
                        call.operation,
                        call.resource_id,
                        [f"the account {path} was not found: check account_id"],
                    )
                offers = model_offers(client.list_pages(call, f"{path}/models", spec.api_version))
            except ArmAuthorizationError as exc:
                raise with_hint(exc, _ACCOUNT_HINT.format(a=path)) from None
            location = str((live.body or {}).get("location") or "").replace(" ", "").lower()
            found = _Account(location, offers)
            with self._lock:
                self._accounts[key] = found
            return found

    def _region(
        self, client: ArmClient, call: Call, key: tuple[str, str], api_version: str
    ) -> _Region:
        with self._read_lock(key):
            with self._lock:
                found = self._regions.get(key)
            if found is not None:
                return found
            subscription, location = key
            path = (
                f"/subscriptions/{subscription}/providers/Microsoft.CognitiveServices/"
                f"locations/{location}/usages"
            )
            try:
                listed = usages(client.list_pages(call, path, api_version))
            except ArmAuthorizationError as exc:
                raise with_hint(exc, _USAGES_HINT.format(s=subscription)) from None
            found = _Region(listed)
            with self._lock:
                self._regions[key] = found
            return found


def against(spec: DeploymentSpec, olds: Mapping[str, Any]) -> tuple[int, bool]:
    """``(held, sets_model)``: the capacity the deployment already holds against the quota
    the write counts against, and whether the write sets its model, from its old inputs or
    outputs (empty: a new deployment)."""
    if not olds:
        return 0, True
    olds = {**DEFAULTS, **{key: value for key, value in olds.items() if value is not None}}
    # A version left unset on either side is Azure's choice: not a change by itself.
    same_model = all(
        str(olds.get(name) or "").lower() == str(getattr(spec, name) or "").lower()
        for name in _MODEL_FIELDS
        if name != "model_version" or (spec.model_version and olds.get(name))
    )
    same_usage = (
        str(olds.get("sku_name") or "").lower() == spec.sku_name.lower()
        and str(olds.get("model_name") or "").lower() == spec.model_name.lower()
    )
    capacity = olds.get("sku_capacity")
    held = int(capacity) if same_usage and isinstance(capacity, int | float) else 0
    return held, not same_model


def _quota_name(offers: list[ModelOffer], props: Mapping[str, Any], sku: str, model: str) -> str:
    model_out = props.get("model")
    version = props.get("model_version") or (
        model_out.get("version") if isinstance(model_out, Mapping) else None
    )
    for offer in offers:
        if offer.name.lower() == model.lower() and (
            version is None or offer.version.lower() == str(version).lower()
        ):
            found = offer.sku(sku)
            if found is not None and found.usage_name:
                return found.usage_name
    return usage_name(sku, model)
