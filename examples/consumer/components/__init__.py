"""This project's own components: a package named ``components``, like many stacks have.

aoai-deploy's components live under ``aoai_deploy.components``, so the two never collide.
"""

from __future__ import annotations

from components.naming import deployment_name, team_tags
from components.published import PublishedOutputsError, read_published_outputs

__all__ = ["PublishedOutputsError", "deployment_name", "read_published_outputs", "team_tags"]
