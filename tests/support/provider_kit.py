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
