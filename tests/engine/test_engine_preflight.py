"""``aoai-deploy:preflight`` through the real plugin (``python -m pulumi.dynamic``), driven
over gRPC as the engine drives `pulumi preview` (Check only, for a new resource) and
`pulumi up` (Check, then Create), against the emulator."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from aoai_deploy.emulator import Emulator
from engine_harness import PluginProcess, secret
from seed_ids import DEST_ACCOUNT, DEST_SUB, DEST_TENANT, SOURCE_TENANT

pytestmark = pytest.mark.slow

STANDARD_MINI = "OpenAI.Standard.gpt-4o-mini"
CHAT_ID = DEST_ACCOUNT + "/deployments/chat"
SHORT = (
    "needs 50 of Standard gpt-4o-mini in eastus, 20 free: lower sku_capacity or request quota "
    f"({STANDARD_MINI} in subscription {DEST_SUB}: limit 1000, 980 in use)"
)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.settings.retry_after = 0
        emulator.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=1000, used=980)
        yield emulator


def plugin_for(emu: Emulator, mode: str) -> PluginProcess:
    process = PluginProcess()
    tokens = {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
    process.configure(
        {
            "aoai-deploy:armEndpoint": emu.base_url,
            "aoai-deploy:caBundle": emu.ca_path,
            "aoai-deploy:credential": "static",
            "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
            "aoai-deploy:preflight": mode,
        }
    )
    return process


def chat(**overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "account_id": DEST_ACCOUNT,
        "deployment_name": "chat",
        "model_name": "gpt-4o-mini",
        "model_version": "2024-07-18",
        "tenant_id": DEST_TENANT,
        "owner": "aoai-deploy/local/chat",
    }
    inputs.update(overrides)
    return inputs


def writes(emu: Emulator) -> list[str]:
    return [e.method for e in emu.request_log if e.method in ("PUT", "PATCH", "DELETE")]


def test_up_mode_lets_check_pass_and_fails_the_create_before_any_write(emu: Emulator) -> None:
    with plugin_for(emu, "up") as plugin:
        checked, failures = plugin.check("chat", chat(sku_capacity=50))
        assert failures == []
        assert emu.request_log == []  # what a preview sends: nothing

        with pytest.raises(grpc.RpcError) as caught:
            plugin.create("chat", checked)

    details = caught.value.details() or ""
    message = details.split("aoai_deploy.providers.errors.PreflightError: ", 1)[1]
    assert message.splitlines()[0] == f"creating {CHAT_ID}: PreflightFailed: {SHORT}"
    assert writes(emu) == []
    assert emu.deployment(DEST_ACCOUNT, "chat") is None


def test_always_mode_fails_the_check_a_preview_makes(emu: Emulator) -> None:
    with plugin_for(emu, "always") as plugin:
        _, failures = plugin.check("chat", chat(sku_capacity=50))
        _, fitting = plugin.check("small", chat(deployment_name="small", sku_capacity=20))

    assert failures == [("sku_capacity", f"preflight: {SHORT}")]
    assert fitting == []
    assert [e.route for e in emu.request_log] == ["account", "account-models", "usages"]
    assert writes(emu) == []


def test_a_retiring_version_is_a_warning_on_the_plugins_stderr(emu: Emulator) -> None:
    retires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=10.5)
    emu.set_model_version(
        DEST_ACCOUNT, "gpt-4o-mini", "2024-07-18", retires=retires.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    with plugin_for(emu, "up") as plugin:
        checked, _ = plugin.check("chat", chat(sku_capacity=5))
        plugin.create("chat", checked)
        stderr = plugin.stderr()

    assert (
        f"aoai-deploy: WARNING: {CHAT_ID}: preflight: model gpt-4o-mini version 2024-07-18 "
        f"retires for Standard in eastus on {retires:%Y-%m-%d} (in 10 days)"
    ) in stderr
    assert writes(emu) == ["PUT"]
