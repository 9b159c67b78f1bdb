"""From the program to the provider: __main__.py's resources handed to the real plugin.

The mocks answer every azure-native registration themselves, but each CrossTenantDeployment
goes, with the ``__provider`` the program pickled, to ``python -m pulumi.dynamic`` over gRPC
(Check, then Create) against the emulator, as the engine would do on `pulumi up`. This
proves that what the program builds from the try-out stack's config is accepted by the
provider and deploys what the stack says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime import mocks

from aoai_deploy.emulator import Emulator
from engine_harness import PluginProcess, secret
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.slow

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"


class PluginBackedMocks(mocks.Mocks):
    """The tests' Azure mocks, except that dynamic resources go to the real provider plugin."""

    def __init__(self, plugin: PluginProcess, preview: bool) -> None:
        self.azure: mocks.Mocks | None = None
        self.preview = preview
        self.plugin = plugin
        self.failures: list[tuple[str, str]] = []
        self.providers_sent: set[str] = set()

    def wrapping(self, azure: mocks.Mocks) -> PluginBackedMocks:
        """For ``pulumi_runtime(wrap_mocks=...)``: keep the Azure mocks for the rest."""
        self.azure = azure
        return self

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ != DEPLOYMENT_TYPE:
            assert self.azure is not None
            return self.azure.new_resource(args)
        inputs = dict(args.inputs)
        self.providers_sent.add(inputs["__provider"])
        checked, failures = self.plugin.check(args.name, inputs)
        self.failures += failures
        if failures or self.preview:
            return "", checked
        return self.plugin.create(args.name, checked)

    def call(self, args: mocks.MockCallArgs) -> Any:
        assert self.azure is not None
        return self.azure.call(args)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.settings.retry_after = 0
        yield emulator


@pytest.fixture
def plugin(emu: Emulator) -> Iterator[PluginProcess]:
    tokens = {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
    with PluginProcess() as process:
        process.configure(
            {
                # What `make up` sets with `pulumi config set` next to Pulumi.local.yaml.
                "aoai-deploy:armEndpoint": emu.base_url,
                "aoai-deploy:caBundle": emu.ca_path,
                "aoai-deploy:credential": "static",
                "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
            }
        )
        yield process


def test_local_stack_program_deploys_through_the_real_provider(
    pulumi_runtime, stack_config, run_main, plugin: PluginProcess, emu: Emulator
) -> None:
    backed = PluginBackedMocks(plugin, preview=False)
    runtime = pulumi_runtime(
        project="aoai-deploy-example",
        stack="local",
        config=stack_config("Pulumi.local.yaml"),
        wrap_mocks=backed.wrapping,
    )

    run_main(runtime)

    assert backed.failures == []
    assert backed.providers_sent == {plugin.provider}  # the program pickles what we expect
    stored = emu.deployment(DEST_ACCOUNT, "ft-gpt-4o-mini")
    assert stored is not None
    assert stored["properties"]["provisioningState"] == "Succeeded"
    assert stored["properties"]["model"]["name"] == FT_MODEL
    assert stored["properties"]["model"]["sourceAccount"].lower() == SOURCE_ACCOUNT.lower()
    puts = [e for e in emu.request_log if e.method == "PUT"]
    assert [tid for tid, _ in puts[0].aux] == [SOURCE_TENANT]
    outputs = runtime.stack_outputs()
    assert outputs["deploymentIds"] == {
        "ft-gpt-4o-mini": f"{DEST_ACCOUNT}/deployments/ft-gpt-4o-mini"
    }


def test_local_stack_program_previews_through_the_real_provider_without_requests(
    pulumi_runtime, stack_config, run_main, plugin: PluginProcess, emu: Emulator
) -> None:
    backed = PluginBackedMocks(plugin, preview=True)
    runtime = pulumi_runtime(
        preview=True,
        project="aoai-deploy-example",
        stack="local",
        config=stack_config("Pulumi.local.yaml"),
        wrap_mocks=backed.wrapping,
    )
    emu.clear_log()

    run_main(runtime)

    assert backed.failures == []
    assert len(backed.providers_sent) == 1
    assert emu.request_log == []
