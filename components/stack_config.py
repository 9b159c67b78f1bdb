"""The example stack's configuration, in the terms the user wrote it.

``__main__.py`` reads each key that Pulumi.yaml declares and composes the component from them;
this module holds the two things that take more than a line there:

- :func:`read_deployments` turns the ``deployments`` list of the stack file into
  :class:`ModelDeploymentArgs`, and
- :func:`unknown_keys` names a key of the stack's namespace that the program does not read (a
  misspelt key would otherwise be ignored: the CLI checks only the keys Pulumi.yaml declares;
  the provider checks its own namespace, ``aoai-deploy``), and
- :func:`in_config_terms` turns a :class:`ComponentArgsError`, which names the component's
  arguments (``deployments[0].sku_capacity``), into a :class:`StackConfigError` that names the
  config keys behind them (``aoai-deploy-example:deployments[0].skuCapacity``), per
  :data:`CONFIG_KEYS`.

Either way the error is a ``pulumi.RunError``: the CLI prints its message, one line per problem
(``<key>: <what is wrong and what to do>``), without a Python traceback.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, Final

import pulumi

from aoai_deploy.components.args import ModelDeploymentArgs
from aoai_deploy.components.errors import ComponentArgsError
from aoai_deploy.providers.azure.namespace import CONFIG_KEYS as PROVIDER_KEYS
from aoai_deploy.providers.azure.namespace import NAMESPACE as PROVIDER_NAMESPACE
from aoai_deploy.providers.core.ids import AccountId, ArmIdError

__all__ = [
    "CONFIG_KEYS",
    "DEPLOYMENT_KEYS",
    "StackConfigError",
    "in_config_terms",
    "read_deployments",
    "subscription_of",
    "unknown_keys",
]


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.capitalize() for word in rest)


#: The keys of a ``deployments`` entry: each field of ModelDeploymentArgs, in camelCase.
DEPLOYMENT_KEYS: Final = {_camel(f.name): f.name for f in fields(ModelDeploymentArgs)}
_REQUIRED: Final = ("deploymentName", "modelName")

#: The config key (without its namespace) behind each component argument that the example
#: stack sets, for the arguments its errors can name. ``create_account`` stands for the new
#: account as a whole, which ``newAccountName`` asks for.
CONFIG_KEYS: Final = {
    "source_account_id": "sourceAccountId",
    "source_tenant_id": "sourceTenantId",
    "destination_tenant_id": "destinationTenantId",
    "account_id": "destinationAccountId",
    "existing_account_subdomain": "destinationAccountSubdomain",
    "create_account": "newAccountName",
    "create_account.name": "newAccountName",
    "create_account.resource_group_name": "newAccountResourceGroup",
    "create_account.location": "newAccountLocation",
    "create_account.kind": "newAccountKind",
    "create_account.custom_subdomain_name": "newAccountSubdomain",
    "create_account.public_network_access": "newAccountPublicNetworkAccess",
    "create_account.disable_local_auth": "newAccountDisableLocalAuth",
    "create_account.restore": "newAccountRestore",
    "deployments": "deployments",
    "role_assignments": "createRoleAssignments",
    "role_assignments.source_principal_id": "sourcePrincipalObjectId",
    "role_assignments.destination_principal_id": "destinationPrincipalObjectId",
    "role_assignments.principal_type": "principalType",
    "role_assignments.source_managed_elsewhere": "sourceRoleAssignmentManagedElsewhere",
    "role_assignments.destination_managed_elsewhere": "destinationRoleAssignmentManagedElsewhere",
    # Without a role_assignments prefix, as the reasons of role problems name them.
    "source_managed_elsewhere": "sourceRoleAssignmentManagedElsewhere",
    "destination_managed_elsewhere": "destinationRoleAssignmentManagedElsewhere",
}

_DEPLOYMENT_FIELD: Final = re.compile(r"^deployments\[(\d+)\]\.(\w+)$")


class StackConfigError(pulumi.RunError):
    """Stack configuration the program cannot use; ``problems`` lists ``(key, reason)``."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{key}: {reason}" for key, reason in self.problems))


def read_deployments(config: pulumi.Config, key: str) -> list[ModelDeploymentArgs]:
    """The list under ``key``: each entry an object with ``deploymentName`` and ``modelName``
    and optionally the other :data:`DEPLOYMENT_KEYS`. Raises :class:`StackConfigError` naming
    every entry and key it cannot use."""
    full_key = config.full_key(key)
    text = config.require(key)
    try:
        value: Any = json.loads(text)
    except json.JSONDecodeError:
        value = text  # YAML's plain scalar: the CLI hands it over as is
    if not isinstance(value, list):
        raise StackConfigError([(full_key, _not_a_list(value))])
    problems: list[tuple[str, str]] = []
    deployments = []
    for index, entry in enumerate(value):
        where = f"{full_key}[{index}]"
        if not isinstance(entry, dict):
            problems.append(
                (where, f"must be an object with deploymentName and modelName, not {_a(entry)}")
            )
            continue
        entry_problems = _entry_problems(where, entry)
        problems += entry_problems
        if not entry_problems:
            deployments.append(
                ModelDeploymentArgs(**{DEPLOYMENT_KEYS[k]: item for k, item in entry.items()})
            )
    if problems:
        raise StackConfigError(problems)
    return deployments


def _entry_problems(where: str, entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = []
    for name in entry:
        if name not in DEPLOYMENT_KEYS:
            close = difflib.get_close_matches(name, DEPLOYMENT_KEYS, n=1)
            advice = f"did you mean {close[0]}? " if close else ""
            problems.append(
                (
                    f"{where}.{name}",
                    f"unknown key; {advice}A deployment takes {', '.join(DEPLOYMENT_KEYS)}",
                )
            )
    for name in _REQUIRED:
        if name not in entry:
            problems.append(
                (f"{where}.{name}", "missing; every deployment needs deploymentName and modelName")
            )
    return problems


def _not_a_list(value: Any) -> str:
    if isinstance(value, dict) and set(value) & set(_REQUIRED):
        return (
            "is one deployment written as a mapping; it must be a list: start the entry with "
            "'- ' (`- deploymentName: ...`), and each further deployment likewise"
        )
    if isinstance(value, dict):
        return (
            "is a mapping; it must be a list of deployments, each starting with '- ' and "
            "holding deploymentName and modelName"
        )
    return (
        "must be a list of deployments, each starting with '- ' and holding deploymentName "
        f"and modelName, not {_a(value)}"
    )


def _a(value: Any) -> str:
    """``value`` as the YAML it came from: ``the string 'ft'``, ``the number 3``."""
    kind = {bool: "boolean", int: "number", float: "number", str: "string", list: "list"}
    if value is None or value == "":
        return "an empty value"
    return f"the {kind.get(type(value), type(value).__name__)} {json.dumps(value)}"


def in_config_terms(error: ComponentArgsError, config: pulumi.Config) -> StackConfigError:
    """``error``'s problems, each under the config key behind the argument it names (the
    argument's own path where no key is behind it), with the arguments that its reasons name
    spelt as config keys too."""
    problems = []
    for problem in error.problems:
        key = _config_key(problem.field, config)
        reason = _ARGUMENT.sub(lambda m: config.full_key(CONFIG_KEYS[m[0]]), problem.reason)
        if problem.field.startswith("deployments["):
            reason = _DEPLOYMENT_ARGUMENT.sub(lambda m: _camel(m[0]), reason)
        problems.append((key, reason))
    return StackConfigError(problems)


# Longest first, so that ``create_account.name`` is not read as ``create_account``.
_ARGUMENT: Final = re.compile(
    "|".join(rf"\b{re.escape(name)}\b" for name in sorted(CONFIG_KEYS, key=len, reverse=True))
)
_DEPLOYMENT_ARGUMENT: Final = re.compile(
    "|".join(rf"\b{name}\b" for name in DEPLOYMENT_KEYS.values() if "_" in name)
)


def _config_key(field: str, config: pulumi.Config) -> str:
    match = _DEPLOYMENT_FIELD.match(field)
    if match is not None:
        index, name = match.groups()
        return f"{config.full_key('deployments')}[{index}].{_camel(name)}"
    if field in CONFIG_KEYS:
        return config.full_key(CONFIG_KEYS[field])
    return field


def subscription_of(account_id: str) -> str | None:
    """The subscription of an account's ARM id; None for one that is not an account id (the
    component then names it under its key)."""
    try:
        return AccountId.parse(account_id).subscription_id
    except ArmIdError:
        return None


def unknown_keys(
    config: pulumi.Config, stack_config: Mapping[str, object]
) -> StackConfigError | None:
    """The keys of ``config``'s namespace in ``stack_config`` (all the stack's config) that the
    program does not read (:data:`CONFIG_KEYS`), each with the nearest setting, and the
    program's keys still under the provider's namespace (this project was called aoai-deploy
    once); ``None`` when there are none. The provider checks its own namespace itself."""
    prefix = config.full_key("")
    if prefix == f"{PROVIDER_NAMESPACE}:":
        return StackConfigError(
            [
                (
                    "Pulumi.yaml",
                    f"the project is named {PROVIDER_NAMESPACE}, the provider's own namespace, "
                    "whose keys the provider refuses unless they are its settings: name it "
                    "aoai-deploy-example as the repository's Pulumi.yaml does, and move the "
                    'stack (README, "Migrating a stack of the example")',
                )
            ]
        )
    known = {config.full_key(key) for key in CONFIG_KEYS.values()}
    provider_names = {key.removeprefix(f"{PROVIDER_NAMESPACE}:") for key in PROVIDER_KEYS}
    problems = []
    for key in sorted(stack_config):
        name = key.partition(":")[2]
        if key.startswith(prefix) and key not in known:
            if name in provider_names:
                advice = (
                    f"it is a setting of the {PROVIDER_NAMESPACE} provider, in its own "
                    f"namespace: set {PROVIDER_NAMESPACE}:{name} instead"
                )
            else:
                close = difflib.get_close_matches(key, known, n=1)
                advice = (f"did you mean {close[0]}? " if close else "") + (
                    "Pulumi.yaml and the README list the settings"
                )
            problems.append((key, f"not a setting of this stack; {advice}"))
        elif key.startswith(f"{PROVIDER_NAMESPACE}:") and config.full_key(name) in known:
            problems.append(
                (
                    key,
                    f"a setting of this stack under the provider's namespace, from before the "
                    f"project was renamed: move it to {config.full_key(name)} (README, "
                    '"Migrating a stack of the example")',
                )
            )
    return StackConfigError(problems) if problems else None
