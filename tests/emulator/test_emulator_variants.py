"""Variants seen in real sessions, selected through emu.settings."""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Settings


def test_no_async_header_means_polling_the_resource(clocked_arm, manual_clock):
    clocked_arm.emu.settings.async_style = "none"
    response = clocked_arm.put("d", clocked_arm.base_body())
    assert response.status_code == 201
    assert "Azure-AsyncOperation" not in response.headers
    assert "Location" not in response.headers
    assert "Retry-After" not in response.headers
    assert response.json()["properties"]["provisioningState"] == "Creating"
    manual_clock.advance(1)
    assert clocked_arm.get_deployment("d").json()["properties"]["provisioningState"] == "Succeeded"


def test_no_async_header_delete_is_200_with_an_empty_body_once_deleted(clocked_arm, manual_clock):
    clocked_arm.put("d", clocked_arm.base_body())
    manual_clock.advance(1)
    clocked_arm.emu.settings.async_style = "none"
    response = clocked_arm.delete("d")
    assert response.status_code == 200
    assert response.content == b""
    assert clocked_arm.get_deployment("d").status_code == 404


def test_no_async_header_patch_is_200_with_the_body(clocked_arm, manual_clock):
    clocked_arm.put("d", clocked_arm.base_body())
    manual_clock.advance(1)
    clocked_arm.emu.settings.async_style = "none"
    response = clocked_arm.patch("d", {"tags": {"k": "v"}})
    assert response.status_code == 200
    assert response.json()["tags"] == {"k": "v"}


def test_location_instead_of_azure_async_operation(clocked_arm):
    clocked_arm.emu.settings.async_style = "location"
    response = clocked_arm.put("d", clocked_arm.base_body())
    assert "/operationResults/" in response.headers["Location"]
    assert "Azure-AsyncOperation" not in response.headers


def test_etag_key_casing(clocked_arm):
    clocked_arm.emu.settings.etag_key = "eTag"
    body = clocked_arm.put("d", clocked_arm.base_body()).json()
    assert "eTag" in body
    assert "etag" not in body
    assert "eTag" in clocked_arm.get(clocked_arm.emu.account_id(clocked_arm.DEST)).json()


def test_running_status_other_than_the_recorded_creating(clocked_arm):
    clocked_arm.emu.settings.running_status = "InProgress"
    operation = clocked_arm.put("d", clocked_arm.base_body()).headers["Azure-AsyncOperation"]
    assert clocked_arm.get(operation).json()["status"] == "InProgress"


def test_operation_statuses_style_points_azure_async_operation_there(clocked_arm, manual_clock):
    clocked_arm.emu.settings.async_style = "operation-statuses"
    operation = clocked_arm.put("d", clocked_arm.base_body()).headers["Azure-AsyncOperation"]
    assert "/operationStatuses/" in operation
    assert clocked_arm.get(operation).json()["status"] == "Creating"
    manual_clock.advance(1)
    assert clocked_arm.get(operation).json()["status"] == "Succeeded"


def test_accepted_as_the_creating_state(clocked_arm):
    clocked_arm.emu.settings.creating_state = "Accepted"
    assert (
        clocked_arm.put("d", clocked_arm.base_body()).json()["properties"]["provisioningState"]
        == "Accepted"
    )


def test_no_retry_after_header(clocked_arm):
    clocked_arm.emu.settings.retry_after = None
    response = clocked_arm.put("d", clocked_arm.base_body())
    assert "Retry-After" not in response.headers
    assert "Retry-After" not in clocked_arm.get(response.headers["Azure-AsyncOperation"]).headers


def test_provisioning_time_is_configurable(clocked_arm, manual_clock):
    clocked_arm.emu.settings.provisioning_seconds = 120
    operation = clocked_arm.put("d", clocked_arm.base_body()).headers["Azure-AsyncOperation"]
    manual_clock.advance(119)
    assert clocked_arm.get(operation).json()["status"] == "Creating"
    manual_clock.advance(1)
    assert clocked_arm.get(operation).json()["status"] == "Succeeded"


def test_settings_defaults():
    settings = Settings()
    assert settings.async_style == "azure-async-operation"
    assert settings.etag_key == "etag"
    assert settings.running_status == "Creating"
    assert settings.update_header == "azure-async-operation"
    assert settings.creating_state == "Creating"
    assert settings.retry_after == 1
    assert settings.provisioning_seconds == 0.05
    assert settings.deprovisioning_seconds == 0.05
    assert settings.page_size == 10


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("async_style", "polling"),
        ("etag_key", "ETAG"),
        ("update_header", "operation-location"),
        ("running_status", "Succeeded"),
        ("retry_after", -1),
        ("provisioning_seconds", -0.1),
        ("page_size", 0),
    ],
)
def test_settings_reject_bad_values_where_they_are_set(name, value):
    settings = Settings()
    with pytest.raises(ValueError, match=f"Settings.{name}"):
        setattr(settings, name, value)
