"""The ``aoai-deploy`` provider plugin: the engine's calls, routed to the package's fronts.

``CrossTenantDeployment`` calls go to :class:`~aoai_deploy.providers.package.DeploymentFront`
(the core's lifecycle), ``FineTunedModelDeployment`` constructs to
:mod:`aoai_deploy.plugin.component`, and GetSchema returns the generated schema.

The SDK's server (``pulumi.provider.experimental``) runs every call on one asyncio loop. The
lifecycle blocks (ARM requests, polling, and the per-account write lock, which a create into a
busy account waits on for minutes), so each such call runs on a thread of its own from a pool
far larger than the engine's parallelism: a create waiting for one account's lock never holds
up a create into another account. The dynamic provider's plugin, by contrast, serves every
call from four threads (``pulumi/dynamic/__main__.py``), which such waits fill up
(docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final, TypeVar

import grpc
import grpc.aio
from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    ConstructRequest,
    ConstructResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2_grpc

from aoai_deploy.plugin.package_schema import COMPONENT_TYPE, NAME, package_schema_json
from aoai_deploy.providers import package
from aoai_deploy.providers.azure.logs import install_stderr_handler
from aoai_deploy.providers.azure.namespace import FirstConfiguration
from aoai_deploy.providers.core.owner import new_key
from aoai_deploy.providers.errors import ConfigError
from aoai_deploy.providers.package import RESOURCE_TYPE, DeploymentFront, PackageError

if TYPE_CHECKING:
    from aoai_deploy.components.grants import RoleGrants

__all__ = ["LIFECYCLE_THREADS", "OWNER_KEY_PROPERTY", "AoaiDeployProvider", "serve"]

#: The provider input that holds the stack's key for the owner tags; not a configuration key
#: (the provider adds it to its own inputs in CheckConfig).
OWNER_KEY_PROPERTY: Final = "ownerKey"

#: Threads for blocking lifecycle calls. Each engine call in flight holds one, also while it
#: waits for an account's write lock; the engine sends at most its parallelism (4 x CPUs by
#: default) at once, so this is never the limit. Threads start only when needed.
LIFECYCLE_THREADS: Final = 256

_T = TypeVar("_T")


class AoaiDeployProvider(Provider):
    """The package's provider: one per plugin process."""

    def __init__(self, front: DeploymentFront | None = None) -> None:
        self._front = front
        # The engine configures each provider plugin process once (one per provider
        # resource); a second, different configuration comes from someone else.
        self._first = FirstConfiguration()
        # The role grants of the program this process serves (one engine operation), shared
        # by every component it constructs; made by the first.
        self._grants: RoleGrants | None = None
        self._pool = ThreadPoolExecutor(LIFECYCLE_THREADS, thread_name_prefix="aoai-deploy")

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=package_schema_json())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        # The configuration itself is checked in Configure: the engine sends CheckConfig the
        # values without their secret flags, and Configure (sent in a preview too) names every
        # problem in one run. Here only the stack's key for the owner tags (core/owner.py) is
        # added: made once, then kept in the provider's inputs, which the engine stores before
        # any deployment is created.
        inputs = dict(request.new_inputs)
        inputs[OWNER_KEY_PROPERTY] = PropertyValue(
            _text(request.old_inputs.get(OWNER_KEY_PROPERTY)) or new_key()
        )
        return CheckResponse(inputs=inputs)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        install_stderr_handler()  # configure only ever runs in the plugin process
        # The stack's key is the provider's own input, no configuration key: it stays out of
        # the configuration's checks (and may differ between a preview's and an update's).
        args = dict(request.args)
        key = _text(args.pop(OWNER_KEY_PROPERTY, None))
        variables = {
            k: v for k, v in request.variables.items() if k != f"{NAME}:config:{OWNER_KEY_PROPERTY}"
        }
        values = _config_values(args, variables)
        try:
            self._first.accept(values)
        except ConfigError as refused:
            raise PackageError(str(refused)) from None
        # Older engines send only `variables`, which say nothing of secrecy.
        plaintext = (
            {f"{NAME}:{k}" for k, value in args.items() if not value.contains_secret()}
            if args
            else None
        )
        self._front = DeploymentFront.configured(
            values.get, keys=values, plaintext=plaintext, owner_key=key
        )
        # No preview of creates: the engine shows outputs as unknown without asking, and a
        # preview then sends nothing to Azure.
        return ConfigureResponse(
            accept_secrets=True, supports_preview=False, accept_resources=True, accept_outputs=True
        )

    async def check(self, request: CheckRequest) -> CheckResponse:
        _require_deployment(request.type)
        front = self._front
        if front is not None and front.checks_azure:
            # aoai-deploy:preflight always: check reads Azure, so it blocks.
            return await self._blocking(lambda r: package.check(r, front), request)
        return package.check(request)  # pure and quick: no thread needed

    async def diff(self, request: DiffRequest) -> DiffResponse:
        _require_deployment(request.type)
        return package.diff(request)

    async def create(self, request: CreateRequest) -> CreateResponse:
        _require_deployment(request.type)
        return await self._blocking(self._configured().create, request)

    async def read(self, request: ReadRequest) -> ReadResponse:
        _require_deployment(request.type)
        return await self._blocking(self._configured().read, request)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        _require_deployment(request.type)
        return await self._blocking(self._configured().update, request)

    async def delete(self, request: DeleteRequest) -> None:
        _require_deployment(request.type)
        await self._blocking(self._configured().delete, request)

    async def construct(self, request: ConstructRequest) -> ConstructResponse:
        if request.resource_type != COMPONENT_TYPE:
            raise PackageError(f"{NAME} has no component {request.resource_type!r}")
        # Imported on first use: a stack of bare deployments never needs the component.
        from aoai_deploy.components.grants import RoleGrants
        from aoai_deploy.plugin.component import construct

        if self._grants is None:
            self._grants = RoleGrants()
        return await construct(request, self._grants)

    def _configured(self) -> DeploymentFront:
        if self._front is None:  # the engine configures a provider before anything else
            raise PackageError("the aoai-deploy provider was not configured; please report it")
        return self._front

    async def _blocking(self, call: Callable[[Any], _T], request: Any) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, call, request)


def _require_deployment(resource_type: str) -> None:
    # A child's URN carries its parents' types too: `<parent type>$<type>`.
    if resource_type.rpartition("$")[2] != RESOURCE_TYPE:
        raise PackageError(f"{NAME} has no resource {resource_type!r}")


def serve(args: list[str], version: str, provider: Provider) -> None:
    """Serve ``provider`` to the engine at ``args[0]`` until the engine lets it go: the SDK's
    server (``pulumi.provider.experimental.server.main``), with the package's errors shown
    as their message alone."""
    parser = argparse.ArgumentParser(description="aoai-deploy provider plugin (gRPC server)")
    parser.add_argument("engine", help="the Pulumi engine's address")
    known, _ = parser.parse_known_args(args)

    async def run() -> None:
        server = grpc.aio.server(
            interceptors=[_MessageOnly()],
            options=[("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES)],
        )
        servicer = ProviderServicer(args, version, provider, engine_address=known.engine)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        sys.stdout.write(f"{port}\n")  # the engine reads the port from the first line
        sys.stdout.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


# The engine sends a whole stack's state at times; the SDK's own limit.
_MAX_MESSAGE_BYTES: Final = 400 * 1024 * 1024


class _MessageOnly(grpc.aio.ServerInterceptor):  # type: ignore[misc]  # grpc has no stubs
    """Answers a call that failed with one of the package's errors with its message alone.

    The SDK's servicer re-raises every error as a new exception whose text ends in a Python
    stack, which the CLI prints in full (and CI posts on pull requests). The package's errors
    say everything in their message; other errors (bugs) keep the stack.
    """

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        async def call(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            if isinstance(request, proto.ConstructRequest):
                _fill_unknown_outputs(request.inputs)
            try:
                return await inner(request, context)
            except grpc.aio.AbortError:
                raise
            except Exception as error:
                ours = _package_error(error)
                if ours is None:
                    raise
                await context.abort(grpc.StatusCode.UNKNOWN, str(ours))

        return grpc.unary_unary_rpc_method_handler(
            call,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _fill_unknown_outputs(struct: struct_pb2.Struct) -> None:
    """Complete every output value in ``struct`` so that the SDK can read it.

    The engine leaves out an output value's ``value`` while it is unknown (a Construct input
    computed from a resource not created yet, in a preview), and its ``dependencies`` and
    ``secret`` when there are none; the SDK's ``PropertyValue.unmarshal`` (3.272) refuses the
    first ("Output value missing 'value' field") and fails on the others (UnboundLocalError).
    """
    for value in struct.fields.values():
        _fill_value(value)


def _fill_value(value: struct_pb2.Value) -> None:
    kind = value.WhichOneof("kind")
    if kind == "list_value":
        for item in value.list_value.values:
            _fill_value(item)
        return
    if kind != "struct_value":
        return
    fields = value.struct_value.fields
    signature = fields.get(rpc._special_sig_key)
    if signature is None or signature.string_value != rpc._special_output_value_sig:
        _fill_unknown_outputs(value.struct_value)
        return
    if "value" in fields:
        _fill_value(fields["value"])
    else:
        fields["value"].string_value = rpc.UNKNOWN
    if "dependencies" not in fields:
        fields["dependencies"].list_value.SetInParent()
    if "secret" not in fields:
        fields["secret"].bool_value = False


def _package_error(error: BaseException) -> PackageError | None:
    """The :class:`PackageError` behind ``error``: the SDK raises its own while handling it."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, PackageError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


_RESOURCE_OPTIONS: Final = frozenset({"version", "pluginDownloadURL"})


def _config_values(
    args: Mapping[str, PropertyValue], variables: Mapping[str, str]
) -> dict[str, str]:
    """The provider configuration as ``aoai-deploy:<key>`` -> plain string.

    ``args`` holds the typed values (secrets unwrapped here: they are decrypted already);
    ``variables``, which older engines send alone, the same keyed ``aoai-deploy:config:<key>``.
    The provider resource's own options that an engine may pass as inputs (``version``,
    ``pluginDownloadURL``) are no configuration.
    """
    values = {
        key.replace(f"{NAME}:config:", f"{NAME}:", 1): value
        for key, value in variables.items()
        if key.rpartition(":")[2] not in _RESOURCE_OPTIONS
    }
    for key, value in args.items():
        if key in _RESOURCE_OPTIONS:
            continue
        plain = _unwrapped(value)
        if plain is not None:
            values[f"{NAME}:{key}"] = plain if isinstance(plain, str) else json.dumps(plain)
    return values


def _text(value: PropertyValue | None) -> str | None:
    inner = value.value if value is not None else None
    return inner if isinstance(inner, str) and inner else None


def _unwrapped(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Mapping):
        return {key: _unwrapped(item) for key, item in inner.items()}
    if isinstance(inner, tuple):
        return [_unwrapped(item) for item in inner]
    return inner
