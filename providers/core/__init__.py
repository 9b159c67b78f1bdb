"""The pure core: no network and no credentials; tests call its functions directly.

``schema``    the resource's fields and the provider's configuration keys, defined once
``ids``       ARM ids as value objects (parsed strictly, compared case-insensitively)
``inputs``    check: validate inputs and fill defaults, into a ``DeploymentSpec``
``mapping``   inputs to the ARM body, and ARM's answer back to outputs
``diff``      old outputs against new inputs, field by field, by the inputs table
``hints``     what to do about an ARM error code (a missing role, the wrong tenant, quota)

Each module is imported by its own path (``aoai_deploy.providers.core.inputs``, ...).
"""

from __future__ import annotations

__all__: list[str] = []
