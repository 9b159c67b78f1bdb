"""The package's provider makes its stack's key once and keeps it (issue 15, item 3).

The plugin (``python -m aoai_deploy.plugin``) driven over gRPC as the engine drives a
default provider: CheckConfig with the stack config (and, after the first run, the provider's
inputs from the state), then Configure with what CheckConfig returned. The key is in the
provider's inputs, which the engine stores before it creates anything with the provider, so
a deployment whose create timed out finds the same key on the next run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.core.schema import OWNER_TAG
from engine_harness import secret
from package_harness import PackagePluginProcess
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.slow


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.settings.retry_after = 0
        yield emulator


def _stack_config(emu: Emulator) -> dict[str, Any]:
    tokens = {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
    return {
        "armEndpoint": emu.base_url,
        "caBundle": emu.ca_path,
        "credential": "static",
        "staticTokens": json.dumps(tokens),
    }


def _inputs() -> dict[str, Any]:
    return {
        "account_id": DEST_ACCOUNT,
        "deployment_name": "ft",
        "model_name": FT_MODEL,
        "source_account_id": SOURCE_ACCOUNT,
        "source_tenant_id": SOURCE_TENANT,
        "tenant_id": DEST_TENANT,
    }


def test_checkconfig_makes_a_key_once_and_the_owner_tag_carries_it(emu: Emulator) -> None:
    with PackagePluginProcess() as first_run:
        provider_inputs = first_run.check_config(_stack_config(emu))
        key = provider_inputs["ownerKey"]
        assert re.fullmatch("[0-9a-f]{16}", key)
        # Configure as the engine sends it: what CheckConfig returned, secrets marked.
        first_run.configure(
            {
                f"aoai-deploy:{k}": secret(v) if k == "staticTokens" else v
                for k, v in provider_inputs.items()
            }
        )
        checked, failures = first_run.check("ft", _inputs())
        assert failures == []
        first_run.create("ft", checked)

    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    # The owner from the URN (urn:pulumi:bench::aoai-deploy::...::ft), then the stack's key.
    assert stored["tags"][OWNER_TAG] == f"organization/aoai-deploy/bench/ft#{key}"

    # Every later run: the engine sends the provider's inputs from the state as olds.
    with PackagePluginProcess() as later_run:
        again = later_run.check_config(_stack_config(emu), olds=provider_inputs)
    assert again["ownerKey"] == key


def test_each_new_stack_gets_its_own_key(emu: Emulator) -> None:
    with PackagePluginProcess() as plugin:
        keys = {plugin.check_config(_stack_config(emu))["ownerKey"] for _ in range(3)}
    assert len(keys) == 3
