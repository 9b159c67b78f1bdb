"""getDeployment against the emulator (issue 17, item 1): one GET of a deployment no stack here
manages, every setting as it runs, at the api-version asked; a missing one an error naming it;
and Python's function signing in with the stack's ``aoai-deploy:*`` configuration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime.config import set_all_config

from aoai_deploy.emulator import Emulator, ManualClock
from aoai_deploy.providers import functions, lifecycle
from aoai_deploy.providers.errors import ArmNotFoundError, ConfigError, InputError
from provider_fixtures import static_config
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_TENANT

PTU = {
    "sku": {"name": "GlobalProvisionedManaged", "capacity": 15},
    "tags": {"team": "ml"},
    "properties": {
        "model": {"format": "OpenAI", "name": "gpt-4o-mini", "version": "2024-07-18"},
        "versionUpgradeOption": "NoAutoUpgrade",
        "dynamicThrottlingEnabled": True,
        "spilloverDeploymentName": "overflow",
    },
}


@pytest.fixture
def runtime(emu: Emulator, clock: ManualClock) -> lifecycle.Runtime:
    tokens = {t: emu.token(t, expires_in=3600) for t in (SOURCE_TENANT, DEST_TENANT)}
    return lifecycle.Runtime.build(static_config(emu, tokens), clock=clock)


def _read(runtime: lifecycle.Runtime, **args: Any) -> dict[str, Any]:
    given = {"account_id": DEST_ACCOUNT, "deployment_name": "ptu", "tenant_id": DEST_TENANT}
    return lifecycle.get_deployment(runtime, {**given, **args})


def test_it_reads_a_deployment_made_elsewhere_with_one_get_and_no_write(
    runtime: lifecycle.Runtime, emu: Emulator
) -> None:
    emu.put_deployment_direct(DEST_ACCOUNT, "ptu", PTU)
    emu.clear_log()

    found = _read(runtime, api_version="2025-09-01")

    assert [(e.method, e.path.rsplit("/", 1)[-1]) for e in emu.request_log] == [("GET", "ptu")]
    assert found["id"] == f"{DEST_ACCOUNT}/deployments/ptu"
    assert found["sku_name"] == "GlobalProvisionedManaged"
    assert found["sku_capacity"] == 15
    assert found["model_version"] == "2024-07-18"
    assert found["version_upgrade_option"] == "NoAutoUpgrade"
    assert found["dynamic_throttling_enabled"] is True
    assert found["spillover_deployment_name"] == "overflow"
    assert found["tags"] == {"team": "ml"}
    assert found["provisioning_state"] == "Succeeded"


def test_a_setting_its_api_version_does_not_define_is_not_reported(
    runtime: lifecycle.Runtime, emu: Emulator
) -> None:
    emu.put_deployment_direct(DEST_ACCOUNT, "ptu", PTU)

    found = _read(runtime)  # 2024-10-01: no spilloverDeploymentName yet

    assert found["api_version"] == "2024-10-01"
    assert found["spillover_deployment_name"] is None
    assert found["dynamic_throttling_enabled"] is True


def test_a_deployment_that_is_not_there_is_an_error_naming_it(runtime: lifecycle.Runtime) -> None:
    with pytest.raises(ArmNotFoundError) as raised:
        _read(runtime, deployment_name="nope")
    assert f"reading {DEST_ACCOUNT}/deployments/nope: NotFound" in str(raised.value)


def test_bad_arguments_are_refused_before_any_request(
    runtime: lifecycle.Runtime, emu: Emulator
) -> None:
    emu.clear_log()
    with pytest.raises(InputError, match="deployment_name"):
        lifecycle.get_deployment(runtime, {"account_id": DEST_ACCOUNT})
    assert emu.request_log == []


@pytest.fixture
def program_config(emu: Emulator) -> Iterator[dict[str, str]]:
    """The stack config a program sees (``aoai-deploy:*`` pointing at the emulator)."""
    tokens = {t: emu.token(t, expires_in=3600) for t in (SOURCE_TENANT, DEST_TENANT)}
    config = {
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
        "aoai-deploy:credential": "static",
        "aoai-deploy:staticTokens": json.dumps(tokens),
    }
    yield config
    set_all_config({}, [])


def test_pythons_function_signs_in_with_the_stacks_provider_config(
    emu: Emulator, program_config: dict[str, str]
) -> None:
    set_all_config(program_config, ["aoai-deploy:staticTokens"])
    emu.put_deployment_direct(DEST_ACCOUNT, "ptu", PTU)

    found = functions.read(
        functions.stack_config(),
        {"account_id": DEST_ACCOUNT, "deployment_name": "ptu", "tenant_id": DEST_TENANT},
    )

    assert found["dynamic_throttling_enabled"] is True


def test_pythons_function_refuses_tokens_stored_in_plain_text(
    emu: Emulator, program_config: dict[str, str]
) -> None:
    set_all_config(program_config, [])  # staticTokens set without --secret
    emu.clear_log()

    with pytest.raises(ConfigError, match="--secret"):
        functions.stack_config()
    assert emu.request_log == []
