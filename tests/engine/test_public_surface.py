"""What every stack and every user already depends on, pinned against moving modules around.

The dynamic provider is pickled by reference into each stack's state (``__provider``): dill
writes the class's ``__module__`` and name, and the plugin imports them again on every
operation. So the class must stay defined in ``aoai_deploy.providers.provider`` (a re-export
from elsewhere would change ``__module__``), a value written by an older release must still
unpickle and serve, and the names ``aoai_deploy.providers`` exports stay as they are.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import dill
import pytest

import aoai_deploy.providers
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from engine_harness import PluginProcess
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.slow

#: The ``__provider`` value of a stack written before ``providers/`` was split into rooms:
#: made on main at commit 320f459 (pulumi 3.272.0, dill 0.4.1) with
#: ``pulumi.dynamic.dynamic.serialize_provider(CrossTenantDeploymentProvider())``, which is
#: what ``pulumi.dynamic.Resource`` writes into the state.
PICKLED_ON_MAIN_320F459 = (
    "gASVSgAAAAAAAACMHmFvYWlfZGVwbG95LnByb3ZpZGVycy5wcm92aWRlcpSMHUNyb3NzVGVuYW50RGVwbG95bWVudFByb3"
    "ZpZGVylJOUKYGUfZRiLg=="
)

#: ``aoai_deploy.providers.__all__`` as it was at that commit.
PUBLIC_NAMES = [
    "AoaiDeployError",
    "ArmAuthorizationError",
    "ArmConflictError",
    "ArmError",
    "ArmNotFoundError",
    "AuthError",
    "ConfigError",
    "CrossTenantDeployment",
    "CrossTenantDeploymentArgs",
    "CrossTenantDeploymentProvider",
    "ForeignDeploymentError",
    "InputError",
    "OperationFailedError",
    "OperationTimeoutError",
    "TransportError",
]

DEPLOYMENT_ID = DEST_ACCOUNT + "/deployments/ft"


def old_stack_inputs(**overrides: Any) -> dict[str, Any]:
    """What the program registers for a cross-tenant copy (the state's old provider rides
    along: see the fixture)."""
    return {
        "account_id": DEST_ACCOUNT,
        "deployment_name": "ft",
        "model_name": FT_MODEL,
        "source_account_id": SOURCE_ACCOUNT,
        "source_tenant_id": SOURCE_TENANT,
        "tenant_id": DEST_TENANT,
        "owner": "aoai-deploy/local/ft",
        **overrides,
    }


@pytest.fixture
def old_stack_plugin() -> Iterator[PluginProcess]:
    """The SDK's real plugin, configured, sent the provider pickled on main with every call."""
    with PluginProcess() as process:
        process.provider = PICKLED_ON_MAIN_320F459
        process.configure({"aoai-deploy:credential": "cli"})
        yield process


def test_the_provider_class_is_defined_where_every_state_names_it() -> None:
    assert CrossTenantDeploymentProvider.__module__ == "aoai_deploy.providers.provider"
    assert CrossTenantDeploymentProvider.__qualname__ == "CrossTenantDeploymentProvider"
    assert aoai_deploy.providers.CrossTenantDeploymentProvider is CrossTenantDeploymentProvider


def test_the_owner_key_provider_is_defined_where_every_state_names_it() -> None:
    """Pickled into the state of every stack with a dynamic deployment (issue 15, item 3)."""
    from aoai_deploy.providers.owner_key import OwnerKeyProvider

    assert OwnerKeyProvider.__module__ == "aoai_deploy.providers.owner_key"
    assert OwnerKeyProvider.__qualname__ == "OwnerKeyProvider"


#: Names added since that commit: a release may add to the surface, never take away.
ADDED_NAMES = ["PreflightError"]


def test_the_public_names_of_aoai_deploy_providers_are_kept_and_only_added_to() -> None:
    assert sorted(aoai_deploy.providers.__all__) == sorted(PUBLIC_NAMES + ADDED_NAMES)
    assert all(hasattr(aoai_deploy.providers, name) for name in PUBLIC_NAMES + ADDED_NAMES)


def test_a_provider_pickled_on_main_unpickles_to_the_provider_class() -> None:
    pickled = base64.b64decode(PICKLED_ON_MAIN_320F459)

    assert b"aoai_deploy.providers.provider" in pickled
    assert type(dill.loads(pickled)) is CrossTenantDeploymentProvider  # noqa: S301


def test_a_provider_pickled_on_main_serves_check_and_diff(
    old_stack_plugin: PluginProcess,
) -> None:
    checked, failures = old_stack_plugin.check("ft", old_stack_inputs())
    assert failures == []
    assert checked["sku_name"] == "Standard"
    assert checked["__provider"] == PICKLED_ON_MAIN_320F459

    _, bad = old_stack_plugin.check("ft", old_stack_inputs(sku_capacity=0))
    assert [field for field, _ in bad] == ["sku_capacity"]

    olds = {**checked, "provisioning_state": "Succeeded"}
    same, _ = old_stack_plugin.check("ft", old_stack_inputs(), olds=checked)
    assert not old_stack_plugin.diff("ft", DEPLOYMENT_ID, olds, same).has_changes
    scaled, _ = old_stack_plugin.check("ft", old_stack_inputs(sku_capacity=2), olds=checked)
    scale = old_stack_plugin.diff("ft", DEPLOYMENT_ID, olds, scaled)
    assert scale.has_changes
    assert scale.replaces == []
    renamed, _ = old_stack_plugin.check("ft", old_stack_inputs(deployment_name="ft2"), olds=checked)
    assert old_stack_plugin.diff("ft", DEPLOYMENT_ID, olds, renamed).replaces == ["deployment_name"]
