"""The provider in process against the emulator, over real HTTPS on loopback: fixtures
shared by tests/provider and tests/regressions (imported by their conftest.py files).

The emulator and the provider's HTTP client share one ManualClock: every sleep the client
makes (Retry-After, backoff, polling) moves the emulator's time at once, so a test walks a
long-running operation to its end without waiting on the wall clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from aoai_deploy.emulator import Emulator, ManualClock
from aoai_deploy.providers.azure.calls import RetryPolicy
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider, Runtime
from provider_kit import MakeProvider
from seed_ids import DEST_TENANT, SOURCE_TENANT


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock) -> Iterator[Emulator]:
    with Emulator(clock=clock) as emulator:
        yield emulator


def static_config(emu: Emulator, tokens: dict[str, str]) -> ProviderConfig:
    settings = {
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
        "aoai-deploy:credential": "static",
        "aoai-deploy:staticTokens": json.dumps(tokens),
    }
    return ProviderConfig.from_getter(settings.get)


@pytest.fixture
def make_provider(emu: Emulator, clock: ManualClock) -> MakeProvider:
    """A provider whose static tokens belong to ``principal`` in both tenants."""

    def make(
        principal: str = "deployer",
        tokens: dict[str, str] | None = None,
        policy: RetryPolicy | None = None,
    ) -> CrossTenantDeploymentProvider:
        if tokens is None:
            tokens = {
                tenant: emu.token(tenant, principal=principal, expires_in=7 * 24 * 3600)
                for tenant in (SOURCE_TENANT, DEST_TENANT)
            }
        runtime = Runtime.build(static_config(emu, tokens), clock=clock, policy=policy)
        return CrossTenantDeploymentProvider(runtime)

    return make


@pytest.fixture
def provider(make_provider: MakeProvider) -> CrossTenantDeploymentProvider:
    return make_provider()
