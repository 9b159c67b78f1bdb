"""The real plugin (``python -m pulumi.dynamic``) driven over gRPC as the engine drives it.

These tests prove what `pulumi preview` / `up` / `refresh` / `destroy` would do with our
resource, without the CLI: Configure with stack config as the engine sends it (every key,
namespaced, secrets wrapped), then Check / Diff / Create / Read / Update / Delete with the
pickled provider made exactly as ``pulumi.dynamic.Resource`` makes it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from aoai_deploy.emulator import Emulator, Fault
from engine_harness import UNKNOWN, PluginProcess, secret
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.slow

DEPLOYMENT_ID = DEST_ACCOUNT + "/deployments/ft"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.settings.retry_after = 0  # poll at the client's floor: real time passes here
        yield emulator


@pytest.fixture
def tokens(emu: Emulator) -> dict[str, str]:
    return {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}


def configured(process: PluginProcess, emu: Emulator, tokens: dict[str, str]) -> PluginProcess:
    """Configure as the engine does at the start of an update."""
    process.configure(
        {
            "aoai-deploy:armEndpoint": emu.base_url,
            "aoai-deploy:caBundle": emu.ca_path,
            "aoai-deploy:credential": "static",
            "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
            "aoai-deploy-example:unrelated": "value",
        }
    )
    return process


@pytest.fixture
def plugin(emu: Emulator, tokens: dict[str, str]) -> Iterator[PluginProcess]:
    with PluginProcess() as process:
        yield configured(process, emu, tokens)


def program_inputs(**overrides: Any) -> dict[str, Any]:
    """What the program registers: args, hidden owner, and output keys left null."""
    inputs: dict[str, Any] = {
        "account_id": DEST_ACCOUNT,
        "deployment_name": "ft",
        "model_name": FT_MODEL,
        "source_account_id": SOURCE_ACCOUNT,
        "source_tenant_id": SOURCE_TENANT,
        "tenant_id": DEST_TENANT,
        "owner": "aoai-deploy/local/ft",
    }
    inputs.update(overrides)
    return inputs


def test_full_lifecycle_as_up_refresh_and_destroy_drive_it(
    plugin: PluginProcess, emu: Emulator, tokens: dict[str, str]
) -> None:
    checked, failures = plugin.check("ft", program_inputs())
    assert failures == []
    assert checked["sku_name"] == "Standard"
    assert checked["sku_capacity"] == 1

    id_, outs = plugin.create("ft", checked)
    assert id_ == DEPLOYMENT_ID
    assert f"aoai-deploy: INFO: creating {DEPLOYMENT_ID}: Succeeded after" in plugin.stderr()
    assert outs["provisioning_state"] == "Succeeded"
    assert outs["cross_tenant"] is True
    assert outs["sku_capacity"] == 1

    # refresh: nothing drifted
    read_id, refreshed = plugin.read("ft", id_, outs)
    assert read_id == id_
    assert refreshed["sku_capacity"] == 1
    same, _ = plugin.check("ft", program_inputs(), olds=checked)
    assert not plugin.diff("ft", id_, refreshed, same).has_changes

    # capacity 1 -> 2: an in-place update
    scaled, _ = plugin.check("ft", program_inputs(sku_capacity=2), olds=checked)
    diff = plugin.diff("ft", id_, refreshed, scaled)
    assert diff.has_changes
    assert diff.replaces == []
    outs = plugin.update("ft", id_, refreshed, scaled)
    assert outs["sku_capacity"] == 2
    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    assert stored["sku"]["capacity"] == 2

    # a new fine-tuned model under the same name: replace, deleting first (same ARM id)
    swapped, _ = plugin.check("ft", program_inputs(model_name=FT_MODEL + "-v2"), olds=scaled)
    diff = plugin.diff("ft", id_, outs, swapped)
    assert diff.replaces == ["model_name"]
    assert diff.delete_before_replace is True

    # another deployment name: a new ARM id, create-before-delete is safe
    renamed, _ = plugin.check("ft", program_inputs(deployment_name="ft2"), olds=scaled)
    diff = plugin.diff("ft", id_, outs, renamed)
    assert diff.replaces == ["deployment_name"]
    assert diff.delete_before_replace is False

    # `pulumi destroy` (the engine starts a plugin process per update), then refresh sees
    # it gone
    with PluginProcess() as destroying:
        configured(destroying, emu, tokens).delete("ft", id_, outs)
        assert emu.deployment(DEST_ACCOUNT, "ft") is None
        gone_id, _ = destroying.read("ft", id_, outs)
    assert gone_id == ""

    assert_no_secret_anywhere(plugin, tokens, [json.dumps(outs), json.dumps(refreshed)])


def test_preview_with_unknown_values_plans_without_touching_the_network(
    plugin: PluginProcess, emu: Emulator
) -> None:
    emu.clear_log()

    checked, failures = plugin.check("ft", program_inputs(account_id=UNKNOWN, sku_capacity=UNKNOWN))
    assert failures == []
    assert type(checked["account_id"]).__name__ == "Unknown"
    olds = {**program_inputs(), "sku_capacity": 1, "sku_name": "Standard"}

    capacity_unknown = plugin.diff("ft", DEPLOYMENT_ID, olds, program_inputs(sku_capacity=UNKNOWN))
    assert capacity_unknown.has_changes
    assert capacity_unknown.replaces == []
    model_unknown = plugin.diff("ft", DEPLOYMENT_ID, olds, program_inputs(model_name=UNKNOWN))
    assert model_unknown.replaces == ["model_name"]
    assert model_unknown.delete_before_replace is True

    assert emu.request_log == []


def test_check_failures_name_the_field_and_the_fix(plugin: PluginProcess, emu: Emulator) -> None:
    _, failures = plugin.check(
        "ft", program_inputs(sku_capacity=2.5, sku_name="S0", source_account_id=None)
    )

    fields = {field for field, _ in failures}
    assert {"sku_capacity", "sku_name", "source_tenant_id"} <= fields
    reasons = dict(failures)
    assert "2.5" in reasons["sku_capacity"]
    assert "S0" in reasons["sku_name"]
    assert emu.request_log == []


def test_a_failed_create_surfaces_the_arm_code_on_the_first_line(
    plugin: PluginProcess, emu: Emulator, tokens: dict[str, str]
) -> None:
    emu.inject(Fault(kind="insufficient-quota", method="PUT"))
    checked, _ = plugin.check("ft", program_inputs(sku_capacity=900))

    with pytest.raises(grpc.RpcError) as caught:
        plugin.create("ft", checked)

    details = caught.value.details() or ""
    # The plugin sends a traceback; ours is cut to the SDK's frames plus one, and the
    # exception line reads: what was done, to which id, the ARM code, ARM's message.
    assert details.count('  File "') <= 3
    message_lines = details.split("aoai_deploy.providers.errors.ArmError: ", 1)[1].splitlines()
    assert message_lines[0].startswith(f"creating {DEPLOYMENT_ID}: InsufficientQuota: ")
    assert "lower sku_capacity" in message_lines[1]
    assert "The above exception was the direct cause" not in details
    assert_no_secret_anywhere(plugin, tokens, [details])


def test_an_error_is_printed_once(
    plugin: PluginProcess, emu: Emulator, tokens: dict[str, str]
) -> None:
    """Issue 10, item 14: the CLI shows the plugin's stderr lines and the exception; the
    error went to both, so every failure was printed twice."""
    emu.inject(Fault(kind="insufficient-quota", method="PUT"))
    checked, _ = plugin.check("ft", program_inputs(sku_capacity=900))

    with pytest.raises(grpc.RpcError) as caught:
        plugin.create("ft", checked)

    assert f"creating {DEPLOYMENT_ID}: InsufficientQuota" in (caught.value.details() or "")
    assert "InsufficientQuota" not in plugin.stderr()


def test_refresh_sends_back_inputs_that_reflect_the_live_deployment(
    plugin: PluginProcess, emu: Emulator
) -> None:
    """Issue 10, item 10: the SDK (>= 3.216) passes a read's inputs to the engine, which
    keeps them for ``ignore_changes`` and the preview's property diff."""
    checked, _ = plugin.check("ft", program_inputs())
    id_, outs = plugin.create("ft", checked)
    body = emu.deployment(DEST_ACCOUNT, "ft")
    assert body is not None
    body["sku"]["capacity"] = 4
    emu.put_deployment_direct(DEST_ACCOUNT, "ft", body)

    _, refreshed, inputs = plugin.read_with_inputs("ft", id_, outs)

    assert refreshed["sku_capacity"] == 4
    assert inputs is not None, "the plugin sent no inputs: the engine keeps stale ones"
    assert inputs["sku_capacity"] == 4
    assert inputs["model_name"] == FT_MODEL
    assert inputs["__provider"] == plugin.provider


def assert_no_secret_anywhere(
    plugin: PluginProcess, tokens: dict[str, str], texts: list[str]
) -> None:
    """No token (nor its payload segment) in responses, the pickled provider or stderr."""
    provider_bytes = base64.b64decode(plugin.provider)
    haystacks = [*texts, plugin.stderr(), provider_bytes.decode("latin-1")]
    for token in tokens.values():
        payload = token.split(".")[1]
        for text in haystacks:
            assert token not in text
            assert payload not in text
