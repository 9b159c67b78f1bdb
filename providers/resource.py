"""The ``CrossTenantDeployment`` resource a Pulumi program declares.

Program-side only: it packs the arguments into the property bag and hands the engine a
pickled :class:`~aoai_deploy.providers.provider.CrossTenantDeploymentProvider`, which does the
work in the plugin process.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import pulumi
import pulumi.dynamic

from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from aoai_deploy.providers.schema import OUTPUTS, OWNER_INPUT

__all__ = ["CrossTenantDeployment", "CrossTenantDeploymentArgs"]


@dataclass
class CrossTenantDeploymentArgs:
    """Inputs of a :class:`CrossTenantDeployment`; each takes a plain value or an Input."""

    account_id: pulumi.Input[str]
    """ARM id of the destination account (``/subscriptions/.../accounts/<name>``)."""
    deployment_name: pulumi.Input[str]
    """Name of the deployment inside the destination account (URL-safe)."""
    model_name: pulumi.Input[str]
    """The model to deploy: a fine-tuned model id or a base model name."""
    model_format: pulumi.Input[str] | None = None
    """Model format; ``OpenAI`` when not set."""
    model_version: pulumi.Input[str] | None = None
    """Model version (``1`` for fine-tuned models); when not set it is left out of the request,
    Azure deploys the model's default version, and the ``model`` output shows which."""
    source_account_id: pulumi.Input[str] | None = None
    """ARM id of the account that holds the model, when it is not the destination."""
    source_tenant_id: pulumi.Input[str] | None = None
    """Tenant of the source account; when it differs from the destination's, the copy is
    cross-tenant and an auxiliary token for it is sent."""
    tenant_id: pulumi.Input[str] | None = None
    """Tenant of the destination account; the credential's home tenant when not set."""
    sku_name: pulumi.Input[str] | None = None
    """Deployment SKU (``Standard``, ``GlobalStandard``, ...); ``Standard`` when not set."""
    sku_capacity: pulumi.Input[int] | None = None
    """Capacity in units of the SKU (an integer of at least 1); 1 when not set."""
    rai_policy_name: pulumi.Input[str] | None = None
    """Content-filter (RAI) policy name."""
    version_upgrade_option: pulumi.Input[str] | None = None
    """``OnceNewDefaultVersionAvailable``, ``OnceCurrentVersionExpired`` or ``NoAutoUpgrade``."""
    tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None
    """Tags on the deployment."""
    adopt_existing: pulumi.Input[bool] | None = None
    """Take over a deployment of that name that already exists instead of failing."""
    api_version: pulumi.Input[str] | None = None
    """ARM api-version; ``2024-10-01`` when not set."""
    operation_timeout_seconds: pulumi.Input[int] | None = None
    """Deadline for each create, update or delete, polling included; 1800 when not set."""
    role_propagation_timeout_seconds: pulumi.Input[int] | None = None
    """How long to retry 403s while new role assignments propagate; 0 (no retry) when not set."""


class CrossTenantDeployment(pulumi.dynamic.Resource, module="aoai", name="CrossTenantDeployment"):
    """An Azure OpenAI deployment, optionally of a model copied from an account in another
    tenant. Type token ``pulumi-python:dynamic/aoai:CrossTenantDeployment``; its id is the
    deployment's ARM id."""

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
    """``Succeeded`` once the deployment is ready."""
    capabilities: pulumi.Output[dict[str, str]]
    """What the deployed model can do, as Azure reports it."""
    rate_limits: pulumi.Output[list[dict[str, Any]]]
    """Rate limits Azure applies to the deployment."""
    model: pulumi.Output[dict[str, Any]]
    """The model as Azure reports it (format, name, version, source, ...)."""
    current_capacity: pulumi.Output[int | None]
    """The capacity Azure reports as in effect."""
    etag: pulumi.Output[str | None]
    """The deployment's ETag."""
    cross_tenant: pulumi.Output[bool]
    """Whether the deployment was made with an auxiliary token for the source tenant."""

    def __init__(
        self,
        resource_name: str,
        args: CrossTenantDeploymentArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {f.name: getattr(args, f.name) for f in fields(args)}
        # Who owns the deployment, for the owner tag: unique per organization, project, stack
        # and resource name (DIY backends all call their organization "organization").
        organization = pulumi.get_organization() or "organization"
        props[OWNER_INPUT] = "/".join(
            (organization, pulumi.get_project(), pulumi.get_stack(), resource_name)
        )
        # Output-only keys are registered as None so they exist as attributes in preview too.
        props.update({key: None for key in OUTPUTS})
        super().__init__(CrossTenantDeploymentProvider(), resource_name, props, opts)
