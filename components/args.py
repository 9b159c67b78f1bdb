"""Typed arguments of :class:`~aoai_deploy.components.FineTunedModelDeployment`.

Every field takes a plain value or a ``pulumi.Input`` unless its type says otherwise. Plain
values are validated when the component is constructed (see ``validation.py``); Outputs are
passed on as they are and left to the provider's ``check`` and to Azure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pulumi

__all__ = [
    "DEFAULT_ROLE_PROPAGATION_TIMEOUT_SECONDS",
    "DestinationAccountArgs",
    "FineTunedModelDeploymentArgs",
    "ModelDeploymentArgs",
    "RoleAssignmentArgs",
]

#: How long each deployment retries 403s while the role assignments the component manages
#: propagate. The wait only lasts while ARM still answers 403, so once the grants are in effect
#: it costs nothing; a role that is really missing fails after this long instead of at once.
DEFAULT_ROLE_PROPAGATION_TIMEOUT_SECONDS: Final = 300


@dataclass(frozen=True, kw_only=True)
class DestinationAccountArgs:
    """A destination account for the component to create (``azure-native`` Account, SKU S0)."""

    name: pulumi.Input[str]
    """Account name: 2-64 characters, letters, digits, ``-``, ``_`` and ``.``."""
    resource_group_name: pulumi.Input[str]
    """Existing resource group that will hold the account."""
    location: pulumi.Input[str]
    """Azure region, e.g. ``eastus``; the fine-tuned model must be deployable there."""
    kind: pulumi.Input[str] = "OpenAI"
    """``OpenAI`` (an Azure OpenAI account) or ``AIServices`` (an Azure AI Foundry resource)."""
    custom_subdomain_name: pulumi.Input[str] | None = None
    """Globally unique subdomain of the endpoint, needed for Entra ID tokens; the name if unset."""
    public_network_access: pulumi.Input[str] = "Enabled"
    """``Enabled`` or ``Disabled`` (private endpoints only)."""
    disable_local_auth: pulumi.Input[bool] = True
    """Refuse API keys so that only Entra ID tokens work (the secure default)."""
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    """Tags on the account."""
    restore: pulumi.Input[bool] | None = None
    """Bring back the soft-deleted account of this name (azure-native's ``properties.restore``).

    A destroyed account stays soft-deleted for 48 hours, holding its name and quota, and
    creating it again fails with ``FlagMustBeSetForRestore``: set this to ``True`` to restore
    it, or purge it first (``az cognitiveservices account purge --name <name>
    --resource-group <group> --location <region>``). Unset, nothing is sent."""


@dataclass(frozen=True, kw_only=True)
class ModelDeploymentArgs:
    """One deployment of a model into the destination account."""

    deployment_name: str
    """Deployment name, unique in the account ignoring case; names the child resource too."""
    model_name: pulumi.Input[str]
    """The model: a fine-tuned model id (``gpt-4o-mini-2024-07-18.ft-...``) or a base model."""
    model_version: pulumi.Input[str] | None = None
    """Model version (every fine-tuned model has version 1); unset, a new deployment gets the
    model's default version and an existing one keeps the version it runs."""
    model_format: pulumi.Input[str] | None = None
    """Model format; ``OpenAI`` when unset."""
    sku_name: pulumi.Input[str] | None = None
    """Deployment SKU (``Standard``, ``GlobalStandard``, ...); ``Standard`` when unset."""
    sku_capacity: pulumi.Input[int] | None = None
    """Capacity in units of the SKU (thousands of tokens per minute for Standard); 1 if unset."""
    rai_policy_name: pulumi.Input[str] | None = None
    """Content-filter (RAI) policy; unset, a new deployment gets Azure's default policy and an
    existing one keeps the policy it runs."""
    version_upgrade_option: pulumi.Input[str] | None = None
    """``OnceNewDefaultVersionAvailable``, ``OnceCurrentVersionExpired`` or ``NoAutoUpgrade``;
    unset, a new deployment gets the first and an existing one keeps the option it runs."""
    tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None
    """Tags on the deployment."""
    adopt_existing: pulumi.Input[bool] | None = None
    """Take over a deployment of that name that already exists instead of failing."""
    api_version: pulumi.Input[str] | None = None
    """ARM api-version for the deployment; the provider's default when unset."""
    operation_timeout_seconds: pulumi.Input[int] | None = None
    """Deadline for each create, update or delete; the provider's default (1800) when unset."""


@dataclass(frozen=True, kw_only=True)
class RoleAssignmentArgs:
    """Ask the component to grant Cognitive Services OpenAI Contributor to the deploying principal.

    A copy across tenants needs the role on both accounts. A multi-tenant app has one service
    principal, so one object id, per tenant; a guest user likewise has one object per tenant.

    Azure holds one assignment per (principal, role, scope) and refuses a second
    (``RoleAssignmentExists``). Within one program, components that need the same grant share
    one assignment (see ``grants.py``). A grant that another stack makes, or a person made,
    is out of the program's sight: say so per side with ``source_managed_elsewhere`` or
    ``destination_managed_elsewhere`` (or leave ``role_assignments`` unset for both).
    """

    source_principal_id: pulumi.Input[str] | None = None
    """Object id of the deploying principal in the source account's tenant; unset when
    ``source_managed_elsewhere``."""
    destination_principal_id: pulumi.Input[str] | None = None
    """Object id of the deploying principal in the destination account's tenant; unset when
    ``destination_managed_elsewhere``."""
    source_managed_elsewhere: bool = False
    """The grant on the source account is made by another stack (or by hand): make none here.
    The usual case when one source account serves many destination stacks."""
    destination_managed_elsewhere: bool = False
    """The grant on the destination account is made by another stack (or by hand)."""
    principal_type: pulumi.Input[str] = "ServicePrincipal"
    """``ServicePrincipal`` (an app or managed identity), ``User`` or ``Group``."""
    source_provider: pulumi.ProviderResource | None = None
    """An ``azure-native`` provider signed in to the source tenant, for the source assignment;
    required when the source is in another tenant than the destination."""


@dataclass(frozen=True, kw_only=True)
class FineTunedModelDeploymentArgs:
    """Inputs of :class:`~aoai_deploy.components.FineTunedModelDeployment`.

    Exactly one of ``account_id`` (an existing account) and ``create_account`` (a new one).
    """

    deployments: Sequence[ModelDeploymentArgs]
    """The deployments to make, at least one; created one after the other in this order."""
    account_id: pulumi.Input[str] | None = None
    """ARM id of an existing destination account (``/subscriptions/.../accounts/<name>``)."""
    create_account: DestinationAccountArgs | None = None
    """Settings of a destination account to create instead of using an existing one."""
    existing_account_subdomain: pulumi.Input[str] | None = None
    """Custom subdomain of the existing account, only to report its endpoint; None if unset."""
    openai_domain: str = "openai.azure.com"
    """Domain of an existing account's endpoint: ``openai.azure.us`` or ``openai.azure.cn`` in
    the US Government and China clouds."""
    source_account_id: pulumi.Input[str] | None = None
    """ARM id of the account that holds the model (for a fine-tuned model, where it was
    trained); unset for a base model."""
    source_tenant_id: pulumi.Input[str] | None = None
    """Tenant of the source account when it is not the destination's (a cross-tenant copy)."""
    destination_tenant_id: pulumi.Input[str] | None = None
    """Tenant of the destination account; the provider credential's home tenant when unset."""
    role_assignments: RoleAssignmentArgs | None = None
    """Create the role assignments the copy needs; unset when they are all made elsewhere."""
    role_propagation_timeout_seconds: pulumi.Input[int] | None = None
    """How long each deployment retries 403s while new role assignments propagate; 300 when
    the deployments depend on an assignment this program makes, else 0."""
