"""Helpers for driving the provider in process: inputs for the common cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

OWNER = "aoai-deploy/test/ft"

#: The ``make_provider`` fixture: ``make_provider(principal=, tokens=, policy=)``.
MakeProvider = Callable[..., CrossTenantDeploymentProvider]


def cross_tenant_inputs(**overrides: Any) -> dict[str, Any]:
    """Inputs for the flagship case: the contoso fine-tuned model into fabrikam."""
    inputs: dict[str, Any] = {
        "account_id": DEST_ACCOUNT,
        "deployment_name": "ft",
        "model_name": FT_MODEL,
        "source_account_id": SOURCE_ACCOUNT,
        "source_tenant_id": SOURCE_TENANT,
        "tenant_id": DEST_TENANT,
        "owner": OWNER,
    }
    inputs.update(overrides)
    return inputs


def checked(provider: CrossTenantDeploymentProvider, raw: dict[str, Any]) -> dict[str, Any]:
    """Run ``check`` as the engine would before create/update, and insist it passes."""
    result = provider.check({}, raw)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return result.inputs


def base_model_inputs(**overrides: Any) -> dict[str, Any]:
    """Inputs for a base model the destination account holds (gpt-4o-mini), no source."""
    inputs: dict[str, Any] = {
        "account_id": DEST_ACCOUNT,
        "deployment_name": "chat",
        "model_name": "gpt-4o-mini",
        "tenant_id": DEST_TENANT,
        "owner": OWNER,
    }
    inputs.update(overrides)
    return inputs


def arm_writes(emu: Any) -> list[tuple[str, str]]:
    """``(method, path)`` of each PUT, PATCH and DELETE of a deployment, in order."""
    return [
        (entry.method, entry.path)
        for entry in emu.request_log
        if entry.method in ("PUT", "PATCH", "DELETE") and "/deployments/" in entry.path
    ]
