"""The deployment lifecycle: PUT, long-running operations, GET, PATCH, DELETE, LIST, validation."""

from __future__ import annotations

import pytest


def test_put_new_deployment_is_201_creating_with_async_headers(clocked_arm):
    response = clocked_arm.put("chat", clocked_arm.base_body())
    assert response.status_code == 201
    assert response.json()["properties"]["provisioningState"] == "Creating"
    operation = response.headers["Azure-AsyncOperation"]
    assert operation.startswith(clocked_arm.emu.base_url + "/subscriptions/bbbbbbbb-")
    # As the az CLI recording of an account PUT of this resource provider points it.
    assert "/providers/Microsoft.CognitiveServices/locations/eastus/operationResults/" in operation
    assert "api-version=2024-10-01" in operation
    assert response.headers["Retry-After"] == "1"
    assert "Location" not in response.headers


def test_deployment_body_is_shaped_like_azures(clocked_arm):
    body = clocked_arm.base_body(capacity=10)
    body["tags"] = {"team": "ml"}
    body["properties"]["raiPolicyName"] = "strict"
    body["properties"]["versionUpgradeOption"] = "noautoupgrade"
    sent = clocked_arm.put("chat", body).json()
    assert sent["id"] == clocked_arm.deployment_path("chat")
    assert sent["name"] == "chat"
    assert sent["type"] == "Microsoft.CognitiveServices/accounts/deployments"
    assert sent["sku"] == {"name": "Standard", "capacity": 10}
    assert sent["tags"] == {"team": "ml"}
    assert sent["etag"].startswith('"')
    assert set(sent["systemData"]) == {
        "createdBy",
        "createdByType",
        "createdAt",
        "lastModifiedBy",
        "lastModifiedByType",
        "lastModifiedAt",
    }
    assert sent["systemData"]["createdByType"] == "Application"
    props = sent["properties"]
    assert props["model"]["format"] == "OpenAI"
    assert props["model"]["name"] == "gpt-4o-mini"
    assert props["model"]["version"] == "2024-07-18"
    assert "callRateLimit" in props["model"]
    assert props["currentCapacity"] == 10
    assert props["raiPolicyName"] == "strict"
    assert props["versionUpgradeOption"] == "NoAutoUpgrade"
    assert props["capabilities"]["chatCompletion"] == "true"
    assert {"key": "token", "renewalPeriod": 60, "count": 10000} in props["rateLimits"]
    assert props["callRateLimit"]["rules"] == props["rateLimits"]
    assert "location" not in sent


def test_operation_status_progresses_on_the_emulators_clock(clocked_arm, manual_clock):
    operation = clocked_arm.put("chat", clocked_arm.base_body()).headers["Azure-AsyncOperation"]
    running = clocked_arm.get(operation)
    assert running.status_code == 200
    assert running.json()["status"] == "Creating"
    assert running.headers["Retry-After"] == "1"
    assert "endTime" not in running.json()
    assert (
        clocked_arm.get_deployment("chat").json()["properties"]["provisioningState"] == "Creating"
    )

    manual_clock.advance(clocked_arm.emu.settings.provisioning_seconds)
    done = clocked_arm.get(operation).json()
    assert done["status"] == "Succeeded"
    assert set(done) == {"id", "name", "status", "startTime", "endTime"}
    assert (
        clocked_arm.get_deployment("chat").json()["properties"]["provisioningState"] == "Succeeded"
    )


def test_missing_version_gets_the_models_default(clocked_arm):
    sent = clocked_arm.put("chat", clocked_arm.base_body(version=None)).json()
    assert sent["properties"]["model"]["version"] == "2024-07-18"


def test_unknown_model_version_is_deployment_model_not_supported(clocked_arm):
    response = clocked_arm.put("chat", clocked_arm.base_body(version="1999-01-01"))
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "DeploymentModelNotSupported"


def test_put_existing_deployment_is_200_and_keeps_created_by(clocked_arm, manual_clock):
    first = clocked_arm.put("chat", clocked_arm.base_body()).json()
    manual_clock.advance(1)
    second = clocked_arm.put("chat", clocked_arm.base_body(capacity=5))
    assert second.status_code == 200
    assert second.json()["sku"]["capacity"] == 5
    assert second.json()["systemData"]["createdAt"] == first["systemData"]["createdAt"]
    assert second.json()["etag"] != first["etag"]


def test_changing_the_model_of_an_existing_deployment_is_400(clocked_arm, manual_clock):
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    response = clocked_arm.put("chat", clocked_arm.base_body(model="gpt-4o", version="2024-08-06"))
    assert response.status_code == 400
    assert clocked_arm.error(response) == (
        "CannotChangeDeploymentModel",
        "The model of deployment cannot be changed.",
    )


def test_changing_the_source_of_an_existing_deployment_is_400(clocked_arm, manual_clock):
    clocked_arm.emu.add_model(clocked_arm.DEST, clocked_arm.LAB_MODEL)
    clocked_arm.put("ft", clocked_arm.base_body(model=clocked_arm.LAB_MODEL, version="1"))
    manual_clock.advance(1)
    response = clocked_arm.put(
        "ft", clocked_arm.copy_body(clocked_arm.LAB, clocked_arm.LAB_MODEL, field="source")
    )
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "CannotChangeDeploymentModel"


def test_model_version_may_change_in_place(clocked_arm, manual_clock):
    clocked_arm.emu.add_model(clocked_arm.DEST, "gpt-4o-mini", version="2025-01-01")
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    response = clocked_arm.put("chat", clocked_arm.base_body(version="2025-01-01"))
    assert response.status_code == 200
    assert response.json()["properties"]["model"]["version"] == "2025-01-01"


def test_final_get_after_success_shows_what_was_put(clocked_arm, manual_clock):
    clocked_arm.put("chat", clocked_arm.base_body(capacity=3))
    manual_clock.advance(1)
    body = clocked_arm.get_deployment("chat").json()
    assert body["properties"]["provisioningState"] == "Succeeded"
    assert body["sku"]["capacity"] == 3
    assert clocked_arm.emu.deployment(clocked_arm.DEST, "chat") == body


@pytest.mark.parametrize(
    ("sku", "capacity"),
    [
        ("S0", 1),
        ("Premium", 1),
        ("Standard", 0),
        ("Standard", -1),
        ("Standard", 1.5),
        ("Standard", "1"),
    ],
)
def test_bad_sku_is_invalid_resource_properties(clocked_arm, sku, capacity):
    response = clocked_arm.put("chat", clocked_arm.base_body(sku=sku, capacity=capacity))
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "InvalidResourceProperties"
    assert clocked_arm.emu.deployment(clocked_arm.DEST, "chat") is None


def test_account_sku_message_reads_like_azures(clocked_arm):
    response = clocked_arm.put("chat", clocked_arm.base_body(sku="S0"))
    assert clocked_arm.error(response)[1] == (
        "The specified SKU 'S0' for model 'gpt-4o-mini 2024-07-18' is not supported in this "
        "region 'eastus'."
    )


def test_sku_name_is_case_insensitive_and_canonicalised(clocked_arm):
    assert (
        clocked_arm.put("chat", clocked_arm.base_body(sku="globalstandard")).json()["sku"]["name"]
        == "GlobalStandard"
    )


@pytest.mark.parametrize(
    "data", [b"{not json", b"[1, 2]", b""], ids=["malformed", "array", "empty"]
)
def test_unreadable_body_is_invalid_request_content(clocked_arm, data):
    path = clocked_arm.deployment_path("chat")
    response = clocked_arm.call(
        "PUT", path, data=data, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "InvalidRequestContent"


def test_body_without_a_model_is_invalid_resource_properties(clocked_arm):
    response = clocked_arm.put(
        "chat", {"sku": {"name": "Standard", "capacity": 1}, "properties": {}}
    )
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "InvalidResourceProperties"


def test_unknown_version_upgrade_option_is_400(clocked_arm):
    body = clocked_arm.base_body()
    body["properties"]["versionUpgradeOption"] = "Sometimes"
    response = clocked_arm.put("chat", body)
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "InvalidResourceProperties"


@pytest.mark.parametrize("name", ["-leading-dash", "has space", "x" * 65, "semi;colon"])
def test_deployment_name_must_be_url_safe(clocked_arm, name):
    response = clocked_arm.put(name, clocked_arm.base_body())
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "InvalidResourceName"


def test_body_keys_are_read_case_insensitively(clocked_arm):
    body = {
        "SKU": {"Name": "Standard", "Capacity": 2},
        "Properties": {"Model": {"Format": "OpenAI", "Name": "gpt-4o"}},
    }
    response = clocked_arm.put("chat", body)
    assert response.status_code == 201, response.text
    assert response.json()["sku"]["capacity"] == 2


def test_patch_updates_sku_and_tags_as_a_long_running_operation(clocked_arm, manual_clock):
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    response = clocked_arm.patch("chat", {"sku": {"capacity": 7}, "tags": {"a": "b"}})
    assert response.status_code == 202
    # As the spec's own UpdateDeployment.json example answers a 202 (settings.update_header).
    assert "/operationResults/" in response.headers["Azure-AsyncOperation"]
    manual_clock.advance(1)
    body = clocked_arm.get_deployment("chat").json()
    assert body["sku"] == {"name": "Standard", "capacity": 7}
    assert body["tags"] == {"a": "b"}
    assert body["properties"]["currentCapacity"] == 7
    assert body["properties"]["provisioningState"] == "Succeeded"


@pytest.mark.parametrize("field", ["properties", "location", "name"])
def test_patch_accepts_only_sku_and_tags(clocked_arm, manual_clock, field):
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    response = clocked_arm.patch("chat", {field: {}})
    assert response.status_code == 400
    code, message = clocked_arm.error(response)
    assert code == "InvalidResourceProperties"
    assert field in message


def test_patch_of_a_missing_deployment_is_404(clocked_arm):
    response = clocked_arm.patch("ghost", {"tags": {}})
    assert response.status_code == 404
    assert clocked_arm.error(response)[0] == "NotFound"


def test_delete_is_202_then_the_deployment_is_gone(clocked_arm, manual_clock):
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    response = clocked_arm.delete("chat")
    assert response.status_code == 202
    operation = response.headers["Azure-AsyncOperation"]
    assert (
        clocked_arm.get_deployment("chat").json()["properties"]["provisioningState"] == "Deleting"
    )
    assert clocked_arm.get(operation).json()["status"] == "Creating"
    manual_clock.advance(clocked_arm.emu.settings.deprovisioning_seconds)
    assert clocked_arm.get(operation).json()["status"] == "Succeeded"
    gone = clocked_arm.get_deployment("chat")
    assert gone.status_code == 404
    assert clocked_arm.error(gone)[0] == "NotFound"


def test_delete_of_an_absent_deployment_is_204(clocked_arm):
    response = clocked_arm.delete("never-was")
    assert response.status_code == 204
    assert response.content == b""


def test_location_url_is_202_while_running_then_200_with_the_resource(clocked_arm, manual_clock):
    clocked_arm.emu.settings.async_style = "location"
    location = clocked_arm.put("chat", clocked_arm.base_body()).headers["Location"]
    running = clocked_arm.get(location)
    assert running.status_code == 202
    assert running.headers["Location"] == location
    manual_clock.advance(1)
    done = clocked_arm.get(location)
    assert done.status_code == 200
    assert done.json()["name"] == "chat"
    assert done.json()["properties"]["provisioningState"] == "Succeeded"


def test_location_url_of_a_delete_is_204_when_done(clocked_arm, manual_clock):
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    clocked_arm.emu.settings.async_style = "location"
    location = clocked_arm.delete("chat").headers["Location"]
    assert clocked_arm.get(location).status_code == 202
    manual_clock.advance(1)
    assert clocked_arm.get(location).status_code == 204


def test_unknown_operation_is_404(clocked_arm):
    operation = clocked_arm.put("chat", clocked_arm.base_body()).headers["Azure-AsyncOperation"]
    path, query = operation.split("?")
    response = clocked_arm.get(
        path.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000?" + query
    )
    assert response.status_code == 404


def test_zero_provisioning_time_succeeds_at_once(clocked_arm):
    clocked_arm.emu.settings.provisioning_seconds = 0
    response = clocked_arm.put("chat", clocked_arm.base_body())
    assert response.json()["properties"]["provisioningState"] == "Succeeded"
    assert clocked_arm.get(response.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"


def test_if_match_with_a_stale_etag_is_412(clocked_arm, manual_clock):
    etag = clocked_arm.put("chat", clocked_arm.base_body()).json()["etag"]
    manual_clock.advance(1)
    clocked_arm.patch("chat", {"tags": {"x": "y"}})
    manual_clock.advance(1)
    response = clocked_arm.put("chat", clocked_arm.base_body(), headers={"If-Match": etag})
    assert response.status_code == 412
    assert clocked_arm.error(response)[0] == "PreconditionFailed"


def test_list_pages_with_absolute_next_links(clocked_arm):
    emu = clocked_arm.emu
    emu.settings.page_size = 2
    for index in range(5):
        emu.put_deployment_direct(clocked_arm.DEST, f"d{index}", clocked_arm.base_body())
    url = emu.account_id(clocked_arm.DEST) + "/deployments"
    names, pages = [], 0
    while url:
        response = clocked_arm.get(url)
        assert response.status_code == 200
        body = response.json()
        names += [item["name"] for item in body["value"]]
        pages += 1
        url = body.get("nextLink")
        if url:
            assert url.startswith(emu.base_url + "/subscriptions/")
            assert "api-version=2024-10-01" in url
    assert names == ["d0", "d1", "d2", "d3", "d4"]
    assert pages == 3


def test_list_of_an_empty_account_has_no_next_link(clocked_arm):
    body = clocked_arm.get(clocked_arm.emu.account_id(clocked_arm.DEST) + "/deployments").json()
    assert body == {"value": []}


def test_list_requires_read_permission(clocked_arm):
    token = clocked_arm.emu.token("fabrikam", oid="99999999-9999-4999-8999-999999999999")
    response = clocked_arm.get(
        clocked_arm.emu.account_id(clocked_arm.DEST) + "/deployments", token=token
    )
    assert response.status_code == 403
