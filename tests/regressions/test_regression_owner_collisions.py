"""Owner tags that two stacks share, and creates that deleted what they found (issue 15, item 3).

The owner tag was ``organization/<project>/<stack>/<name>`` for every self-managed backend
(file, S3, Azure Blob: none has an organization), so two teams with a project and stack of the
same names in two backends wrote the same tag, and each took the other's deployment for its
own: a create that found it adopted it, or, when the model differed ("this stack's
leftover"), sent DELETE and then PUT, without ``adopt_existing``.

Fixed (core/owner.py, lifecycle.create): the tag carries a key unique to the stack, recorded
in the state before any deployment is created; a create deletes nothing it did not create in
the same run; it adopts by the tag only a deployment that runs the same model, and refuses
anything else naming the owner; tags written before the key still count as the stack's own;
the refusal suggests ``adopt_existing`` only when no stack's tag claims the deployment.
"""

from __future__ import annotations

from typing import Any

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers import ForeignDeploymentError, OperationTimeoutError
from aoai_deploy.providers.core.schema import OWNER_TAG
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import arm_writes, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, LAB_ACCOUNT, LAB_MODEL

# Two teams, two file backends: the same project, stack and resource name, and so the same
# organization ("organization"), but each stack its own key.
OWNER = "organization/models/prod/ft"
TEAM_A, TEAM_B = "a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2"


def _inputs(key: str | None, **changes: Any) -> dict[str, Any]:
    return cross_tenant_inputs(owner=OWNER, owner_key=key, **changes)


def _lab_model(key: str | None, **changes: Any) -> dict[str, Any]:
    """Another fine-tuned model, copied from the lab account in the same tenant."""
    return _inputs(
        key,
        model_name=LAB_MODEL,
        source_account_id=LAB_ACCOUNT,
        source_tenant_id=DEST_TENANT,
        **changes,
    )


def _tag(emu: Emulator) -> str:
    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    return str(stored["tags"][OWNER_TAG])


@pytest.mark.parametrize("second", ["same model", "another model"])
def test_a_stack_of_the_same_names_in_another_backend_is_refused_and_nothing_is_deleted(
    provider: CrossTenantDeploymentProvider, emu: Emulator, second: str
) -> None:
    provider.create(checked(provider, _inputs(TEAM_A)))
    assert _tag(emu) == f"{OWNER}#{TEAM_A}"
    emu.clear_log()
    team_b = _inputs(TEAM_B) if second == "same model" else _lab_model(TEAM_B)

    with pytest.raises(ForeignDeploymentError) as refused:
        provider.create(checked(provider, team_b))

    message = str(refused.value)
    assert f"its owner tag is {OWNER}#{TEAM_A}" in message
    assert "stack key a1a1a1a1a1a1a1a1" in message
    assert "adopt_existing" not in message  # another stack owns it: not for taking over
    assert arm_writes(emu) == []  # no DELETE, no PUT
    stored = emu.deployment(DEST_ACCOUNT, "ft")
    assert stored is not None
    assert stored["properties"]["model"]["name"] == FT_MODEL


def test_a_deployment_no_stack_claims_is_refused_suggesting_adopt_existing(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.put_deployment_direct(
        DEST_ACCOUNT,
        "ft",
        {"properties": {"model": {"format": "OpenAI", "name": FT_MODEL, "version": "1"}}},
    )

    with pytest.raises(ForeignDeploymentError) as refused:
        provider.create(checked(provider, _inputs(TEAM_A)))

    assert "no stack's owner tag claims it. Set adopt_existing" in str(refused.value)
    assert arm_writes(emu) == []


def test_own_leftover_of_a_timed_out_create_is_adopted_when_it_runs_the_same_model(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.settings.provisioning_seconds = 120
    emu.settings.retry_after = 10
    with pytest.raises(OperationTimeoutError):
        provider.create(checked(provider, _inputs(TEAM_A, operation_timeout_seconds=30)))
    emu.settings.provisioning_seconds = 0.05
    emu.settings.retry_after = 1

    created = provider.create(checked(provider, _inputs(TEAM_A)))

    assert (created.outs or {})["provisioning_state"] == "Succeeded"
    assert "DELETE" not in [method for method, _ in arm_writes(emu)]


def test_own_leftover_with_another_model_is_refused_naming_this_stacks_tag(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.settings.provisioning_seconds = 120
    emu.settings.retry_after = 10
    with pytest.raises(OperationTimeoutError):
        provider.create(checked(provider, _inputs(TEAM_A, operation_timeout_seconds=30)))
    emu.settings.provisioning_seconds = 0.05
    emu.clear_log()

    with pytest.raises(ForeignDeploymentError) as refused:
        provider.create(checked(provider, _lab_model(TEAM_A)))

    message = str(refused.value)
    assert f"carries this stack's owner tag ({OWNER}#{TEAM_A})" in message
    assert "deletes only what it created in the same run" in message
    assert arm_writes(emu) == []


def test_a_tag_written_before_stack_keys_is_still_this_stacks(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    """A deployment an older release created (tag without a key) and timed out on."""
    provider.create(checked(provider, _inputs(None)))
    assert _tag(emu) == OWNER

    created = provider.create(checked(provider, _inputs(TEAM_A)))

    assert (created.outs or {})["provisioning_state"] == "Succeeded"
    assert _tag(emu) == f"{OWNER}#{TEAM_A}"  # and the tag takes the key from now on


def test_a_tag_written_before_stack_keys_with_another_model_is_refused(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    provider.create(checked(provider, _inputs(None)))
    emu.clear_log()

    with pytest.raises(ForeignDeploymentError, match="carries this stack's owner tag"):
        provider.create(checked(provider, _lab_model(TEAM_A)))

    assert arm_writes(emu) == []


def test_adopt_existing_takes_over_another_stacks_deployment_of_the_same_model(
    provider: CrossTenantDeploymentProvider, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The explicit override still works, and says whose deployment it takes."""
    provider.create(checked(provider, _inputs(TEAM_A)))

    with caplog.at_level("WARNING", logger="aoai_deploy"):
        provider.create(checked(provider, _inputs(TEAM_B, adopt_existing=True)))

    assert f"owner tag {OWNER}#{TEAM_A}" in caplog.text
    assert _tag(emu) == f"{OWNER}#{TEAM_B}"


def test_an_update_writes_the_stacks_key_into_the_tag(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    """A deployment an older release created gets the key at its next write."""
    created = provider.create(checked(provider, _inputs(None)))
    news = checked(provider, _inputs(TEAM_A, sku_capacity=2))

    provider.update(created.id, created.outs or {}, news)

    assert _tag(emu) == f"{OWNER}#{TEAM_A}"
