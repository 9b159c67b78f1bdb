"""Unsigned JWTs: minting, reading, and the claims emu.token() puts in them."""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Emulator, ManualClock
from aoai_deploy.emulator.tokens import TokenError, mint, parse


def test_mint_and_parse_round_trip():
    token = mint({"tid": "t", "exp": 123, "oid": "o", "appid": "a", "aud": "x"})
    assert token.endswith(".")  # alg none: empty signature
    claims = parse(token)
    assert (claims.tenant_id, claims.object_id, claims.app_id, claims.audience, claims.expires) == (
        "t",
        "o",
        "a",
        "x",
        123.0,
    )


@pytest.mark.parametrize(
    "text", ["", "abc", "a.b.c", "e30.e30.", mint({"tid": "t"}), mint({"exp": 1})]
)
def test_parse_rejects_what_is_not_a_usable_jwt(text):
    with pytest.raises(TokenError):
        parse(text)


def test_emulator_token_carries_the_seed_identity():
    clock = ManualClock(start=1_800_000_000)
    emu = Emulator(clock=clock)  # not started: minting needs no server
    claims = parse(emu.token("contoso", expires_in=600))
    assert claims.tenant_id == "11111111-1111-4111-8111-111111111111"
    assert claims.object_id == "44444444-4444-4444-8444-444444444444"
    assert claims.app_id == "33333333-3333-4333-8333-333333333333"
    assert claims.audience == "https://management.azure.com/"
    assert claims.expires == 1_800_000_600
    assert claims.claims["iss"] == "https://sts.windows.net/11111111-1111-4111-8111-111111111111/"


def test_emulator_token_refuses_unknown_names():
    emu = Emulator()
    with pytest.raises(KeyError):
        emu.token("nowhere")
    with pytest.raises(KeyError):
        emu.token("contoso", principal="nobody")


def test_tokens_expire_on_the_emulators_clock(clocked_arm, manual_clock):
    token = clocked_arm.emu.token("fabrikam", expires_in=60)
    assert (
        clocked_arm.get(clocked_arm.emu.account_id(clocked_arm.DEST), token=token).status_code
        == 200
    )
    manual_clock.advance(60)
    response = clocked_arm.get(clocked_arm.emu.account_id(clocked_arm.DEST), token=token)
    assert response.status_code == 401
    assert clocked_arm.error(response)[0] == "ExpiredAuthenticationToken"
