"""A package provider plugin that does nothing: the floor of the SDK's provider server.

``python -m bench.noop_package <engine address>`` serves, through the SDK's own
``pulumi.provider.experimental.server.main``, a provider whose Check echoes its inputs and
whose Diff plans no change. Its cold start is what any Python provider plugin built on that
server pays before it runs a line of its own code; bench/cold_start.py sets the package
plugin's beside it, as bench/noop_provider.py does for the dynamic provider.
"""

from __future__ import annotations

import sys

from pulumi.provider.experimental.provider import (
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    DiffRequest,
    DiffResponse,
    Provider,
)
from pulumi.provider.experimental.server import main


class NoopPackageProvider(Provider):
    """Accepts any inputs and never plans a change."""

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        return ConfigureResponse(accept_secrets=True, accept_resources=True)

    async def check(self, request: CheckRequest) -> CheckResponse:
        return CheckResponse(inputs=request.new_inputs, failures=[])

    async def diff(self, request: DiffRequest) -> DiffResponse:
        return DiffResponse(changes=False)


if __name__ == "__main__":
    main(sys.argv[1:], "0.0.0", NoopPackageProvider())
