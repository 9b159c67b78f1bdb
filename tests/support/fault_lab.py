"""A provider in process against a fresh emulator, and a model of what Pulumi records.

:class:`Lab` starts an emulator on a :class:`ManualClock` shared with the provider's HTTP
client (every retry, backoff and poll sleeps on it, so nothing waits on the wall clock) and
builds a configured :class:`CrossTenantDeploymentProvider` with static tokens.

:class:`Engine` calls the provider the way the Pulumi engine does and records what the engine
would write to the stack's state after each call:

* a failed ``create`` records nothing;
* a failed ``update`` keeps the old outputs;
* a failed ``delete`` keeps the resource;
* a failed ``read`` (refresh) changes nothing; a read that finds nothing drops the resource;
* a replace that keeps the ARM id deletes first (``delete_before_replace``); one that gets
  a new ARM id creates the new deployment first and deletes the old one last, and an old one
  whose delete failed stays in the state as pending deletion until the next ``up``.

:meth:`Lab.check_state` then compares the emulator with that record: every recorded deployment
exists, and any deployment the stack does not know of carries this stack's owner tag (so the
next run re-adopts it).
"""

from __future__ import annotations

import datetime
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from aoai_deploy.emulator import Emulator, ManualClock
from aoai_deploy.providers import AoaiDeployError
from aoai_deploy.providers.azure.arm import ArmClient
from aoai_deploy.providers.azure.calls import RetryPolicy
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.azure.logs import LOGGER_NAME
from aoai_deploy.providers.azure.tokens import TokenProvider
from aoai_deploy.providers.core.schema import OWNER_TAG
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider, Runtime
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_ACCOUNT, SOURCE_TENANT

__all__ = [
    "FOREIGN_DEPLOYMENT",
    "Engine",
    "Lab",
    "Recorded",
    "StateReport",
    "foreign_write",
]

#: The deployment "someone else" (the portal, another stack) writes to cause a 409.
FOREIGN_DEPLOYMENT = "portal-edit"
_WEEK = 7 * 24 * 3600


@dataclass
class Recorded:
    """One resource as the stack's state holds it."""

    name: str
    """The resource's logical (Pulumi) name."""
    id: str
    """The deployment's ARM id (the resource id)."""
    outputs: dict[str, Any]
    """The outputs the engine recorded; ``update``, ``diff`` and ``delete`` get these."""


@dataclass
class StateReport:
    """What :meth:`Lab.check_state` found."""

    leftovers: list[str] = field(default_factory=list)
    """ARM ids of deployments the stack does not know of, all carrying its owner tag."""


class Engine:
    """Calls the provider as the Pulumi engine does and records what the engine would.

    The engine starts a plugin process per update: each call of :meth:`up`, and each lone
    call of :meth:`create`, :meth:`read`, :meth:`update` or :meth:`delete` (a ``pulumi`` command
    of its own), gets a provider of its own, as a new process would.
    """

    def __init__(self, new_provider: Callable[[], CrossTenantDeploymentProvider]) -> None:
        self._new_provider = new_provider
        self.provider = new_provider()
        self.state: dict[str, Recorded] = {}
        self.pending_deletes: list[Recorded] = []
        #: ARM ids whose DELETE was sent but did not finish: Azure may still remove them.
        self.doomed: set[str] = set()

    def checked(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        result = self.provider.check({}, dict(raw))
        failures = [(f.property, f.reason) for f in result.failures]
        assert failures == [], failures
        return dict(result.inputs)

    def new_update(self) -> None:
        """Start another update: a fresh plugin process, so a fresh provider."""
        self.provider = self._new_provider()

    # -- one provider call each, as an update of its own ----------------------------------

    def create(self, name: str, raw: Mapping[str, Any]) -> Recorded:
        self.new_update()
        return self._create(name, raw)

    def read(self, name: str) -> None:
        self.new_update()
        self._read(name)

    def update(self, name: str, raw: Mapping[str, Any]) -> None:
        self.new_update()
        self._update(name, raw)

    def delete(self, name: str) -> None:
        self.new_update()
        self._delete_named(name)

    # -- the calls within an update -------------------------------------------------------

    def _create(self, name: str, raw: Mapping[str, Any]) -> Recorded:
        result = self.provider.create(self.checked(raw))
        recorded = Recorded(name, result.id, dict(result.outs or {}))
        self.state[name] = recorded
        self.doomed.discard(result.id.lower())
        return recorded

    def _read(self, name: str) -> None:
        recorded = self.state[name]
        result = self.provider.read(recorded.id, recorded.outputs)
        if not result.id:
            del self.state[name]
        else:
            recorded.outputs = dict(result.outs or {})

    def _update(self, name: str, raw: Mapping[str, Any]) -> None:
        recorded = self.state[name]
        result = self.provider.update(recorded.id, recorded.outputs, self.checked(raw))
        recorded.outputs = dict(result.outs or {})

    def _delete_named(self, name: str) -> None:
        self._delete(self.state[name])
        del self.state[name]

    def _delete(self, recorded: Recorded) -> None:
        try:
            self.provider.delete(recorded.id, recorded.outputs)
        except AoaiDeployError:
            self.doomed.add(recorded.id.lower())
            raise
        self.doomed.discard(recorded.id.lower())

    # -- `pulumi up` ----------------------------------------------------------------------

    def up(self, desired: Mapping[str, Mapping[str, Any] | None]) -> None:
        """One ``pulumi up`` of the whole program; stops at the first failure (re-raised)."""
        self.new_update()
        for recorded in list(self.pending_deletes):
            self._delete(recorded)
            self.pending_deletes.remove(recorded)
        for name, raw in desired.items():
            if raw is not None:
                self._reconcile(name, raw)
        for name, raw in desired.items():
            if raw is None and name in self.state:
                self._delete_named(name)

    def reconciled(self, name: str, raw: Mapping[str, Any] | None) -> bool:
        """Whether ``up`` would do nothing for this resource."""
        if any(r.name == name for r in self.pending_deletes):
            return False
        recorded = self.state.get(name)
        if raw is None or recorded is None:
            return raw is None and recorded is None
        diff = self.provider.diff(recorded.id, recorded.outputs, self.checked(raw))
        return not diff.changes

    def _reconcile(self, name: str, raw: Mapping[str, Any]) -> None:
        recorded = self.state.get(name)
        if recorded is None:
            self._create(name, raw)
            return
        news = self.checked(raw)
        diff = self.provider.diff(recorded.id, recorded.outputs, news)
        if not diff.changes:
            return
        if not diff.replaces:
            self._update(name, raw)
        elif diff.delete_before_replace:
            self._delete_named(name)
            self._create(name, raw)
        else:
            self._create(name, raw)  # the new one replaces `recorded` in the state
            self.pending_deletes.append(recorded)
            self._delete(recorded)
            self.pending_deletes.remove(recorded)


def foreign_write(emu: Emulator, seconds: float, account: str = DEST_ACCOUNT) -> int:
    """Someone else's PUT to ``account`` that runs ``seconds`` (emulator clock): writes of ours
    get 409 ``RequestConflict`` meanwhile. Returns its status (201, or 409 if one of ours was
    still running)."""
    settings = emu.settings
    saved = settings.provisioning_seconds
    settings.provisioning_seconds = seconds
    try:
        response = requests.put(
            f"{emu.base_url}{account}/deployments/{FOREIGN_DEPLOYMENT}",
            params={"api-version": "2024-10-01"},
            json={
                "sku": {"name": "Standard", "capacity": 1},
                "properties": {
                    "model": {"format": "OpenAI", "name": "gpt-4o-mini", "version": "2024-07-18"}
                },
            },
            headers={"Authorization": "Bearer " + emu.token(DEST_TENANT)},
            verify=emu.ca_path,
            timeout=10,
        )
    finally:
        settings.provisioning_seconds = saved
    return response.status_code


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


class Lab:
    """A fresh emulator on a manual clock and a configured provider; ``close()`` when done."""

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        principal: str = "deployer",
        jitter_seed: int = 0,
        trust: Iterable[str] = (),
        config: Mapping[str, str] | None = None,
    ) -> None:
        """``trust``: more CA certificates (PEM files) to trust besides the emulator's;
        ``config``: more ``aoai-deploy:*`` configuration (``aoai-deploy:preflight``)."""
        self.clock = ManualClock()
        self.emu = Emulator(clock=self.clock).start()
        self.warnings: list[str] = []
        """The provider's warnings while the lab runs (a preflight's retirement warning)."""
        self._handler = _Collect(self.warnings)
        logging.getLogger(LOGGER_NAME).addHandler(self._handler)
        try:
            ca_bundle = self.emu.ca_path
            extra = [Path(path).read_text() for path in trust]
            if extra:
                combined = Path(self.emu.ca_path).with_name("trusted.pem")
                combined.write_text("".join([Path(ca_bundle).read_text(), *extra]))
                ca_bundle = str(combined)
            self.tokens = {
                tenant: self.emu.token(tenant, principal=principal, expires_in=_WEEK)
                for tenant in (SOURCE_TENANT, DEST_TENANT)
            }
            settings = {
                "aoai-deploy:armEndpoint": self.emu.base_url,
                "aoai-deploy:caBundle": ca_bundle,
                "aoai-deploy:credential": "static",
                "aoai-deploy:staticTokens": json.dumps(self.tokens),
                **(config or {}),
            }
            provider_config = ProviderConfig.from_getter(settings.get)
            tokens = TokenProvider(provider_config)
            # A seeded jitter makes a run repeatable to the request.
            client = ArmClient(
                provider_config,
                tokens,
                clock=self.clock,
                policy=policy,
                rng=random.Random(jitter_seed),  # noqa: S311 - jitter, not cryptography
            )
            # One client (and jitter sequence) for the whole run; a Runtime per update.
            # The preflight's date is the emulator's: retirement dates are set relative to it.
            self.engine = Engine(
                lambda: CrossTenantDeploymentProvider(
                    Runtime(provider_config, tokens, client, today=self.today)
                )
            )
        except BaseException:
            logging.getLogger(LOGGER_NAME).removeHandler(self._handler)
            self.emu.stop()
            raise

    @property
    def provider(self) -> CrossTenantDeploymentProvider:
        """The provider of the engine's current update."""
        return self.engine.provider

    def today(self) -> datetime.datetime:
        """The emulator's clock as a date (UTC)."""
        return datetime.datetime.fromtimestamp(self.clock.now(), datetime.UTC)

    def close(self) -> None:
        logging.getLogger(LOGGER_NAME).removeHandler(self._handler)
        errors = self.emu.internal_errors
        self.emu.stop()
        assert errors == [], "the emulator failed on a request:\n" + "\n".join(errors)

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- other actors ---------------------------------------------------------------------

    def foreign_write(self, seconds: float, account: str = DEST_ACCOUNT) -> int:
        """Someone else's write to ``account``: see :func:`foreign_write`."""
        return foreign_write(self.emu, seconds, account)

    def remake_role_assignments(self, principal: str) -> None:
        """Delete and re-create ``principal``'s OpenAI Contributor assignments on the source
        account and the destination's resource group: as a component run that (re)creates
        them does, so they are young when a role-propagation window is injected."""
        role = "a001fd3d-188f-4b5d-821b-7da978bf7442"
        scopes = (
            (SOURCE_TENANT, SOURCE_ACCOUNT),
            (DEST_TENANT, DEST_ACCOUNT.split("/providers/")[0]),
        )
        for tenant, scope in scopes:
            oid = self.emu.object_id(principal, tenant)
            self.emu.remove_role_assignment(oid, role, scope)
            self.emu.add_role_assignment(oid, role, scope)

    def wait_for_late_requests(self, kind: str = "slow", timeout: float = 10.0) -> None:
        """Wait (wall clock, bounded) until every request a ``slow`` fault held was answered.

        A client that timed out has moved on, but the server still applies the request late.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            held = [e for e in self.emu.request_log if e.fault == kind]
            if held and not self.emu.pending_faults():
                return
            time.sleep(0.02)
        raise AssertionError(f"no late {kind!r} request was answered within {timeout}s")

    # -- the emulator against the record --------------------------------------------------

    def live(self, accounts: Iterable[str] = (DEST_ACCOUNT,)) -> dict[str, dict[str, Any]]:
        """Deployments in ``accounts`` by lower-cased ARM id, without the foreign one."""
        found: dict[str, dict[str, Any]] = {}
        for account in accounts:
            for body in self.emu.deployments(account):
                if body["name"].lower() != FOREIGN_DEPLOYMENT:
                    found[body["id"].lower()] = body
        return found

    def check_state(
        self, owner_prefix: str, accounts: Iterable[str] = (DEST_ACCOUNT,)
    ) -> StateReport:
        """Nothing deleted that should stay; nothing unknown unless it carries our owner tag."""
        live = self.live(accounts)
        engine = self.engine
        recorded = {r.id.lower() for r in (*engine.state.values(), *engine.pending_deletes)}
        missing = sorted(recorded - live.keys() - engine.doomed)
        assert missing == [], f"recorded in the state but gone from Azure: {missing}"
        report = StateReport()
        for arm_id in sorted(live.keys() - recorded):
            owner = (live[arm_id].get("tags") or {}).get(OWNER_TAG, "")
            assert owner.startswith(owner_prefix), (
                f"{arm_id} exists, the stack does not know it, and it does not carry this "
                f"stack's owner tag (tag: {owner or 'none'}): an orphan"
            )
            report.leftovers.append(arm_id)
        assert self.emu.write_overlaps == 0
        return report

    def check_converged(
        self,
        desired: Mapping[str, Mapping[str, Any] | None],
        accounts: Iterable[str] = (DEST_ACCOUNT,),
    ) -> None:
        """Azure holds exactly what the state records, and that is what the program says."""
        engine = self.engine
        assert engine.pending_deletes == []
        wanted = {name for name, raw in desired.items() if raw is not None}
        assert set(engine.state) == wanted
        live = self.live(accounts)
        assert live.keys() == {r.id.lower() for r in engine.state.values()}
        for name, recorded in engine.state.items():
            raw = desired[name]
            assert raw is not None
            body = live[recorded.id.lower()]
            capacity = raw.get("sku_capacity", 1)
            assert body["properties"]["provisioningState"] == "Succeeded", (name, body)
            assert body["sku"]["capacity"] == capacity, (name, body["sku"])
            assert body["properties"]["model"]["name"] == raw["model_name"]
            assert body["tags"][OWNER_TAG] == raw["owner"]
            for key, value in (raw.get("tags") or {}).items():
                assert body["tags"].get(key) == value, (name, key)
            assert recorded.outputs["sku_capacity"] == capacity
            assert recorded.outputs["deployment_name"] == raw["deployment_name"]
