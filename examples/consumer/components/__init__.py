"""This project's own components: a package named ``components``, like many stacks have.

aoai-deploy's components live under ``aoai_deploy.components``, so the two never collide.
"""

from __future__ import annotations

from components.naming import deployment_name, team_tags

__all__ = ["deployment_name", "team_tags"]
