"""The stack's key for the owner tag of its dynamic ``CrossTenantDeployment``\\ s.

One ``OwnerKey`` resource per stack (type ``pulumi-python:dynamic/aoai:OwnerKey``, named
:data:`RESOURCE_NAME`) holds a random key, made by its create and kept in the state from then
on. The first ``CrossTenantDeployment`` a program declares registers it (:func:`stack_key`);
every deployment's hidden ``owner_key`` input is its output, so the engine creates the key,
and records it, before any deployment's create starts (the SDK sends a resource only once
its inputs are known). A create that times out, or a
``pulumi up`` killed mid-create, therefore finds the same key on the next run and adopts
its own leftover; another stack of the same organization, project and stack name (in
another self-managed backend) has another key (``core/owner.py`` says why this is needed).

:class:`OwnerKeyProvider` is pickled by reference into every stack's state (``__provider``):
this module path and class name must never move. It holds nothing and sends no request.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Final

import pulumi
import pulumi.dynamic
import pulumi.runtime

from aoai_deploy.providers.core.owner import new_key

__all__ = ["RESOURCE_NAME", "OwnerKey", "OwnerKeyProvider", "stack_key"]

#: The one key resource's name in every stack.
RESOURCE_NAME: Final = "aoai-deploy-owner-key"


class OwnerKeyProvider(pulumi.dynamic.ResourceProvider):
    """Pickled by reference into every stack's state: never move or rename this class."""

    serialize_as_secret_always = False  # it holds nothing

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        key = new_key()
        return pulumi.dynamic.CreateResult(key, {"key": key})

    def diff(
        self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        return pulumi.dynamic.DiffResult(changes=False)  # a key never changes

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        return pulumi.dynamic.ReadResult(id_, {"key": props.get("key") or id_})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        pass  # nothing outside the state


class OwnerKey(pulumi.dynamic.Resource, module="aoai", name="OwnerKey"):
    """The stack's key (``key``, also its id); register it through :func:`stack_key`."""

    key: pulumi.Output[str]

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(OwnerKeyProvider(), resource_name, {"key": None}, opts)


# The key resource of each running program, by the program's root (stack) resource: an
# Automation API process may run several programs, each with its own root.
_KEYS: weakref.WeakKeyDictionary[pulumi.Resource, OwnerKey] = weakref.WeakKeyDictionary()
_KEYS_LOCK = threading.Lock()


def stack_key() -> pulumi.Output[str]:
    """The stack's key, registering its resource the first time a program asks.

    The Output records no dependency on that resource: the SDK still sends a deployment
    that takes it only once the key is known, that is once the engine has created the key
    resource, but the state can lose the key resource (``pulumi state delete``, the way
    back to a release without it) without touching the deployments."""
    root = pulumi.runtime.get_root_resource()
    with _KEYS_LOCK:
        found = _KEYS.get(root) if root is not None else None
        if found is None:
            found = OwnerKey(RESOURCE_NAME)
            if root is not None:
                _KEYS[root] = found
    key = found.key

    async def value() -> str:
        return await key.future()  # type: ignore[return-value]  # None only while unknown

    return pulumi.Output(set(), value(), key.is_known(), key.is_secret())
