"""Routing, api-version, transport and the shapes of account and not-found answers."""

from __future__ import annotations

import pytest
import requests

from aoai_deploy.emulator import API_VERSIONS


def test_account_get_returns_the_seeded_account(arm):
    account_id = arm.emu.account_id(arm.DEST)
    response = arm.get(account_id)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == account_id
    assert body["name"] == "fabrikam-aoai-eus"
    assert body["type"] == "Microsoft.CognitiveServices/accounts"
    assert body["location"] == "eastus"
    assert body["kind"] == "OpenAI"
    assert body["properties"]["provisioningState"] == "Succeeded"


def test_path_segments_are_case_insensitive(arm):
    path = (
        arm.emu.account_id(arm.DEST)
        .upper()
        .replace("/SUBSCRIPTIONS/BBBBBBBB", "/subscriptions/bbbbbbbb")
    )
    response = arm.get(path)
    assert response.status_code == 200
    assert response.json()["name"] == "fabrikam-aoai-eus"  # the stored casing, not the request's


def test_missing_account_is_arm_resource_not_found(arm):
    path = arm.emu.account_id(arm.DEST).replace("fabrikam-aoai-eus", "nope")
    response = arm.get(path)
    assert response.status_code == 404
    assert arm.error(response) == (
        "ResourceNotFound",
        "The Resource 'Microsoft.CognitiveServices/accounts/nope' under resource group "
        "'rg-inference' was not found. For more details please go to "
        "https://aka.ms/ARMResourceNotFoundFix",
    )


def test_missing_resource_group_is_resource_group_not_found(emulator, arm):
    path = arm.emu.account_id(arm.DEST).replace("rg-inference", "rg-gone")
    emulator.add_role_assignment(
        emulator.object_id("deployer", "fabrikam"),
        arm.CONTRIBUTOR,
        "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002",
    )
    response = arm.get(path)
    assert response.status_code == 404
    assert arm.error(response) == (
        "ResourceGroupNotFound",
        "Resource group 'rg-gone' could not be found.",
    )


def test_unknown_subscription_is_subscription_not_found(arm):
    path = arm.emu.account_id(arm.DEST).replace(
        "bbbbbbbb-0000-4000-8000-000000000002", "cccccccc-0000-4000-8000-000000000003"
    )
    response = arm.get(path)
    assert response.status_code == 404
    assert arm.error(response)[0] == "SubscriptionNotFound"


def test_missing_deployment_is_not_found_with_the_real_message(arm):
    response = arm.get_deployment("nothing-here")
    assert response.status_code == 404
    assert arm.error(response) == (
        "NotFound",
        f"Specified resource '{arm.deployment_path('nothing-here')}' cannot be found.",
    )


def test_deployment_under_a_missing_account_is_parent_resource_not_found(arm):
    path = (
        arm.emu.account_id(arm.DEST).replace("fabrikam-aoai-eus", "fabrikam-aoai-xx")
        + "/deployments/d"
    )
    response = arm.call("PUT", path, body=arm.base_body())
    assert response.status_code == 404
    assert arm.error(response)[0] == "ParentResourceNotFound"


@pytest.mark.parametrize("route", ["account", "list", "deployment"])
def test_api_version_is_required_everywhere(arm, route):
    paths = {
        "account": arm.emu.account_id(arm.DEST),
        "list": arm.emu.account_id(arm.DEST) + "/deployments",
        "deployment": arm.deployment_path("x"),
    }
    response = arm.get(paths[route], api_version=None)
    assert response.status_code == 400
    assert arm.error(response) == (
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
    )


def test_operation_urls_require_the_api_version_too(clocked_arm):
    operation = clocked_arm.put("d", clocked_arm.base_body()).headers["Azure-AsyncOperation"]
    bare = operation.split("?")[0]
    response = clocked_arm.get(bare, api_version=None)
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "MissingApiVersionParameter"


def test_unknown_api_version_is_rejected_like_arm(arm):
    response = arm.get(arm.deployment_path("x"), api_version="2099-01-01")
    assert response.status_code == 400
    code, message = arm.error(response)
    assert code == "NoRegisteredProviderFound"
    assert "API version '2099-01-01'" in message
    assert "for type 'accounts/deployments'" in message


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_every_known_api_version_is_served(arm, api_version):
    assert arm.get(arm.emu.account_id(arm.DEST), api_version=api_version).status_code == 200


def test_unknown_path_is_404_with_an_arm_error_body(arm):
    response = arm.get(
        "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/providers/Microsoft.Compute/vms"
    )
    assert response.status_code == 404
    assert arm.error(response)[0] == "InvalidResourceType"


def test_unsupported_method_is_405(arm):
    response = arm.call("POST", arm.deployment_path("x"), body={})
    assert response.status_code == 405
    assert arm.error(response)[0] == "MethodNotAllowed"


def test_answers_carry_arm_headers(arm):
    response = arm.get(arm.emu.account_id(arm.DEST))
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["x-ms-request-id"]
    assert response.headers["x-ms-ratelimit-remaining-subscription-reads"]


def test_https_only_with_the_emulators_own_ca(emulator):
    url = emulator.base_url + emulator.account_id("fabrikam-aoai-eus") + "?api-version=2024-10-01"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(
            url, verify=True, timeout=5
        )  # the system bundle does not know the emulator's CA
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url.replace("https://", "http://"), timeout=5)


def test_keep_alive_reuses_one_connection(arm):
    for _ in range(5):
        assert arm.get(arm.emu.account_id(arm.DEST)).status_code == 200
    assert arm.emu.connections_accepted == 1
