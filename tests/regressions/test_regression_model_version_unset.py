"""``model_version`` no longer defaults to "1" (issue 10, item 4).

Version "1" exists only for fine-tuned models: a base model deployed without a version was
sent ``"version": "1"`` and failed with ``DeploymentModelNotSupported``. Without a version
Azure deploys the model's default one and reports it in ``properties.model.version``
(FACTS.md, "More of Azure's behaviour").

Fixed: an unset version is left out of the request; the version Azure chose is in the
``model`` output, and an unset input never diffs against it.
"""

from __future__ import annotations

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import base_model_inputs, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT


def test_a_base_model_without_a_version_gets_azure_default_and_no_perpetual_diff(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    inputs = checked(provider, base_model_inputs())
    assert inputs.get("model_version") is None

    created = provider.create(inputs)

    outs = created.outs or {}
    assert outs["model"]["version"] == "2024-07-18"
    stored = emu.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    assert stored["properties"]["model"]["version"] == "2024-07-18"
    assert not provider.diff(created.id, outs, inputs).changes
    refreshed = provider.read(created.id, outs).outs or {}
    assert not provider.diff(created.id, refreshed, checked(provider, base_model_inputs())).changes


def test_a_fine_tuned_model_without_a_version_gets_version_1(
    provider: CrossTenantDeploymentProvider,
) -> None:
    outs = provider.create(checked(provider, cross_tenant_inputs())).outs or {}

    assert outs["model"]["version"] == "1"


def test_a_state_written_with_the_old_default_does_not_diff(
    provider: CrossTenantDeploymentProvider,
) -> None:
    """Stacks deployed before this fix recorded model_version "1" without the user setting it."""
    created = provider.create(checked(provider, cross_tenant_inputs(model_version="1")))

    diff = provider.diff(created.id, created.outs or {}, checked(provider, cross_tenant_inputs()))

    assert not diff.changes
