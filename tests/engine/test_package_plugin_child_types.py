"""The package's plugin serves its deployment wherever it sits in the resource tree.

A resource inside a component has a URN whose type carries its parents' types,
``<parent type>$<type>`` (the engine writes it so for the component's own deployments), and
the SDK's provider server reads the resource type from the URN. Issue 15, item 14: a plugin
that compared that type with its own token as a whole refused every deployment inside a
component. Driven over gRPC as the engine drives it, against the emulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import pytest
from pulumi.runtime import proto

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.package import RESOURCE_TYPE
from engine_harness import secret
from package_harness import PackagePluginProcess, _from_struct, _to_struct
from provider_kit import cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_TENANT

pytestmark = pytest.mark.slow

COMPONENT = "aoai-deploy:index:FineTunedModelDeployment"


@pytest.fixture(scope="module")
def plugin() -> Iterator[PackagePluginProcess]:
    with Emulator() as emu, PackagePluginProcess() as process:
        emu.settings.provisioning_seconds = 0
        tokens = {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
        process.configure(
            {
                "aoai-deploy:armEndpoint": emu.base_url,
                "aoai-deploy:caBundle": emu.ca_path,
                "aoai-deploy:credential": "static",
                "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
            }
        )
        yield process


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:e2e::project::{type_}::{name}"


@pytest.mark.parametrize(
    "type_",
    [
        f"{COMPONENT}${RESOURCE_TYPE}",
        f"my:index:Outer${COMPONENT}${RESOURCE_TYPE}",
        f"my:index:Team${RESOURCE_TYPE}",
    ],
)
def test_a_deployment_inside_a_component_is_checked_created_read_and_deleted(
    plugin: PackagePluginProcess, type_: str
) -> None:
    name = f"child-{type_.count('$')}-{len(type_)}"
    resource = urn(type_, name)
    inputs = cross_tenant_inputs(deployment_name=name, owner=f"organization/project/e2e/{name}")
    stub = plugin.stub

    checked = stub.Check(proto.CheckRequest(urn=resource, news=_to_struct(inputs), name=name))
    assert list(checked.failures) == []
    created = stub.Create(proto.CreateRequest(urn=resource, properties=checked.inputs, name=name))
    assert created.id == f"{DEST_ACCOUNT}/deployments/{name}"
    read = stub.Read(proto.ReadRequest(id=created.id, urn=resource, properties=created.properties))
    assert _from_struct(read.properties)["provisioning_state"] == "Succeeded"
    diff = stub.Diff(
        proto.DiffRequest(id=created.id, urn=resource, olds=created.properties, news=checked.inputs)
    )
    assert diff.changes == proto.DiffResponse.DIFF_NONE
    stub.Delete(proto.DeleteRequest(id=created.id, urn=resource, properties=created.properties))


def test_a_type_that_is_not_the_packages_is_refused_wherever_it_sits(
    plugin: PackagePluginProcess,
) -> None:
    for type_ in (f"{RESOURCE_TYPE}$other:index:Thing", "aoai-deploy:index:Other"):
        with pytest.raises(grpc.RpcError) as caught:
            plugin.stub.Check(
                proto.CheckRequest(urn=urn(type_, "x"), news=_to_struct({}), name="x")
            )
        assert f"aoai-deploy has no resource '{type_}'" in (caught.value.details() or "")
