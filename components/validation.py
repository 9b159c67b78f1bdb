"""Checks of a component's arguments that need no network, run before anything registers.

Each deployment's inputs are built exactly as the component passes them to its
``CrossTenantDeployment`` and handed to the provider's own ``check_inputs``: the rules on
deployment names, models, SKUs, capacity, timeouts, tags, tenant ids and account ids live there,
once. Each failure is reported under the component's argument that carries the value
(``deployments[1].sku_capacity``, ``destination_tenant_id``). This module adds only the rules
the component alone has: its list of deployments, the destination account it uses or creates,
the role assignments it makes and the subdomain of an existing account.

Only plain values are judged: an Output is not known yet (and may never be in a preview), so it
reaches ``check_inputs`` as unknown, which passes, and is left to the provider's ``check`` and
to Azure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Final

import pulumi
from pulumi.output import Unknown

from aoai_deploy.components.args import (
    DestinationAccountArgs,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)
from aoai_deploy.components.deployment_args import SHARED_INPUTS, deployment_args
from aoai_deploy.components.errors import Problem
from aoai_deploy.providers.core.ids import is_guid, validate_account_name, validate_resource_group
from aoai_deploy.providers.core.inputs import Failure, check_inputs
from aoai_deploy.providers.core.schema import OWNER_INPUT

__all__ = ["find_problems"]

ACCOUNT_KINDS: Final = ("OpenAI", "AIServices")
PUBLIC_NETWORK_ACCESS: Final = ("Enabled", "Disabled")
PRINCIPAL_TYPES: Final = ("ServicePrincipal", "User", "Group")

_SUBDOMAIN: Final = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?")

#: What ``check_inputs`` lets pass unjudged: a value not known yet (it keeps no state).
_UNKNOWN: Final[Any] = Unknown()  # type: ignore[no-untyped-call]

#: Problems are listed in the order of the arguments' fields.
_ORDER: Final = {f.name: rank for rank, f in enumerate(fields(FineTunedModelDeploymentArgs))}


def find_problems(args: FineTunedModelDeploymentArgs) -> list[Problem]:
    """Every problem with ``args`` that is knowable without the network, in field order."""
    problems = _deployments(args)
    problems += _account(args)
    if args.role_assignments is not None:
        problems += _role_assignments(args, args.role_assignments)
    return sorted(problems, key=lambda problem: _ORDER.get(_top_level(problem.field), len(_ORDER)))


def _deployments(args: FineTunedModelDeploymentArgs) -> list[Problem]:
    """The deployments' own problems, one deployment after the other, then those of the inputs
    they share (once, however many deployments carry them)."""
    deployments: Any = args.deployments
    problems: list[Problem] = []
    shared: dict[Problem, None] = {}
    if isinstance(deployments, (str, bytes)) or not hasattr(deployments, "__len__"):
        problems.append(Problem("deployments", "must be a list of ModelDeploymentArgs"))
        deployments = []
    elif len(deployments) == 0:
        problems.append(Problem("deployments", "at least one deployment is needed"))
    seen: dict[str, int] = {}
    checked = False
    for index, deployment in enumerate(deployments):
        where = f"deployments[{index}]"
        if not isinstance(deployment, ModelDeploymentArgs):
            problems.append(Problem(where, "must be a ModelDeploymentArgs"))
            continue
        problems += _deployment_name(where, index, deployment.deployment_name, seen)
        for failure in _provider_failures(args, deployment):
            if failure.field in SHARED_INPUTS:
                shared[Problem(SHARED_INPUTS[failure.field], _reason(failure))] = None
            else:
                problems.append(Problem(f"{where}.{failure.field}", _reason(failure)))
        checked = True
    if not checked:
        # No deployment carries the shared inputs to the check: check them on their own, with
        # a valid stand-in for a deployment's own inputs.
        stand_in = ModelDeploymentArgs(deployment_name="deployment", model_name="model")
        for failure in _provider_failures(args, stand_in):
            if failure.field in SHARED_INPUTS:
                shared[Problem(SHARED_INPUTS[failure.field], _reason(failure))] = None
    return problems + list(shared)


def _deployment_name(where: str, index: int, name: Any, seen: dict[str, int]) -> list[Problem]:
    """What the component asks of a deployment name beyond the provider's rules: it must be
    known now, and unique ignoring case."""
    if not isinstance(name, str):
        return [
            Problem(
                f"{where}.deployment_name",
                "must be a plain string: it names the child resource and keys the outputs",
            )
        ]
    first = seen.setdefault(name.lower(), index) if name else index
    if first == index:
        return []
    return [
        Problem(
            f"{where}.deployment_name",
            f"{name!r} is the name of deployments[{first}] again "
            "(Azure compares deployment names ignoring case)",
        )
    ]


def _provider_failures(
    args: FineTunedModelDeploymentArgs, deployment: ModelDeploymentArgs
) -> list[Failure]:
    """The provider's verdict on the inputs the component would pass for ``deployment``."""
    # A new account's id is known only once Azure has made it; with no account at all,
    # _account() reports the problem, which the provider should not report again.
    account_id = args.account_id if args.account_id is not None else _UNKNOWN
    # Unset, the component passes its own default (300 or 0), which the check need not see.
    resource_args = deployment_args(
        args, deployment, account_id, args.role_propagation_timeout_seconds
    )
    inputs = {f.name: _known(getattr(resource_args, f.name)) for f in fields(resource_args)}
    name: Any = deployment.deployment_name
    if not isinstance(name, str):
        inputs["deployment_name"] = _UNKNOWN  # reported by _deployment_name()
    # The resource adds its owner tag, which counts against Azure's limit on tags; the value
    # (<organization>/<project>/<stack>/<resource name>) is the resource's to form.
    inputs[OWNER_INPUT] = _UNKNOWN
    return check_inputs(inputs)[1]


def _reason(failure: Failure) -> str:
    """The failure's reason without the provider's input name it starts with: the problem
    names the component's argument instead (``tenant_id`` is ``destination_tenant_id``)."""
    for prefix in (f"{failure.field}: ", f"{failure.field} "):
        if failure.reason.startswith(prefix):
            return failure.reason.removeprefix(prefix)
    return failure.reason


def _known(value: Any) -> Any:
    """``value`` with every Output in it made ``Unknown``, which ``check_inputs`` lets pass."""
    if not _plain(value):
        return _UNKNOWN
    if isinstance(value, Mapping):
        return {key: _known(item) for key, item in value.items()}
    return value


def _account(args: FineTunedModelDeploymentArgs) -> list[Problem]:
    if args.account_id is not None and args.create_account is not None:
        return [
            Problem(
                "account_id",
                "give either account_id (an existing account) or create_account (a new one), "
                "not both",
            )
        ]
    if args.account_id is None and args.create_account is None:
        return [
            Problem(
                "account_id",
                "no destination account: give account_id (an existing account) or "
                "create_account (a new one)",
            )
        ]
    if args.create_account is not None:
        problems = _new_account(args.create_account)
        if args.existing_account_subdomain is not None:
            problems.append(
                Problem(
                    "existing_account_subdomain",
                    "only describes an existing account (account_id); for a new one set "
                    "create_account.custom_subdomain_name",
                )
            )
        return problems
    subdomain = args.existing_account_subdomain
    if _given(subdomain) and not (isinstance(subdomain, str) and _SUBDOMAIN.fullmatch(subdomain)):
        return [
            Problem(
                "existing_account_subdomain",
                f"{subdomain!r} is not a subdomain (letters, digits and '-', at most 64)",
            )
        ]
    return []


def _new_account(account: DestinationAccountArgs) -> list[Problem]:
    problems: list[Problem] = []
    name = account.name
    if _plain(name):
        reason = validate_account_name(name) if isinstance(name, str) else "must be a string"
        if reason:
            problems.append(
                Problem("create_account.name", f"{name!r} is not an account name: it {reason}")
            )
    group = account.resource_group_name
    if _plain(group):
        reason = validate_resource_group(group) if isinstance(group, str) else "must be a string"
        if reason:
            problems.append(
                Problem(
                    "create_account.resource_group_name",
                    f"{group!r} is not a resource group name: it {reason}",
                )
            )
    if _plain(account.location) and not _non_empty(account.location):
        problems.append(Problem("create_account.location", "must be a non-empty string"))
    problems += _one_of("create_account.kind", account.kind, ACCOUNT_KINDS)
    problems += _one_of(
        "create_account.public_network_access", account.public_network_access, PUBLIC_NETWORK_ACCESS
    )
    subdomain = account.custom_subdomain_name
    field = "create_account.custom_subdomain_name"
    if subdomain is None and isinstance(name, str):
        subdomain, field = name, "create_account.name"
    if (
        _plain(subdomain)
        and isinstance(subdomain, str)
        and not _has_problem(field, problems)
        and not _SUBDOMAIN.fullmatch(subdomain)
    ):
        problems.append(
            Problem(
                field,
                f"{subdomain!r} cannot be the endpoint's subdomain (letters, digits and '-', "
                "at most 64): set create_account.custom_subdomain_name",
            )
        )
    if _plain(account.disable_local_auth) and not isinstance(account.disable_local_auth, bool):
        problems.append(Problem("create_account.disable_local_auth", "must be True or False"))
    if _given(account.restore) and not isinstance(account.restore, bool):
        problems.append(Problem("create_account.restore", "must be True or False"))
    return problems


def _role_assignments(
    args: FineTunedModelDeploymentArgs, roles: RoleAssignmentArgs
) -> list[Problem]:
    problems: list[Problem] = []
    wanted = []
    for side in ("source", "destination"):
        field, flag = f"{side}_principal_id", f"{side}_managed_elsewhere"
        elsewhere: Any = getattr(roles, flag)
        if not isinstance(elsewhere, bool):
            problems.append(Problem(f"role_assignments.{flag}", "must be True or False"))
        elif elsewhere and getattr(roles, field) is not None:
            problems.append(
                Problem(
                    f"role_assignments.{field}",
                    f"is not used: {flag} says another stack (or a person) grants the role on "
                    f"the {side} account; leave it unset",
                )
            )
        elif not elsewhere and (side == "destination" or args.source_account_id is not None):
            wanted.append(field)
    for field in wanted:
        value = getattr(roles, field)
        tenant = "source" if field.startswith("source") else "destination"
        if value is None or value == "":
            problems.append(
                Problem(
                    f"role_assignments.{field}",
                    f"the deploying principal's object id in the {tenant} tenant is needed to "
                    f"create its role assignment (or set {tenant}_managed_elsewhere where another "
                    "stack grants it)",
                )
            )
        elif _plain(value) and not is_guid(value):
            problems.append(
                Problem(f"role_assignments.{field}", f"{value!r} is not an object id (a GUID)")
            )
    problems += _one_of("role_assignments.principal_type", roles.principal_type, PRINCIPAL_TYPES)
    provider: Any = roles.source_provider
    if provider is not None and not isinstance(provider, pulumi.ProviderResource):
        problems.append(
            Problem("role_assignments.source_provider", "must be a pulumi_azure_native.Provider")
        )
    elif provider is not None and provider.package != "azure-native":
        problems.append(
            Problem(
                "role_assignments.source_provider",
                f"is a {provider.package!r} provider; the role assignment is an azure-native "
                "resource and needs a pulumi_azure_native.Provider",
            )
        )
    elif provider is None and "source_principal_id" in wanted and _may_differ(args):
        problems.append(
            Problem(
                "role_assignments.source_provider",
                f"the source account is in tenant {args.source_tenant_id!r}, which is not "
                "known to be the destination's: pass a pulumi_azure_native.Provider signed in "
                "to the source tenant (tenant_id=...) to make the source role assignment there",
            )
        )
    return problems


def _may_differ(args: FineTunedModelDeploymentArgs) -> bool:
    source, destination = args.source_tenant_id, args.destination_tenant_id
    if source is None:
        return False
    if isinstance(source, str) and isinstance(destination, str):
        return source.lower() != destination.lower()
    return True


def _one_of(field: str, value: Any, allowed: tuple[str, ...]) -> list[Problem]:
    if not _given(value):
        return []
    if isinstance(value, str) and value.lower() in {a.lower() for a in allowed}:
        return []
    return [Problem(field, f"{value!r} is not one of {', '.join(allowed)}")]


def _top_level(field: str) -> str:
    """``deployments`` for ``deployments[1].sku_capacity``."""
    return re.split(r"[.\[]", field, maxsplit=1)[0]


def _has_problem(field: str, problems: list[Problem]) -> bool:
    return any(p.field == field for p in problems)


def _plain(value: Any) -> bool:
    """A value known now: not an Output nor an awaitable (None counts as plain)."""
    return not isinstance(value, pulumi.Output) and not hasattr(value, "__await__")


def _given(value: Any) -> bool:
    """A plain value that was set (optional arguments are None when unset)."""
    return value is not None and _plain(value)


def _non_empty(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""
