"""The ``aoai-deploy`` package's Pulumi schema, generated from the definitions the code uses.

* the resource ``CrossTenantDeployment``: the fields table of
  :mod:`aoai_deploy.providers.core.schema` (names, kinds, defaults, descriptions), which the
  core validates, diffs and maps by;
* the provider configuration: that module's configuration table (the keys
  ``ProviderConfig`` reads), secrets marked secret;
* the function ``getDeployment``: the arguments and result tables of
  :mod:`aoai_deploy.providers.core.lookup`;
* the component ``FineTunedModelDeployment``: the argument dataclasses of
  :mod:`aoai_deploy.components.args` and the component's declared outputs, read by
  :mod:`aoai_deploy.plugin.typeinfo` (type hints, defaults, docstrings).

``pulumi package get-schema <plugin folder>`` prints what :func:`package_schema` returns.
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import Any, Final

from aoai_deploy import __version__
from aoai_deploy.plugin.typeinfo import Shape, component_outputs, dataclass_fields
from aoai_deploy.providers.core.lookup import GET_DEPLOYMENT, LOOKUP_ARGS, LOOKUP_RESULTS
from aoai_deploy.providers.core.schema import (
    CONFIG_FIELDS,
    INPUT_FIELDS,
    OUTPUT_FIELDS,
    OWNER_FIELD,
    Field,
)
from aoai_deploy.providers.package import RESOURCE_TYPE as DEPLOYMENT_TYPE

__all__ = ["COMPONENT_TYPE", "NAME", "package_schema", "package_schema_json", "version"]

NAME: Final = "aoai-deploy"
COMPONENT_TYPE: Final = f"{NAME}:index:FineTunedModelDeployment"

_DESCRIPTION: Final = (
    "Azure OpenAI deployments, above all of fine-tuned models copied from an account in one "
    "Entra tenant into an account in another, with the roles and the account they need."
)
_DEPLOYMENT_DESCRIPTION: Final = (
    "An Azure OpenAI deployment (Microsoft.CognitiveServices/accounts/deployments), "
    "optionally of a model copied from an account in another Entra tenant: the request then "
    "carries the destination tenant's token and an auxiliary token for the source tenant. "
    "Its id is the deployment's ARM id; its outputs echo every input. A deployment of that "
    "name that this stack did not create is refused unless adoptExisting is set, or brought "
    "under the stack with `pulumi import aoai-deploy:index:CrossTenantDeployment <name> "
    "<deployment ARM id>`."
)

_ANY: Final = {"$ref": "pulumi.json#/Any"}
_KIND_TYPES: Final[dict[str, dict[str, Any]]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "string-map": {"type": "object", "additionalProperties": {"type": "string"}},
    "any-map": {"type": "object", "additionalProperties": _ANY},
    "any-list": {"type": "array", "items": _ANY},
}


def version() -> str:
    """The package's version (``aoai_deploy.__version__``), which the plugin reports and the
    schema carries."""
    return __version__


@functools.cache
def package_schema_json() -> str:
    """The schema as the engine's GetSchema call returns it."""
    return json.dumps(package_schema(), indent=2)


def package_schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict."""
    types: dict[str, Any] = {}
    config = {f.name: _config_property(f.kind, f.description, f.secret) for f in CONFIG_FIELDS}
    return {
        "name": NAME,
        "displayName": NAME,
        "version": version(),
        "description": _DESCRIPTION,
        "keywords": ["azure", "openai", "fine-tuning", "cross-tenant", "category/cloud"],
        "license": "Apache-2.0",
        "config": {"variables": config},
        "provider": {
            "description": f"The {NAME} provider: how it signs in to Azure, and where ARM is.",
            "inputProperties": config,
        },
        "resources": {
            DEPLOYMENT_TYPE: _deployment_resource(),
            COMPONENT_TYPE: _component_resource(types),
        },
        "functions": {GET_DEPLOYMENT: _get_deployment_function()},
        "types": types,
        "language": {
            "python": {"respectSchemaVersion": True, "pyproject": {"enabled": True}},
            "nodejs": {"respectSchemaVersion": True},
        },
    }


def _config_property(kind: str, description: str, secret: bool) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": kind, "description": description}
    if secret:
        spec["secret"] = True
    return spec


def _field_property(field: Field) -> dict[str, Any]:
    spec = {**_KIND_TYPES[field.kind], "description": field.description}
    if field.default is not None:
        spec["default"] = field.default
    return spec


def _deployment_resource() -> dict[str, Any]:
    inputs = {f.camel_name: _field_property(f) for f in (*INPUT_FIELDS, OWNER_FIELD)}
    outputs = {**inputs, **{f.camel_name: _field_property(f) for f in OUTPUT_FIELDS}}
    always = [f.camel_name for f in INPUT_FIELDS if f.required or f.default is not None] + [
        "tenantId",
        "capabilities",
        "rateLimits",
        "model",
        "crossTenant",
    ]
    return {
        "description": _DEPLOYMENT_DESCRIPTION,
        "inputProperties": inputs,
        "requiredInputs": [f.camel_name for f in INPUT_FIELDS if f.required],
        "properties": outputs,
        "required": always,
    }


_GET_DEPLOYMENT_DESCRIPTION: Final = (
    "Reads an existing Azure OpenAI deployment without managing it, with the provider's "
    "configuration and credentials: the stacks that consume a deployment another stack (or "
    "nobody) manages read its model, SKU and settings here. Like every get function it reads "
    "Azure whenever the program runs, `pulumi preview` included: one GET, no write."
)
#: Results that are there whatever the deployment reports (maps and lists may be empty).
_ALWAYS_RETURNED: Final = ("tags", "capabilities", "rate_limits", "model")


def _get_deployment_function() -> dict[str, Any]:
    return {
        "description": _GET_DEPLOYMENT_DESCRIPTION,
        "inputs": {
            "properties": {f.camel_name: _field_property(f) for f in LOOKUP_ARGS},
            "required": [f.camel_name for f in LOOKUP_ARGS if f.required],
        },
        "outputs": {
            "properties": {f.camel_name: _field_property(f) for f in LOOKUP_RESULTS},
            "required": [
                f.camel_name for f in LOOKUP_RESULTS if f.required or f.name in _ALWAYS_RETURNED
            ],
        },
    }


def _component_resource(types: dict[str, Any]) -> dict[str, Any]:
    # Imported here: the plugin serves deployments without ever loading the component.
    from aoai_deploy.components.args import FineTunedModelDeploymentArgs
    from aoai_deploy.components.fine_tuned import FineTunedModelDeployment

    fields = dataclass_fields(FineTunedModelDeploymentArgs)
    outputs = component_outputs(FineTunedModelDeployment)
    first_paragraph = inspect.cleandoc(FineTunedModelDeployment.__doc__ or "").split("\n\n")[0]
    description = " ".join(first_paragraph.split()) + (
        " Its deployments are this package's CrossTenantDeployment resources, created one "
        "after the other so that writes into the account never overlap."
    )
    return {
        "isComponent": True,
        "description": description,
        "inputProperties": {
            f.schema_name: _shape_spec(f.shape, f.description, types) for f in fields
        },
        "requiredInputs": [f.schema_name for f in fields if f.required],
        "properties": {f.schema_name: _shape_spec(f.shape, f.description, types) for f in outputs},
        "required": [f.schema_name for f in outputs if f.schema_name != "endpoint"],
    }


def _shape_spec(shape: Shape, description: str, types: dict[str, Any]) -> dict[str, Any]:
    spec = _shape_type(shape, types)
    if description:
        spec["description"] = description
    if shape.plain and shape.kind in ("string", "integer", "boolean", "array", "object"):
        spec["plain"] = True
    return spec


def _shape_type(shape: Shape, types: dict[str, Any]) -> dict[str, Any]:
    if shape.kind in ("string", "integer", "number", "boolean"):
        return {"type": shape.kind}
    if shape.kind == "array" and shape.item is not None:
        return {"type": "array", "items": _shape_type(shape.item, types)}
    if shape.kind == "map" and shape.item is not None:
        return {"type": "object", "additionalProperties": _shape_type(shape.item, types)}
    if shape.kind == "object" and shape.cls is not None:
        return {"$ref": f"#/types/{_object_type(shape.cls, types)}"}
    return dict(_ANY)


def _object_type(cls: type, types: dict[str, Any]) -> str:
    """The token of the schema type for an argument dataclass, defined in ``types`` once."""
    token = f"{NAME}:index:{cls.__name__.removesuffix('Args')}"
    if token not in types:
        types[token] = {}  # reserved first: a type may refer to itself
        fields = dataclass_fields(cls)
        types[token] = {
            "type": "object",
            "description": " ".join(inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].split()),
            "properties": {
                f.schema_name: _shape_spec(f.shape, f.description, types) for f in fields
            },
            "required": [f.schema_name for f in fields if f.required],
        }
    return token
