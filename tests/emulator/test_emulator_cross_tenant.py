"""Cross-tenant copies: the auxiliary-token rules and the model's source account."""

from __future__ import annotations

import pytest

SOURCE_SUB = "aaaaaaaa-0000-4000-8000-000000000001"
OUTSIDER_APP = "66666666-6666-4666-8666-666666666666"


def test_documented_copy_with_an_auxiliary_token_is_created(arm):
    response = arm.put_copy("ft")
    assert response.status_code == 201, response.text
    model = response.json()["properties"]["model"]
    assert model["name"] == arm.FT_MODEL
    assert model["sourceAccount"] == arm.emu.account_id(arm.SOURCE)


def test_missing_auxiliary_token_is_linked_authorization_failed(arm):
    response = arm.put_copy("ft", aux=None)
    assert response.status_code == 403
    code, message = arm.error(response)
    assert code == "LinkedAuthorizationFailed"
    assert f"is not authorized to access linked subscription '{SOURCE_SUB}'" in message
    assert arm.emu.deployment(arm.DEST, "ft") is None


def test_auxiliary_token_from_the_wrong_tenant_is_linked_authorization_failed(arm):
    response = arm.put_copy("ft", aux=[arm.emu.token("fabrikam")])
    assert response.status_code == 403
    assert arm.error(response)[0] == "LinkedAuthorizationFailed"


def test_auxiliary_principal_without_a_role_on_the_source_is_linked_authorization_failed(arm):
    # outsider holds OpenAI Contributor on the destinations only.
    response = arm.put_copy("ft", principal="outsider", aux=[arm.emu.token("contoso", "outsider")])
    assert response.status_code == 403
    code, message = arm.error(response)
    assert code == "LinkedAuthorizationFailed"
    assert f"on the linked scope(s) '{arm.emu.account_id(arm.SOURCE)}'" in message
    assert "77777777-7777-4777-8777-777777777777" in message  # the source-tenant object id


def test_auxiliary_token_of_another_app_is_linked_authorization_failed(arm):
    other_app = arm.emu.token("contoso", appid=OUTSIDER_APP)
    response = arm.put_copy("ft", aux=[other_app])
    assert response.status_code == 403
    code, message = arm.error(response)
    assert code == "LinkedAuthorizationFailed"
    assert OUTSIDER_APP in message


def test_expired_auxiliary_token_is_401_naming_its_client_and_tenant(arm):
    response = arm.put_copy("ft", aux=[arm.emu.token("contoso", expires_in=-5)])
    assert response.status_code == 401
    code, message = arm.error(response)
    assert code == "ExpiredAuthenticationToken"
    assert "client '33333333-3333-4333-8333-333333333333'" in message
    assert "tenant '11111111-1111-4111-8111-111111111111'" in message


def test_more_than_three_auxiliary_tokens_is_400(arm):
    four = [arm.emu.token("contoso") for _ in range(4)]
    response = arm.put_copy("ft", aux=four)
    assert response.status_code == 400
    assert arm.error(response)[0] == "TooManyAuxiliaryTokens"


def test_three_auxiliary_tokens_are_allowed(arm):
    three = [arm.emu.token("fabrikam"), arm.emu.token("fabrikam"), arm.emu.token("contoso")]
    assert arm.put_copy("ft", aux=three).status_code == 201


@pytest.mark.parametrize(
    "header",
    ["Bearer garbage", "Bearer {t}; Bearer {t}", "Token {t}"],
    ids=["garbled", "semicolon-separated", "not-bearer"],
)
def test_unreadable_auxiliary_header_is_authentication_failed(arm, header):
    value = header.replace("{t}", arm.emu.token("contoso"))
    response = arm.put("ft", arm.copy_body(), headers={"x-ms-authorization-auxiliary": value})
    assert response.status_code == 401
    code, message = arm.error(response)
    assert code == "AuthenticationFailed"
    assert "'x-ms-authorization-auxiliary' header is provided in an invalid format" in message


def test_model_missing_from_the_source_is_deployment_model_not_supported(arm):
    body = arm.copy_body(model="gpt-4o-mini-2024-07-18.ft-00000000000000000000000000000000")
    response = arm.put("ft", body, aux=[arm.emu.token("contoso")])
    assert response.status_code == 400
    code, message = arm.error(response)
    assert code == "DeploymentModelNotSupported"
    assert message.startswith("The model 'Format: OpenAI, Name: gpt-4o-mini-2024-07-18.ft-0000")
    assert message.endswith("of account deployment is not supported.")


def test_fine_tuned_model_without_a_source_must_be_held_by_the_destination(arm):
    response = arm.put("ft", arm.base_body(model=arm.FT_MODEL, version="1"))
    assert response.status_code == 400
    assert arm.error(response)[0] == "DeploymentModelNotSupported"


def test_same_tenant_source_needs_no_auxiliary_header(arm):
    response = arm.put("ft", arm.copy_body(arm.LAB, arm.LAB_MODEL, field="source"))
    assert response.status_code == 201, response.text
    assert response.json()["properties"]["model"]["source"] == arm.emu.account_id(arm.LAB)


def test_same_tenant_source_account_field_works_without_auxiliary_header(arm):
    response = arm.put("ft", arm.copy_body(arm.LAB, arm.LAB_MODEL, field="sourceAccount"))
    assert response.status_code == 201, response.text


def test_same_tenant_source_is_checked_for_a_role_like_a_cross_tenant_one(arm):
    response = arm.put(
        "ft", arm.copy_body(arm.LAB, arm.LAB_MODEL, field="source"), principal="outsider"
    )
    assert response.status_code == 403
    assert arm.error(response)[0] == "LinkedAuthorizationFailed"


def test_same_tenant_source_model_must_exist_there(arm):
    response = arm.put("ft", arm.copy_body(arm.LAB, arm.FT_MODEL, field="source"))
    assert response.status_code == 400
    assert arm.error(response)[0] == "DeploymentModelNotSupported"


def test_source_field_cannot_cross_tenants_even_with_an_auxiliary_token(arm):
    response = arm.put("ft", arm.copy_body(field="source"), aux=[arm.emu.token("contoso")])
    assert response.status_code == 403
    assert arm.error(response)[0] == "LinkedAuthorizationFailed"


def test_malformed_source_account_is_linked_invalid_property_id(arm):
    body = arm.copy_body()
    body["properties"]["model"]["sourceAccount"] = "contoso-ft-src"
    response = arm.put("ft", body, aux=[arm.emu.token("contoso")])
    assert response.status_code == 400
    code, message = arm.error(response)
    assert code == "LinkedInvalidPropertyId"
    assert "properties.model.sourceAccount" in message


def test_source_account_ids_compare_case_insensitively(arm):
    body = arm.copy_body()
    body["properties"]["model"]["sourceAccount"] = (
        arm.emu.account_id(arm.SOURCE)
        .upper()
        .replace("/SUBSCRIPTIONS/AAAAAAAA", "/subscriptions/aaaaaaaa")
    )
    assert arm.put("ft", body, aux=[arm.emu.token("contoso")]).status_code == 201
