"""The dynamic provider's class path is a public, stable API: every stack's state names it.

The engine stores the provider pickled (dill) in each dynamic resource's ``__provider`` input;
the pickle names the class by its module and name, and ``refresh``, ``update`` and ``destroy``
of a stack import it from there. tests/e2e/test_upgrade.py runs a stack written by the previous
release; this keeps the path itself from moving.
"""

from __future__ import annotations

import pickle
import pickletools

import dill

STABLE_MODULE = "aoai_deploy.providers.provider"
STABLE_NAME = "CrossTenantDeploymentProvider"


def test_the_provider_class_is_importable_at_its_stable_path() -> None:
    from aoai_deploy.providers.provider import CrossTenantDeploymentProvider

    assert CrossTenantDeploymentProvider.__module__ == STABLE_MODULE
    assert CrossTenantDeploymentProvider.__qualname__ == STABLE_NAME


def test_the_pickled_provider_names_the_stable_path_and_no_code() -> None:
    from aoai_deploy.providers import CrossTenantDeploymentProvider

    # As pulumi.dynamic pickles it (dynamic.py: dill.dumps(provider, DEFAULT_PROTOCOL, recurse)).
    pickled = dill.dumps(
        CrossTenantDeploymentProvider(), protocol=pickle.DEFAULT_PROTOCOL, recurse=True
    )
    globals_named = [
        arg for op, arg, _ in pickletools.genops(pickled) if op.name in {"GLOBAL", "STACK_GLOBAL"}
    ]
    strings = [arg for op, arg, _ in pickletools.genops(pickled) if isinstance(arg, str)]

    assert STABLE_MODULE in strings + globals_named
    assert STABLE_NAME in strings + globals_named
    # By reference, not by value: no code object of the class travels in the state.
    assert b"co_code" not in pickled
    assert not any("_create_code" in str(arg) for arg in strings)
