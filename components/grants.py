"""One role assignment per (principal, role, scope) in a program, however many components ask.

Azure holds one assignment of a role to a principal at a scope and refuses a second one, under
any name, with 409 ``RoleAssignmentExists`` (FACTS.md). Components that copy from one source
account with one identity (two regions, two customer tenants) need the same source grant;
components that deploy into one account need the same destination grant. A program keeps its
grants in a :class:`RoleGrants`: the first component that asks for a grant registers it, and
every later one gets that resource back and makes its deployments depend on it.

**Who owns a shared grant: the program, not a component.** It is registered without a parent
(so under the stack) and named from what it grants, ``openai-contributor-<GUID>``, the GUID
being the assignment's name in Azure as well (:func:`role_assignment_name`). Its URN is then
the same whichever component registers it. Take a component out of the program (how a stack
destroys that component's deployments) and the next component registers the same URN: the
engine keeps the assignment that the others still need, and deletes it only once no component
asks for it. As a child of the first component, its URN would follow that component: removing
it would have the engine create the grant under the next one (refused: Azure already holds it)
and delete the one assignment Azure holds. Not a child, it is not reached either by a
``pulumi destroy --target`` of one component. It takes the provider its side needs (the source
provider, or the one the component inherits), the component's ``depends_on`` and ``protect``,
and an alias to ``<component>-<side>-role``, the name earlier releases gave it as the
component's child, so that existing stacks keep their assignments.

A grant can be shared only when its scope and principal are plain strings when the component
is built: neither a resource name nor a lookup can wait for an Output. The grant on an account
the component creates (its id is known only once Azure made it, and no one else can have asked
for it) and a grant whose principal is an Output stay the component's own child,
``<component>-<side>-role``.

**How a later component finds an earlier grant:** :func:`program_role_grants` returns the
registry of the running program, one per root stack resource. Every program run gets a new
root (each ``pulumi up``, each Automation API run, each test under mocks), and the registry is
held weakly by it, so it goes with the run. A module-level dict keyed by (project, stack) would
let two runs of one stack in one process (the Automation API, tests) take each other's grants
as made; an object the user must pass around would make sharing depend on the user noticing
that two components need one grant, which is exactly the mistake Azure's 409 punishes. Another
front (a provider's ``construct``, which runs without a root stack resource) holds a
``RoleGrants`` of its own for as long as its program runs and passes it in.

Grants that other stacks make are out of any program's sight: declare that side as managed
elsewhere (``RoleAssignmentArgs.source_managed_elsewhere``; the README says which stack should
own a source grant shared by many destination stacks).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import pulumi

from aoai_deploy.components.args import FineTunedModelDeploymentArgs
from aoai_deploy.components.errors import Problem
from aoai_deploy.components.extra import require_azure_native
from aoai_deploy.components.roles import role_assignment_name, role_definition_id
from aoai_deploy.providers.core.ids import ArmIdError

if TYPE_CHECKING:
    # Imported where a grant is made: pulumi_azure_native is slow to import (fine_tuned.py).
    from pulumi_azure_native import authorization

__all__ = [
    "ROLE_ASSIGNMENT_TYPE",
    "Grant",
    "RoleGrants",
    "grants_needed",
    "openai_contributor_assignment",
    "program_role_grants",
    "shared_grant_name",
]

ROLE_ASSIGNMENT_TYPE: Final = "azure-native:authorization:RoleAssignment"

Side = Literal["source", "destination"]


@dataclass(frozen=True, kw_only=True)
class Grant:
    """Cognitive Services OpenAI Contributor for a principal on an account, as a component
    needs it."""

    side: Side
    """Which of the copy's accounts ``scope`` is."""
    scope: pulumi.Input[str]
    """ARM id of the account."""
    principal_id: pulumi.Input[str]
    """Object id of the principal in the account's tenant."""
    principal_type: pulumi.Input[str]
    """``ServicePrincipal``, ``User`` or ``Group``."""
    provider: pulumi.ProviderResource | None = None
    """The ``azure-native`` provider to make it through; the one the component inherits if
    None."""

    @property
    def key(self) -> str | None:
        """What identifies the grant in Azure (its assignment's name) when it can be shared:
        scope and principal known now; else None."""
        if not (isinstance(self.scope, str) and isinstance(self.principal_id, str)):
            return None
        try:
            return role_assignment_name(self.scope, self.principal_id)
        except ArmIdError:  # the component's validation has reported it
            return None

    def own_name(self, component: str) -> str:
        """Its name as the component's own child (and the name earlier releases gave it)."""
        return f"{component}-{self.side}-role"


def grants_needed(args: FineTunedModelDeploymentArgs, account_id: pulumi.Input[str]) -> list[Grant]:
    """The grants a component with ``args`` makes or shares, for a destination ``account_id``:
    none without ``role_assignments``, none on a side managed elsewhere, none on the source
    without a source account."""
    roles = args.role_assignments
    if roles is None:
        return []
    grants = []
    source, principal = args.source_account_id, roles.source_principal_id
    if not roles.source_managed_elsewhere and source is not None and principal is not None:
        grants.append(
            Grant(
                side="source",
                scope=source,
                principal_id=principal,
                principal_type=roles.principal_type,
                provider=roles.source_provider,
            )
        )
    principal = roles.destination_principal_id
    if not roles.destination_managed_elsewhere and principal is not None:
        grants.append(
            Grant(
                side="destination",
                scope=account_id,
                principal_id=principal,
                principal_type=roles.principal_type,
            )
        )
    return grants


def shared_grant_name(key: str) -> str:
    """The resource name of a shared grant: the same whichever component registers it."""
    return f"openai-contributor-{key}"


@dataclass(frozen=True)
class _Made:
    resource: authorization.RoleAssignment
    grant: Grant
    component: str


class RoleGrants:
    """The shared grants of one program: one resource per (principal, role, scope)."""

    def __init__(self) -> None:
        self._made: dict[str, _Made] = {}

    def problems(self, component: str, grants: Sequence[Grant]) -> list[Problem]:
        """What ``component``'s grants contradict in those made before it (or in each other):
        one principal given as two types."""
        seen = {key: (made.grant, made.component) for key, made in self._made.items()}
        problems: list[Problem] = []
        for grant in grants:
            key = grant.key
            if key is None:
                continue
            earlier, by = seen.setdefault(key, (grant, component))
            ours, theirs = grant.principal_type, earlier.principal_type
            if isinstance(ours, str) and isinstance(theirs, str) and ours.lower() != theirs.lower():
                problems.append(
                    Problem(
                        "role_assignments.principal_type",
                        f"{ours!r}, but component {by!r} grants principal {grant.principal_id} "
                        f"the same role on {grant.scope} as a {theirs!r}: one principal has "
                        "one type",
                    )
                )
        return problems

    def grant(
        self,
        component: pulumi.Resource,
        component_name: str,
        grant: Grant,
        *,
        depends_on: pulumi.Input[Sequence[pulumi.Input[pulumi.Resource]] | pulumi.Resource]
        | None = None,
        protect: bool | None = None,
    ) -> authorization.RoleAssignment:
        """The assignment for ``grant``: the one this program already has, a new shared one
        under the stack, or (when it cannot be shared) a new child of ``component``."""
        key = grant.key
        if key is None:
            return openai_contributor_assignment(
                grant.own_name(component_name),
                grant,
                pulumi.ResourceOptions(
                    parent=component, provider=grant.provider, depends_on=depends_on
                ),
            )
        made = self._made.get(key)
        if made is not None:
            return made.resource
        provider = grant.provider or component.get_provider(ROLE_ASSIGNMENT_TYPE)
        resource = openai_contributor_assignment(
            shared_grant_name(key),
            grant,
            pulumi.ResourceOptions(
                provider=provider,
                depends_on=depends_on,
                protect=protect,
                aliases=[pulumi.Alias(name=grant.own_name(component_name), parent=component)],
            ),
        )
        self._made[key] = _Made(resource, grant, component_name)
        return resource


# Keyed by the running program's root stack resource, held weakly: see the module docstring.
_PROGRAMS: Final[weakref.WeakKeyDictionary[pulumi.Resource, RoleGrants]] = (
    weakref.WeakKeyDictionary()
)


def program_role_grants() -> RoleGrants:
    """The shared grants of the running program; a registry of its own for a caller outside
    any program's stack (nothing to share with there)."""
    root = pulumi.runtime.get_root_resource()
    if root is None:
        return RoleGrants()
    grants = _PROGRAMS.get(root)
    if grants is None:
        grants = _PROGRAMS[root] = RoleGrants()
    return grants


def openai_contributor_assignment(
    resource_name: str, grant: Grant, opts: pulumi.ResourceOptions | None = None
) -> authorization.RoleAssignment:
    """An ``azure-native`` role assignment of Cognitive Services OpenAI Contributor, named in
    Azure by :func:`role_assignment_name` (so every stack names one grant alike).

    A stack that owns a grant other stacks rely on (a source account's, say) can make it with
    this and ``Grant(side="source", ...)``."""
    require_azure_native(f"openai_contributor_assignment {resource_name!r}")
    from pulumi_azure_native import authorization  # slow: see TYPE_CHECKING above

    return authorization.RoleAssignment(
        resource_name,
        scope=grant.scope,
        principal_id=grant.principal_id,
        principal_type=grant.principal_type,
        role_definition_id=_derive(role_definition_id, grant.scope),
        role_assignment_name=_derive(role_assignment_name, grant.scope, grant.principal_id),
        description="Lets the deploying principal copy and deploy models (aoai-deploy).",
        opts=opts,
    )


def _derive(function: Callable[..., str], *values: pulumi.Input[str]) -> pulumi.Input[str]:
    """``function(*values)``: computed now from plain strings, or once Outputs are known."""
    if all(isinstance(value, str) for value in values):
        return function(*values)
    return pulumi.Output.all(*values).apply(lambda known: function(*known))
