"""Drive the ``aoai-deploy`` package's plugin as the Pulumi engine does.

``python -m aoai_deploy.plugin <engine address>`` prints its port and serves
``pulumirpc.ResourceProvider``. :class:`PackagePluginProcess` offers the same calls as the
dynamic plugin's harness (``engine_harness.PluginProcess``: configure, check, create, ...,
taking and returning the core's snake_case dicts), so the bench and the tests can drive
either front alike; on the wire the names are the schema's camelCase.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2_grpc

from aoai_deploy.providers.package import RESOURCE_TYPE
from aoai_deploy.providers.schema import INPUTS, OUTPUTS, OWNER_INPUT, camel

__all__ = ["PackagePluginProcess", "urn"]

_TO_SCHEMA = {name: camel(name) for name in (*INPUTS, *OUTPUTS, OWNER_INPUT)}
_TO_CORE = {schema: name for name, schema in _TO_SCHEMA.items()}


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


class PackagePluginProcess:
    """One ``python -m aoai_deploy.plugin`` process; use as a context manager."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._stderr_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="package-plugin-stderr-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            # The engine's address is only used by Construct, which this harness never sends.
            [sys.executable, "-u", "-m", "aoai_deploy.plugin", "127.0.0.1:1"],
            stdout=subprocess.PIPE,
            stderr=self._stderr_file,
            env={**os.environ, **(env or {})},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode().strip()
        if not line.isdigit():
            stderr = self.stderr()
            self.stop()
            raise RuntimeError(f"plugin did not print its port; stderr: {stderr}")
        self.port = int(line)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self.channel).result(timeout=30)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def __enter__(self) -> PackagePluginProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr_file.close()
        Path(self._stderr_file.name).unlink(missing_ok=True)

    def stderr(self) -> str:
        self._stderr_file.flush()
        return Path(self._stderr_file.name).read_text(errors="replace")

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

    def create(self, name: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        reply = self.stub.Create(
            proto.CreateRequest(urn=urn(name), properties=_to_struct(inputs), name=name)
        )
        return reply.id, _from_struct(reply.properties)
