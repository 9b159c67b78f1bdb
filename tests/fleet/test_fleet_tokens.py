"""Credentials per tenant: one token per tenant per run where the credential allows, handed to
each stack as a secret holding only its own two tenants' tokens; re-acquired before it runs
short; never in a message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from aoai_deploy.emulator.tokens import mint
from aoai_deploy.fleet.spec import parse_fleet
from aoai_deploy.fleet.tokens import TokenBroker, TokenSetupError
from fleet_files import SOURCE_TENANT, small_fleet, tenant

APP = "33333333-3333-4333-8333-333333333333"
NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class CountingCredential:
    """azure-identity's get_token, minting a token of the asked tenant, counting the calls."""

    def __init__(self, clock: Clock, lifetime: float = 3600) -> None:
        self.calls: list[str | None] = []
        self.clock = clock
        self.lifetime = lifetime

    def get_token(self, *scopes: str, tenant_id: str | None = None) -> AccessToken:
        self.calls.append(tenant_id)
        exp = int(self.clock() + self.lifetime)
        claims = {"tid": tenant_id or SOURCE_TENANT, "appid": APP, "exp": exp}
        return AccessToken(mint(claims), exp)


def shared_fleet(kind: str = "workload-identity", **credential: Any):
    data = small_fleet([("a", "canary"), ("b", 1), ("c", 1), ("d", 1)], tenants=2)
    data["credentials"] = {
        "vendor": {"kind": kind, "clientId": APP, "tenantId": SOURCE_TENANT, **credential}
    }
    data["defaults"]["credential"] = "vendor"
    return parse_fleet(data)


def broker(fleet, clock: Clock, credential: CountingCredential, **kwargs: Any) -> TokenBroker:
    return TokenBroker(
        fleet,
        {"armEndpoint": "https://127.0.0.1:8443"},
        clock=clock,
        credential_factory=lambda config: credential,
        **kwargs,
    )


def test_one_token_per_tenant_per_run_for_every_stack_of_that_tenant() -> None:
    fleet = shared_fleet()
    clock = Clock()
    credential = CountingCredential(clock)
    tokens = broker(fleet, clock, credential)
    settings = [tokens.settings(c, sign_in_here=True) for c in fleet.customers]
    # Four customers in two tenants, one source tenant: three tokens in all.
    assert sorted(credential.calls) == sorted([SOURCE_TENANT, tenant(1), tenant(2)])
    assert tokens.acquisitions == {SOURCE_TENANT: 1, tenant(1): 1, tenant(2): 1}
    first = settings[0]
    assert first.plain["aoai-deploy:credential"] == "static"
    assert first.plain["aoai-deploy:armEndpoint"] == "https://127.0.0.1:8443"
    # Only this customer's two tenants: a stack never holds another customer's token.
    held = json.loads(first.secret["aoai-deploy:staticTokens"])
    assert sorted(held) == sorted([fleet.customers[0].tenant_id, SOURCE_TENANT])


def test_a_token_with_less_than_the_minimum_left_is_acquired_again() -> None:
    fleet = shared_fleet()
    clock = Clock()
    credential = CountingCredential(clock)
    tokens = broker(fleet, clock, credential, min_lifetime=1800)
    tokens.settings(fleet.customers[0], sign_in_here=True)
    clock.now += 1000  # 2600 s left: still enough
    tokens.settings(fleet.customers[0], sign_in_here=True)
    assert len(credential.calls) == 2
    clock.now += 1000  # 1600 s left: a long stack run could outlive it
    tokens.settings(fleet.customers[0], sign_in_here=True)
    assert len(credential.calls) == 4
    assert tokens.acquisitions[SOURCE_TENANT] == 2


def test_a_preview_and_share_tokens_false_let_each_plugin_sign_in_itself() -> None:
    clock = Clock()
    credential = CountingCredential(clock)
    fleet = shared_fleet()
    tokens = broker(fleet, clock, credential)
    preview = tokens.settings(fleet.customers[0], sign_in_here=False)
    assert credential.calls == []
    assert dict(preview.plain) == {
        "aoai-deploy:armEndpoint": "https://127.0.0.1:8443",
        "aoai-deploy:credential": "workload-identity",
        "aoai-deploy:clientId": APP,
        "aoai-deploy:tenantId": SOURCE_TENANT,
    }
    assert dict(preview.secret) == {}
    unshared = shared_fleet(shareTokens=False)
    up = broker(unshared, clock, credential).settings(unshared.customers[0], sign_in_here=True)
    assert up.plain["aoai-deploy:credential"] == "workload-identity"
    assert credential.calls == []


def test_a_client_secret_comes_from_its_variable_as_a_secret_value() -> None:
    data = small_fleet([("a", "canary")])
    data["credentials"] = {
        "app": {
            "kind": "client-secret",
            "clientId": APP,
            "tenantId": SOURCE_TENANT,
            "clientSecretEnv": "APP_SECRET",
            "shareTokens": False,
        }
    }
    data["defaults"]["credential"] = "app"
    fleet = parse_fleet(data)
    tokens = TokenBroker(fleet, {}, environ={"APP_SECRET": "s3cr3t-value"})
    tokens.check(list(fleet.customers), shared=True)
    settings = tokens.settings(fleet.customers[0], sign_in_here=True)
    assert dict(settings.secret) == {"aoai-deploy:clientSecret": "s3cr3t-value"}
    assert "s3cr3t" not in repr(settings)
    with pytest.raises(TokenSetupError, match=r"\$APP_SECRET is not set"):
        TokenBroker(fleet, {}, environ={}).check(list(fleet.customers), shared=True)


def test_static_tokens_missing_a_tenant_stop_the_run_before_it_starts_without_showing_any() -> None:
    fleet = parse_fleet(small_fleet([("a", "canary"), ("b", 1)]))
    token = mint({"tid": SOURCE_TENANT, "exp": int(NOW + 3600)})
    environ = {"AOAI_FLEET_TOKENS": json.dumps({SOURCE_TENANT: token, tenant(1): token})}
    with pytest.raises(TokenSetupError) as caught:
        TokenBroker(fleet, {}, environ=environ).check(list(fleet.customers), shared=True)
    assert str(caught.value) == (
        f"credentials.emulator: $AOAI_FLEET_TOKENS has no token for tenant {tenant(2)} (customer b)"
    )
    environ["AOAI_FLEET_TOKENS"] = "not json " + token
    with pytest.raises(TokenSetupError) as caught:
        TokenBroker(fleet, {}, environ=environ).check(list(fleet.customers), shared=True)
    assert token not in str(caught.value)
    assert "is not a JSON object" in str(caught.value)
