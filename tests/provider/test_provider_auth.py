"""Tokens, tenants and roles: the cross-tenant failures users actually hit."""

from __future__ import annotations

import logging

import pytest

from aoai_deploy.emulator import Emulator, Fault
from aoai_deploy.providers import ArmAuthorizationError, AuthError, ConfigError
from aoai_deploy.providers.core.schema import (
    OPENAI_CONTRIBUTOR_ROLE_ID,
    OPENAI_CONTRIBUTOR_ROLE_NAME,
)
from provider_kit import MakeProvider, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_ACCOUNT, SOURCE_TENANT

OUTSIDER_SOURCE_OID = "77777777-7777-4777-8777-777777777777"


def test_expired_auxiliary_token_is_refused_before_any_write(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    tokens = {
        DEST_TENANT: emu.token(DEST_TENANT, expires_in=3600),
        SOURCE_TENANT: emu.token(SOURCE_TENANT, expires_in=-60),
    }
    provider = make_provider(tokens=tokens)

    with pytest.raises(AuthError) as caught:
        provider.create(checked(provider, cross_tenant_inputs()))

    assert SOURCE_TENANT in str(caught.value)
    assert "expired" in str(caught.value)
    assert not [e for e in emu.request_log if e.method == "PUT"]


def test_no_role_on_the_source_names_the_source_tenant_and_the_role(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    provider = make_provider(principal="outsider")

    with pytest.raises(ArmAuthorizationError) as caught:
        provider.create(checked(provider, cross_tenant_inputs()))

    message = str(caught.value)
    assert caught.value.code == "LinkedAuthorizationFailed"
    assert SOURCE_TENANT in message
    assert SOURCE_ACCOUNT in message
    assert OPENAI_CONTRIBUTOR_ROLE_NAME in message
    assert emu.deployment(DEST_ACCOUNT, "ft") is None


def test_role_propagation_window_fails_without_a_timeout(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    emu.inject(Fault(kind="role-propagation", seconds=90))
    emu.add_role_assignment(OUTSIDER_SOURCE_OID, OPENAI_CONTRIBUTOR_ROLE_ID, SOURCE_ACCOUNT)
    provider = make_provider(principal="outsider")

    with pytest.raises(ArmAuthorizationError, match="LinkedAuthorizationFailed"):
        provider.create(checked(provider, cross_tenant_inputs()))


def test_role_propagation_window_is_waited_out_with_a_timeout(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    emu.inject(Fault(kind="role-propagation", seconds=90))
    emu.add_role_assignment(OUTSIDER_SOURCE_OID, OPENAI_CONTRIBUTOR_ROLE_ID, SOURCE_ACCOUNT)
    provider = make_provider(principal="outsider")

    outs = (
        provider.create(
            checked(provider, cross_tenant_inputs(role_propagation_timeout_seconds=300))
        ).outs
        or {}
    )

    assert outs["provisioning_state"] == "Succeeded"
    statuses = [e.status for e in emu.request_log if e.method == "PUT"]
    assert 403 in statuses
    assert statuses[-1] in (200, 201)


def test_token_filed_under_the_wrong_tenant_is_refused_at_configure(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    # The "destination" token was minted in the source tenant.
    tokens = {
        DEST_TENANT: emu.token(SOURCE_TENANT),
        SOURCE_TENANT: emu.token(SOURCE_TENANT),
    }
    with pytest.raises(ConfigError, match=DEST_TENANT) as caught:
        make_provider(tokens=tokens)

    assert tokens[DEST_TENANT] not in str(caught.value)


def test_no_token_reaches_logs_or_errors(
    make_provider: MakeProvider, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = {
        tenant: emu.token(tenant, principal="outsider") for tenant in (SOURCE_TENANT, DEST_TENANT)
    }
    provider = make_provider(tokens=tokens)
    emu.inject(Fault(kind="throttle", route="deployment", method="GET"))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(ArmAuthorizationError) as caught:
        provider.create(checked(provider, cross_tenant_inputs()))

    text = caplog.text + str(caught.value) + repr(caught.value)
    assert caplog.records  # something was logged, and none of it is a token
    for token in tokens.values():
        assert token not in text
        assert token.split(".")[1] not in text
