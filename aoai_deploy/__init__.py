"""aoai-deploy: Azure OpenAI deployments (above all fine-tuned models copied across Entra
tenants) as Pulumi resources.

The import root of the distribution ``aoai-deploy``. Its packages live in the repository's
top-level folders (``pyproject.toml`` maps them here): :mod:`aoai_deploy.providers` (the
resource), :mod:`aoai_deploy.components` (the component), :mod:`aoai_deploy.plugin` (the
``aoai-deploy`` package's provider plugin) and :mod:`aoai_deploy.emulator` (a local ARM for
tests and try-outs).

``__version__`` is the one place the version is written: ``pyproject.toml`` reads it (dynamic
version), and so do the package schema, the plugin's ``GetPluginInfo`` and the ``--version`` of
every command the wheel installs.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.2.0"
