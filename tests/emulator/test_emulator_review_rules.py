"""Azure behaviour the emulator learnt from a review against Azure's docs and error text
(issue 10; FACTS.md, "More of Azure's behaviour"). Each test names its source."""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Fault


def test_etag_may_be_left_out_as_in_the_2024_10_01_examples(clocked_arm):
    # The REST spec's 2024-10-01 examples of a deployment carry no etag.
    clocked_arm.emu.settings.etag_key = None
    body = clocked_arm.put("d", clocked_arm.base_body()).json()
    assert not {"etag", "eTag"} & set(body)
    account = clocked_arm.get(clocked_arm.emu.account_id(clocked_arm.DEST)).json()
    assert not {"etag", "eTag"} & set(account)


def test_delete_of_an_absent_deployment_may_be_404(clocked_arm):
    # ARM allows a DELETE of what is not there to answer 204 or 404.
    clocked_arm.emu.settings.absent_delete_status = 404
    response = clocked_arm.delete("never-was")
    assert response.status_code == 404
    assert clocked_arm.error(response)[0] == "NotFound"


def test_patch_202_carries_the_header_the_update_deployment_example_shows(
    clocked_arm, manual_clock
):
    # Deployments_Update answers 200, or 202; the spec's UpdateDeployment.json example shows
    # the 202 with Azure-AsyncOperation.
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    response = clocked_arm.patch("chat", {"sku": {"name": "Standard", "capacity": 3}})
    assert response.status_code == 202
    assert "Location" not in response.headers
    status = response.headers["Azure-AsyncOperation"]
    assert clocked_arm.get(status).json()["status"] == "Creating"
    manual_clock.advance(1)
    assert clocked_arm.get(status).json()["status"] == "Succeeded"
    assert clocked_arm.get_deployment("chat").json()["sku"]["capacity"] == 3


@pytest.mark.parametrize("put_style", ["azure-async-operation", "location"])
def test_patch_202_carries_the_location_the_spec_declares_when_so_set(
    clocked_arm, manual_clock, put_style
):
    # The 202 response of Deployments_Update in the spec declares a Location header.
    clocked_arm.emu.settings.async_style = put_style
    clocked_arm.emu.settings.update_header = "location"
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    response = clocked_arm.patch("chat", {"sku": {"name": "Standard", "capacity": 3}})
    assert response.status_code == 202
    assert "Azure-AsyncOperation" not in response.headers
    location = response.headers["Location"]
    assert clocked_arm.get(location).status_code == 202
    manual_clock.advance(1)
    done = clocked_arm.get(location)
    assert done.status_code == 200
    assert done.json()["sku"]["capacity"] == 3


def test_a_put_changing_model_version_and_capacity_at_once_is_refused(clocked_arm, manual_clock):
    # "Cannot change capacity and model at the same time for deployment"
    # (Azure-Samples/azure-search-openai-demo issue 1154).
    clocked_arm.emu.add_model(clocked_arm.DEST, "gpt-4o-mini", version="2025-01-01")
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)

    both = clocked_arm.put("chat", clocked_arm.base_body(version="2025-01-01", capacity=2))

    assert both.status_code == 400
    code, message = clocked_arm.error(both)
    assert code == "InvalidResourceProperties"
    assert message == "Cannot change capacity and model at the same time for deployment."
    version_only = clocked_arm.put("chat", clocked_arm.base_body(version="2025-01-01"))
    assert version_only.status_code == 200
    manual_clock.advance(1)
    capacity_only = clocked_arm.put("chat", clocked_arm.base_body(version="2025-01-01", capacity=2))
    assert capacity_only.status_code == 200


def test_a_put_without_a_version_changes_the_model_when_the_default_differs(
    clocked_arm, manual_clock
):
    # Without a version Azure deploys the model's default one (FACTS.md).
    clocked_arm.emu.add_model(clocked_arm.DEST, "gpt-4o-mini", version="2025-01-01")
    clocked_arm.put("chat", clocked_arm.base_body(version="2025-01-01"))
    manual_clock.advance(1)
    response = clocked_arm.put("chat", clocked_arm.base_body(version=None, capacity=2))
    assert response.status_code == 400
    assert "capacity and model" in clocked_arm.error(response)[1]


@pytest.mark.parametrize(
    "sku", ["ProvisionedManaged", "GlobalProvisionedManaged", "DataZoneProvisionedManaged"]
)
def test_a_provisioned_deployment_moves_to_another_model_family_in_place(
    clocked_arm, manual_clock, sku
):
    # Provisioned deployments migrate to another model version or family in place.
    clocked_arm.put("ptu", clocked_arm.base_body(sku=sku, capacity=15))
    manual_clock.advance(1)
    response = clocked_arm.put(
        "ptu", clocked_arm.base_body(model="gpt-4o", version="2024-08-06", sku=sku, capacity=15)
    )
    assert response.status_code == 200, response.text
    assert response.json()["properties"]["model"]["name"] == "gpt-4o"


def test_a_standard_deployment_still_cannot_change_its_model_family(clocked_arm, manual_clock):
    clocked_arm.put("chat", clocked_arm.base_body(sku="GlobalStandard"))
    manual_clock.advance(1)
    response = clocked_arm.put(
        "chat", clocked_arm.base_body(model="gpt-4o", version="2024-08-06", sku="GlobalStandard")
    )
    assert clocked_arm.error(response)[0] == "CannotChangeDeploymentModel"


def test_an_unauthenticated_subscription_get_names_the_subscription_tenant(arm):
    # How tools find a subscription's tenant without access to it (FACTS.md).
    source_sub = "aaaaaaaa-0000-4000-8000-000000000001"
    response = arm.get(f"/subscriptions/{source_sub}", auth=False, api_version="2022-12-01")
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    tenant = arm.emu.tenant_id("contoso")
    assert challenge.startswith(
        f'Bearer authorization_uri="https://login.microsoftonline.com/{tenant}"'
    )
    assert arm.error(response)[0] == "AuthenticationFailed"


def test_a_subscription_is_readable_with_a_token_of_its_tenant(arm):
    response = arm.get(
        "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002", api_version="2022-12-01"
    )
    assert response.status_code == 200, response.text
    assert response.json()["tenantId"] == arm.emu.tenant_id("fabrikam")
    other = arm.get("/subscriptions/aaaaaaaa-0000-4000-8000-000000000001", api_version="2022-12-01")
    assert arm.error(other)[0] == "InvalidAuthenticationTokenTenant"


def test_an_operation_can_end_canceled(clocked_arm, manual_clock):
    # provisioningState and the operation status include Canceled (REST spec, FACTS.md).
    clocked_arm.emu.inject(Fault(kind="failed-provisioning", outcome="Canceled"))
    response = clocked_arm.put("d", clocked_arm.base_body())
    manual_clock.advance(1)
    status = clocked_arm.get(response.headers["Azure-AsyncOperation"]).json()
    assert status["status"] == "Canceled"
    assert status["error"]["code"] == "OperationCanceled"
    assert clocked_arm.get_deployment("d").json()["properties"]["provisioningState"] == "Canceled"


def test_a_write_can_leave_the_deployment_disabled(clocked_arm, manual_clock):
    # Disabled is one of DeploymentProvisioningState's terminal values (REST spec, FACTS.md).
    clocked_arm.emu.settings.async_style = "none"
    clocked_arm.emu.inject(Fault(kind="failed-provisioning", outcome="Disabled"))
    assert clocked_arm.put("d", clocked_arm.base_body()).status_code == 201
    manual_clock.advance(1)
    assert clocked_arm.get_deployment("d").json()["properties"]["provisioningState"] == "Disabled"


def test_outcome_belongs_to_failed_provisioning_only():
    with pytest.raises(ValueError, match="outcome"):
        Fault(kind="throttle", outcome="Canceled")
    with pytest.raises(ValueError, match="outcome"):
        Fault(kind="failed-provisioning", outcome="Paused")
