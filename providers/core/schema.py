"""The resource's fields and the provider's configuration keys, defined once.

Both fronts read these tables: the dynamic resource (``providers/resource.py``, whose argument
dataclass must have exactly :data:`INPUT_FIELDS`), the core (``inputs.py``, ``diff.py``,
``mapping.py``: the names, defaults and which inputs reach ARM), and the ``aoai-deploy``
package, whose Pulumi schema is generated from them (``aoai_deploy.plugin.schema``), names,
types, defaults and descriptions alike.

Input and output names are the public API (README.md, "Configuration reference"): they are
the keys of every dynamic stack's state, so renaming one is a breaking change. The package's
schema spells each name in camelCase (:func:`camel`), as Pulumi schemas do; a Python SDK
generated from it maps them back to these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from aoai_deploy.providers.core.apiversions import ROWS

__all__ = [
    "API_VERSIONS",
    "ARM_INPUTS",
    "CONFIG_FIELDS",
    "DEFAULTS",
    "DEFAULT_API_VERSION",
    "INPUTS",
    "INPUT_FIELDS",
    "LIVE_SETTINGS",
    "OPENAI_CONTRIBUTOR_ROLE_ID",
    "OPENAI_CONTRIBUTOR_ROLE_NAME",
    "OUTPUTS",
    "OUTPUT_FIELDS",
    "OWNER_FIELD",
    "OWNER_INPUT",
    "OWNER_KEY_INPUT",
    "OWNER_TAG",
    "PROVISIONED_SKUS",
    "SKU_NAMES",
    "VERSION_UPGRADE_OPTIONS",
    "ConfigField",
    "Field",
    "LiveSetting",
    "camel",
]

#: The kinds of value a field holds; the package schema maps each to a Pulumi schema type.
Kind = Literal["string", "integer", "boolean", "string-map", "any-map", "any-list"]


@dataclass(frozen=True)
class Field:
    """One input or output of ``CrossTenantDeployment``."""

    name: str
    """The snake_case name: the dynamic resource's argument and its state key."""
    kind: Kind
    """What the value is."""
    description: str
    """One or two sentences for the schema, the docs and the argument's documentation."""
    required: bool = False
    """Whether a program must set it (inputs only)."""
    default: object = None
    """The value :func:`~aoai_deploy.providers.core.inputs.check_inputs` fills in when unset."""
    arm: bool = False
    """Whether a change of it changes what is sent to ARM (inputs only); the others only
    steer the provider."""

    @property
    def camel_name(self) -> str:
        """The name in the package's schema."""
        return camel(self.name)


@dataclass(frozen=True)
class ConfigField:
    """One ``aoai-deploy:<name>`` configuration key of the provider."""

    name: str
    """The key without its namespace, as ``pulumi config set aoai-deploy:<name>`` takes it."""
    description: str
    """What it sets, for the schema and the README's table."""
    secret: bool = False
    """Whether the value is a secret (``pulumi config set --secret``)."""
    kind: Literal["string", "boolean"] = "string"
    """What the value is (the provider reads every key as text: ``"true"`` for a boolean)."""


def camel(name: str) -> str:
    """``account_id`` -> ``accountId``: the spelling of a field in the package's schema."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


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

#: The api-versions the provider is tested against, oldest first (``apiversions.ROWS``).
API_VERSIONS: Final[tuple[str, ...]] = tuple(row.version for row in ROWS)
#: The api-version of requests when ``api_version`` is not set (the docs' sample).
DEFAULT_API_VERSION: Final = "2024-10-01"

#: Every input, in the order the README's inputs table lists them (tests/docs checks it).
INPUT_FIELDS: Final[tuple[Field, ...]] = (
    Field(
        "account_id",
        "string",
        "ARM id of the destination account "
        "(/subscriptions/<id>/resourceGroups/<group>/providers/"
        "Microsoft.CognitiveServices/accounts/<name>). A change replaces the deployment.",
        required=True,
        arm=True,
    ),
    Field(
        "deployment_name",
        "string",
        "Name of the deployment inside the destination account (URL-safe). A change "
        "replaces the deployment.",
        required=True,
        arm=True,
    ),
    Field(
        "model_name",
        "string",
        "The model to deploy: a fine-tuned model id or a base model name.",
        required=True,
        arm=True,
    ),
    Field(
        "model_format",
        "string",
        "Format of the model; OpenAI when not set.",
        default="OpenAI",
        arm=True,
    ),
    Field(
        "model_version",
        "string",
        "Version of the model (1 for a fine-tuned model). Left unset, a new deployment gets "
        "the model's default version (reported in the model output), and an existing one "
        "keeps the version it runs.",
        arm=True,
    ),
    Field(
        "source_account_id",
        "string",
        "ARM id of the account that holds the model (for a fine-tuned model, where it was "
        "trained), when it is not the destination account.",
        arm=True,
    ),
    Field(
        "source_tenant_id",
        "string",
        "Tenant of the source account. When it differs from the destination's tenant the "
        "copy is cross-tenant: the request carries an auxiliary token for this tenant.",
        arm=True,
    ),
    Field(
        "tenant_id",
        "string",
        "Tenant of the destination account; the credential's home tenant when not set.",
    ),
    Field(
        "sku_name",
        "string",
        f"Deployment SKU, one of {', '.join(SKU_NAMES)} (any case); Standard when not set.",
        default="Standard",
        arm=True,
    ),
    Field(
        "sku_capacity",
        "integer",
        "Capacity in units of the SKU (thousands of tokens per minute for Standard), a whole "
        "number of at least 1; 1 when not set.",
        default=1,
        arm=True,
    ),
    Field(
        "rai_policy_name",
        "string",
        "Content-filter (RAI) policy of the deployment. Left unset, a new deployment gets "
        "Azure's default policy and an existing one keeps the policy it runs.",
        arm=True,
    ),
    Field(
        "version_upgrade_option",
        "string",
        f"When Azure moves the deployment to a newer model version: "
        f"{', '.join(VERSION_UPGRADE_OPTIONS)}. Left unset, a new deployment gets "
        f"{VERSION_UPGRADE_OPTIONS[0]} and an existing one keeps the option it runs.",
        arm=True,
    ),
    Field(
        "tags",
        "string-map",
        "Tags on the deployment (the provider adds its own aoai-deploy-owner tag).",
        arm=True,
    ),
    Field(
        "adopt_existing",
        "boolean",
        "Take over a deployment of that name that exists and that this stack did not create, "
        "instead of failing.",
        default=False,
    ),
    Field(
        "api_version",
        "string",
        f"ARM api-version of the requests; {DEFAULT_API_VERSION} when not set. Tested from "
        f"{API_VERSIONS[0]} to {API_VERSIONS[-1]}: an older one is refused, a newer one "
        "accepted with a warning; where a version has no PATCH, a change of capacity or tags "
        "is a full PUT.",
        default=DEFAULT_API_VERSION,
        arm=True,
    ),
    Field(
        "operation_timeout_seconds",
        "integer",
        "Deadline in seconds for each create, update or delete, polling included; 1800 when "
        "not set.",
        default=1800,
    ),
    Field(
        "role_propagation_timeout_seconds",
        "integer",
        "How long in seconds to retry 403 answers while new role assignments propagate; "
        "0 (no retry) when not set.",
        default=0,
    ),
)


@dataclass(frozen=True)
class LiveSetting:
    """An input that, left unset, keeps the value the live deployment runs.

    A PUT replaces the deployment, and Azure gives whatever it leaves out its default
    (FACTS.md): so every write sends, for each of these the inputs leave unset, the value the
    deployment runs (``core/live.py``), and the outputs record them (``live_settings``).
    """

    name: str
    """The input's name."""
    arm_path: tuple[str, ...]
    """Where a deployment's ARM body keeps it."""
    azure_default: str | None
    """What Azure sets when a PUT leaves it out; ``None``: it depends (the model's default
    version)."""
    model_bound: bool = False
    """Whether it belongs to the model: kept only while the model stays the same."""


#: Every setting that keeps its live value when its input is unset: adding one (issue 17's
#: dynamic throttling, spillover, capacity settings) is one entry here, for an input of
#: :data:`INPUT_FIELDS`. Azure's defaults: tests/emulator/test_emulator_put_replaces.py.
LIVE_SETTINGS: Final[tuple[LiveSetting, ...]] = (
    LiveSetting("model_version", ("properties", "model", "version"), None, model_bound=True),
    LiveSetting("rai_policy_name", ("properties", "raiPolicyName"), "Microsoft.DefaultV2"),
    LiveSetting(
        "version_upgrade_option",
        ("properties", "versionUpgradeOption"),
        "OnceNewDefaultVersionAvailable",
    ),
)

#: A hidden input the resource fills with ``<organization>/<project>/<stack>/<resource name>``;
#: with the stack's key it is written as the value of :data:`OWNER_TAG` on the deployment so
#: that a create which timed out can recognise and re-adopt its own deployment on the next run.
OWNER_INPUT: Final = "owner"
#: A hidden input of the dynamic resource: its stack's key, which the owner tag carries after
#: the owner (``core/owner.py`` says why); the package's provider holds its own.
OWNER_KEY_INPUT: Final = "owner_key"
OWNER_TAG: Final = "aoai-deploy-owner"
OWNER_FIELD: Final = Field(
    OWNER_INPUT,
    "string",
    f"Who owns the deployment, written with the stack's key as its {OWNER_TAG} tag so that "
    "a create that timed out is adopted on the next run instead of failing: "
    "<organization>/<project>/<stack>/<resource name>. Set by the provider; set it yourself "
    "only to include your Pulumi organization (the package's provider cannot learn it).",
)

#: Outputs added to the echoed inputs.
OUTPUT_FIELDS: Final[tuple[Field, ...]] = (
    Field(
        "provisioning_state",
        "string",
        "The deployment's provisioning state as Azure reports it: Succeeded once it is ready.",
    ),
    Field("capabilities", "string-map", "What the deployed model can do, as Azure reports it."),
    Field("rate_limits", "any-list", "The rate limits Azure applies to the deployment."),
    Field(
        "model",
        "any-map",
        "The model as Azure reports it (format, name, version, source or sourceAccount, ...).",
    ),
    Field("current_capacity", "integer", "The capacity Azure reports as in effect."),
    Field("etag", "string", "The deployment's ETag."),
    Field(
        "live_settings",
        "any-map",
        "What the deployment runs for each setting that keeps its live value when its input "
        "is unset (modelVersion, raiPolicyName, versionUpgradeOption), as Azure last "
        "reported it: a write sends these for the inputs left unset.",
    ),
    Field(
        "cross_tenant",
        "boolean",
        "Whether the deployment was written with an auxiliary token for the source tenant.",
    ),
)

#: The provider's configuration keys (namespace ``aoai-deploy``), as the README's table lists
#: and describes them (tests/docs checks both): the one table of them. The provider refuses
#: any other key of its namespace (``azure.namespace``), and the package's schema lists these.
CONFIG_FIELDS: Final[tuple[ConfigField, ...]] = (
    ConfigField(
        "cloud",
        "`AzureCloud` (default), `AzureUSGovernment` or `AzureChinaCloud`: ARM endpoint, "
        "sign-in authority and token scope",
    ),
    ConfigField("armEndpoint", "another ARM base URL (https only), e.g. the local emulator"),
    ConfigField(
        "allowCustomEndpoint",
        "`true` to send real tokens to an `armEndpoint` that is neither the configured cloud's "
        "ARM nor a loopback address (not needed with unsigned `static` tokens, like the "
        "emulator's); each configure then logs a warning naming the host",
        kind="boolean",
    ),
    ConfigField("caBundle", "PEM file of the CA for that endpoint (the emulator's certificate)"),
    ConfigField(
        "credential",
        "`default` (default), `cli`, `client-secret`, `workload-identity`, `managed-identity` "
        "or `static`",
    ),
    ConfigField(
        "clientId",
        "app (client) id: required for `client-secret`; user-assigned identity for "
        "`managed-identity`; optional for `default` and `workload-identity`",
    ),
    ConfigField(
        "clientSecret",
        "the app's secret for `client-secret`; set it with `--secret`",
        secret=True,
    ),
    ConfigField(
        "tenantId",
        "the credential's home tenant: required for `client-secret`, optional for `cli` and "
        "`workload-identity`",
    ),
    ConfigField(
        "staticTokens",
        'for `static`: a secret JSON object `{"<tenant id>": "<access token>"}` of tokens '
        "minted elsewhere; with more than one, each resource must name its tenant",
        secret=True,
    ),
    ConfigField(
        "preflight",
        "`off` (default), `up` or `always`: read the subscription's quota and the account's "
        "models once per account and run, and fail before any write with what is needed and "
        "free (`up`: in `pulumi up`; `always`: in `pulumi preview` too, when inputs are "
        "checked); needs read access, see Preflight",
    ),
)

#: Every input's name, in the order of :data:`INPUT_FIELDS`.
INPUTS: Final[tuple[str, ...]] = tuple(f.name for f in INPUT_FIELDS)

#: Inputs that change what is sent to ARM; the others only steer the provider.
ARM_INPUTS: Final[frozenset[str]] = frozenset(f.name for f in INPUT_FIELDS if f.arm)

#: Defaults filled in by ``check``. ``model_version`` has none: left unset, it is left out of
#: the request and Azure deploys the model's default version ("1" exists only for
#: fine-tuned models).
DEFAULTS: Final[dict[str, object]] = {
    f.name: f.default for f in INPUT_FIELDS if f.default is not None
}

#: Outputs added to the echoed inputs, in the order of :data:`OUTPUT_FIELDS`.
OUTPUTS: Final[tuple[str, ...]] = tuple(f.name for f in OUTPUT_FIELDS)

OPENAI_CONTRIBUTOR_ROLE_ID: Final = "a001fd3d-188f-4b5d-821b-7da978bf7442"
OPENAI_CONTRIBUTOR_ROLE_NAME: Final = "Cognitive Services OpenAI Contributor"
