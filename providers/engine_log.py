"""Warnings the CLI shows: sent to the Pulumi engine's ``Log`` service.

A provider plugin's stderr reaches the CLI as an ``info`` message it does not print in a
preview (seen with Pulumi 3.274.1), so a warning the user must read while planning, such as
a live setting a replace will reset (``core/live.py``), goes to the engine instead: the CLI
prints it under the resource (or the stack, without a URN) and in the summary of
diagnostics, in previews too. The engine starts every resource plugin with its own address
as the first argument (the dynamic provider's and the package's alike). Where there is no
engine to tell (tests, a harness), the warning goes to the provider's logger.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Final

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from aoai_deploy.providers.azure.logs import logger, redact

__all__ = ["engine_address", "warn"]

_ADDRESS: Final = re.compile(r"(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}")
#: How long a warning may take to reach the engine, which runs on the same machine.
_TIMEOUT_SECONDS: Final = 10.0


def engine_address(argv: Sequence[str] | None = None) -> str | None:
    """The engine's address, the first argument it starts a plugin with; ``None`` if the
    process was not started by an engine."""
    args = sys.argv[1:] if argv is None else argv
    return args[0] if args and _ADDRESS.fullmatch(args[0]) else None


def warn(message: str, urn: str = "", *, address: str | None = None) -> None:
    """Show ``message`` as a warning of the resource ``urn`` (the stack's, if empty)."""
    text = redact(message)
    target = address or engine_address()
    if target is not None:
        try:
            with grpc.insecure_channel(target) as channel:
                engine_pb2_grpc.EngineStub(channel).Log(
                    engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=text, urn=urn),
                    timeout=_TIMEOUT_SECONDS,
                )
            return
        except grpc.RpcError:
            pass  # no engine there after all (a harness): the log is all there is
    logger.warning("%s", text)
