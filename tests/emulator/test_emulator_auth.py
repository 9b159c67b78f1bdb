"""Authentication (401) and role-based authorization (403) on the primary bearer token."""

from __future__ import annotations

import pytest

from aoai_deploy.emulator.tokens import mint

FABRIKAM_SUB = "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
STRANGER_OID = "99999999-9999-4999-8999-999999999999"


def test_missing_authorization_header_is_authentication_failed(arm):
    response = arm.get(arm.emu.account_id(arm.DEST), auth=False)
    assert response.status_code == 401
    assert arm.error(response) == (
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
    )
    assert response.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")


@pytest.mark.parametrize(
    "header", ["Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer"]
)
def test_garbled_token_is_authentication_failed(arm, header):
    response = arm.get(arm.emu.account_id(arm.DEST), auth=False, headers={"Authorization": header})
    assert response.status_code == 401
    assert arm.error(response) == (
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
    )


def test_token_without_tid_is_authentication_failed(arm):
    token = mint({"aud": "https://management.azure.com/", "exp": 9_999_999_999, "oid": "x"})
    response = arm.get(arm.emu.account_id(arm.DEST), token=token)
    assert response.status_code == 401
    assert arm.error(response)[0] == "AuthenticationFailed"


def test_expired_token_is_expired_authentication_token(arm):
    token = arm.emu.token("fabrikam", expires_in=-60)
    response = arm.get(arm.emu.account_id(arm.DEST), token=token)
    assert response.status_code == 401
    code, message = arm.error(response)
    assert code == "ExpiredAuthenticationToken"
    assert message.startswith("The access token expiry UTC time '")
    assert "is earlier than current UTC time '" in message


def test_token_from_another_tenant_is_invalid_authentication_token_tenant(arm):
    response = arm.get(arm.emu.account_id(arm.DEST), tenant="contoso")
    assert response.status_code == 401
    code, message = arm.error(response)
    assert code == "InvalidAuthenticationTokenTenant"
    assert "wrong issuer 'https://sts.windows.net/11111111-1111-4111-8111-111111111111/'" in message
    assert "tenant 'https://sts.windows.net/22222222-2222-4222-8222-222222222222/'" in message


def test_wrong_audience_is_401(arm):
    token = arm.emu.token("fabrikam", audience="https://graph.microsoft.com/")
    response = arm.get(arm.emu.account_id(arm.DEST), token=token)
    assert response.status_code == 401
    code, message = arm.error(response)
    assert code == "InvalidAuthenticationTokenAudience"
    assert "'https://graph.microsoft.com/'" in message


@pytest.mark.parametrize(
    "audience", ["https://management.azure.com", "https://management.core.windows.net/"]
)
def test_every_arm_audience_is_accepted(arm, audience):
    token = arm.emu.token("fabrikam", audience=audience)
    assert arm.get(arm.emu.account_id(arm.DEST), token=token).status_code == 200


def test_v2_token_with_azp_instead_of_appid_is_read(arm):
    token = arm.emu.token(
        "fabrikam", appid=None, azp="33333333-3333-4333-8333-333333333333", ver="2.0"
    )
    assert arm.get(arm.emu.account_id(arm.DEST), token=token).status_code == 200
    assert arm.emu.request_log[-1].appid == "33333333-3333-4333-8333-333333333333"


def test_principal_without_a_role_is_authorization_failed_naming_client_oid_action_scope(arm):
    token = arm.emu.token("fabrikam", oid=STRANGER_OID)
    response = arm.put("d", arm.base_body(), token=token)
    assert response.status_code == 403
    assert arm.error(response) == (
        "AuthorizationFailed",
        "The client '33333333-3333-4333-8333-333333333333' with object id "
        f"'{STRANGER_OID}' does not have authorization to perform action "
        "'Microsoft.CognitiveServices/accounts/deployments/write' over scope "
        f"'{arm.deployment_path('d')}' or the scope is invalid. If access was recently granted, "
        "please refresh your credentials.",
    )
    assert arm.emu.deployment(arm.DEST, "d") is None


def test_role_on_another_scope_does_not_count(arm):
    # deployer holds OpenAI Contributor on rg-inference and fabrikam-ft-lab, not all of rg-lab.
    lab_path = arm.emu.account_id(arm.LAB).replace("fabrikam-ft-lab", "other")
    response = arm.get(lab_path)
    assert response.status_code == 403
    assert arm.error(response)[0] == "AuthorizationFailed"


def test_reader_role_can_read_but_not_write(emulator, arm):
    emulator.add_role_assignment(STRANGER_OID, READER, emulator.account_id(arm.DEST))
    token = emulator.token("fabrikam", oid=STRANGER_OID)
    assert arm.get(emulator.account_id(arm.DEST), token=token).status_code == 200
    assert arm.get_deployment("d", token=token).status_code == 404  # allowed to look, nothing there
    assert arm.put("d", arm.base_body(), token=token).status_code == 403
    assert arm.delete("d", token=token).status_code == 403


def test_contributor_on_the_subscription_grants_writes(emulator, arm):
    emulator.add_role_assignment(STRANGER_OID, CONTRIBUTOR, FABRIKAM_SUB)
    token = emulator.token("fabrikam", oid=STRANGER_OID)
    assert arm.put("d", arm.base_body(), token=token).status_code == 201


def test_role_definition_may_be_given_as_a_full_arm_id(emulator, arm):
    full = f"{FABRIKAM_SUB}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"
    emulator.add_role_assignment(STRANGER_OID, full, FABRIKAM_SUB)
    token = emulator.token("fabrikam", oid=STRANGER_OID)
    assert arm.put("d", arm.base_body(), token=token).status_code == 201


def test_removed_role_assignment_stops_granting(emulator, arm):
    emulator.add_role_assignment(STRANGER_OID, CONTRIBUTOR, FABRIKAM_SUB)
    token = emulator.token("fabrikam", oid=STRANGER_OID)
    assert arm.get(emulator.account_id(arm.DEST), token=token).status_code == 200
    assert emulator.remove_role_assignment(STRANGER_OID, CONTRIBUTOR, FABRIKAM_SUB)
    assert arm.get(emulator.account_id(arm.DEST), token=token).status_code == 403


def test_unknown_role_definition_is_refused_by_the_helper(emulator):
    with pytest.raises(KeyError):
        emulator.add_role_assignment(
            STRANGER_OID, "00000000-0000-0000-0000-000000000000", FABRIKAM_SUB
        )


@pytest.mark.parametrize("style", ["azure-async-operation", "location"])
def test_operation_urls_require_a_valid_token(clocked_arm, style):
    clocked_arm.emu.settings.async_style = style
    headers = clocked_arm.put("d", clocked_arm.base_body()).headers
    operation = headers.get("Azure-AsyncOperation") or headers["Location"]
    assert clocked_arm.get(operation, auth=False).status_code == 401
    wrong = clocked_arm.get(operation, tenant="contoso")
    assert wrong.status_code == 401
    assert clocked_arm.error(wrong)[0] == "InvalidAuthenticationTokenTenant"
    assert clocked_arm.get(operation).status_code in (200, 202)
