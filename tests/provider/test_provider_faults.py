"""The provider meets ARM's failure modes: each test is named after the failure it reproduces."""

from __future__ import annotations

import pytest
import requests

from aoai_deploy.emulator import Emulator, Fault, ManualClock
from aoai_deploy.providers import (
    ArmError,
    OperationFailedError,
    TransportError,
)
from aoai_deploy.providers.azure.calls import Call, RetryPolicy
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import MakeProvider, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT

DEPLOYMENT_ID = DEST_ACCOUNT + "/deployments/ft"


def deployment_requests(emu: Emulator, method: str) -> list[int]:
    return [e.status for e in emu.request_log if e.method == method and e.path.endswith("/ft")]


def test_request_conflict_while_another_write_runs_is_retried_until_it_ends(
    provider: CrossTenantDeploymentProvider, emu: Emulator, clock: ManualClock
) -> None:
    # Someone else's write to the same account (the portal, another stack) takes 60 s.
    emu.settings.provisioning_seconds = 60
    token = emu.token(DEST_TENANT)
    other = requests.put(
        f"{emu.base_url}{DEST_ACCOUNT}/deployments/other?api-version=2024-10-01",
        json={
            "sku": {"name": "Standard", "capacity": 1},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4o-mini", "version": "2024-07-18"}
            },
        },
        headers={"Authorization": f"Bearer {token}"},
        verify=emu.ca_path,
        timeout=10,
    )
    assert other.status_code == 201
    emu.settings.provisioning_seconds = 0.05
    started = clock.now()

    outs = provider.create(checked(provider, cross_tenant_inputs())).outs or {}

    assert outs["provisioning_state"] == "Succeeded"
    puts = deployment_requests(emu, "PUT")
    assert puts.count(409) >= 2
    assert puts[-1] in (200, 201)
    assert clock.now() - started >= 60
    assert emu.write_overlaps == 0


def test_throttling_429_honours_retry_after(
    provider: CrossTenantDeploymentProvider, emu: Emulator, clock: ManualClock
) -> None:
    emu.inject(Fault(kind="throttle", route="deployment", method="PUT", times=2, retry_after=7))
    started = clock.now()

    provider.create(checked(provider, cross_tenant_inputs()))

    assert deployment_requests(emu, "PUT") == [429, 429, 201]
    assert clock.now() - started >= 14


def test_service_unavailable_503_is_retried(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.inject(Fault(kind="error", status=503, route="deployment", method="PUT", times=3))

    provider.create(checked(provider, cross_tenant_inputs()))

    assert deployment_requests(emu, "PUT") == [503, 503, 503, 201]


def test_dropped_connection_on_put_and_poll_is_retried(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.inject(Fault(kind="drop", route="deployment", method="PUT"))
    # Azure-AsyncOperation points at .../operationResults/{id} (route "location").
    emu.inject(Fault(kind="drop", route="location", method="GET"))

    outs = provider.create(checked(provider, cross_tenant_inputs())).outs or {}

    assert outs["provisioning_state"] == "Succeeded"
    assert [e.route for e in emu.request_log if e.fault == "drop"] == ["deployment", "location"]


def test_persistent_server_errors_give_up_with_the_arm_code(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    provider = make_provider(policy=RetryPolicy(max_retries=2))
    emu.inject(Fault(kind="error", status=500, route="deployment", method="PUT", times=10))

    with pytest.raises(ArmError) as caught:
        provider.create(checked(provider, cross_tenant_inputs()))

    assert caught.value.status == 500
    assert str(caught.value).startswith(f"creating {DEPLOYMENT_ID}: ")
    assert deployment_requests(emu, "PUT") == [500, 500, 500]


def test_failed_provisioning_raises_the_arm_code_and_leaves_nothing_behind(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.inject(
        Fault(
            kind="failed-provisioning",
            code="InternalServerError",
            message="The model copy failed.",
        )
    )

    with pytest.raises(OperationFailedError, match="InternalServerError: The model copy failed"):
        provider.create(checked(provider, cross_tenant_inputs()))

    assert emu.deployment(DEST_ACCOUNT, "ft") is None


def test_insufficient_quota_says_what_to_do(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.inject(Fault(kind="insufficient-quota", method="PUT"))

    with pytest.raises(ArmError, match="InsufficientQuota") as caught:
        provider.create(checked(provider, cross_tenant_inputs(sku_capacity=500)))

    assert "lower sku_capacity" in str(caught.value)
    assert emu.deployment(DEST_ACCOUNT, "ft") is None


def test_put_without_async_header_polls_the_resource(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.settings.async_style = "none"
    emu.settings.etag_key = "eTag"

    outs = provider.create(checked(provider, cross_tenant_inputs())).outs or {}

    assert outs["provisioning_state"] == "Succeeded"
    assert outs["etag"]
    gets = deployment_requests(emu, "GET")
    assert len(gets) >= 3  # the existence check, at least one poll, the final GET


def test_location_polling_for_put_and_delete(
    provider: CrossTenantDeploymentProvider, make_provider: MakeProvider, emu: Emulator
) -> None:
    emu.settings.async_style = "location"
    emu.settings.running_status = "Creating"

    outs = provider.create(checked(provider, cross_tenant_inputs())).outs or {}
    make_provider().delete(DEPLOYMENT_ID, outs)  # `pulumi destroy`, another process

    assert emu.deployment(DEST_ACCOUNT, "ft") is None
    assert any(e.route == "location" for e in emu.request_log)


def test_operation_timeout_stops_polling(
    provider: CrossTenantDeploymentProvider, emu: Emulator, clock: ManualClock
) -> None:
    emu.settings.provisioning_seconds = 10_000
    emu.settings.retry_after = 10
    started = clock.now()

    with pytest.raises(Exception, match="operation_timeout_seconds"):
        provider.create(checked(provider, cross_tenant_inputs(operation_timeout_seconds=120)))

    assert 120 <= clock.now() - started <= 125


def test_token_is_never_sent_to_another_host(provider: CrossTenantDeploymentProvider) -> None:
    runtime = provider._runtime
    assert runtime is not None
    call = Call("polling", DEPLOYMENT_ID, DEST_TENANT, runtime.client.clock.now() + 60)

    for url in (
        "https://evil.example/subscriptions/x/operationResults/1",
        "http://127.0.0.1/operationResults/1",
    ):
        with pytest.raises(TransportError, match="refusing to send a token"):
            runtime.client.request(call, "GET", url)


@pytest.mark.parametrize(("provisioning", "longest_wait"), [(2, 3.0), (10, 15.0), (60, 65.0)])
def test_without_retry_after_polls_start_soon_and_back_off_to_five_seconds(
    provider: CrossTenantDeploymentProvider,
    emu: Emulator,
    clock: ManualClock,
    provisioning: float,
    longest_wait: float,
) -> None:
    emu.settings.retry_after = None
    emu.settings.provisioning_seconds = provisioning
    started = clock.now()

    provider.create(checked(provider, cross_tenant_inputs()))

    took = clock.now() - started
    polls = [e for e in emu.request_log if e.route == "location"]  # .../operationResults
    assert polls
    assert provisioning <= took <= longest_wait
    # At 1, 2, 4, 8 s, then every 5 s: few requests, little overshoot.
    assert len(polls) <= 4 + provisioning / 5
