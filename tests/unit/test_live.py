"""Settings kept as the deployment runs them (core/live.py): pure, over LIVE_SETTINGS."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from aoai_deploy.providers.core.inputs import DeploymentSpec, spec_from_inputs
from aoai_deploy.providers.core.live import Live, describe_resets, kept, live_settings, resets
from aoai_deploy.providers.core.mapping import deployment_body, refreshed_outputs
from aoai_deploy.providers.core.schema import INPUTS, LIVE_SETTINGS, LiveSetting, camel

DEST = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus"
)
RUNS = {
    "model_version": "2024-05-13",
    "rai_policy_name": "strict-filter",
    "version_upgrade_option": "NoAutoUpgrade",
}


def spec(**changes: Any) -> DeploymentSpec:
    return spec_from_inputs(
        {"account_id": DEST, "deployment_name": "chat", "model_name": "gpt-4o", **changes}
    )


def arm(model: str = "gpt-4o", **properties: Any) -> dict[str, Any]:
    """A deployment as ARM returns it, running ``RUNS``."""
    body: dict[str, Any] = {
        "sku": {"name": "Standard", "capacity": 1},
        "properties": {
            "model": {"format": "OpenAI", "name": model, "version": RUNS["model_version"]},
            "raiPolicyName": RUNS["rai_policy_name"],
            "versionUpgradeOption": RUNS["version_upgrade_option"],
        },
    }
    body["properties"].update(properties)
    return body


def _at(body: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


@pytest.mark.parametrize("setting", LIVE_SETTINGS, ids=lambda s: s.name)
def test_each_table_entry_is_read_written_recorded_and_kept(setting: LiveSetting) -> None:
    """Adding a setting is one entry in LIVE_SETTINGS: everything below follows from it."""
    assert setting.name in INPUTS
    live = Live.of_arm(arm())

    filled = kept(spec(), live)

    assert getattr(filled, setting.name) == RUNS[setting.name]
    assert _at(deployment_body(filled, cross_tenant=False), setting.arm_path) == RUNS[setting.name]
    assert _at(deployment_body(spec(), cross_tenant=False), setting.arm_path) is None
    assert live_settings(arm())[camel(setting.name)] == RUNS[setting.name]
    imported = refreshed_outputs({"account_id": DEST}, arm(), every_setting=True)
    assert imported[setting.name] == RUNS[setting.name]
    refreshed = refreshed_outputs({"account_id": DEST}, arm())
    assert refreshed.get(setting.name) is None  # unset stays unset: not drift


def test_a_declared_value_wins_over_the_live_one() -> None:
    filled = kept(spec(rai_policy_name="mine"), Live.of_arm(arm()))

    assert filled.rai_policy_name == "mine"
    assert filled.version_upgrade_option == "NoAutoUpgrade"


def test_the_version_of_another_model_is_not_kept() -> None:
    filled = kept(spec(model_name="gpt-4o-mini"), Live.of_arm(arm()))

    assert filled.model_version is None  # Azure picks the new model's default version
    assert filled.rai_policy_name == "strict-filter"


def test_nothing_known_keeps_nothing() -> None:
    assert kept(spec(), Live.of_arm(None)) == spec()


def test_a_state_from_before_live_settings_is_read_from_what_it_recorded() -> None:
    old_state = {
        "model_name": "gpt-4o",
        "model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-05-13"},
        "rai_policy_name": "strict-filter",  # declared then: sent, so live
    }

    live = Live.of_outputs(old_state)

    assert live.values == {"model_version": "2024-05-13", "rai_policy_name": "strict-filter"}
    assert live.same_model(spec())


def _olds() -> dict[str, Any]:
    return {"model_name": "gpt-4o", "model": arm()["properties"]["model"], **_recorded()}


def _recorded() -> dict[str, Any]:
    return {"live_settings": live_settings(arm())}


def test_a_replace_names_every_setting_it_resets() -> None:
    found = resets(_olds(), {"model_name": "gpt-4o"}, replacing=True, model_moves=False)

    assert [(r.name, r.live, r.becomes) for r in found] == [
        ("model_version", "2024-05-13", "the model's default version"),
        ("rai_policy_name", "strict-filter", "Microsoft.DefaultV2"),
        ("version_upgrade_option", "NoAutoUpgrade", "OnceNewDefaultVersionAvailable"),
    ]
    text = describe_resets("/x/deployments/chat", found, replacing=True)
    assert text.startswith("replacing /x/deployments/chat creates a new deployment")
    assert "rai_policy_name strict-filter becomes Microsoft.DefaultV2" in text
    assert text.endswith(
        "To keep them, declare model_version, rai_policy_name, version_upgrade_option."
    )


def test_a_replace_says_nothing_of_what_is_declared_or_already_azures_default() -> None:
    olds = {
        "live_settings": {
            "modelVersion": "2024-05-13",
            "raiPolicyName": "microsoft.defaultv2",
            "versionUpgradeOption": "NoAutoUpgrade",
        }
    }
    news = {"model_version": "2024-05-13", "version_upgrade_option": Unknown()}

    assert resets(olds, news, replacing=True, model_moves=False) == []


def test_a_model_moved_in_place_resets_only_its_version() -> None:
    found = resets(_olds(), {"model_name": "gpt-4o-mini"}, replacing=False, model_moves=True)

    assert [r.name for r in found] == ["model_version"]
    assert "in place" in describe_resets("d", found, replacing=False)


def test_an_update_in_place_resets_nothing() -> None:
    assert resets(_olds(), {}, replacing=False, model_moves=False) == []
    assert describe_resets("d", [], replacing=True) == ""
