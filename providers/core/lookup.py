"""The function ``getDeployment``: reads an existing deployment without managing it, defined once.

Both fronts serve it from these tables: the package's plugin as the function
:data:`GET_DEPLOYMENT` of its schema (``fn::invoke`` in YAML, the Invoke call of the engine),
and Python programs as ``aoai_deploy.providers.get_deployment``. Its arguments are
:data:`LOOKUP_ARGS`; its result, :data:`LOOKUP_RESULTS`, has the names the resource's inputs
and outputs have, so a stack that consumes a deployment reads it as a stack that manages one
would: every setting as the deployment runs it (what ``pulumi import`` would declare), the
model and SKU, and what Azure computes.

Pure: :func:`check_lookup` validates the arguments (no network), :func:`lookup_result` maps
a deployment as ARM returns it; the GET is ``lifecycle/lookup.py``'s.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from aoai_deploy.providers.core import apiversions
from aoai_deploy.providers.core.checkers import CHECKERS, InvalidValueError, has_unknown
from aoai_deploy.providers.core.ids import DeploymentId
from aoai_deploy.providers.core.inputs import Failure
from aoai_deploy.providers.core.live import member
from aoai_deploy.providers.core.mapping import refreshed_outputs
from aoai_deploy.providers.core.schema import (
    DEFAULT_API_VERSION,
    INPUT_FIELDS,
    LIVE_SETTINGS,
    OUTPUT_FIELDS,
    Field,
    LiveSetting,
)

__all__ = [
    "GET_DEPLOYMENT",
    "LOOKUP_ARGS",
    "LOOKUP_RESULTS",
    "check_lookup",
    "lookup_result",
]

#: The function's token in the package's schema.
GET_DEPLOYMENT: Final = "aoai-deploy:index:getDeployment"

_INPUT = {f.name: f for f in INPUT_FIELDS}
_OUTPUT = {f.name: f for f in OUTPUT_FIELDS}

#: The function's arguments.
LOOKUP_ARGS: Final[tuple[Field, ...]] = (
    Field(
        "account_id",
        "string",
        "ARM id of the account that holds the deployment "
        "(/subscriptions/<id>/resourceGroups/<group>/providers/"
        "Microsoft.CognitiveServices/accounts/<name>).",
        required=True,
    ),
    Field("deployment_name", "string", "Name of the deployment in that account.", required=True),
    Field(
        "api_version",
        "string",
        f"ARM api-version of the read; {DEFAULT_API_VERSION} when not set. A setting that "
        "the version does not define is not reported.",
        default=DEFAULT_API_VERSION,
    ),
    Field(
        "tenant_id",
        "string",
        "Tenant of the account; the credential's home tenant when not set (the token is for "
        "this tenant).",
    ),
)


def _reported(setting: LiveSetting) -> Field:
    name = setting.name
    return Field(
        name,
        _INPUT[name].kind,
        f"{'.'.join(setting.arm_path)} as the deployment runs it (api_version "
        f"{apiversions.first_with(setting.member)} or newer); not set when Azure reports none.",
    )


#: The function's result: the names of the resource's inputs and outputs.
LOOKUP_RESULTS: Final[tuple[Field, ...]] = (
    Field("id", "string", "The deployment's ARM id.", required=True),
    Field("account_id", "string", "ARM id of the account.", required=True),
    Field("deployment_name", "string", "The deployment's name, as Azure spells it.", required=True),
    Field("api_version", "string", "The api-version of the read.", required=True),
    Field("model_name", "string", "The model the deployment runs."),
    Field("model_format", "string", "The model's format."),
    Field(
        "source_account_id",
        "string",
        "ARM id of the account the model was copied from (source or sourceAccount), if any.",
    ),
    Field("sku_name", "string", "The deployment's SKU."),
    Field("sku_capacity", "integer", "The deployment's capacity in units of its SKU."),
    *(_reported(s) for s in LIVE_SETTINGS),
    Field("tags", "string-map", "The deployment's tags as Azure reports them, every one."),
    *(
        _OUTPUT[name]
        for name in (
            "provisioning_state",
            "capabilities",
            "rate_limits",
            "model",
            "current_capacity",
            "etag",
        )
    ),
)
_RESULT_NAMES: Final = tuple(f.name for f in LOOKUP_RESULTS)


def check_lookup(args: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """The arguments with their defaults, and a failure per bad or missing one (in the
    order of :data:`LOOKUP_ARGS`). Arguments not known yet (preview) are not judged."""
    checked = {f.name: args.get(f.name) for f in LOOKUP_ARGS}
    failures: list[Failure] = []
    for field in LOOKUP_ARGS:
        value = checked[field.name]
        if value is None:
            if field.required:
                failures.append(
                    Failure(field.name, f"{field.name} is required: {field.description}")
                )
            elif field.default is not None:
                checked[field.name] = field.default
            continue
        if has_unknown(value):
            continue
        try:
            checked[field.name] = CHECKERS[field.name](field.name, value)
        except InvalidValueError as bad:
            failures.append(Failure(field.name, str(bad)))
    return checked, failures


def lookup_result(
    deployment: DeploymentId, api_version: str, arm: Mapping[str, Any]
) -> dict[str, Any]:
    """The function's result for ``deployment`` as ARM returned it at ``api_version``."""
    seed = {
        "account_id": str(deployment.account),
        "deployment_name": deployment.name,
        "api_version": api_version,
    }
    # What `pulumi import` would declare: every setting as the deployment runs it.
    refreshed = refreshed_outputs(seed, arm, every_setting=True)
    name = member(arm, "name")
    result: dict[str, Any] = {key: refreshed.get(key) for key in _RESULT_NAMES}
    result["id"] = str(deployment)
    result["deployment_name"] = name if isinstance(name, str) and name else deployment.name
    tags = member(arm, "tags")
    result["tags"] = copy.deepcopy(dict(tags)) if isinstance(tags, Mapping) else {}
    return result
