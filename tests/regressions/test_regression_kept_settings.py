"""A write keeps what the program leaves unset as the deployment runs it (issue 15, item 1).

A PUT replaces the deployment, and Azure fills what it leaves out with its defaults
(tests/emulator/test_emulator_put_replaces.py has the sources). A deployment adopted with
``adopt_existing`` (or brought in by ``pulumi import``) that runs ``NoAutoUpgrade``, a content
filter of its own and an older model version lost all three at the first write that was a
PUT: ``versionUpgradeOption`` became ``OnceNewDefaultVersionAvailable``, ``raiPolicyName``
``Microsoft.DefaultV2``, and (but for ``version_to_send``) the version the model's default,
while the preview showed only the declared change.

Fixed: every write fills each setting of ``schema.LIVE_SETTINGS`` that the inputs leave unset
with the value the deployment runs (the create that adopts, an update's PUT, both writes of a
model-and-capacity change, the re-apply of a failed deployment); the outputs record the live
values (``live_settings``), and the plan names a setting that a write cannot keep.
"""

from __future__ import annotations

from typing import Any

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import arm_writes, base_model_inputs, checked
from seed_ids import DEST_ACCOUNT

OLD_VERSION, DEFAULT_VERSION = "2024-05-13", "2024-08-06"
LIVE = {
    "versionUpgradeOption": "NoAutoUpgrade",
    "raiPolicyName": "strict-filter",
}


def _out_of_band(emu: Emulator, **properties: Any) -> None:
    """A gpt-4o deployment made elsewhere, with settings of its own."""
    emu.add_model(DEST_ACCOUNT, "gpt-4o", version=OLD_VERSION)
    emu.put_deployment_direct(
        DEST_ACCOUNT,
        "chat",
        {
            "sku": {"name": "Standard", "capacity": 1},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4o", "version": OLD_VERSION},
                **LIVE,
                **properties,
            },
        },
    )


def _live(emu: Emulator) -> dict[str, Any]:
    stored = emu.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    props = stored["properties"]
    return {
        "version": props["model"]["version"],
        "versionUpgradeOption": props["versionUpgradeOption"],
        "raiPolicyName": props["raiPolicyName"],
    }


KEPT = {"version": OLD_VERSION, **LIVE}


def _adopted(provider: CrossTenantDeploymentProvider, emu: Emulator) -> tuple[str, dict[str, Any]]:
    _out_of_band(emu)
    created = provider.create(
        checked(provider, base_model_inputs(model_name="gpt-4o", adopt_existing=True))
    )
    return created.id, dict(created.outs or {})


def test_adopting_keeps_every_setting_the_program_leaves_unset(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    _, outs = _adopted(provider, emu)

    assert _live(emu) == KEPT
    assert outs["live_settings"] == {
        "modelVersion": OLD_VERSION,
        "raiPolicyName": "strict-filter",
        "versionUpgradeOption": "NoAutoUpgrade",
    }
    assert outs["rai_policy_name"] is None  # still the program's (unset) input


def test_an_unrelated_change_sent_as_a_put_keeps_them(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    id_, olds = _adopted(provider, emu)
    news = checked(provider, base_model_inputs(model_name="gpt-4o", api_version="2025-09-01"))
    emu.clear_log()

    provider.update(id_, olds, news)

    assert [method for method, _ in arm_writes(emu)] == ["PUT"]
    assert _live(emu) == KEPT


def test_a_declared_change_keeps_the_others(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    id_, olds = _adopted(provider, emu)
    news = checked(provider, base_model_inputs(model_name="gpt-4o", rai_policy_name="other-filter"))

    provider.update(id_, olds, news)

    assert _live(emu) == {**KEPT, "raiPolicyName": "other-filter"}


def test_a_setting_changed_behind_the_stack_is_kept_not_reverted(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    """The write keeps what the deployment runs at the time of the write, not what the
    state recorded: the update reads it first."""
    id_, olds = _adopted(provider, emu)
    body = emu.deployment(DEST_ACCOUNT, "chat")
    assert body is not None
    body["properties"]["versionUpgradeOption"] = "OnceCurrentVersionExpired"
    emu.put_deployment_direct(DEST_ACCOUNT, "chat", body)
    news = checked(provider, base_model_inputs(model_name="gpt-4o", api_version="2025-09-01"))

    provider.update(id_, olds, news)

    assert _live(emu)["versionUpgradeOption"] == "OnceCurrentVersionExpired"


def test_both_writes_of_a_model_and_capacity_change_keep_them(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    id_, olds = _adopted(provider, emu)
    news = checked(
        provider,
        base_model_inputs(model_name="gpt-4o", model_version=DEFAULT_VERSION, sku_capacity=3),
    )
    emu.clear_log()

    provider.update(id_, olds, news)

    assert [method for method, _ in arm_writes(emu)] == ["PATCH", "PUT"]
    assert _live(emu) == {**KEPT, "version": DEFAULT_VERSION}


def test_the_re_apply_of_a_failed_deployment_keeps_them(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    id_, olds = _adopted(provider, emu)
    body = emu.deployment(DEST_ACCOUNT, "chat")
    assert body is not None
    body["properties"]["provisioningState"] = "Failed"
    emu.put_deployment_direct(DEST_ACCOUNT, "chat", body)
    refreshed = provider.read(id_, olds).outs or {}
    news = checked(provider, base_model_inputs(model_name="gpt-4o"))

    provider.update(id_, refreshed, news)

    assert _live(emu) == KEPT


def test_removing_a_setting_from_the_program_keeps_its_live_value(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    """Unset means "as the deployment runs it": no update is planned, nothing is reset."""
    _out_of_band(emu)
    declared = base_model_inputs(
        model_name="gpt-4o", adopt_existing=True, version_upgrade_option="NoAutoUpgrade"
    )
    created = provider.create(checked(provider, declared))
    news = checked(provider, base_model_inputs(model_name="gpt-4o"))

    diff = provider.diff(created.id, created.outs or {}, news)

    assert not diff.changes


def test_refresh_records_the_live_settings(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    id_, olds = _adopted(provider, emu)
    body = emu.deployment(DEST_ACCOUNT, "chat")
    assert body is not None
    body["properties"]["raiPolicyName"] = "changed-in-the-portal"
    emu.put_deployment_direct(DEST_ACCOUNT, "chat", body)

    read = provider.read(id_, olds)

    outs = read.outs or {}
    assert outs["live_settings"]["raiPolicyName"] == "changed-in-the-portal"
    assert outs["rai_policy_name"] is None
    assert "rai_policy_name" not in (read.inputs or {})


@pytest.mark.parametrize(
    ("change", "replaced"),
    [({"sku_name": "GlobalStandard"}, ["sku_name"]), ({"deployment_name": "chat2"}, None)],
    ids=["same-id", "new-id"],
)
def test_a_replace_names_the_live_settings_the_new_deployment_loses(
    provider: CrossTenantDeploymentProvider,
    emu: Emulator,
    caplog: pytest.LogCaptureFixture,
    change: dict[str, Any],
    replaced: list[str] | None,
) -> None:
    id_, olds = _adopted(provider, emu)
    news = checked(provider, base_model_inputs(model_name="gpt-4o", **change))

    with caplog.at_level("WARNING", logger="aoai_deploy"):
        diff = provider.diff(id_, olds, news)

    assert diff.replaces
    said = caplog.text
    for name, live in (
        ("version_upgrade_option", "NoAutoUpgrade"),
        ("rai_policy_name", "strict-filter"),
        ("model_version", OLD_VERSION),
    ):
        assert f"{name} {live}" in said, said
    assert "declare" in said


def test_an_update_that_keeps_everything_says_nothing(
    provider: CrossTenantDeploymentProvider, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    id_, olds = _adopted(provider, emu)
    news = checked(provider, base_model_inputs(model_name="gpt-4o", sku_capacity=2))

    with caplog.at_level("WARNING", logger="aoai_deploy"):
        diff = provider.diff(id_, olds, news)

    assert diff.changes
    assert caplog.text == ""
