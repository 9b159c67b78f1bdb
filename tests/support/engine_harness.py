"""Drive the SDK's own dynamic-provider plugin as the Pulumi engine does.

``python -u -m pulumi.dynamic`` prints its port and serves ``pulumirpc.ResourceProvider``
over gRPC. :class:`PluginProcess` starts it, sends Configure with the stack config the way
the engine sends it (namespaced keys, secrets wrapped), and offers Check / Diff / Create /
Read / Update / Delete taking and returning plain dicts. The pickled provider is made by the
SDK's own ``serialize_provider``, exactly as ``pulumi.dynamic.Resource.__init__`` makes it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2_grpc

from aoai_deploy.providers import CrossTenantDeploymentProvider

TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
PROVIDER_KEY = "__provider"
UNKNOWN = rpc.UNKNOWN
_SECRET_SIG = {rpc._special_sig_key: rpc._special_secret_sig}


def pickled_provider() -> str:
    """The ``__provider`` value a program would write for our resource."""
    return serialize_provider(CrossTenantDeploymentProvider())


def secret(value: Any) -> dict[str, Any]:
    """A config value wrapped as the engine wraps secrets."""
    return {**_SECRET_SIG, "value": value}


def urn(name: str, stack: str = "local", project: str = "aoai-deploy") -> str:
    return f"urn:pulumi:{stack}::{project}::{TYPE}::{name}"


def _to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    # serialize_properties is a coroutine; the plugin itself runs it on a fresh loop too.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def _from_struct(struct: struct_pb2.Struct, keep_unknowns: bool = False) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns))


@dataclass
class DiffReply:
    changes: int
    replaces: list[str]
    delete_before_replace: bool

    @property
    def has_changes(self) -> bool:
        return self.changes == proto.DiffResponse.DIFF_SOME


class PluginProcess:
    """One ``python -m pulumi.dynamic`` process; use as a context manager."""

    #: How the plugin is started (the package's harness starts another).
    command: tuple[str, ...] = (sys.executable, "-u", "-m", "pulumi.dynamic")

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._stderr_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="plugin-stderr-", suffix=".log", delete=False
        )
        merged = {**os.environ, **(env or {})}
        self.process = subprocess.Popen(
            list(self.command),
            stdout=subprocess.PIPE,
            stderr=self._stderr_file,
            env=merged,
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
        self.provider = pickled_provider()

    def __enter__(self) -> PluginProcess:
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
        """What the plugin wrote to stderr so far (the file is removed by :meth:`stop`)."""
        self._stderr_file.flush()
        return Path(self._stderr_file.name).read_text(errors="replace")

    # -- the engine's calls ----------------------------------------------------------

    def configure(self, config: Mapping[str, Any]) -> None:
        """Configure as the engine does for dynamic providers: every key, namespaced."""
        variables = {k: v if isinstance(v, str) else v["value"] for k, v in config.items()}
        self.stub.Configure(
            proto.ConfigureRequest(
                variables=variables,
                args=_to_struct(config),
                acceptSecrets=True,
                acceptResources=True,
            )
        )

    def _with_provider(self, props: Mapping[str, Any]) -> dict[str, Any]:
        # A program's own pickled provider, when the props carry one, is what gets sent.
        return {PROVIDER_KEY: self.provider, **props}

    def check(
        self, name: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        reply = self.stub.Check(
            proto.CheckRequest(
                urn=urn(name),
                olds=_to_struct(self._with_provider(olds or {})) if olds else None,
                news=_to_struct(self._with_provider(news)),
                name=name,
                type=TYPE,
            )
        )
        failures = [(f.property, f.reason) for f in reply.failures]
        return _from_struct(reply.inputs, keep_unknowns=True), failures

    def diff(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> DiffReply:
        reply = self.stub.Diff(
            proto.DiffRequest(
                id=id_,
                urn=urn(name),
                olds=_to_struct(self._with_provider(olds)),
                news=_to_struct(self._with_provider(news)),
                name=name,
                type=TYPE,
            )
        )
        return DiffReply(reply.changes, list(reply.replaces), reply.deleteBeforeReplace)

    def create(self, name: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        reply = self.stub.Create(
            proto.CreateRequest(
                urn=urn(name), properties=_to_struct(self._with_provider(inputs)), name=name
            )
        )
        return reply.id, _from_struct(reply.properties)

    def read(self, name: str, id_: str, outputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        reply = self.stub.Read(
            proto.ReadRequest(
                id=id_, urn=urn(name), properties=_to_struct(self._with_provider(outputs))
            )
        )
        return reply.id, _from_struct(reply.properties)

    def read_with_inputs(
        self, name: str, id_: str, outputs: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        """Read as refresh does: the id, the outputs and the inputs the plugin sent back
        (``None`` when it sent none, and the engine keeps the old ones)."""
        reply = self.stub.Read(
            proto.ReadRequest(
                id=id_, urn=urn(name), properties=_to_struct(self._with_provider(outputs))
            )
        )
        inputs = _from_struct(reply.inputs) if reply.HasField("inputs") else None
        return reply.id, _from_struct(reply.properties), inputs

    def update(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        reply = self.stub.Update(
            proto.UpdateRequest(
                id=id_,
                urn=urn(name),
                olds=_to_struct(self._with_provider(olds)),
                news=_to_struct(self._with_provider(news)),
            )
        )
        return _from_struct(reply.properties)

    def delete(self, name: str, id_: str, outputs: Mapping[str, Any]) -> None:
        self.stub.Delete(
            proto.DeleteRequest(
                id=id_, urn=urn(name), properties=_to_struct(self._with_provider(outputs))
            )
        )
