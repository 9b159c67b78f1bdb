"""A new ``operation_timeout_seconds`` must reach the delete.

``diff`` ignores ``operation_timeout_seconds`` (DESIGN: "change means: none"), so when it
is the only change the engine takes a Same step: it records the new inputs but keeps the
old outputs, and ``delete`` (and ``read``) read their deadline from those old outputs
(``provider.delete``: ``_timeout(props)``). A delete that timed out can therefore never be
given more time, although the timeout error itself says "raise operation_timeout_seconds,
then run again".

Fixed: a change of ``operation_timeout_seconds`` is an update that sends nothing to Azure
but records the new value in the outputs.
"""

from __future__ import annotations

from typing import Any

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import MakeProvider, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT


def _up(
    provider: CrossTenantDeploymentProvider, id_: str, outputs: dict[str, Any], news: dict[str, Any]
) -> dict[str, Any]:
    """`pulumi up` for an existing resource: the outputs the engine keeps afterwards."""
    diff = provider.diff(id_, outputs, news)
    if not diff.changes:
        return outputs  # a Same step: new inputs recorded, old outputs kept
    assert not diff.replaces
    return provider.update(id_, outputs, news).outs or {}


def test_raising_operation_timeout_gives_the_next_delete_more_time(
    provider: CrossTenantDeploymentProvider, make_provider: MakeProvider, emu: Emulator
) -> None:
    created = provider.create(checked(provider, cross_tenant_inputs(operation_timeout_seconds=60)))
    outputs = _up(
        provider,
        created.id,
        created.outs or {},
        checked(provider, cross_tenant_inputs(operation_timeout_seconds=3600)),
    )
    emu.settings.deprovisioning_seconds = 600  # a delete that takes ten minutes
    emu.settings.retry_after = 30

    make_provider().delete(created.id, outputs)  # `pulumi destroy`, another plugin process

    assert emu.deployment(DEST_ACCOUNT, "ft") is None
