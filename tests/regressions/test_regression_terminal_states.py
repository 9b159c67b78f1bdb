"""Terminal provisioning states end the wait, and each is reported (issue 10, items 12, 15).

``provisioningState`` (DeploymentProvisioningState in the REST spec) has four terminal
values: Succeeded, Failed, Canceled and Disabled (FACTS.md). ``Disabled`` was polled as if
still running until the operation timed out; ``Canceled`` could not be produced by the
emulator, so an operation ending that way was never tested. A DELETE of a deployment that
is not there may be answered 404 as well as 204 (the emulator only sent 204).
"""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Emulator, Fault
from aoai_deploy.providers import AoaiDeployError, OperationFailedError
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import MakeProvider, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT

DEPLOYMENT_ID = DEST_ACCOUNT + "/deployments/ft"
STYLES = ["azure-async-operation", "location", "none"]


def test_a_deployment_left_disabled_stops_the_wait_and_is_reported(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.settings.async_style = "none"  # the provider polls provisioningState itself
    emu.inject(Fault(kind="failed-provisioning", outcome="Disabled"))

    with pytest.raises(OperationFailedError) as caught:
        provider.create(checked(provider, cross_tenant_inputs(operation_timeout_seconds=600)))

    assert caught.value.status == "Disabled"
    assert str(caught.value).startswith(f"creating {DEPLOYMENT_ID}: Disabled")


@pytest.mark.parametrize("style", STYLES)
def test_a_delete_that_leaves_the_deployment_disabled_is_reported(
    make_provider: MakeProvider, emu: Emulator, style: str
) -> None:
    # Without a polling header (`none`) the DELETE answers the failure itself: a 200 means
    # deleted (the az CLI recordings), so a delete that fails cannot be answered 200.
    first = make_provider()
    created = first.create(checked(first, cross_tenant_inputs(operation_timeout_seconds=600)))
    emu.settings.async_style = style
    emu.inject(Fault(kind="failed-provisioning", method="DELETE", outcome="Disabled"))
    destroy = make_provider()

    with pytest.raises(AoaiDeployError, match=rf"^deleting {DEPLOYMENT_ID}: "):
        destroy.delete(created.id, created.outs or {})

    kept = emu.deployment(DEST_ACCOUNT, "ft")
    assert kept is not None
    assert kept["properties"]["provisioningState"] == "Disabled"


@pytest.mark.parametrize("style", STYLES)
def test_an_operation_that_ends_canceled_fails_the_create(
    provider: CrossTenantDeploymentProvider, emu: Emulator, style: str
) -> None:
    emu.settings.async_style = style
    emu.inject(Fault(kind="failed-provisioning", outcome="Canceled"))

    with pytest.raises(OperationFailedError) as caught:
        provider.create(checked(provider, cross_tenant_inputs()))

    assert str(caught.value).startswith(f"creating {DEPLOYMENT_ID}: ")
    if style != "none":
        assert caught.value.code == "OperationCanceled"
    else:
        assert caught.value.status == "Canceled"


@pytest.mark.parametrize("style", STYLES)
def test_a_delete_answered_404_counts_as_done(
    make_provider: MakeProvider, emu: Emulator, style: str
) -> None:
    first = make_provider()
    created = first.create(checked(first, cross_tenant_inputs()))
    emu.delete_deployment_direct(DEST_ACCOUNT, "ft")  # gone already
    emu.settings.absent_delete_status = 404
    emu.settings.async_style = style

    make_provider().delete(created.id, created.outs or {})

    (answer,) = [e for e in emu.request_log if e.method == "DELETE"]
    assert answer.status == 404
