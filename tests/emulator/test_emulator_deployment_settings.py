"""The settings newer api-versions define, served per version and refused as Azure refuses them.

Each rule's source is in ``emulator/routes/deployment_settings.py``; the version each member
appears in is ``emulator/apiversions.py``'s (a row per REST spec file).
"""

from __future__ import annotations

from typing import Any

import pytest

NEWEST = "2026-09-01"
CACHE_ID = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus/contextCaches/main"
)
#: Each setting, a value Azure takes for it, and the first api-version that defines it.
SETTINGS: list[tuple[str, Any, str]] = [
    ("dynamicThrottlingEnabled", True, "2023-10-01-preview"),
    ("capacitySettings", {"designatedCapacity": 10, "priority": 1}, "2024-10-01"),
    ("parentDeploymentName", "parent", "2024-10-01"),
    ("serviceTier", "Priority", "2025-10-01-preview"),
    ("deploymentState", "Paused", "2025-10-01-preview"),
    ("contextCacheContainerId", CACHE_ID, "2026-09-01"),
]
#: The api-version just before each first one.
BEFORE = {
    "2023-10-01-preview": "2023-05-01",
    "2024-10-01": "2023-10-01-preview",
    "2025-10-01-preview": "2025-09-01",
    "2025-12-01": "2025-10-01-preview",
    "2026-09-01": "2025-12-01",
}


def _body(arm, sku: str = "Standard", model: str = "gpt-4o-mini", version: str = "2024-07-18"):
    return arm.base_body(model=model, version=version, sku=sku)


def _put(arm, clock, name: str, body: dict[str, Any], api_version: str = NEWEST):
    response = arm.put(name, body, api_version=api_version)
    clock.advance(60)
    return response


def _with(arm, key: str, value: Any, **kw: Any) -> dict[str, Any]:
    body = _body(arm, **kw)
    body["properties"][key] = value
    return body


@pytest.mark.parametrize(("key", "value", "first"), SETTINGS, ids=[s[0] for s in SETTINGS])
def test_each_setting_is_stored_and_echoed_only_at_the_versions_that_define_it(
    clocked_arm, manual_clock, key, value, first
):
    assert _put(clocked_arm, manual_clock, "chat", _with(clocked_arm, key, value)).ok

    def shown(version: str) -> dict[str, Any]:
        answer = clocked_arm.get_deployment("chat", api_version=version)
        return dict(answer.json()["properties"])

    assert shown(NEWEST)[key] == value
    assert shown(first)[key] == value
    assert key not in shown(BEFORE[first])

    # A PUT at a version that does not define it is read without it: not taken.
    assert _put(
        clocked_arm, manual_clock, "older", _with(clocked_arm, key, value), BEFORE[first]
    ).ok
    assert key not in clocked_arm.emu.deployment(clocked_arm.DEST, "older")["properties"]


def test_dynamic_throttling_is_taken_though_the_spec_marks_it_read_only(clocked_arm, manual_clock):
    body = _with(clocked_arm, "dynamicThrottlingEnabled", True)
    assert _put(clocked_arm, manual_clock, "chat", body, "2024-10-01").status_code == 201
    assert clocked_arm.get_deployment("chat").json()["properties"]["dynamicThrottlingEnabled"]

    # A PUT replaces the deployment: one that leaves it out turns it off.
    assert _put(clocked_arm, manual_clock, "chat", _body(clocked_arm), "2024-10-01").ok
    props = clocked_arm.get_deployment("chat").json()["properties"]
    assert props["dynamicThrottlingEnabled"] is False


def test_a_patch_of_sku_and_tags_leaves_the_settings_as_they_are(clocked_arm, manual_clock):
    body = _with(clocked_arm, "dynamicThrottlingEnabled", True)
    body["properties"]["serviceTier"] = "Priority"
    assert _put(clocked_arm, manual_clock, "chat", body).ok

    patched = clocked_arm.patch("chat", {"sku": {"capacity": 3}}, api_version=NEWEST)
    assert patched.status_code == 202
    manual_clock.advance(60)

    props = clocked_arm.emu.deployment(clocked_arm.DEST, "chat")["properties"]
    assert props["dynamicThrottlingEnabled"] is True
    assert props["serviceTier"] == "Priority"


@pytest.mark.parametrize(
    ("key", "value", "status", "code"),
    [
        ("dynamicThrottlingEnabled", "yes", 400, "InvalidRequestContent"),
        ("capacitySettings", {"designatedCapacity": -1}, 400, "InvalidResourceProperties"),
        ("capacitySettings", {"priority": 1.5}, 400, "InvalidResourceProperties"),
        ("serviceTier", "Premium", 400, "InvalidResourceProperties"),
        ("deploymentState", "Stopped", 400, "InvalidResourceProperties"),
        ("routing", {"mode": "fastest"}, 400, "InvalidResourceProperties"),
        ("contextCacheContainerId", "main-cache", 400, "LinkedInvalidPropertyId"),
        ("parentDeploymentName", 7, 400, "InvalidRequestContent"),
    ],
)
def test_a_value_the_spec_does_not_allow_is_refused_and_nothing_is_stored(
    clocked_arm, manual_clock, key, value, status, code
):
    response = _put(clocked_arm, manual_clock, "chat", _with(clocked_arm, key, value))

    assert response.status_code == status
    assert clocked_arm.error(response)[0] == code
    assert clocked_arm.emu.deployment(clocked_arm.DEST, "chat") is None


def test_pausing_is_refused_on_a_provisioned_deployment(clocked_arm, manual_clock):
    body = _with(clocked_arm, "deploymentState", "Paused", sku="ProvisionedManaged")

    response = _put(clocked_arm, manual_clock, "ptu", body)

    assert response.status_code == 400
    code, message = clocked_arm.error(response)
    assert code == "InvalidResourceProperties"
    assert "cannot be paused" in message


def test_routing_is_refused_on_a_model_other_than_model_router(clocked_arm, manual_clock):
    response = _put(
        clocked_arm, manual_clock, "chat", _with(clocked_arm, "routing", {"mode": "cost"})
    )

    assert response.status_code == 400
    assert "model-router" in clocked_arm.error(response)[1]


def test_routing_is_stored_on_model_router_from_2025_12_01(clocked_arm, manual_clock):
    clocked_arm.emu.add_model(
        clocked_arm.emu.account_id(clocked_arm.DEST), "model-router", "2025-11-18"
    )
    routing = {"mode": "Cost", "models": [{"format": "OpenAI", "name": "gpt-4o"}]}
    body = _with(clocked_arm, "routing", routing, model="model-router", version="2025-11-18")

    assert _put(clocked_arm, manual_clock, "router", body, "2025-12-01").status_code == 201

    props = clocked_arm.get_deployment("router", api_version="2025-12-01").json()["properties"]
    assert props["routing"] == {"mode": "cost", "models": [{"format": "OpenAI", "name": "gpt-4o"}]}
    older = clocked_arm.get_deployment("router", api_version="2025-10-01-preview").json()
    assert "routing" not in older["properties"]


# -- spillover: Microsoft's spillover how-to, its prerequisites ------------------------------


def _standard(arm, clock, name: str = "overflow", sku: str = "GlobalStandard", **kw: Any):
    assert _put(arm, clock, name, _body(arm, sku=sku, **kw), "2025-09-01").status_code == 201


def _spilling(arm, target: str, sku: str = "GlobalProvisionedManaged", **kw: Any):
    return _with(arm, "spilloverDeploymentName", target, sku=sku, **kw)


def test_a_provisioned_deployment_spills_over_to_a_standard_one_of_its_level(
    clocked_arm, manual_clock
):
    _standard(clocked_arm, manual_clock)

    response = _put(
        clocked_arm, manual_clock, "ptu", _spilling(clocked_arm, "overflow"), "2025-09-01"
    )

    assert response.status_code == 201
    props = clocked_arm.get_deployment("ptu", api_version="2025-09-01").json()["properties"]
    assert props["spilloverDeploymentName"] == "overflow"
    # 2025-06-01 does not define it: not shown there.
    assert (
        "spilloverDeploymentName"
        not in (clocked_arm.get_deployment("ptu", api_version="2025-06-01").json()["properties"])
    )


def _refusal(arm, clock, body: dict[str, Any], name: str = "ptu") -> str:
    response = _put(arm, clock, name, body, "2025-09-01")
    assert response.status_code == 400, response.text
    code, message = arm.error(response)
    assert code == "InvalidResourceProperties"
    assert response.json()["error"]["target"] == "properties.spilloverDeploymentName"
    assert arm.emu.deployment(arm.DEST, name) is None
    return message


def test_a_spillover_target_that_does_not_exist_is_refused(clocked_arm, manual_clock):
    message = _refusal(clocked_arm, manual_clock, _spilling(clocked_arm, "missing"))
    assert "'missing' does not exist" in message


def test_a_spillover_target_that_spills_over_itself_is_refused(clocked_arm, manual_clock):
    _standard(clocked_arm, manual_clock)
    assert _put(
        clocked_arm, manual_clock, "ptu-a", _spilling(clocked_arm, "overflow"), "2025-09-01"
    ).ok

    message = _refusal(clocked_arm, manual_clock, _spilling(clocked_arm, "ptu-a"))

    assert "spills over to 'overflow' itself" in message


def test_a_spillover_target_of_another_data_processing_level_is_refused(clocked_arm, manual_clock):
    _standard(clocked_arm, manual_clock, sku="Standard")

    message = _refusal(clocked_arm, manual_clock, _spilling(clocked_arm, "overflow"))

    assert "spills over to a GlobalStandard deployment" in message


def test_a_provisioned_spillover_target_is_refused(clocked_arm, manual_clock):
    _standard(clocked_arm, manual_clock, name="other-ptu", sku="GlobalProvisionedManaged")

    message = _refusal(clocked_arm, manual_clock, _spilling(clocked_arm, "other-ptu"))

    assert "has sku 'GlobalProvisionedManaged'" in message


def test_a_spillover_target_running_another_model_is_refused(clocked_arm, manual_clock):
    _standard(clocked_arm, manual_clock, model="gpt-4o", version="2024-08-06")

    message = _refusal(clocked_arm, manual_clock, _spilling(clocked_arm, "overflow"))

    assert "must run the same model and version" in message


def test_a_standard_deployment_cannot_spill_over(clocked_arm, manual_clock):
    _standard(clocked_arm, manual_clock)

    message = _refusal(
        clocked_arm, manual_clock, _spilling(clocked_arm, "overflow", sku="GlobalStandard"), "std"
    )

    assert "provisioned deployments only" in message


def test_a_deployment_cannot_spill_over_to_itself(clocked_arm, manual_clock):
    message = _refusal(clocked_arm, manual_clock, _spilling(clocked_arm, "PTU"))
    assert "to itself" in message
