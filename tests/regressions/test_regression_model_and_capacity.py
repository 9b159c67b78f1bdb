"""A new model version and a new capacity in one update (issue 10, item 3).

Azure refuses a write that changes the model (name or version) and the capacity at once:
"Cannot change capacity and model at the same time for deployment" (Azure's message in
Azure-Samples/azure-search-openai-demo issue 1154; FACTS.md). The update PUT both in one
body, so such a change could never be applied.

Fixed: ``lifecycle.update`` makes two writes; the one that raises the capacity goes first
and the one that lowers it goes last, so the deployment never runs below either capacity
in between, and a quota refusal comes before anything changed. When the second write
fails, the error says which half was applied.
"""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Emulator, Fault
from aoai_deploy.providers import OperationFailedError
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import arm_writes, base_model_inputs, checked
from seed_ids import DEST_ACCOUNT

OLD, NEW = "2024-07-18", "2025-01-01"


def _created(
    provider: CrossTenantDeploymentProvider, emu: Emulator, capacity: int
) -> tuple[str, dict[str, object]]:
    emu.add_model(DEST_ACCOUNT, "gpt-4o-mini", version=NEW)
    created = provider.create(
        checked(provider, base_model_inputs(model_version=OLD, sku_capacity=capacity))
    )
    emu.clear_log()
    return created.id, dict(created.outs or {})


def test_raising_capacity_with_a_new_version_scales_first_then_moves_the_model(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    id_, olds = _created(provider, emu, capacity=1)
    news = checked(provider, base_model_inputs(model_version=NEW, sku_capacity=3))

    outs = provider.update(id_, olds, news).outs or {}

    stored = emu.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    assert stored["properties"]["model"]["version"] == NEW
    assert stored["sku"]["capacity"] == 3
    assert outs["model"]["version"] == NEW
    assert outs["sku_capacity"] == 3
    assert [method for method, _ in arm_writes(emu)] == ["PATCH", "PUT"]


def test_lowering_capacity_with_a_new_version_moves_the_model_first_then_scales(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    id_, olds = _created(provider, emu, capacity=5)
    news = checked(provider, base_model_inputs(model_version=NEW, sku_capacity=2))

    provider.update(id_, olds, news)

    stored = emu.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    assert stored["properties"]["model"]["version"] == NEW
    assert stored["sku"]["capacity"] == 2
    assert [method for method, _ in arm_writes(emu)] == ["PUT", "PATCH"]


def test_when_the_second_write_fails_the_error_says_which_half_was_applied(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    id_, olds = _created(provider, emu, capacity=1)
    emu.inject(Fault(kind="failed-provisioning", method="PUT"))
    news = checked(provider, base_model_inputs(model_version=NEW, sku_capacity=3))

    with pytest.raises(OperationFailedError) as caught:
        provider.update(id_, olds, news)

    message = str(caught.value)
    assert message.startswith(f"updating {id_}: InternalServerError"), message
    assert "sku_capacity 3 was applied" in message
    assert f"model_version {NEW} was not" in message
    stored = emu.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    assert stored["sku"]["capacity"] == 3
