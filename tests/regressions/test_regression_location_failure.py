"""A create whose operation fails, polled by ``Location``, must leave nothing behind.

ARM's Location polling answers 202 while the operation runs and, once it ended, the
operation's own final status: a failure may be a 5xx with the error body. ``_wait_location``
turns only 4xx into ``OperationFailedError``; a 5xx is retried six times (about 45 s) and
then raised as a plain ``ArmError``, so ``create`` (which cleans up only on
``OperationFailedError``) leaves the failed deployment in the account. The same failure
reported through ``Azure-AsyncOperation`` is cleaned up (compare
``test_asyncoperation_failure_is_cleaned_up``).

Fixed: ``waiting._location_failure`` reads the resource after a 5xx final status, and a
``Failed`` deployment counts as a failed operation.
"""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import Emulator, Fault
from aoai_deploy.providers import AoaiDeployError, OperationFailedError
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT


def _fail_provisioning(emu: Emulator) -> None:
    emu.inject(
        Fault(kind="failed-provisioning", method="PUT", status=500, code="InternalServerError")
    )


def test_asyncoperation_failure_is_cleaned_up(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    """The reference behaviour: the same failure via Azure-AsyncOperation."""
    _fail_provisioning(emu)

    with pytest.raises(OperationFailedError, match="InternalServerError"):
        provider.create(checked(provider, cross_tenant_inputs()))

    assert emu.deployment(DEST_ACCOUNT, "ft") is None


def test_location_failure_with_a_5xx_status_is_cleaned_up(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.settings.async_style = "location"
    _fail_provisioning(emu)

    with pytest.raises(AoaiDeployError, match="InternalServerError") as caught:
        provider.create(checked(provider, cross_tenant_inputs()))

    assert emu.deployment(DEST_ACCOUNT, "ft") is None, "the failed deployment was left behind"
    assert isinstance(caught.value, OperationFailedError)
