"""Entry point of the ``aoai-deploy`` provider plugin.

The engine starts ``pulumi-resource-aoai-deploy <engine address> [flags]``; the plugin prints
the port it serves on and serves until the engine closes it. Run as ``python -m
aoai_deploy.plugin``, as the wheel's ``pulumi-resource-aoai-deploy`` command, or by a Python
language host as this folder's program (``PulumiPlugin.yaml``). ``--version`` alone prints
the command's name and the package's version, for the person who installed it.
"""

from __future__ import annotations

import sys

from aoai_deploy.plugin.package_schema import version
from aoai_deploy.plugin.serve import AoaiDeployProvider, serve

COMMAND = "pulumi-resource-aoai-deploy"


def main() -> None:
    """Serve the engine (the arguments are the engine's)."""
    if sys.argv[1:] == ["--version"]:  # the engine always passes its address first
        print(f"{COMMAND} {version()}")
        return
    serve(sys.argv[1:], version(), AoaiDeployProvider())


if __name__ == "__main__":
    main()
