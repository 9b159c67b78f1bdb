"""Token failures name the operation and the ARM id, like every other failure.

STYLE.md / errors.py: every message's first line says what was being done and to which
ARM id (``creating <ARM id>: ...``). Token problems found before any request (an expired
or missing static token, a token for the wrong tenant) are raised by ``TokenProvider``
as they are, so ``pulumi up`` / ``destroy`` print e.g. "the static token for tenant ...
expired at ..." with no operation and no deployment: in a stack with several deployments
(or in a PR comment, where the URN is far away) it does not say what failed.

Fixed: ``errors.about`` prefixes them where tokens are fetched (``ArmClient._send``, and
``create``/``update`` around the cross-tenant preflight).
"""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers import AuthError
from provider_kit import MakeProvider, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_TENANT

DEPLOYMENT_ID = DEST_ACCOUNT + "/deployments/ft"


def test_an_expired_token_is_reported_against_the_operation_and_the_deployment(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    tokens = {
        SOURCE_TENANT: emu.token(SOURCE_TENANT, expires_in=7 * 24 * 3600),
        DEST_TENANT: emu.token(DEST_TENANT, expires_in=-600),
    }
    provider = make_provider(tokens=tokens)

    with pytest.raises(AuthError) as caught:
        provider.create(checked(provider, cross_tenant_inputs()))

    assert "expired" in str(caught.value)
    assert str(caught.value).startswith(f"creating {DEPLOYMENT_ID}: "), str(caught.value)


def test_a_missing_token_on_destroy_is_reported_against_the_deployment(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    both = make_provider()  # tokens for both tenants
    created = both.create(checked(both, cross_tenant_inputs()))
    only_source = make_provider(tokens={SOURCE_TENANT: emu.token(SOURCE_TENANT)})

    with pytest.raises(AuthError) as caught:
        only_source.delete(created.id, created.outs or {})

    assert str(caught.value).startswith(f"deleting {DEPLOYMENT_ID}: "), str(caught.value)
