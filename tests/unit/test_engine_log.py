"""Warnings for the CLI go to the engine's Log service (providers/engine_log.py)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from aoai_deploy.providers import engine_log


class _Engine(engine_pb2_grpc.EngineServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.logged: list[Any] = []

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:  # noqa: N802 (gRPC's name)
        self.logged.append(request)
        return empty_pb2.Empty()


@pytest.fixture
def engine() -> Iterator[tuple[_Engine, str]]:
    servicer = _Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, f"127.0.0.1:{port}"
    server.stop(None)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["127.0.0.1:53511"], "127.0.0.1:53511"),
        (["localhost:1", "--logtostderr"], "localhost:1"),
        (["[::1]:4242"], "[::1]:4242"),
        ([], None),
        (["-q", "tests/unit/test_x.py::test_y"], None),
        (["tests/unit/test_x.py::test_y"], None),
    ],
)
def test_the_engine_address_is_the_first_argument_when_it_is_one(
    argv: list[str], expected: str | None
) -> None:
    assert engine_log.engine_address(argv) == expected


def test_a_warning_reaches_the_engine_for_the_resource(engine: tuple[_Engine, str]) -> None:
    servicer, address = engine

    engine_log.warn("replacing it resets Bearer abcdefghijklmnopqrstu", "urn:x", address=address)

    (request,) = servicer.logged
    assert request.severity == engine_pb2.WARNING
    assert request.urn == "urn:x"
    assert request.message == "replacing it resets Bearer <redacted>"  # never a token


def test_without_an_engine_the_warning_goes_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="aoai_deploy"):
        engine_log.warn("a warning", address="127.0.0.1:1")  # nothing listens there

    assert "a warning" in caplog.text
