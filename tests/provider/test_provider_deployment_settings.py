"""The settings newer api-versions define, through the provider against the emulator (issue 17,
item 1): sent only when set, a change applied in place, kept as the deployment runs them when
the program leaves them unset, read back on refresh, and Azure's refusals shown as Azure
words them (the emulator's rules: emulator/routes/deployment_settings.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.azure.arm import ArmClient
from aoai_deploy.providers.errors import AoaiDeployError
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import arm_writes, base_model_inputs, checked
from seed_ids import DEST_ACCOUNT

SPILLOVER_API = "2025-09-01"


def _props(emu: Emulator, name: str = "chat") -> dict[str, Any]:
    found = emu.deployment(DEST_ACCOUNT, name)
    assert found is not None, name
    return dict(found["properties"])


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """``(method, body)`` of every write the provider sends (the request log keeps no body)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    write = ArmClient.write

    def spy(self: ArmClient, call: Any, method: str, *args: Any, **kw: Any) -> Any:
        body = args[2] if len(args) > 2 else kw.get("body")
        seen.append((method, copy.deepcopy(dict(body or {}))))
        return write(self, call, method, *args, **kw)

    monkeypatch.setattr(ArmClient, "write", spy)
    return seen


def _puts(sent: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [body for method, body in sent if method == "PUT"]


def test_dynamic_throttling_is_sent_set_in_place_and_kept(
    provider: CrossTenantDeploymentProvider, emu: Emulator, sent: list[tuple[str, Any]]
) -> None:
    created = provider.create(checked(provider, base_model_inputs(dynamic_throttling_enabled=True)))
    assert _props(emu)["dynamicThrottlingEnabled"] is True
    outs = dict(created.outs or {})
    assert outs["dynamic_throttling_enabled"] is True
    assert outs["live_settings"]["dynamicThrottlingEnabled"] is True

    # Off: an update in place, one PUT (a PATCH takes sku and tags only).
    news = checked(provider, base_model_inputs(dynamic_throttling_enabled=False))
    diff = provider.diff(created.id, outs, news)
    assert diff.changes
    assert not diff.replaces
    emu.clear_log()
    outs = dict(provider.update(created.id, outs, news).outs or {})
    assert [m for m, _ in arm_writes(emu)] == ["PUT"]
    assert _props(emu)["dynamicThrottlingEnabled"] is False

    # Removed from the program: no change planned, and a later PUT sends what it runs.
    unset = checked(provider, base_model_inputs(rai_policy_name="strict"))
    assert provider.diff(created.id, outs, checked(provider, base_model_inputs())).changes is False
    sent.clear()
    provider.update(created.id, outs, unset)
    (body,) = _puts(sent)
    assert body["properties"]["dynamicThrottlingEnabled"] is False


def test_a_setting_turned_on_behind_the_stack_survives_an_unrelated_put(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, base_model_inputs()))
    live = emu.deployment(DEST_ACCOUNT, "chat")
    assert live is not None
    live["properties"]["dynamicThrottlingEnabled"] = True  # the portal's "dynamic quota"
    emu.put_deployment_direct(DEST_ACCOUNT, "chat", live)

    provider.update(
        created.id,
        dict(created.outs or {}),
        checked(provider, base_model_inputs(rai_policy_name="strict")),
    )

    assert _props(emu)["dynamicThrottlingEnabled"] is True
    assert _props(emu)["raiPolicyName"] == "strict"


def test_a_capacity_patch_leaves_the_settings_as_they_are(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    declared = base_model_inputs(
        dynamic_throttling_enabled=True, designated_capacity=5, capacity_priority=1
    )
    created = provider.create(checked(provider, declared))
    emu.clear_log()

    provider.update(
        created.id, dict(created.outs or {}), checked(provider, {**declared, "sku_capacity": 4})
    )

    assert [m for m, _ in arm_writes(emu)] == ["PATCH"]
    props = _props(emu)
    assert props["dynamicThrottlingEnabled"] is True
    assert props["capacitySettings"] == {"designatedCapacity": 5, "priority": 1}


def test_refresh_reads_a_declared_setting_back_as_drift(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    declared = base_model_inputs(
        api_version="2025-12-01", service_tier="Priority", deployment_state="Running"
    )
    created = provider.create(checked(provider, declared))
    live = emu.deployment(DEST_ACCOUNT, "chat")
    assert live is not None
    live["properties"]["deploymentState"] = "Paused"
    emu.put_deployment_direct(DEST_ACCOUNT, "chat", live)

    read = provider.read(created.id, dict(created.outs or {}))

    assert (read.outs or {})["deployment_state"] == "Paused"
    assert (read.inputs or {})["deployment_state"] == "Paused"
    assert (read.outs or {})["service_tier"] == "Priority"
    diff = provider.diff(created.id, dict(read.outs or {}), checked(provider, declared))
    assert diff.changes
    assert not diff.replaces


def _standard(provider: CrossTenantDeploymentProvider, name: str = "overflow", **kw: Any) -> None:
    inputs = base_model_inputs(
        deployment_name=name, sku_name="GlobalStandard", api_version=SPILLOVER_API, **kw
    )
    provider.create(checked(provider, inputs))


def _ptu(**kw: Any) -> dict[str, Any]:
    fields = {
        "deployment_name": "ptu",
        "sku_name": "GlobalProvisionedManaged",
        "sku_capacity": 15,
        "api_version": SPILLOVER_API,
    }
    return base_model_inputs(**{**fields, **kw})


def test_a_provisioned_deployment_spills_over_to_its_standard_one(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    _standard(provider)
    _standard(provider, name="overflow-2")
    created = provider.create(checked(provider, _ptu(spillover_deployment_name="overflow")))
    assert _props(emu, "ptu")["spilloverDeploymentName"] == "overflow"

    news = checked(provider, _ptu(spillover_deployment_name="overflow-2"))
    diff = provider.diff(created.id, dict(created.outs or {}), news)
    assert diff.changes
    assert not diff.replaces
    provider.update(created.id, dict(created.outs or {}), news)

    assert _props(emu, "ptu")["spilloverDeploymentName"] == "overflow-2"


@pytest.mark.parametrize(
    ("prepare", "says"),
    [
        ("nothing", "'overflow' does not exist in account"),
        ("standard-of-another-level", "spills over to a GlobalStandard deployment"),
        ("standard-of-another-model", "must run the same model and version"),
    ],
)
def test_azures_refusal_of_a_spillover_target_names_it(
    provider: CrossTenantDeploymentProvider, emu: Emulator, prepare: str, says: str
) -> None:
    if prepare == "standard-of-another-level":
        provider.create(
            checked(
                provider,
                base_model_inputs(
                    deployment_name="overflow", sku_name="Standard", api_version=SPILLOVER_API
                ),
            )
        )
    elif prepare == "standard-of-another-model":
        _standard(provider, model_name="gpt-4o")

    with pytest.raises(AoaiDeployError) as raised:
        provider.create(checked(provider, _ptu(spillover_deployment_name="overflow")))

    assert "InvalidResourceProperties" in str(raised.value)
    assert says in str(raised.value)
    assert emu.deployment(DEST_ACCOUNT, "ptu") is None


def test_check_refuses_a_setting_the_api_version_does_not_define(
    provider: CrossTenantDeploymentProvider,
) -> None:
    result = provider.check(
        {}, _ptu(spillover_deployment_name="overflow", api_version="2025-06-01")
    )

    (failure,) = result.failures
    assert failure.property == "spillover_deployment_name"
    assert "needs api_version 2025-09-01 or newer: 2025-06-01 does not define" in failure.reason


def test_nothing_is_sent_for_what_the_program_never_set(
    provider: CrossTenantDeploymentProvider, sent: list[tuple[str, Any]]
) -> None:
    provider.create(checked(provider, base_model_inputs(api_version="2026-09-01")))

    (body,) = _puts(sent)
    assert set(body["properties"]) == {"model"}
