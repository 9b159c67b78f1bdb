"""Malformed inputs are refused at check time, before anything is sent, naming the field.

Every case goes through the real plugin's Check (as ``pulumi preview`` sends it) and through
``check`` in process. An ARM id or a deployment name ends up in a URL path: ``..``, ``?``,
``#``, an encoded slash or a look-alike letter could address another resource than the one
the program names. An http ARM endpoint would send tokens in clear: it is refused when the
provider is configured.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers import ConfigError
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from engine_harness import PluginProcess, secret
from provider_kit import cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.slow

CYRILLIC_A = "\u0430"  # looks like the Latin 'a'
CYRILLIC_O = "\u043e"  # looks like the Latin 'o'

MALFORMED: list[tuple[str, str, Any]] = [
    ("account_id", "path traversal", DEST_ACCOUNT + "/../fabrikam-aoai-wus"),
    ("account_id", "traversal as a group", DEST_ACCOUNT.replace("rg-inference", "..")),
    ("account_id", "query", DEST_ACCOUNT + "?api-version=2020-01-01"),
    ("account_id", "fragment", DEST_ACCOUNT + "#deployments/other"),
    ("account_id", "encoded slash", DEST_ACCOUNT.replace("aoai-eus", "aoai%2Feus")),
    ("account_id", "encoded slash, lower", DEST_ACCOUNT.replace("aoai-eus", "aoai%2feus")),
    ("account_id", "look-alike letter", DEST_ACCOUNT.replace("aoai-eus", f"{CYRILLIC_A}oai-eus")),
    ("account_id", "space", DEST_ACCOUNT.replace("aoai-eus", "aoai eus")),
    ("source_account_id", "path traversal", SOURCE_ACCOUNT + "/.."),
    ("source_account_id", "encoded slash", SOURCE_ACCOUNT.replace("ft-src", "ft%2Fsrc")),
    (
        "source_account_id",
        "look-alike letter",
        SOURCE_ACCOUNT.replace("contoso", f"c{CYRILLIC_O}ntoso"),
    ),
    ("deployment_name", "path traversal", "ft/../other"),
    ("deployment_name", "dot-dot", ".."),
    ("deployment_name", "query", "ft?api-version=1"),
    ("deployment_name", "fragment", "ft#x"),
    ("deployment_name", "encoded slash", "ft%2Fother"),
    ("deployment_name", "space", "my ft"),
    ("deployment_name", "look-alike letter", f"ft-{CYRILLIC_A}"),
    ("deployment_name", "zero-width space", "ft\u200b"),
    ("model_name", "space", "gpt 4o"),
    ("sku_name", "look-alike letter", f"St{CYRILLIC_A}ndard"),
    ("sku_capacity", "zero", 0),
    ("sku_capacity", "negative", -1),
    ("sku_capacity", "fractional", 1.5),
]
CASE_IDS = [f"{field}-{what}".replace(" ", "-") for field, what, _ in MALFORMED]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def plugin(emu: Emulator) -> Iterator[PluginProcess]:
    tokens = {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
    with PluginProcess() as process:
        process.configure(
            {
                "aoai-deploy:armEndpoint": emu.base_url,
                "aoai-deploy:caBundle": emu.ca_path,
                "aoai-deploy:credential": "static",
                "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
            }
        )
        yield process


def _assert_names_the_field(failures: list[tuple[str, str]], field: str) -> None:
    assert [name for name, _ in failures] == [field], failures
    assert field in failures[0][1]


@pytest.mark.parametrize(("field", "what", "value"), MALFORMED, ids=CASE_IDS)
def test_malformed_input_is_refused_by_the_plugins_check(
    plugin: PluginProcess, emu: Emulator, field: str, what: str, value: Any
) -> None:
    _, failures = plugin.check("ft", cross_tenant_inputs(**{field: value}))

    _assert_names_the_field(failures, field)
    assert emu.request_log == []


@pytest.mark.parametrize(("field", "what", "value"), MALFORMED, ids=CASE_IDS)
def test_malformed_input_is_refused_by_check_in_process(field: str, what: str, value: Any) -> None:
    result = CrossTenantDeploymentProvider().check({}, cross_tenant_inputs(**{field: value}))

    _assert_names_the_field([(f.property, f.reason) for f in result.failures], field)


def test_a_well_formed_program_passes_the_same_check(plugin: PluginProcess) -> None:
    _, failures = plugin.check("ft", cross_tenant_inputs())

    assert failures == []


def test_create_with_an_unchecked_malformed_name_sends_nothing(
    plugin: PluginProcess, emu: Emulator
) -> None:
    # Old state, or an engine that skipped Check: create refuses on its own.
    with pytest.raises(grpc.RpcError) as caught:
        plugin.create("ft", cross_tenant_inputs(deployment_name="ft/../other"))

    assert "deployment_name" in (caught.value.details() or "")
    assert emu.request_log == []


HTTP_ENDPOINTS = ["http://127.0.0.1:8443", "HTTP://localhost:8443"]


def _config(endpoint: str, emu: Emulator) -> dict[str, Any]:
    return {
        "aoai-deploy:armEndpoint": endpoint,
        "aoai-deploy:credential": "static",
        "aoai-deploy:staticTokens": secret(json.dumps({DEST_TENANT: emu.token(DEST_TENANT)})),
    }


@pytest.mark.parametrize("endpoint", HTTP_ENDPOINTS)
def test_http_arm_endpoint_is_refused_when_configured_in_process(
    endpoint: str, emu: Emulator
) -> None:
    settings = {
        k: v if isinstance(v, str) else v["value"] for k, v in _config(endpoint, emu).items()
    }

    with pytest.raises(ConfigError) as caught:
        ProviderConfig.from_getter(settings.get)

    assert "aoai-deploy:armEndpoint" in str(caught.value)
    assert "plain http is refused" in str(caught.value)


@pytest.mark.parametrize("endpoint", HTTP_ENDPOINTS)
def test_http_arm_endpoint_is_refused_by_the_plugin_before_any_request(
    endpoint: str, emu: Emulator
) -> None:
    emu.clear_log()
    with PluginProcess() as process:
        process.configure(_config(endpoint, emu))

        _, failures = process.check("ft", cross_tenant_inputs())
        with pytest.raises(grpc.RpcError) as caught:
            process.create("ft", cross_tenant_inputs())

    for said in (failures[0][1], caught.value.details() or ""):
        assert "aoai-deploy:armEndpoint" in said
        assert "plain http is refused" in said
    assert emu.request_log == []
