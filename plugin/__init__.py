"""The ``aoai-deploy`` Pulumi package: a provider plugin with a schema, for every language.

``python -m aoai_deploy.plugin`` (or the ``pulumi-resource-aoai-deploy`` command the wheel
installs, or this folder's launcher of that name) serves the engine;
:func:`~aoai_deploy.plugin.package_schema.package_schema` is its schema.
"""

from __future__ import annotations

from aoai_deploy.plugin.package_schema import COMPONENT_TYPE, NAME, package_schema
from aoai_deploy.plugin.serve import AoaiDeployProvider

__all__ = ["COMPONENT_TYPE", "NAME", "AoaiDeployProvider", "package_schema"]
