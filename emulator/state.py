"""The emulated world: accounts, models, deployments, operations and role assignments.

One :class:`World` holds all mutable state behind one re-entrant lock (``world.lock``); every
method here expects its caller to hold it. Long-running operations are not driven by a
background thread: each operation records when it ends on the emulator's clock, and
:meth:`World.settle` applies every operation whose end has passed whenever state is observed.
A test that shares a ``ManualClock`` with the client therefore never waits on the wall clock.
"""

from __future__ import annotations

import copy
import functools
import itertools
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aoai_deploy.emulator.apiversions import ApiVersion
from aoai_deploy.emulator.armerrors import arm_time
from aoai_deploy.emulator.quota import QuotaBook
from aoai_deploy.emulator.seed import ModelSeed, Seed, VersionSeed, role_guid

__all__ = [
    "ACCOUNT_TYPE",
    "DEPLOYMENT_TYPE",
    "Account",
    "Deployment",
    "Model",
    "Operation",
    "RoleAssignment",
    "World",
    "account_arm_id",
    "parse_account_id",
]

ACCOUNT_TYPE = "Microsoft.CognitiveServices/accounts"
DEPLOYMENT_TYPE = "Microsoft.CognitiveServices/accounts/deployments"

_ACCOUNT_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.CognitiveServices/accounts/(?P<name>[^/]+)/?$",
    re.IGNORECASE,
)


def account_arm_id(subscription: str, group: str, name: str) -> str:
    """The ARM id of an account."""
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{ACCOUNT_TYPE}/{name}"


def parse_account_id(text: str) -> tuple[str, str, str] | None:
    """``(subscription, resource group, name)`` of an account id, or ``None`` if it is not one."""
    match = _ACCOUNT_ID.match(text)
    if match is None:
        return None
    return match["sub"], match["rg"], match["name"]


@functools.lru_cache(maxsize=512)
def _action_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", ".*"), re.IGNORECASE)


def _grants(actions: tuple[str, ...], not_actions: tuple[str, ...], action: str) -> bool:
    allowed = any(_action_pattern(a).fullmatch(action) for a in actions)
    return allowed and not any(_action_pattern(n).fullmatch(action) for n in not_actions)


def scope_covers(scope: str, target: str) -> bool:
    """Whether a role assignment at ``scope`` applies to ``target`` (same or a parent scope)."""
    parent = scope.rstrip("/").lower()
    child = target.rstrip("/").lower()
    return parent == "" or child == parent or child.startswith(parent + "/")


@dataclass
class Model:
    """A model an account holds (what its models list names, see :mod:`.catalog`)."""

    name: str
    versions: list[str]
    format: str = "OpenAI"
    capabilities: dict[str, str] = field(default_factory=dict)
    skus: tuple[str, ...] | None = None
    """The deployment SKUs its versions are offered in; ``None``: every deployment SKU."""
    details: dict[str, VersionSeed] = field(default_factory=dict)
    """What is known of single versions, by lower-cased version."""

    @classmethod
    def from_seed(cls, seed: ModelSeed) -> Model:
        return cls(
            seed.name,
            list(seed.versions),
            seed.format,
            dict(seed.capabilities),
            seed.skus,
            {detail.version.lower(): detail for detail in seed.details},
        )


@dataclass
class Account:
    """A Cognitive Services account."""

    subscription_id: str
    resource_group: str
    name: str
    location: str
    kind: str
    sku: str
    tenant_id: str
    models: list[Model]
    created: float
    etag: str = field(default_factory=lambda: f'"{uuid.uuid4()}"')

    @property
    def id(self) -> str:
        return account_arm_id(self.subscription_id, self.resource_group, self.name)

    @property
    def key(self) -> str:
        return self.id.lower()


@dataclass
class Deployment:
    """A stored deployment: its ARM body (without the etag) and bookkeeping."""

    account_key: str
    name: str
    body: dict[str, Any]
    etag: str
    seq: int
    op_id: str | None = None
    """The operation that last wrote it; only that one may finish it."""


@dataclass
class Operation:
    """A long-running write; it ends at ``ends`` on the emulator's clock."""

    id: str
    account_key: str
    account_id: str
    subscription_id: str
    location: str
    deployment_name: str
    kind: Literal["create", "update", "delete"]
    api_version: str
    started: float
    ends: float
    started_wall: float
    ends_wall: float
    error: dict[str, str] | None = None
    """``{code, message}`` when it is to end ``Failed``."""
    fail_status: int = 400
    """What its ``Location`` URL answers once it has failed."""
    outcome: str = "Failed"
    """How it ends when ``error`` is set: ``Failed``, ``Canceled`` or ``Disabled`` (the
    deployment's state; the operation itself then reports ``Failed``)."""
    applied: bool = False
    handed_as: str = "status"
    """``status`` (handed out as ``Azure-AsyncOperation``) or ``result`` (as ``Location``)."""

    def status(self, running_status: str) -> str:
        if not self.applied:
            return running_status
        if self.error is None:
            return "Succeeded"
        return "Canceled" if self.outcome == "Canceled" else "Failed"


@dataclass
class RoleAssignment:
    """A role assignment; it is in force from ``effective_at`` on the emulator's clock."""

    id: str
    principal_id: str
    role_definition_id: str
    scope: str
    created_at: float
    effective_at: float


class World:
    """All mutable state; see the module docstring for the locking and timing rules."""

    def __init__(self, seed: Seed, clock: Callable[[], float], wall: Callable[[], float]) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.wall = wall
        self.seed = seed
        self.roles = {role.id: role for role in seed.role_definitions}
        self.tenants = {sub.id: sub.tenant_id for sub in seed.subscriptions}
        self.resource_groups = {
            (sub.id, group.lower()): group
            for sub in seed.subscriptions
            for group in sub.resource_groups
        }
        created = wall()
        self.accounts: dict[str, Account] = {}
        for spec in seed.accounts:
            account = Account(
                subscription_id=spec.subscription_id,
                resource_group=self.resource_groups[
                    (spec.subscription_id, spec.resource_group.lower())
                ],
                name=spec.name,
                location=spec.location,
                kind=spec.kind,
                sku=spec.sku,
                tenant_id=self.tenants[spec.subscription_id],
                models=[Model.from_seed(m) for m in spec.models],
                created=created,
            )
            self.accounts[account.key] = account
        self.assignments: list[RoleAssignment] = [
            RoleAssignment(
                id=str(uuid.uuid4()),
                principal_id=a.principal_id,
                role_definition_id=a.role_definition_id,
                scope=a.scope,
                created_at=float("-inf"),
                effective_at=float("-inf"),
            )
            for a in seed.role_assignments
        ]
        self.quotas = QuotaBook(seed.quotas)
        self.deployments: dict[str, dict[str, Deployment]] = {key: {} for key in self.accounts}
        self.operations: dict[str, Operation] = {}
        self._pending: list[Operation] = []
        self._seq = itertools.count()
        self.write_overlaps = 0
        self.conflicts = 0

    # -- lookups ---------------------------------------------------------------------------

    def subscription_tenant(self, subscription: str) -> str | None:
        return self.tenants.get(subscription.lower())

    def has_resource_group(self, subscription: str, group: str) -> bool:
        return (subscription.lower(), group.lower()) in self.resource_groups

    def account(self, subscription: str, group: str, name: str) -> Account | None:
        return self.accounts.get(account_arm_id(subscription, group, name).lower())

    def account_by_ref(self, ref: str) -> Account:
        """An account by ARM id or by its name alone; :class:`KeyError` if there is none."""
        parts = parse_account_id(ref)
        if parts is not None:
            found = self.account(*parts)
        else:
            matches = [a for a in self.accounts.values() if a.name.lower() == ref.lower()]
            if len(matches) > 1:
                raise KeyError(f"account name {ref!r} is ambiguous; pass its ARM id")
            found = matches[0] if matches else None
        if found is None:
            raise KeyError(f"no account {ref!r} in the emulator")
        return found

    @staticmethod
    def find_model(
        account: Account, fmt: str, name: str, version: str | None
    ) -> tuple[Model, str] | None:
        """The model and resolved version (the default when ``version`` is None), if held."""
        for model in account.models:
            if model.name.lower() != name.lower() or model.format.lower() != fmt.lower():
                continue
            if version is None:
                return model, model.versions[0]
            for known in model.versions:
                if known.lower() == version.lower():
                    return model, known
        return None

    # -- authorization ---------------------------------------------------------------------

    def permitted(
        self, principal_id: str | None, action: str, scope: str, hidden_window: float = 0.0
    ) -> bool:
        """Whether ``principal_id`` holds a role granting ``action`` at ``scope`` or above it.

        Assignments not yet in force (propagation) and, when ``hidden_window`` is set,
        assignments younger than that many seconds, do not count.
        """
        if not principal_id:
            return False
        now = self.clock()
        for assignment in self.assignments:
            if assignment.principal_id != principal_id.lower():
                continue
            if now < assignment.effective_at or assignment.created_at > now - hidden_window:
                continue
            role = self.roles.get(assignment.role_definition_id)
            if role is None or not scope_covers(assignment.scope, scope):
                continue
            if _grants(role.actions, role.not_actions, action):
                return True
        return False

    def holds_any_role(self, principal_id: str | None, scope: str) -> bool:
        """Whether ``principal_id`` holds any role in force at ``scope``, above or below it."""
        if not principal_id:
            return False
        now = self.clock()
        return any(
            assignment.principal_id == principal_id.lower()
            and now >= assignment.effective_at
            and (scope_covers(assignment.scope, scope) or scope_covers(scope, assignment.scope))
            for assignment in self.assignments
        )

    def add_assignment(
        self, principal_id: str, role_definition_id: str, scope: str, propagation: float
    ) -> str:
        role = role_guid(role_definition_id)
        if role not in self.roles:
            raise KeyError(f"no role definition {role} in the seed")
        now = self.clock()
        assignment = RoleAssignment(
            id=str(uuid.uuid4()),
            principal_id=principal_id.lower(),
            role_definition_id=role,
            scope=scope,
            created_at=now,
            effective_at=now + propagation,
        )
        self.assignments.append(assignment)
        return assignment.id

    def remove_assignment(self, principal_id: str, role_definition_id: str, scope: str) -> bool:
        role = role_guid(role_definition_id)
        before = len(self.assignments)
        self.assignments = [
            a
            for a in self.assignments
            if not (
                a.principal_id == principal_id.lower()
                and a.role_definition_id == role
                and a.scope.rstrip("/").lower() == scope.rstrip("/").lower()
            )
        ]
        return len(self.assignments) != before

    # -- operations ------------------------------------------------------------------------

    def settle(self) -> None:
        """Apply every operation whose end has passed, in the order they end."""
        now = self.clock()
        due = sorted((op for op in self._pending if op.ends <= now), key=lambda op: op.ends)
        for op in due:
            self._apply(op)
            self._pending.remove(op)

    def _apply(self, op: Operation) -> None:
        op.applied = True
        deployment = self.deployments.get(op.account_key, {}).get(op.deployment_name.lower())
        if deployment is None or deployment.op_id != op.id:
            return
        if op.kind == "delete" and op.error is None:
            del self.deployments[op.account_key][op.deployment_name.lower()]
            return
        state = op.outcome if op.error else "Succeeded"
        deployment.body["properties"]["provisioningState"] = state

    def running_operation(self, account_key: str) -> Operation | None:
        """The write still running on an account, if any (after settling)."""
        self.settle()
        for op in self._pending:
            if op.account_key == account_key:
                return op
        return None

    def start_operation(
        self,
        account: Account,
        deployment_name: str,
        kind: Literal["create", "update", "delete"],
        api_version: str,
        seconds: float,
        error: dict[str, str] | None = None,
        fail_status: int = 400,
        outcome: str = "Failed",
    ) -> Operation:
        """Record a new write on ``account``; counts an overlap if another write still runs."""
        if self.running_operation(account.key) is not None:
            # Unreachable while the 409 check precedes every write; tests assert it stays 0.
            self.write_overlaps += 1
        now, wall = self.clock(), self.wall()
        op = Operation(
            id=str(uuid.uuid4()),
            account_key=account.key,
            account_id=account.id,
            subscription_id=account.subscription_id,
            location=account.location,
            deployment_name=deployment_name,
            kind=kind,
            api_version=api_version,
            started=now,
            ends=now + seconds,
            started_wall=wall,
            ends_wall=wall + seconds,
            error=error,
            fail_status=fail_status,
            outcome=outcome,
        )
        self.operations[op.id] = op
        self._pending.append(op)
        return op

    # -- deployments -----------------------------------------------------------------------

    def deployment(self, account_key: str, name: str) -> Deployment | None:
        self.settle()
        return self.deployments.get(account_key, {}).get(name.lower())

    def list_deployments(self, account_key: str) -> list[Deployment]:
        self.settle()
        return sorted(self.deployments.get(account_key, {}).values(), key=lambda d: d.seq)

    def store(
        self, account: Account, name: str, body: dict[str, Any], op_id: str | None = None
    ) -> Deployment:
        """Create or replace a deployment's body, with a fresh etag; keeps the first name casing."""
        table = self.deployments.setdefault(account.key, {})
        existing = table.get(name.lower())
        seq = existing.seq if existing else next(self._seq)
        stored = Deployment(
            account.key, existing.name if existing else name, body, f'"{uuid.uuid4()}"', seq, op_id
        )
        table[name.lower()] = stored
        return stored

    def remove(self, account_key: str, name: str) -> bool:
        return self.deployments.get(account_key, {}).pop(name.lower(), None) is not None

    # -- rendering -------------------------------------------------------------------------

    @staticmethod
    def render(
        deployment: Deployment, etag_key: str | None, version: ApiVersion | None = None
    ) -> dict[str, Any]:
        """The ARM body sent to clients (a copy), as ``version`` serializes it (all if None)."""
        body = version.shown(deployment.body) if version else copy.deepcopy(deployment.body)
        out: dict[str, Any] = {}
        for key in ("id", "type", "name", "sku", "tags"):
            if key in body:
                out[key] = body[key]
        if etag_key is not None:
            out[etag_key] = deployment.etag
        out["systemData"] = body["systemData"]
        out["properties"] = body["properties"]
        return out


def rate_limits(capacity: int) -> list[dict[str, Any]]:
    """What Azure reports for a Standard deployment of ``capacity`` (thousands of tokens/min)."""
    return [
        {"key": "request", "renewalPeriod": 10, "count": capacity},
        {"key": "token", "renewalPeriod": 60, "count": capacity * 1000},
    ]


def system_data(
    client: str, client_type: str, wall: float, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """ARM ``systemData``: creation kept from ``previous``, last modification now."""
    stamp = arm_time(wall)
    created = previous or {
        "createdBy": client,
        "createdByType": client_type,
        "createdAt": stamp,
    }
    return {
        "createdBy": created["createdBy"],
        "createdByType": created["createdByType"],
        "createdAt": created["createdAt"],
        "lastModifiedBy": client,
        "lastModifiedByType": client_type,
        "lastModifiedAt": stamp,
    }
