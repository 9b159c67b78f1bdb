"""Drive the ``aoai-deploy`` package's plugin as the Pulumi engine does.

``python -m aoai_deploy.plugin <engine address>`` prints its port and serves
``pulumirpc.ResourceProvider``. :class:`PackagePluginProcess` is the dynamic plugin's harness
(``engine_harness.PluginProcess``) with the package's process and calls (configure, check,
create, taking and returning the core's snake_case dicts), so the bench and the tests can
drive either front alike; on the wire the names are the schema's camelCase.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import proto, rpc

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.core.schema import INPUTS, OUTPUTS, OWNER_INPUT, camel
from aoai_deploy.providers.package import RESOURCE_TYPE
from engine_harness import DiffReply, PluginProcess

__all__ = ["LEGACY_MODEL", "PackagePluginProcess", "put_legacy_deployment", "urn"]

#: The base model of :func:`put_legacy_deployment`'s deployment.
LEGACY_MODEL = {"format": "OpenAI", "name": "gpt-4o-mini", "version": "2024-07-18"}

_TO_SCHEMA = {name: camel(name) for name in (*INPUTS, *OUTPUTS, OWNER_INPUT)}
_TO_CORE = {schema: name for name, schema in _TO_SCHEMA.items()}


def put_legacy_deployment(
    emulator: Emulator,
    account: str,
    name: str = "legacy",
    *,
    model: Mapping[str, str] = LEGACY_MODEL,
    settings: Mapping[str, str] | None = None,
) -> str:
    """A deployment made outside any stack (the portal, a script, another tool), carrying
    another stack's owner tag, running ``model`` with ``settings`` (properties such as
    ``versionUpgradeOption``); its ARM id."""
    emulator.put_deployment_direct(
        account,
        name,
        {
            "sku": {"name": "GlobalStandard", "capacity": 4},
            "tags": {"env": "legacy", "aoai-deploy-owner": "organization/other/prod/legacy"},
            "properties": {"model": dict(model), **(settings or {})},
        },
    )
    return f"{emulator.account_id(account)}/deployments/{name}"


def urn(name: str, stack: str = "bench", project: str = "aoai-deploy") -> str:
    return f"urn:pulumi:{stack}::{project}::{RESOURCE_TYPE}::{name}"


def _to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    loop = asyncio.new_event_loop()
    try:
        named = {_TO_SCHEMA.get(key, key): value for key, value in props.items()}
        return loop.run_until_complete(rpc.serialize_properties(named, {}))
    finally:
        loop.close()


def _from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    props = rpc.deserialize_properties(struct, keep_unknowns=True)
    return {_TO_CORE.get(key, key): value for key, value in props.items()}


class PackagePluginProcess(PluginProcess):
    """One ``python -m aoai_deploy.plugin`` process; use as a context manager."""

    # The engine's address is only used by Construct, which this harness never sends.
    command = (sys.executable, "-u", "-m", "aoai_deploy.plugin", "127.0.0.1:1")

    # -- the engine's calls ----------------------------------------------------------

    def configure(self, config: Mapping[str, Any]) -> None:
        """Configure as the engine does for a schema'd provider: typed ``args`` keyed by
        the key's name, and the deprecated ``variables`` keyed ``<package>:config:<key>``."""
        plain = {k: v if isinstance(v, str) else v["value"] for k, v in config.items()}
        self.stub.Configure(
            proto.ConfigureRequest(
                variables={k.replace(":", ":config:", 1): v for k, v in plain.items()},
                args=_to_struct({k.split(":", 1)[1]: v for k, v in config.items()}),
                acceptSecrets=True,
                acceptResources=True,
                type="pulumi:providers:aoai-deploy",
            )
        )

    def check_config(
        self, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """CheckConfig of the default provider, as the engine sends it before Configure: the
        stack config's values by key name, and the provider's inputs from the state."""
        reply = self.stub.CheckConfig(
            proto.CheckRequest(
                urn="urn:pulumi:bench::aoai-deploy::pulumi:providers:aoai-deploy::default",
                olds=_to_struct(olds or {}),
                news=_to_struct(news),
                name="default",
                type="pulumi:providers:aoai-deploy",
            )
        )
        return dict(rpc.deserialize_properties(reply.inputs, keep_unknowns=True))

    def check(
        self, name: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        reply = self.stub.Check(
            proto.CheckRequest(
                urn=urn(name),
                olds=_to_struct(olds) if olds else None,
                news=_to_struct(news),
                name=name,
                type=RESOURCE_TYPE,
            )
        )
        return _from_struct(reply.inputs), [(f.property, f.reason) for f in reply.failures]

    def _diff(self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Any:
        return self.stub.Diff(
            proto.DiffRequest(
                id=id_,
                urn=urn(name),
                olds=_to_struct(olds),
                news=_to_struct(news),
                name=name,
                type=RESOURCE_TYPE,
            )
        )

    def diff(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> DiffReply:
        reply = self._diff(name, id_, olds, news)
        return DiffReply(reply.changes, list(reply.replaces), reply.deleteBeforeReplace)

    def create(self, name: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        reply = self.stub.Create(
            proto.CreateRequest(urn=urn(name), properties=_to_struct(inputs), name=name)
        )
        return reply.id, _from_struct(reply.properties)

    def detailed_diff(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[list[str], list[str], dict[str, int]]:
        """The changed and replaced properties (schema names), and the detailed diff's kind of
        each (``proto.PropertyDiff.UPDATE`` ...), as the CLI shows them."""
        reply = self._diff(name, id_, olds, news)
        detailed = {key: value.kind for key, value in reply.detailedDiff.items()}
        return list(reply.diffs), list(reply.replaces), detailed

    def update(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        reply = self.stub.Update(
            proto.UpdateRequest(
                id=id_,
                urn=urn(name),
                olds=_to_struct(olds),
                news=_to_struct(news),
                type=RESOURCE_TYPE,
            )
        )
        return _from_struct(reply.properties)

    def invoke(
        self, token: str, args: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """An Invoke as the engine sends it for a function: the arguments by their schema
        names, unchanged; the return value by its schema names, and the failures."""
        loop = asyncio.new_event_loop()
        try:
            struct = loop.run_until_complete(rpc.serialize_properties(dict(args), {}))
        finally:
            loop.close()
        reply = self.stub.Invoke(proto.InvokeRequest(tok=token, args=struct))
        returned = dict(rpc.deserialize_properties(getattr(reply, "return"), keep_unknowns=True))
        return returned, [(f.property, f.reason) for f in reply.failures]
