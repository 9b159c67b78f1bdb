"""Construct's inputs become the component's own argument dataclasses (plugin/component.py),
and the wire's unknown output values reach them intact (plugin/serve.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pytest
from google.protobuf import struct_pb2
from pulumi.errors import InputPropertiesError
from pulumi.provider.experimental.property_value import PropertyValue, ResourceReference
from pulumi.runtime import rpc

from aoai_deploy.components.args import (
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)
from aoai_deploy.plugin.component import args_from_inputs
from aoai_deploy.plugin.serve import _fill_unknown_outputs
from seed_ids import DEST_ACCOUNT, FT_MODEL, SOURCE_ACCOUNT

ACCOUNT_URN = "urn:pulumi:dev::shop::azure-native:cognitiveservices:Account::dest"


def _pv(value: Any) -> PropertyValue:
    if isinstance(value, PropertyValue):
        return value
    if isinstance(value, dict):
        return PropertyValue({k: _pv(v) for k, v in value.items()})
    if isinstance(value, list):
        return PropertyValue([_pv(v) for v in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)


def _convert(inputs: dict[str, Any]) -> FineTunedModelDeploymentArgs:
    async def run() -> FineTunedModelDeploymentArgs:
        return args_from_inputs({key: _pv(value) for key, value in inputs.items()})

    return asyncio.run(run())


def test_plain_inputs_become_plain_arguments() -> None:
    args = _convert(
        {
            "accountId": DEST_ACCOUNT,
            "sourceAccountId": SOURCE_ACCOUNT,
            "rolePropagationTimeoutSeconds": 60,
            "deployments": [
                {"deploymentName": "bot", "modelName": FT_MODEL, "skuCapacity": 2},
                {"deploymentName": "bot-2", "modelName": FT_MODEL, "tags": {"team": "a"}},
            ],
            "roleAssignments": {"destinationPrincipalId": "33333333-3333-4333-8333-333333333333"},
        }
    )

    assert args.account_id == DEST_ACCOUNT
    assert args.role_propagation_timeout_seconds == 60
    assert isinstance(args.role_propagation_timeout_seconds, int)
    assert args.deployments == [
        ModelDeploymentArgs(deployment_name="bot", model_name=FT_MODEL, sku_capacity=2),
        ModelDeploymentArgs(deployment_name="bot-2", model_name=FT_MODEL, tags={"team": "a"}),
    ]
    assert args.role_assignments == RoleAssignmentArgs(
        destination_principal_id="33333333-3333-4333-8333-333333333333"
    )
    assert args.openai_domain == "openai.azure.com"  # the dataclass's default


def test_values_from_other_resources_become_outputs_with_their_dependencies() -> None:
    async def run() -> tuple[Any, Any, bool, bool]:
        args = args_from_inputs(
            {
                "accountId": PropertyValue(rpc.UNKNOWN, dependencies=[ACCOUNT_URN]),
                "sourceTenantId": PropertyValue(
                    "11111111-1111-4111-8111-111111111111", is_secret=True
                ),
                "deployments": _pv([{"deploymentName": "bot", "modelName": FT_MODEL}]),
            }
        )
        account = args.account_id
        tenant = args.source_tenant_id
        assert isinstance(account, pulumi.Output)
        assert isinstance(tenant, pulumi.Output)
        resources = await account.resources()
        return (
            [await r.urn.future() for r in resources],
            await tenant.future(),
            await account.is_known(),
            await tenant.is_secret(),
        )

    urns, tenant, known, secret = asyncio.run(run())
    assert urns == [ACCOUNT_URN]
    assert not known
    assert tenant == "11111111-1111-4111-8111-111111111111"
    assert secret


def test_a_provider_reference_becomes_a_provider_resource() -> None:
    provider_urn = "urn:pulumi:dev::shop::pulumi:providers:azure-native::source"
    args = _convert(
        {
            "deployments": [{"deploymentName": "bot", "modelName": FT_MODEL}],
            "roleAssignments": {
                "sourceProvider": PropertyValue(
                    ResourceReference(provider_urn, PropertyValue("provider-id"))
                )
            },
        }
    )
    assert args.role_assignments is not None
    provider = args.role_assignments.source_provider
    assert isinstance(provider, pulumi.ProviderResource)
    assert provider.package == "azure-native"


def test_shapes_the_component_cannot_use_are_named() -> None:
    with pytest.raises(InputPropertiesError) as raised:
        _convert(
            {
                "deployments": [{"modelName": FT_MODEL}, "bot"],
                "createAccount": {"name": "acct"},
            }
        )
    paths = {error["property_path"] for error in raised.value.errors or []}
    assert paths == {
        "deployments[0].deploymentName",
        "deployments[1]",
        "createAccount.resourceGroupName",
        "createAccount.location",
    }


def test_a_list_of_deployments_not_known_yet_is_refused() -> None:
    with pytest.raises(InputPropertiesError) as raised:
        _convert({"deployments": PropertyValue(rpc.UNKNOWN, dependencies=[ACCOUNT_URN])})
    (error,) = raised.value.errors or []
    assert error["property_path"] == "deployments"
    assert "plain value" in error["reason"]


def test_unknown_output_values_get_the_wires_unknown_so_the_sdk_can_read_them() -> None:
    # An output value with dependencies and no "value": what the engine sends in a preview
    # for an input computed from a resource not created yet.
    output = struct_pb2.Struct()
    output.update(
        {rpc._special_sig_key: rpc._special_output_value_sig, "dependencies": [ACCOUNT_URN]}
    )
    inputs = struct_pb2.Struct()
    inputs.fields["accountId"].struct_value.CopyFrom(output)
    inputs.fields["deployments"].list_value.values.add().struct_value.update(
        {"modelName": {rpc._special_sig_key: rpc._special_output_value_sig}}
    )
    with pytest.raises(ValueError, match="missing 'value'"):
        PropertyValue.unmarshal_map(inputs)

    _fill_unknown_outputs(inputs)

    values = PropertyValue.unmarshal_map(inputs)
    assert values["accountId"].value == rpc.UNKNOWN
    assert values["accountId"].dependencies == {ACCOUNT_URN}
    (deployment,) = values["deployments"].value  # type: ignore[misc]
    assert deployment.value["modelName"].value == rpc.UNKNOWN  # type: ignore[index]
