"""``aoai-deploy:index:FineTunedModelDeployment`` through the package: Construct.

The component is :class:`aoai_deploy.components.FineTunedModelDeployment` itself, run inside
the plugin process: the same validation, role naming, account settings and deployment
arguments. Two things differ, in :class:`PackageFineTunedModelDeployment`: its type token, and
its deployments, which are the package's own ``aoai-deploy:index:CrossTenantDeployment``
resources (:class:`PackageDeployment`), so nothing is pickled into the state.

The engine's inputs (camelCase :class:`PropertyValue`\\ s) become the component's argument
dataclasses by their type hints (:mod:`aoai_deploy.plugin.typeinfo`): a value that depends on
other resources, is secret or is not known yet becomes a ``pulumi.Output``; everything else
stays plain, so the component validates it before anything is registered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.provider.experimental.property_value import PropertyValue, ResourceReference
from pulumi.provider.experimental.provider import ConstructRequest, ConstructResponse
from pulumi.resource import DependencyProviderResource, DependencyResource
from pulumi.runtime import rpc

from aoai_deploy.components.args import FineTunedModelDeploymentArgs
from aoai_deploy.components.errors import ComponentArgsError
from aoai_deploy.components.fine_tuned import FineTunedModelDeployment
from aoai_deploy.components.grants import RoleGrants
from aoai_deploy.plugin.package_schema import COMPONENT_TYPE
from aoai_deploy.plugin.typeinfo import Shape, component_outputs, dataclass_fields
from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs
from aoai_deploy.providers.core.schema import camel
from aoai_deploy.providers.package import RESOURCE_TYPE, is_unknown, schema_words, unknown
from aoai_deploy.providers.resource import properties

__all__ = ["PackageDeployment", "PackageFineTunedModelDeployment", "args_from_inputs", "construct"]


class PackageDeployment(CrossTenantDeployment):
    """The package's ``CrossTenantDeployment``, registered from inside the plugin: the same
    arguments, properties and outputs as the dynamic resource, under the package's type
    token and the schema's camelCase names, served by the package's provider."""

    def __init__(
        self,
        resource_name: str,
        args: CrossTenantDeploymentArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # The dynamic resource's constructor would add its pickled provider and type token.
        pulumi.CustomResource.__init__(
            self, RESOURCE_TYPE, resource_name, properties(resource_name, args), opts
        )

    def translate_input_property(self, prop: str) -> str:
        return camel(prop)

    def translate_output_property(self, prop: str) -> str:
        return _SNAKE.get(prop, prop)


_SNAKE = {camel(name): name for name in CrossTenantDeployment.__annotations__}


class PackageFineTunedModelDeployment(FineTunedModelDeployment):
    """The component, with the package's type token and the package's deployments, sharing
    role grants through ``grants``: the plugin's registry for the program it serves (a
    provider's Construct runs outside that program, which has its own)."""

    _type_token: ClassVar[str] = COMPONENT_TYPE

    def __init__(
        self,
        name: str,
        args: FineTunedModelDeploymentArgs,
        opts: pulumi.ResourceOptions | None,
        grants: RoleGrants,
    ) -> None:
        self._grants = grants
        super().__init__(name, args, opts)

    def _role_grants(self) -> RoleGrants:
        return self._grants

    def _deployment(
        self, name: str, args: CrossTenantDeploymentArgs, opts: pulumi.ResourceOptions
    ) -> CrossTenantDeployment:
        return PackageDeployment(name, args, opts)


async def construct(request: ConstructRequest, grants: RoleGrants) -> ConstructResponse:
    """Build the component from the engine's request; its outputs once they are settled.

    ``grants`` holds the role grants of every component of the program built so far."""
    args = args_from_inputs(request.inputs)
    try:
        component = PackageFineTunedModelDeployment(request.name, args, request.options, grants)
    except ComponentArgsError as error:
        raise InputPropertiesError(
            f"FineTunedModelDeployment {request.name!r}: invalid arguments",
            [
                InputPropertyErrorDetails(
                    property_path=_schema_path(problem.field),
                    reason=schema_words(problem.reason),
                )
                for problem in error.problems
            ],
        ) from None
    state = {
        field.schema_name: await _settled(getattr(component, field.name))
        for field in component_outputs(FineTunedModelDeployment)
    }
    urn = await component.urn.future()
    assert urn is not None  # a registered resource always has one
    return ConstructResponse(urn, state, {})


def args_from_inputs(inputs: Mapping[str, PropertyValue]) -> FineTunedModelDeploymentArgs:
    """The component's arguments from the engine's inputs (raises ``InputPropertiesError``
    naming every input that has the wrong shape)."""
    problems: list[InputPropertyErrorDetails] = []
    args = _dataclass(FineTunedModelDeploymentArgs, inputs, "", problems)
    if problems:
        raise InputPropertiesError("FineTunedModelDeployment: invalid arguments", problems)
    assert isinstance(args, FineTunedModelDeploymentArgs)
    return args


def _dataclass(
    cls: type,
    inputs: Mapping[str, PropertyValue],
    path: str,
    problems: list[InputPropertyErrorDetails],
) -> Any:
    values: dict[str, Any] = {}
    for field in dataclass_fields(cls):
        where = f"{path}{field.schema_name}"
        given = inputs.get(field.schema_name)
        if given is None or (given.value is None and not given.dependencies):
            if field.required:
                problems.append(_problem(where, "is required"))
            continue
        values[field.name] = _value(field.shape, given, where, problems)
    return None if problems else cls(**values)


def _value(
    shape: Shape, given: PropertyValue, where: str, problems: list[InputPropertyErrorDetails]
) -> Any:
    deferred = given.is_secret or bool(given.dependencies) or is_unknown(given)
    if deferred and shape.plain:
        problems.append(
            _problem(where, "must be given as a plain value, not computed from other resources")
        )
        return None
    inner = given.value
    if is_unknown(given):
        return _output(None, given, known=False)
    if shape.kind == "object" and shape.cls is not None:
        if not isinstance(inner, Mapping):
            problems.append(_problem(where, "must be an object"))
            return None
        return _dataclass(shape.cls, inner, f"{where}.", problems)
    if shape.kind == "array" and shape.item is not None:
        if not isinstance(inner, Sequence) or isinstance(inner, str):
            problems.append(_problem(where, "must be a list"))
            return None
        plain: Any = [
            _value(shape.item, item, f"{where}[{index}]", problems)
            for index, item in enumerate(inner)
        ]
    elif shape.kind == "map" and shape.item is not None:
        if not isinstance(inner, Mapping):
            problems.append(_problem(where, "must be a map"))
            return None
        plain = {
            key: _value(shape.item, item, f"{where}.{key}", problems) for key, item in inner.items()
        }
    elif shape.kind == "provider":
        if not isinstance(inner, ResourceReference):
            problems.append(_problem(where, "must be a provider resource"))
            return None
        return _provider(inner)
    elif shape.kind == "integer" and isinstance(inner, float) and inner.is_integer():
        plain = int(inner)  # the protocol's numbers are floats
    else:
        plain = inner  # left for the component's validation and the provider's check
    return _output(plain, given, known=True) if deferred else plain


def _output(value: Any, given: PropertyValue, *, known: bool) -> pulumi.Output[Any]:
    """An Output of ``value`` that carries ``given``'s dependencies and secrecy."""
    loop = asyncio.get_running_loop()

    def settled(result: Any) -> asyncio.Future[Any]:
        future = loop.create_future()
        future.set_result(result)
        return future

    resources: set[pulumi.Resource] = {DependencyResource(urn) for urn in given.dependencies}
    return pulumi.Output(resources, settled(value), settled(known), settled(given.is_secret))


def _provider(reference: ResourceReference) -> pulumi.ProviderResource:
    """A stand-in for a provider resource the program declared (an azure-native provider for
    the source tenant), which children name as their provider."""
    resource_id = reference.resource_id
    id_value = resource_id.value if resource_id is not None else None
    known_id = id_value if isinstance(id_value, str) else rpc.UNKNOWN
    return DependencyProviderResource(f"{reference.urn}::{known_id}")


async def _settled(value: Any) -> PropertyValue:
    """A component output as the engine takes it: its value, secrecy and dependencies."""
    if not isinstance(value, pulumi.Output):
        return _plain_property(value, False, frozenset())
    known = await value.is_known()
    secret = await value.is_secret()
    urns: set[str] = set()
    for resource in await value.resources():
        urn = await resource.urn.future()
        if urn:
            urns.add(urn)
    if not known:
        return unknown().with_secret(secret).with_dependencies(urns)
    return _plain_property(await value.future(), secret, frozenset(urns))


def _plain_property(value: Any, secret: bool, urns: frozenset[str]) -> PropertyValue:
    if isinstance(value, Mapping):
        inner: Any = {str(k): _plain_property(v, False, frozenset()) for k, v in value.items()}
    elif isinstance(value, list | tuple):
        inner = [_plain_property(v, False, frozenset()) for v in value]
    elif isinstance(value, int) and not isinstance(value, bool):
        inner = float(value)
    else:
        inner = value
    return PropertyValue(inner, is_secret=secret, dependencies=urns)


def _problem(path: str, reason: str) -> InputPropertyErrorDetails:
    return {"property_path": path, "reason": f"{path} {reason}"}


def _schema_path(field: str) -> str:
    """``deployments[1].sku_capacity`` -> ``deployments[1].skuCapacity``."""
    return ".".join(
        camel(part.split("[")[0]) + (part[len(part.split("[")[0]) :]) for part in field.split(".")
    )
