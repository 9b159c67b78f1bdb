"""The fields table is the one definition: the dynamic resource, the provider configuration and
the package's generated schema all agree with it."""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

import pulumi.output
import pytest

from aoai_deploy.components.args import (
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
)
from aoai_deploy.plugin.package_schema import COMPONENT_TYPE, package_schema
from aoai_deploy.plugin.typeinfo import attribute_docs, shape_of
from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs
from aoai_deploy.providers.azure.config import CONFIG_KEYS, ProviderConfig
from aoai_deploy.providers.core.schema import (
    CONFIG_FIELDS,
    DEFAULTS,
    INPUT_FIELDS,
    INPUTS,
    OUTPUT_FIELDS,
    OUTPUTS,
    camel,
)
from aoai_deploy.providers.package import RESOURCE_TYPE

SCHEMA = package_schema()
DEPLOYMENT = SCHEMA["resources"][RESOURCE_TYPE]
COMPONENT = SCHEMA["resources"][COMPONENT_TYPE]
#: What each kind of the table must be in the dynamic resource's arguments.
PYTHON_KIND = {
    "string": "string",
    "integer": "integer",
    "boolean": "boolean",
    "string-map": "map",
    "any-map": "map",
}


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, localns=vars(pulumi.output))


def test_dynamic_arguments_are_the_tables_inputs_with_its_kinds() -> None:
    fields = dataclasses.fields(CrossTenantDeploymentArgs)
    assert [f.name for f in fields] == list(INPUTS)
    hints = _hints(CrossTenantDeploymentArgs)
    for field, spec in zip(fields, INPUT_FIELDS, strict=True):
        assert shape_of(hints[field.name]).kind == PYTHON_KIND[spec.kind], field.name
        # Required in the table exactly when the dataclass has no default.
        assert (field.default is dataclasses.MISSING) == spec.required, field.name


def test_dynamic_resource_declares_every_input_and_output() -> None:
    declared = [name for name in CrossTenantDeployment.__annotations__ if not name.startswith("_")]
    assert declared == [*INPUTS, *OUTPUTS]


def test_the_tables_descriptions_document_the_dynamic_classes() -> None:
    for field in INPUT_FIELDS:
        assert field.description in (CrossTenantDeploymentArgs.__doc__ or ""), field.name
    for field in OUTPUT_FIELDS:
        assert field.description in (CrossTenantDeployment.__doc__ or ""), field.name


def test_config_table_names_every_key_the_provider_reads() -> None:
    assert [f"aoai-deploy:{f.name}" for f in CONFIG_FIELDS] == list(CONFIG_KEYS)
    secret = {f.name for f in CONFIG_FIELDS if f.secret}
    assert secret == {"clientSecret", "staticTokens"}
    # And they are the fields ProviderConfig keeps out of its repr.
    hidden = {f.name for f in dataclasses.fields(ProviderConfig) if not f.repr}
    assert {camel(name) for name in hidden} == secret


def test_schema_config_marks_the_secrets_secret_and_describes_every_key() -> None:
    variables = SCHEMA["config"]["variables"]
    assert list(variables) == [f.name for f in CONFIG_FIELDS]
    assert {k for k, v in variables.items() if v.get("secret")} == {"clientSecret", "staticTokens"}
    assert SCHEMA["provider"]["inputProperties"] == variables
    for key, spec in variables.items():
        assert spec["type"] == ("boolean" if key == "allowCustomEndpoint" else "string"), key
        assert spec["description"].strip(), key


def test_schema_resource_has_the_tables_inputs_outputs_and_defaults() -> None:
    inputs = DEPLOYMENT["inputProperties"]
    assert list(inputs) == [*(camel(name) for name in INPUTS), "owner"]
    assert DEPLOYMENT["requiredInputs"] == ["accountId", "deploymentName", "modelName"]
    assert list(DEPLOYMENT["properties"]) == [*inputs, *(camel(name) for name in OUTPUTS)]
    for name, default in DEFAULTS.items():
        assert inputs[camel(name)]["default"] == default, name
    assert inputs["skuCapacity"]["type"] == "integer"
    assert inputs["tags"] == {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": inputs["tags"]["description"],
    }


def test_every_resource_property_and_type_is_described() -> None:
    missing = [
        f"{token}.{section}.{name}"
        for token, resource in SCHEMA["resources"].items()
        for section in ("inputProperties", "properties")
        for name, spec in resource[section].items()
        if not spec.get("description", "").strip()
    ]
    missing += [
        f"{token}.{name}"
        for token, spec in SCHEMA["types"].items()
        for name, prop in spec["properties"].items()
        if not prop.get("description", "").strip()
    ]
    assert missing == []
    assert all(resource["description"].strip() for resource in SCHEMA["resources"].values())
    assert all(spec["description"].strip() for spec in SCHEMA["types"].values())


def test_component_inputs_are_its_argument_dataclass_with_its_docstrings() -> None:
    fields = dataclasses.fields(FineTunedModelDeploymentArgs)
    inputs = COMPONENT["inputProperties"]
    assert list(inputs) == [camel(f.name) for f in fields]
    docs = attribute_docs(FineTunedModelDeploymentArgs)
    assert inputs["sourceTenantId"]["description"] == " ".join(docs["source_tenant_id"].split())
    assert COMPONENT["requiredInputs"] == ["deployments"]
    assert COMPONENT["isComponent"] is True
    assert inputs["deployments"] == {
        "type": "array",
        "items": {"$ref": "#/types/aoai-deploy:index:ModelDeployment"},
        "plain": True,
        "description": inputs["deployments"]["description"],
    }


def test_component_item_type_is_the_model_deployment_dataclass() -> None:
    item = SCHEMA["types"]["aoai-deploy:index:ModelDeployment"]
    fields = dataclasses.fields(ModelDeploymentArgs)
    assert list(item["properties"]) == [camel(f.name) for f in fields]
    assert item["required"] == ["deploymentName", "modelName"]
    # The child resources' names come from it: it must be known when the program runs.
    assert item["properties"]["deploymentName"]["plain"] is True
    assert "plain" not in item["properties"]["modelName"]


@pytest.mark.parametrize(
    ("hint", "kind", "plain"),
    [
        (str, "string", True),
        (pulumi.Input[int], "integer", False),
        (pulumi.Input[int] | None, "integer", False),
        (bool | None, "boolean", True),
        (dict[str, pulumi.Input[str]], "map", True),
    ],
)
def test_shape_of_a_type_hint(hint: Any, kind: str, plain: bool) -> None:
    resolved = typing.get_type_hints(
        type("Probe", (), {"__annotations__": {"x": hint}}), localns=vars(pulumi.output)
    )["x"]
    shape = shape_of(resolved)
    assert (shape.kind, shape.plain) == (kind, plain)


def test_schema_is_json() -> None:
    assert json.loads(json.dumps(SCHEMA)) == SCHEMA
