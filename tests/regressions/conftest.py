"""Fixtures for the regression tests (defects a review of the provider found, each fixed):
the provider in process against the emulator, and an ARM client whose transport is a
script (for HTTP-path cases the emulator cannot produce).

The emulator and the provider share one ManualClock, as in ``tests/provider``: every sleep
the client makes moves the emulator's time at once, so nothing waits on the wall clock.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest
import requests
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.config import set_all_config

from aoai_deploy.emulator import ManualClock
from aoai_deploy.providers.azure.arm import ArmClient
from aoai_deploy.providers.azure.calls import Call, RetryPolicy
from aoai_deploy.providers.azure.config import ProviderConfig
from provider_fixtures import clock, emu, make_provider, provider
from seed_ids import DEST_TENANT

# The shared fixtures of the in-process provider, offered to these tests too.
__all__ = ["clock", "emu", "make_provider", "provider"]

# -- a scripted transport ----------------------------------------------------------------


#: One canned answer: status, headers and a JSON body (``None``: no body).
Scripted = tuple[int, dict[str, str], Any]


class ScriptExhaustedError(Exception):
    """The client sent more requests than the test allows (it would loop on for ever)."""


class FakeSession(requests.Session):
    """Answers from a script instead of the network, and records what was sent.

    ``answer(method, url, count)`` returns the ``(status, headers, body)`` reply for the
    ``count``-th request (0-based); after ``limit`` requests it raises, so that a client
    stuck in a loop fails the test instead of hanging it.
    """

    def __init__(self, answer: Callable[[str, str, int], Scripted], limit: int = 500) -> None:
        super().__init__()
        self._answer = answer
        self._limit = limit
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if len(self.sent) >= self._limit:
            raise ScriptExhaustedError(f"more than {self._limit} requests")
        status, headers, body = self._answer(method, url, len(self.sent))
        self.sent.append((method, url, dict(kwargs.get("headers") or {})))
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = b"" if body is None else json.dumps(body).encode()
        response.url = url
        return response


class FixedTokens:
    """A token source that hands out one opaque token per tenant."""

    def token(self, tenant_id: str | None) -> str:
        return f"tok-{tenant_id or 'home'}"


@dataclass
class ScriptedClient:
    """An ArmClient on a scripted session, and what a test needs around it."""

    client: ArmClient
    session: FakeSession
    clock: ManualClock
    path: str = field(default="")
    """The ARM path of the deployment the calls are about."""

    def call(self, operation: str = "creating", timeout: float = 1800.0) -> Call:
        return Call(operation, self.path, DEST_TENANT, self.clock.now() + timeout)

    def url(self, api_version: str = "2024-10-01") -> str:
        return self.client.url(self.path, api_version)


ENDPOINT = "https://arm.example.test"
DEPLOYMENT_PATH = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus/deployments/ft"
)


@pytest.fixture
def scripted(
    clock: ManualClock,
) -> Callable[..., ScriptedClient]:
    """``scripted(answer, limit=500, policy=None)``: an ArmClient for ``ENDPOINT`` whose
    session is a :class:`FakeSession` (on this thread) and whose clock is ``clock``."""

    def make(
        answer: Callable[[str, str, int], Scripted],
        limit: int = 500,
        policy: RetryPolicy | None = None,
    ) -> ScriptedClient:
        config = ProviderConfig.from_getter(
            {
                "aoai-deploy:armEndpoint": ENDPOINT,
                "aoai-deploy:allowCustomEndpoint": "true",  # not loopback; no token leaves
                "aoai-deploy:credential": "cli",
            }.get
        )
        client = ArmClient(config, FixedTokens(), clock=clock, policy=policy)
        session = FakeSession(answer, limit)
        client._local.session = session
        return ScriptedClient(client, session, clock, DEPLOYMENT_PATH)

    return make


# -- what a program registers (Pulumi mocks) ---------------------------------------------

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"


class _DeploymentMocks(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ == DEPLOYMENT_TYPE:
            return f"{inputs['account_id']}/deployments/{inputs['deployment_name']}", inputs
        return f"{args.name}-id", inputs

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


class _RecordingMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, keeping each RegisterResourceRequest of our resource type
    (the resource options the engine acts on travel in it: ``deleteBeforeReplace``...)."""

    def __init__(self, mocks_: mocks.Mocks) -> None:
        super().__init__(mocks_)
        self.requests: list[Any] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method's name)
        if request.type == DEPLOYMENT_TYPE:
            self.requests.append(request)
        return super().RegisterResource(request)


@pytest.fixture
def register() -> Iterator[Callable[..., list[Any]]]:
    """``register(program, organization=None)``: run ``program`` under Pulumi mocks
    (project ``aoai-deploy``, stack ``prod``) and return the RegisterResourceRequests of
    CrossTenantDeployments."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def run(program: Callable[[], object], organization: str | None = None) -> list[Any]:
        settings.ROOT.set(None)
        set_all_config({}, [])
        monitor = _RecordingMonitor(_DeploymentMocks())
        mocks.set_mocks(
            monitor.mocks,
            project="aoai-deploy",
            stack="prod",
            preview=False,
            monitor=monitor,
            organization=organization,
        )

        @pulumi.runtime.test
        def go() -> None:
            program()

        go()
        return monitor.requests

    try:
        yield run
    finally:
        settings.ROOT.set(None)
        set_all_config({}, [])
        settings.reset_options()
        asyncio.set_event_loop(None)
        loop.close()


@pytest.fixture
def registered_inputs() -> Callable[[Any], dict[str, Any]]:
    """``registered_inputs(request)``: the inputs a RegisterResourceRequest carries, as the
    engine hands them to Check."""
    return lambda request: dict(rpc.deserialize_properties(request.object))
