"""The ``aoai-deploy`` package's ``CrossTenantDeployment``: a thin front over ``lifecycle``.

The package provider (``aoai_deploy.plugin``) hands each engine call for the resource type
:data:`RESOURCE_TYPE` to a :class:`DeploymentFront`, which translates the SDK's provider types
(``pulumi.provider.experimental``) to and from the plain snake_case dicts of
:mod:`aoai_deploy.providers.lifecycle`, as the dynamic provider (``provider.py``) does for its
own types. What differs is only the edge:

* names: the schema spells every field in camelCase (``skuCapacity``), the core in snake_case;
  messages that name a field are reworded to the schema's names;
* values: :class:`PropertyValue`\\ s (numbers are floats, unknowns are ``Computed``, secrets
  are flagged) rather than the dynamic SDK's plain values;
* the owner tag's value, which the dynamic resource sets in the program: here the provider
  derives it from the resource's URN when the program did not set it;
* diffs: the engine gets a detailed diff, so the CLI shows exactly the fields that matter.

Every method is synchronous and may block on ARM; the server runs them in its thread pool.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Final, ParamSpec, TypeVar

from pulumi.output import Unknown
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    PropertyDiff,
    PropertyDiffKind,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime import rpc

from aoai_deploy.providers import engine_log, lifecycle
from aoai_deploy.providers.azure.calls import Call
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.core.ids import AccountId, ArmIdError, DeploymentId
from aoai_deploy.providers.core.live import member
from aoai_deploy.providers.core.schema import INPUTS, OUTPUTS, OWNER_INPUT, camel
from aoai_deploy.providers.errors import AoaiDeployError
from aoai_deploy.providers.lifecycle import Runtime

__all__ = [
    "RESOURCE_TYPE",
    "DeploymentFront",
    "PackageError",
    "check",
    "diff",
    "from_core",
    "is_unknown",
    "owner_from_urn",
    "schema_words",
    "to_core",
    "unknown",
]

#: The resource's type token in the package's schema.
RESOURCE_TYPE: Final = "aoai-deploy:index:CrossTenantDeployment"

_NAMES: Final = (*INPUTS, *OUTPUTS, OWNER_INPUT)
_TO_SCHEMA: Final = {name: camel(name) for name in _NAMES}
_TO_CORE: Final = {schema: name for name, schema in _TO_SCHEMA.items()}
# Only the names that change between the spellings; longest first so that a name is never
# rewritten inside a longer one.
_RENAMED: Final = re.compile(
    r"\b(" + "|".join(sorted((n for n in _NAMES if "_" in n), key=len, reverse=True)) + r")\b"
)

# The core's refusal of a deployment it does not own ends with the dynamic resource's note;
# the package's resource can be imported (test_package_front checks the wording still meets).
_PACKAGE_IMPORT_NOTE: Final = (
    f"Or bring it under this stack: `pulumi import {RESOURCE_TYPE} <name> <its ARM id>`."
)

#: How long the import's lookup of a subscription's tenant may take.
_LOOKUP_SECONDS: Final = 60.0

_P = ParamSpec("_P")
_R = TypeVar("_R")


class PackageError(Exception):
    """An error of the core, reworded for the package: the message only, no traceback."""


def schema_words(text: str) -> str:
    """``text`` with every field name spelled as the package's schema spells it."""
    return _RENAMED.sub(lambda match: _TO_SCHEMA[match[1]], text)


def unknown() -> PropertyValue:
    """A value not known yet, as the engine reads it.

    The wire's unknown is a sentinel string. The SDK's ``PropertyValue.computed()`` cannot be
    marshalled (3.272: "Unsupported value type: Computed"), and its unmarshalling yields the
    sentinel string rather than ``Computed``.
    """
    return PropertyValue(rpc.UNKNOWN)


def is_unknown(value: PropertyValue) -> bool:
    """Whether ``value`` is not known yet (preview), in either of the SDK's spellings."""
    return isinstance(value.value, Computed) or value.value == rpc.UNKNOWN


def to_core(properties: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Engine properties as the core takes them: snake_case names, plain values, and
    ``Unknown`` for values not known yet."""
    return {_TO_CORE.get(key, key): _plain(value) for key, value in properties.items()}


def from_core(
    properties: Mapping[str, Any], secret: frozenset[str] = frozenset()
) -> dict[str, PropertyValue]:
    """Core properties as the engine takes them; the names in ``secret`` stay secret."""
    result: dict[str, PropertyValue] = {}
    for key, value in properties.items():
        converted = _property(value)
        result[_TO_SCHEMA.get(key, key)] = (
            converted.with_secret(True) if key in secret else converted
        )
    return result


def owner_from_urn(urn: str, organization: str = "organization") -> str:
    """``<organization>/<project>/<stack>/<resource name>`` of the resource ``urn`` names.

    A provider learns neither the organization nor anything else of the program but the
    URN (``urn:pulumi:<stack>::<project>::<type>::<name>``); ``organization`` is what the
    file and local backends, and ``pulumi.get_organization()`` without one, call it.
    """
    head, _, name = urn.rpartition("::")
    stack_part, project = head.split("::")[:2]
    stack = stack_part.rpartition(":")[2]
    return "/".join((organization, project, stack, name))


# -- planning: no network ----------------------------------------------------------------


def check(request: CheckRequest, front: DeploymentFront | None = None) -> CheckResponse:
    """Validate and fill the inputs; the owner comes from the URN when the program set none.
    With ``aoai-deploy:preflight always`` (``front`` configured), the preflight's problems
    too: this one reads Azure."""
    news = to_core(request.new_inputs)
    if news.get(OWNER_INPUT) is None:
        news[OWNER_INPUT] = owner_from_urn(request.urn)
    inputs, failures = lifecycle.check(news)
    if not failures and front is not None and front.checks_azure:
        failures = lifecycle.preflight_failures(front.runtime, to_core(request.old_inputs), inputs)
    return CheckResponse(
        inputs=from_core(inputs, _secret_keys(request.new_inputs)),
        failures=[
            CheckFailure(_TO_SCHEMA.get(f.field, f.field), schema_words(f.reason)) for f in failures
        ],
    )


def diff(request: DiffRequest) -> DiffResponse:
    """Compare the old outputs with the new inputs, property by property."""
    olds = to_core(request.old_state)
    news = to_core(request.new_inputs)
    planned = lifecycle.plan(olds, news, request.resource_id)
    if planned.notice:
        engine_log.warn(schema_words(planned.notice), request.urn)
    detailed = {
        _TO_SCHEMA[field]: PropertyDiff(
            _kind(olds.get(field), news.get(field), field in planned.replaces),
            input_diff=True,
        )
        for field in planned.changed
    }
    if planned.changes and not detailed:
        # Nothing declared changed, but Azure reported the deployment Failed: it is
        # applied again, and the state that makes it so is what the CLI should show.
        detailed[_TO_SCHEMA["provisioning_state"]] = PropertyDiff(
            PropertyDiffKind.UPDATE, input_diff=False
        )
    return DiffResponse(
        changes=planned.changes,
        replaces=[_TO_SCHEMA[field] for field in planned.replaces],
        delete_before_replace=planned.delete_before_replace,
        diffs=list(detailed),
        detailed_diff=detailed,
    )


# -- lifecycle: network ------------------------------------------------------------------


class DeploymentFront:
    """Serves the engine's calls for :data:`RESOURCE_TYPE` that reach ARM; one per plugin
    process, made when the engine configures the provider (:func:`check` and :func:`diff`
    need no configuration)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @property
    def runtime(self) -> Runtime:
        return self._runtime

    @property
    def checks_azure(self) -> bool:
        """Whether check reads Azure (``aoai-deploy:preflight always``)."""
        return self._runtime.preflight.on_check

    @classmethod
    def configured(
        cls,
        get: Callable[[str], str | None],
        *,
        keys: Iterable[str] | None = None,
        plaintext: Collection[str] | None = None,
        owner_key: str | None = None,
    ) -> DeploymentFront:
        """From the ``aoai-deploy:*`` configuration, read through ``get`` (plain strings);
        ``keys`` and ``plaintext`` as :meth:`ProviderConfig.from_getter` takes them;
        ``owner_key`` the stack's key for the owner tags (``core/owner.py``)."""
        config = _reported(ProviderConfig.from_getter)(get, keys=keys, plaintext=plaintext)
        return cls(Runtime.build(config, owner_key=owner_key))

    def create(self, request: CreateRequest) -> CreateResponse:
        props = to_core(request.properties)
        id_, outputs = _reported(lifecycle.create)(
            self._runtime, props, import_note=_PACKAGE_IMPORT_NOTE
        )
        return CreateResponse(id_, from_core(outputs, _secret_keys(request.properties)))

    def read(self, request: ReadRequest) -> ReadResponse:
        importing = not request.properties
        if importing:
            props = _reported(_import_seed)(self._runtime, request.resource_id)
        else:
            props = to_core(request.properties)
        found = _reported(lifecycle.read)(
            self._runtime, request.resource_id, props, importing=importing
        )
        if found is None:
            return ReadResponse(resource_id=None, properties={}, inputs={})
        if importing:
            _reported(_import_source_tenant)(self._runtime, found)
        secret = _secret_keys(request.properties)
        return ReadResponse(
            found.id, from_core(found.outputs, secret), from_core(found.inputs, secret)
        )

    def update(self, request: UpdateRequest) -> UpdateResponse:
        olds, news = to_core(request.olds), to_core(request.news)
        outputs = _reported(lifecycle.update)(self._runtime, request.resource_id, olds, news)
        return UpdateResponse(from_core(outputs, _secret_keys(request.news)))

    def delete(self, request: DeleteRequest) -> None:
        _reported(lifecycle.delete)(self._runtime, request.resource_id, to_core(request.properties))


def _reported(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function``, raising the core's errors as :class:`PackageError` in the schema's words,
    with no traceback or chained cause (their message carries everything)."""

    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except AoaiDeployError as exc:
            raise PackageError(schema_words(str(exc))) from None

    return wrapper


def _import_seed(runtime: Runtime, id_: str) -> dict[str, Any]:
    """What the id of a deployment that ``pulumi import`` brings under the stack says, as
    the old outputs ``read`` refreshes (the engine sends the id alone).

    The account and the name are in the id; the tenant is whichever the subscription belongs
    to, which ARM names in its answer to a request without a token. It becomes the
    ``tenant_id`` input, so that the imported resource's requests (and the next ones) need no
    guess: the credential may hold tokens for several tenants (``static``), or have another
    home tenant.
    """
    deployment = DeploymentId.parse(id_)
    seed: dict[str, Any] = {
        "account_id": str(deployment.account),
        "deployment_name": deployment.name,
    }
    call = Call("importing", str(deployment), None, runtime.client.clock.now() + _LOOKUP_SECONDS)
    tenant = runtime.client.subscription_tenant(call, deployment.account.subscription_id)
    if tenant is not None:
        seed["tenant_id"] = tenant
    return seed


def _import_source_tenant(runtime: Runtime, found: lifecycle.ReadResult) -> None:
    """Declare the source's tenant of an imported copy made across tenants (its model names a
    ``sourceAccount``), which Azure does not report: found as the destination's is, from the
    source subscription. Without it, the imported program's next PUT would send the source
    as a same-tenant one, which Azure refuses."""
    model = found.outputs.get("model")
    source = member(model, "sourceAccount")
    if not isinstance(source, str) or found.inputs.get("source_tenant_id"):
        return
    try:
        account = AccountId.parse(source)
    except ArmIdError:
        return
    call = Call("importing", found.id, None, runtime.client.clock.now() + _LOOKUP_SECONDS)
    tenant = runtime.client.subscription_tenant(call, account.subscription_id)
    if tenant is None:
        return
    found.inputs["source_tenant_id"] = found.outputs["source_tenant_id"] = tenant
    destination = found.outputs.get("tenant_id")
    found.outputs["cross_tenant"] = not (
        isinstance(destination, str) and destination.lower() == tenant.lower()
    )


def _kind(old: object, new: object, replace: bool) -> PropertyDiffKind:
    if old is None:
        return PropertyDiffKind.ADD_REPLACE if replace else PropertyDiffKind.ADD
    if new is None:
        return PropertyDiffKind.DELETE_REPLACE if replace else PropertyDiffKind.DELETE
    return PropertyDiffKind.UPDATE_REPLACE if replace else PropertyDiffKind.UPDATE


def _secret_keys(properties: Mapping[str, PropertyValue]) -> frozenset[str]:
    """The core names of the properties that are, or hold, secrets."""
    return frozenset(_TO_CORE.get(k, k) for k, v in properties.items() if v.contains_secret())


def _plain(value: PropertyValue) -> Any:
    inner = value.value
    if is_unknown(value):
        return Unknown()  # type: ignore[no-untyped-call]
    if isinstance(inner, Mapping):
        return {key: _plain(item) for key, item in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [_plain(item) for item in inner]
    return inner


def _property(value: Any) -> PropertyValue:
    if isinstance(value, Unknown):
        return unknown()
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return PropertyValue(value)
    if isinstance(value, int):
        return PropertyValue(float(value))  # the protocol's numbers are floats
    if isinstance(value, Mapping):
        return PropertyValue({str(key): _property(item) for key, item in value.items()})
    if isinstance(value, Sequence):
        return PropertyValue([_property(item) for item in value])
    raise TypeError(f"cannot send a {type(value).__name__} to the engine")
