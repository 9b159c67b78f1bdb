"""What each ARM code's advice says, given what the provider knows of the copy."""

from __future__ import annotations

from aoai_deploy.providers.core.hints import hint_for, source_tenant_hint

CONTEXT = {
    "account": "/subscriptions/d/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a",
    "destination_tenant": "22222222-2222-4222-8222-222222222222",
    "source_account": "/subscriptions/s/resourceGroups/g/providers/"
    "Microsoft.CognitiveServices/accounts/src",
    "source_tenant": "(not set)",
}


def test_a_linked_failure_of_a_same_tenant_copy_points_at_source_tenant_id() -> None:
    # Issue 10, item 11: the old advice asked for a role "in tenant (not set)".
    hint = hint_for("LinkedAuthorizationFailed", {**CONTEXT, "cross_tenant": "false"})

    assert "set source_tenant_id" in hint
    assert "source_tenant_id is not set" in hint  # says what source_tenant_id was
    assert "in tenant (not set)" not in hint


def test_a_linked_failure_of_a_cross_tenant_copy_asks_for_the_role_in_the_source_tenant() -> None:
    hint = hint_for(
        "linkedauthorizationfailed",
        {
            **CONTEXT,
            "cross_tenant": "true",
            "source_tenant": "11111111-1111-4111-8111-111111111111",
        },
    )

    assert "in tenant 11111111-1111-4111-8111-111111111111" in hint
    assert "auxiliary token must come from that tenant" in hint


def test_the_found_tenant_is_named_as_the_value_to_set() -> None:
    hint = source_tenant_hint(CONTEXT["source_account"], "s", "t-id", "d-id")

    assert "set source_tenant_id to t-id" in hint
    assert "not in the destination's tenant d-id" in hint


def test_an_unknown_code_gets_no_hint() -> None:
    assert hint_for("SomethingNew", CONTEXT) == ""


def test_a_model_not_found_without_a_source_account_points_at_the_destination_account() -> None:
    # Issue 15, item 6: a base model's bad version was answered "against the models of the
    # source account ((not set))".
    context = {**CONTEXT, "source_account": "(not set)", "cross_tenant": "false"}

    hint = hint_for("DeploymentModelNotSupported", context)

    assert "(not set)" not in hint
    assert f"the models the account {CONTEXT['account']} can deploy" in hint
    assert "source_account_id" in hint  # a fine-tuned model needs it named


def test_a_model_not_found_with_a_source_account_points_at_that_account() -> None:
    hint = hint_for("DeploymentModelNotSupported", {**CONTEXT, "cross_tenant": "true"})

    assert f"the models of the source account {CONTEXT['source_account']}" in hint
    assert "((" not in hint
    assert "))" not in hint


def test_a_same_tenant_linked_failure_without_a_source_tenant_says_so_plainly() -> None:
    hint = hint_for("LinkedAuthorizationFailed", {**CONTEXT, "cross_tenant": "false"})

    assert "source_tenant_id is not set" in hint
    assert "((" not in hint
    assert "))" not in hint
