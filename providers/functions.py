"""``get_deployment``: the function ``aoai-deploy:index:getDeployment`` in a Python program.

It reads an existing deployment without managing it (``lifecycle/lookup.py``), for a stack
that consumes a deployment another stack, or nobody, manages::

    chat = get_deployment(account_id, "chat")
    pulumi.export("chat_model", chat.apply(lambda d: d.model_version))

It behaves like Pulumi's own get functions:

* it takes plain values or Outputs and returns an ``Output[GetDeploymentResult]``;
* it reads Azure as soon as its arguments are known, in ``pulumi preview`` too (one GET, no
  write): the program asked for the value, and a preview without it could not show what the
  program does with it. An argument not known yet in a preview (the id of an account the same
  update creates) leaves the result unknown, and nothing is read;
* it signs in with the ``aoai-deploy:*`` configuration of the stack, as the resource does,
  and refuses a secret setting stored in plain text as the resource does;
* under Pulumi's mocks (``pulumi.runtime.set_mocks``) it is answered by the mocks' ``call``
  for the token ``aoai-deploy:index:getDeployment``, with the package's camelCase names, and
  reads nothing.

The read runs in the program's process, on a worker thread (it blocks on HTTPS), not in a
provider plugin: the dynamic resource needs no plugin of its own, and neither does this.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.runtime.config import get_config, is_config_secret
from pulumi.runtime.settings import get_monitor

from aoai_deploy.providers.azure.namespace import CONFIG_KEYS, SECRET_KEYS
from aoai_deploy.providers.core.lookup import GET_DEPLOYMENT, LOOKUP_ARGS
from aoai_deploy.providers.core.schema import camel
from aoai_deploy.providers.errors import AoaiDeployError

if TYPE_CHECKING:
    from aoai_deploy.providers.azure.config import ProviderConfig

__all__ = ["GET_DEPLOYMENT", "GetDeploymentResult", "get_deployment", "read", "stack_config"]


@dataclass(frozen=True)
class GetDeploymentResult:
    """An existing deployment as Azure reports it; the fields are described in
    :data:`~aoai_deploy.providers.core.lookup.LOOKUP_RESULTS`, with the names the resource's
    inputs and outputs have."""

    id: str
    account_id: str
    deployment_name: str
    api_version: str
    model_name: str | None
    model_format: str | None
    source_account_id: str | None
    sku_name: str | None
    sku_capacity: int | None
    model_version: str | None
    rai_policy_name: str | None
    version_upgrade_option: str | None
    dynamic_throttling_enabled: bool | None
    spillover_deployment_name: str | None
    designated_capacity: int | None
    capacity_priority: int | None
    parent_deployment_name: str | None
    service_tier: str | None
    deployment_state: str | None
    routing: dict[str, Any] | None
    context_cache_container_id: str | None
    tags: dict[str, str]
    provisioning_state: str | None
    capabilities: dict[str, str]
    rate_limits: list[dict[str, Any]]
    model: dict[str, Any]
    current_capacity: int | None
    etag: str | None

    @classmethod
    def of(cls, result: Mapping[str, Any]) -> GetDeploymentResult:
        """From the function's result, keyed as the core (snake_case) or the package's
        schema (camelCase) names them; what is absent is ``None`` (an empty map or list)."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            value = result.get(field.name, result.get(camel(field.name)))
            if value is None and field.name in ("tags", "capabilities", "model"):
                value = {}
            elif value is None and field.name == "rate_limits":
                value = []
            elif isinstance(value, float) and value.is_integer():
                value = int(value)  # the engine's numbers are floats
            values[field.name] = value
        return cls(**values)


def get_deployment(
    account_id: pulumi.Input[str],
    deployment_name: pulumi.Input[str],
    *,
    api_version: pulumi.Input[str] | None = None,
    tenant_id: pulumi.Input[str] | None = None,
) -> pulumi.Output[GetDeploymentResult]:
    """Read the deployment ``deployment_name`` of the account ``account_id`` (an ARM id),
    at ``api_version`` (the resource's default when unset), with a token for ``tenant_id``
    (the credential's home tenant when unset). Fails the program, naming the deployment,
    when it is not there."""
    arguments = pulumi.Output.all(
        account_id=account_id,
        deployment_name=deployment_name,
        api_version=api_version,
        tenant_id=tenant_id,
    )
    return arguments.apply(_read)


async def _read(args: dict[str, Any]) -> GetDeploymentResult:
    from pulumi.runtime.mocks import MockMonitor  # only a program's run asks

    given = {f.name: args.get(f.name) for f in LOOKUP_ARGS if args.get(f.name) is not None}
    if isinstance(get_monitor(), MockMonitor):
        mocked = await pulumi.runtime.invoke_async(
            GET_DEPLOYMENT, {camel(name): value for name, value in given.items()}
        )
        return GetDeploymentResult.of(mocked)
    try:
        # The stack's config is read here: it lives in a context variable of the program,
        # which a worker thread does not see.
        config = stack_config()
        found = await asyncio.get_running_loop().run_in_executor(None, read, config, given)
    except AoaiDeployError as exc:
        raise pulumi.RunError(str(exc)) from None
    return GetDeploymentResult.of(found)


def stack_config() -> ProviderConfig:
    """The provider configuration the stack's ``aoai-deploy:*`` keys make, as the program sees
    them; a secret setting stored in plain text is refused, as the resource refuses it."""
    from aoai_deploy.providers.azure.config import ProviderConfig

    values = {key: value for key in CONFIG_KEYS if (value := get_config(key)) is not None}
    plaintext = {key for key in values if key in SECRET_KEYS and not is_config_secret(key)}
    return ProviderConfig.from_getter(values.get, plaintext=plaintext)


def read(config: ProviderConfig, args: Mapping[str, Any]) -> dict[str, Any]:
    """The function's result (snake_case) for ``args``, read with ``config``; blocks."""
    # Imported here: a program that never calls the function never loads the ARM client.
    from aoai_deploy.providers import lifecycle

    return lifecycle.get_deployment(lifecycle.Runtime.build(config), args)
