"""pulumi-azure-native, which aoai-deploy installs only with its ``azure-native`` extra.

The resource, the package's plugin and the component deploying into an existing account need
none of it; creating an account or a role assignment does. Where that is asked for without
the extra, :func:`require_azure_native` stops the program before anything is registered, with
one line naming the extra (a ``pulumi.RunError``: the language host and the Automation API show
its message alone, without a traceback).
"""

from __future__ import annotations

import importlib.util
from typing import Final

import pulumi

from aoai_deploy.providers.errors import InputError

__all__ = ["EXTRA", "INSTALL", "MissingExtraError", "has_azure_native", "require_azure_native"]

EXTRA: Final = "azure-native"
#: What to run to get it.
INSTALL: Final = f'pip install "aoai-deploy[{EXTRA}]"'


class MissingExtraError(InputError, pulumi.RunError):
    """An option needs pulumi-azure-native, which is not installed."""


def has_azure_native() -> bool:
    """Whether pulumi-azure-native can be imported (without importing it: that is slow)."""
    return importlib.util.find_spec("pulumi_azure_native") is not None


def require_azure_native(what: str) -> None:
    """Raise :class:`MissingExtraError` naming ``what`` when pulumi-azure-native is missing."""
    if not has_azure_native():
        raise MissingExtraError(
            f"{what} needs pulumi-azure-native, which aoai-deploy installs only with its "
            f"{EXTRA} extra: {INSTALL}"
        )
