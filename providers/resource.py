"""The ``CrossTenantDeployment`` resource a Pulumi program declares.

Program-side only: it packs the arguments into the property bag and hands the engine a
pickled :class:`~aoai_deploy.providers.provider.CrossTenantDeploymentProvider`, which does the
work in the plugin process.

It also refuses a secret provider setting (``aoai-deploy:clientSecret``,
``aoai-deploy:staticTokens``) that the stack stores in plain text: the provider's own
``configure`` cannot tell (the SDK's plugin hands it every value unwrapped), but the program
is told which config keys are secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import pulumi
import pulumi.dynamic
from pulumi.runtime.config import get_config, is_config_secret

from aoai_deploy.providers.azure.namespace import SECRET_KEYS, plaintext_secrets
from aoai_deploy.providers.core.schema import (
    INPUT_FIELDS,
    OUTPUT_FIELDS,
    OUTPUTS,
    OWNER_INPUT,
    OWNER_KEY_INPUT,
    Field,
)
from aoai_deploy.providers.owner_key import stack_key
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider

__all__ = ["CrossTenantDeployment", "CrossTenantDeploymentArgs", "properties"]


@dataclass
class CrossTenantDeploymentArgs:
    """Inputs of a :class:`CrossTenantDeployment`; each takes a plain value or an Input.

    The fields are described in :data:`~aoai_deploy.providers.core.schema.INPUT_FIELDS` (listed
    below), which the package's schema is generated from too.
    """

    account_id: pulumi.Input[str]
    deployment_name: pulumi.Input[str]
    model_name: pulumi.Input[str]
    model_format: pulumi.Input[str] | None = None
    model_version: pulumi.Input[str] | None = None
    source_account_id: pulumi.Input[str] | None = None
    source_tenant_id: pulumi.Input[str] | None = None
    tenant_id: pulumi.Input[str] | None = None
    sku_name: pulumi.Input[str] | None = None
    sku_capacity: pulumi.Input[int] | None = None
    rai_policy_name: pulumi.Input[str] | None = None
    version_upgrade_option: pulumi.Input[str] | None = None
    tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None
    adopt_existing: pulumi.Input[bool] | None = None
    api_version: pulumi.Input[str] | None = None
    operation_timeout_seconds: pulumi.Input[int] | None = None
    role_propagation_timeout_seconds: pulumi.Input[int] | None = None


def _described(fields: tuple[Field, ...]) -> str:
    return "".join(f"\n    ``{f.name}``\n        {f.description}\n" for f in fields)


CrossTenantDeploymentArgs.__doc__ = (CrossTenantDeploymentArgs.__doc__ or "") + _described(
    INPUT_FIELDS
)


class CrossTenantDeployment(pulumi.dynamic.Resource, module="aoai", name="CrossTenantDeployment"):
    """An Azure OpenAI deployment, optionally of a model copied from an account in another
    tenant. Type token ``pulumi-python:dynamic/aoai:CrossTenantDeployment``; its id is the
    deployment's ARM id. Its outputs echo every input and add those of
    :data:`~aoai_deploy.providers.core.schema.OUTPUT_FIELDS` (listed below).

    The first one a program declares also registers the stack's ``OwnerKey`` resource
    (``aoai-deploy-owner-key``), whose key goes into every deployment's owner tag.
    """

    account_id: pulumi.Output[str]
    deployment_name: pulumi.Output[str]
    model_name: pulumi.Output[str]
    model_format: pulumi.Output[str]
    model_version: pulumi.Output[str | None]
    source_account_id: pulumi.Output[str | None]
    source_tenant_id: pulumi.Output[str | None]
    tenant_id: pulumi.Output[str]
    sku_name: pulumi.Output[str]
    sku_capacity: pulumi.Output[int]
    rai_policy_name: pulumi.Output[str | None]
    version_upgrade_option: pulumi.Output[str | None]
    tags: pulumi.Output[dict[str, str] | None]
    adopt_existing: pulumi.Output[bool]
    api_version: pulumi.Output[str]
    operation_timeout_seconds: pulumi.Output[int]
    role_propagation_timeout_seconds: pulumi.Output[int]
    provisioning_state: pulumi.Output[str]
    capabilities: pulumi.Output[dict[str, str]]
    rate_limits: pulumi.Output[list[dict[str, Any]]]
    model: pulumi.Output[dict[str, Any]]
    current_capacity: pulumi.Output[int | None]
    etag: pulumi.Output[str | None]
    live_settings: pulumi.Output[dict[str, str | None]]
    cross_tenant: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        args: CrossTenantDeploymentArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        _refuse_plaintext_secrets()
        props = properties(resource_name, args)
        # The stack's key for the owner tag, from a resource the engine creates first.
        props[OWNER_KEY_INPUT] = stack_key()
        super().__init__(CrossTenantDeploymentProvider(), resource_name, props, opts)


CrossTenantDeployment.__doc__ = (CrossTenantDeployment.__doc__ or "") + _described(OUTPUT_FIELDS)


def properties(resource_name: str, args: CrossTenantDeploymentArgs) -> dict[str, Any]:
    """What a program registers for one deployment, whichever front serves it: the inputs,
    the hidden owner and every output (``None`` until known)."""
    props: dict[str, Any] = {f.name: getattr(args, f.name) for f in fields(args)}
    # Who owns the deployment, for the owner tag: the organization, project, stack and
    # resource name. Self-managed backends all call their organization "organization": the
    # stack's key, which the tag carries too, tells them apart (core/owner.py).
    organization = pulumi.get_organization() or "organization"
    props[OWNER_INPUT] = "/".join(
        (organization, pulumi.get_project(), pulumi.get_stack(), resource_name)
    )
    # Output-only keys are registered as None so they exist as attributes in preview too.
    props.update({key: None for key in OUTPUTS})
    return props


def _refuse_plaintext_secrets() -> None:
    """Stop the program if a secret setting of the provider is stored in plain text in the
    stack's config (set without ``--secret``); the message says how to store it."""
    is_set = {key for key in SECRET_KEYS if get_config(key)}
    problems = plaintext_secrets({k for k in is_set if not is_config_secret(k)}, is_set)
    if problems:
        raise pulumi.RunError("\n".join(problems))
