"""Issue 17, item 1, over the engine's protocol: a new setting changed in place through both
plugins (the SDK's dynamic-provider plugin with the pickled provider, and the package's), and
the package's function getDeployment as the engine invokes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from pulumi.runtime import proto

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.core.lookup import GET_DEPLOYMENT
from engine_harness import PluginProcess, secret
from package_harness import PackagePluginProcess
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_TENANT

pytestmark = pytest.mark.slow


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.settings.retry_after = 0
        emulator.settings.provisioning_seconds = 0
        yield emulator


def _config(emu: Emulator) -> dict[str, Any]:
    tokens = {t: emu.token(t, expires_in=3600) for t in (SOURCE_TENANT, DEST_TENANT)}
    return {
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
        "aoai-deploy:credential": "static",
        "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
    }


def _inputs(**settings: Any) -> dict[str, Any]:
    return {
        "account_id": DEST_ACCOUNT,
        "deployment_name": "chat",
        "model_name": "gpt-4o-mini",
        "tenant_id": DEST_TENANT,
        "owner": "organization/aoai-deploy/bench/chat",
        **settings,
    }


def _throttling(emu: Emulator) -> object:
    found = emu.deployment(DEST_ACCOUNT, "chat")
    assert found is not None
    return found["properties"]["dynamicThrottlingEnabled"]


def test_the_dynamic_plugin_toggles_dynamic_throttling_in_place(emu: Emulator) -> None:
    with PluginProcess() as plugin:
        plugin.configure(_config(emu))
        checked, failures = plugin.check("chat", _inputs(dynamic_throttling_enabled=True))
        assert failures == []
        id_, outputs = plugin.create("chat", checked)
        assert _throttling(emu) is True
        assert outputs["live_settings"]["dynamicThrottlingEnabled"] is True

        news, _ = plugin.check("chat", _inputs(dynamic_throttling_enabled=False), olds=checked)
        diff = plugin.diff("chat", id_, outputs, news)
        assert diff.has_changes
        assert diff.replaces == []
        plugin.update("chat", id_, outputs, news)

    assert _throttling(emu) is False


def test_the_package_plugin_shows_the_change_as_an_update_of_that_property(emu: Emulator) -> None:
    with PackagePluginProcess() as plugin:
        plugin.configure(_config(emu))
        checked, failures = plugin.check("chat", _inputs(dynamic_throttling_enabled=True))
        assert failures == []
        id_, outputs = plugin.create("chat", checked)

        news, _ = plugin.check("chat", _inputs(dynamic_throttling_enabled=False))
        changed, replaced, detailed = plugin.detailed_diff("chat", id_, outputs, news)
        assert changed == ["dynamicThrottlingEnabled"]
        assert replaced == []
        assert detailed == {"dynamicThrottlingEnabled": proto.PropertyDiff.UPDATE}
        plugin.update("chat", id_, outputs, news)

    assert _throttling(emu) is False


def test_the_package_plugin_refuses_a_setting_its_api_version_lacks(emu: Emulator) -> None:
    with PackagePluginProcess() as plugin:
        plugin.configure(_config(emu))
        _, failures = plugin.check(
            "chat", _inputs(service_tier="Priority", api_version="2025-09-01")
        )
    assert failures == [
        (
            "serviceTier",
            "serviceTier needs apiVersion 2025-10-01-preview or newer: 2025-09-01 does not "
            "define properties.serviceTier; set apiVersion to 2025-10-01-preview or newer, or "
            "remove serviceTier",
        )
    ]


def test_get_deployment_is_invoked_as_the_engine_invokes_a_function(emu: Emulator) -> None:
    emu.put_deployment_direct(
        DEST_ACCOUNT,
        "ptu",
        {
            "sku": {"name": "GlobalProvisionedManaged", "capacity": 15},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4o-mini", "version": "2024-07-18"},
                "spilloverDeploymentName": "overflow",
                "capacitySettings": {"designatedCapacity": 10, "priority": 1},
            },
        },
    )
    emu.clear_log()
    with PackagePluginProcess() as plugin:
        plugin.configure(_config(emu))
        result, failures = plugin.invoke(
            GET_DEPLOYMENT,
            {
                "accountId": DEST_ACCOUNT,
                "deploymentName": "ptu",
                "apiVersion": "2025-09-01",
                "tenantId": DEST_TENANT,
            },
        )
        bad, bad_failures = plugin.invoke(GET_DEPLOYMENT, {"accountId": DEST_ACCOUNT})
        with pytest.raises(grpc.RpcError) as missing:
            plugin.invoke(
                GET_DEPLOYMENT,
                {"accountId": DEST_ACCOUNT, "deploymentName": "nope", "tenantId": DEST_TENANT},
            )

    assert failures == []
    assert result["id"] == f"{DEST_ACCOUNT}/deployments/ptu"
    assert result["skuCapacity"] == 15
    assert result["spilloverDeploymentName"] == "overflow"
    assert (result["designatedCapacity"], result["capacityPriority"]) == (10, 1)
    assert result["modelVersion"] == "2024-07-18"
    assert bad == {}
    assert bad_failures == [
        ("deploymentName", "deploymentName is required: Name of the deployment in that account.")
    ]
    assert "reading" in missing.value.details()
    assert "deployments/nope: NotFound" in missing.value.details()
    assert "Traceback" not in missing.value.details()
    assert [e.method for e in emu.request_log if "/deployments/" in e.path] == ["GET", "GET"]
