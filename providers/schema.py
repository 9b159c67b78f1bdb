"""The resource's public field names, defaults and allowed values, in one place.

Input and output names are the public API (README.md, "Configuration reference"): they are
the keys of every stack's state, so renaming one is a breaking change.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "API_VERSIONS",
    "ARM_INPUTS",
    "DEFAULTS",
    "INPUTS",
    "OPENAI_CONTRIBUTOR_ROLE_ID",
    "OPENAI_CONTRIBUTOR_ROLE_NAME",
    "OUTPUTS",
    "OWNER_INPUT",
    "OWNER_TAG",
    "PROVISIONED_SKUS",
    "SKU_NAMES",
    "VERSION_UPGRADE_OPTIONS",
]

#: Every input, in the order the README's inputs table lists them (tests/docs checks it).
INPUTS: Final[tuple[str, ...]] = (
    "account_id",
    "deployment_name",
    "model_name",
    "model_format",
    "model_version",
    "source_account_id",
    "source_tenant_id",
    "tenant_id",
    "sku_name",
    "sku_capacity",
    "rai_policy_name",
    "version_upgrade_option",
    "tags",
    "adopt_existing",
    "api_version",
    "operation_timeout_seconds",
    "role_propagation_timeout_seconds",
)

#: A hidden input the resource class fills with
#: ``<organization>/<project>/<stack>/<resource name>``; it is written as the value of
#: :data:`OWNER_TAG` on the deployment so that a create which timed out can recognise and
#: re-adopt its own deployment on the next run.
OWNER_INPUT: Final = "owner"
OWNER_TAG: Final = "aoai-deploy-owner"

#: Inputs that change what is sent to ARM; the others only steer the provider.
ARM_INPUTS: Final[frozenset[str]] = frozenset(
    {
        "account_id",
        "deployment_name",
        "model_name",
        "model_format",
        "model_version",
        "source_account_id",
        "source_tenant_id",
        "sku_name",
        "sku_capacity",
        "rai_policy_name",
        "version_upgrade_option",
        "tags",
        "api_version",
    }
)

#: Defaults filled in by ``check``. ``model_version`` has none: left unset, it is left out of
#: the request and Azure deploys the model's default version ("1" exists only for
#: fine-tuned models).
DEFAULTS: Final[dict[str, object]] = {
    "model_format": "OpenAI",
    "sku_name": "Standard",
    "sku_capacity": 1,
    "adopt_existing": False,
    "api_version": "2024-10-01",
    "operation_timeout_seconds": 1800,
    "role_propagation_timeout_seconds": 0,
}

#: Outputs added to the echoed inputs.
OUTPUTS: Final[tuple[str, ...]] = (
    "provisioning_state",
    "capabilities",
    "rate_limits",
    "model",
    "current_capacity",
    "etag",
    "cross_tenant",
)

#: Deployment SKUs Azure documents; compared case-insensitively.
SKU_NAMES: Final[tuple[str, ...]] = (
    "Standard",
    "GlobalStandard",
    "DataZoneStandard",
    "GlobalBatch",
    "DataZoneBatch",
    "ProvisionedManaged",
    "GlobalProvisionedManaged",
    "DataZoneProvisionedManaged",
    "DeveloperTier",
)

#: The SKUs whose deployments Azure moves to another model version or family in place, so
#: that a model change there is an update, not a replace.
PROVISIONED_SKUS: Final[tuple[str, ...]] = (
    "ProvisionedManaged",
    "GlobalProvisionedManaged",
    "DataZoneProvisionedManaged",
)

VERSION_UPGRADE_OPTIONS: Final[tuple[str, ...]] = (
    "OnceNewDefaultVersionAvailable",
    "OnceCurrentVersionExpired",
    "NoAutoUpgrade",
)

#: API versions whose deployment schema this provider knows.
API_VERSIONS: Final[tuple[str, ...]] = ("2024-10-01", "2025-09-01", "2025-10-01-preview")

OPENAI_CONTRIBUTOR_ROLE_ID: Final = "a001fd3d-188f-4b5d-821b-7da978bf7442"
OPENAI_CONTRIBUTOR_ROLE_NAME: Final = "Cognitive Services OpenAI Contributor"
