"""The deployment's lifecycle that both fronts call: the dynamic provider (``provider.py``) and
the ``aoai-deploy`` package's provider (``package.py``).

``deployment``   check, plan, create, read, update, delete: what each operation does
``writes``       the PUT, the PATCH and the two writes of a model and capacity change
``preflight``    ``aoai-deploy:preflight``: quota and models read before the first write
``runtime``      :class:`~.runtime.Runtime`: configuration, credentials and the ARM client of
                 one plugin process, and what this update has created

The fronts call the functions below as ``lifecycle.create(...)`` and so on.
"""

from __future__ import annotations

from aoai_deploy.providers.lifecycle.deployment import (
    Plan,
    ReadResult,
    check,
    create,
    delete,
    plan,
    preflight_failures,
    read,
    update,
)
from aoai_deploy.providers.lifecycle.runtime import Runtime

__all__ = [
    "Plan",
    "ReadResult",
    "Runtime",
    "check",
    "create",
    "delete",
    "plan",
    "preflight_failures",
    "read",
    "update",
]
