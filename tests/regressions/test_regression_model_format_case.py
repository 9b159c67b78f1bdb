"""``model_format`` spelled in another case is the same format.

DESIGN.md: comparisons of ARM ids, SKU names and enum values are case-insensitive. The
provider itself treats the model format that way everywhere but in ``diff``:
``refreshed_outputs`` keeps the old spelling when Azure's differs only in case, and
``model_change`` (create / adopt) compares it ignoring case; ARM (and the emulator) accept
a PUT of the same deployment with the format in another case. Yet ``diff`` compares
``model_format`` (and ``model_name``) exactly, and both are delete-first replace fields:
changing ``"OpenAI"`` to ``"openai"`` in a program deletes the live deployment and
creates it again.

Fixed: ``diff`` folds case for ``model_name`` and ``model_format``.
"""

from __future__ import annotations

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import checked, cross_tenant_inputs


def test_azure_takes_the_other_spelling_in_place(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    """The evidence: the same deployment accepts the PUT, and refresh sees no drift."""
    created = provider.create(checked(provider, cross_tenant_inputs(model_format="OpenAI")))
    news = checked(provider, cross_tenant_inputs(model_format="openai"))

    updated = provider.update(created.id, created.outs or {}, news).outs or {}
    refreshed = provider.read(created.id, updated).outs or {}

    assert not provider.diff(created.id, refreshed, news).changes


def test_case_only_change_of_model_format_does_not_replace(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, cross_tenant_inputs(model_format="OpenAI")))
    news = checked(provider, cross_tenant_inputs(model_format="openai"))

    diff = provider.diff(created.id, created.outs or {}, news)

    assert diff.replaces == [], (
        f"a case-only change of model_format plans a delete-first replace: {diff.replaces}"
    )
