"""Injected faults: each kind, its counting, and its route and method filters."""

from __future__ import annotations

import time

import pytest
import requests

from aoai_deploy.emulator import Fault

STRANGER_OID = "99999999-9999-4999-8999-999999999999"


def account(arm):
    return arm.emu.account_id(arm.DEST)


def test_throttle_is_429_with_retry_after_then_passes(arm):
    arm.emu.inject(Fault(kind="throttle", route="account", retry_after=7))
    throttled = arm.get(account(arm))
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert arm.error(throttled)[0] == "SubscriptionRequestsThrottled"
    assert arm.get(account(arm)).status_code == 200
    assert [e.fault for e in arm.emu.request_log] == ["throttle", None]


def test_times_hits_the_next_n_matching_requests(arm):
    arm.emu.inject(Fault(kind="error", route="account", times=2))
    statuses = [arm.get(account(arm)).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert arm.emu.pending_faults() == []


def test_rate_hits_a_repeatable_share_of_requests(arm):
    def run() -> list[int]:
        arm.emu.clear_faults()
        arm.emu.inject(Fault(kind="error", route="account", rate=0.5, seed=42))
        return [arm.get(account(arm)).status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert 0 < first.count(500) < 20


def test_rate_with_times_stops_after_that_many_hits(arm):
    arm.emu.inject(Fault(kind="error", route="account", rate=1.0, times=2))
    assert [arm.get(account(arm)).status_code for _ in range(3)] == [500, 500, 200]


@pytest.mark.parametrize(
    ("status", "code"), [(500, "InternalServerError"), (503, "ServiceUnavailable")]
)
def test_server_errors(arm, status, code):
    arm.emu.inject(Fault(kind="error", status=status, route="deployment", method="PUT"))
    response = arm.put("d", arm.base_body())
    assert response.status_code == status
    assert arm.error(response)[0] == code
    assert ("Retry-After" in response.headers) == (status == 503)
    assert arm.emu.deployment(arm.DEST, "d") is None


def test_faults_match_only_their_route_and_method(arm):
    arm.emu.inject(Fault(kind="error", route="deployment", method="DELETE"))
    assert arm.get(account(arm)).status_code == 200
    assert arm.put("d", arm.base_body()).status_code == 201
    assert arm.get_deployment("d").status_code == 200
    assert len(arm.emu.pending_faults()) == 1


def test_clear_faults_removes_them(arm):
    arm.emu.inject(Fault(kind="error", times=5))
    arm.emu.clear_faults()
    assert arm.get(account(arm)).status_code == 200


def test_dropped_connection_raises_connection_error_and_is_logged(arm):
    arm.emu.inject(Fault(kind="drop", route="deployment", method="PUT"))
    with pytest.raises(requests.exceptions.ConnectionError):
        arm.put("d", arm.base_body())
    entry = arm.emu.request_log[-1]
    assert (entry.method, entry.status, entry.fault) == ("PUT", None, "drop")
    assert arm.emu.deployment(arm.DEST, "d") is None
    assert arm.put("d", arm.base_body()).status_code == 201  # the next request is served


def test_slow_response_delays_the_answer(arm):
    arm.emu.inject(Fault(kind="slow", route="account", delay=0.3))
    started = time.monotonic()
    assert arm.get(account(arm)).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_slow_response_trips_a_client_read_timeout(arm):
    arm.emu.inject(Fault(kind="slow", route="account", delay=1.0))
    with pytest.raises(requests.exceptions.ReadTimeout):
        arm.get(account(arm), timeout=0.2)


def test_failed_provisioning_ends_the_operation_failed_with_an_error(clocked_arm, manual_clock):
    clocked_arm.emu.inject(
        Fault(kind="failed-provisioning", code="ModelCapacityExceeded", message="No capacity left.")
    )
    response = clocked_arm.put("d", clocked_arm.base_body())
    assert response.status_code == 201
    manual_clock.advance(1)
    status = clocked_arm.get(response.headers["Azure-AsyncOperation"]).json()
    assert status["status"] == "Failed"
    assert status["error"] == {"code": "ModelCapacityExceeded", "message": "No capacity left."}
    assert clocked_arm.get_deployment("d").json()["properties"]["provisioningState"] == "Failed"


def test_failed_provisioning_at_a_location_url_is_an_error_status(clocked_arm, manual_clock):
    clocked_arm.emu.settings.async_style = "location"
    clocked_arm.emu.inject(Fault(kind="failed-provisioning", status=409))
    location = clocked_arm.put("d", clocked_arm.base_body()).headers["Location"]
    manual_clock.advance(1)
    response = clocked_arm.get(location)
    assert response.status_code == 409
    assert clocked_arm.error(response)[0] == "InternalServerError"


def test_failed_delete_leaves_the_deployment_failed(clocked_arm, manual_clock):
    clocked_arm.put("d", clocked_arm.base_body())
    manual_clock.advance(1)
    clocked_arm.emu.inject(Fault(kind="failed-provisioning", method="DELETE"))
    operation = clocked_arm.delete("d").headers["Azure-AsyncOperation"]
    manual_clock.advance(1)
    assert clocked_arm.get(operation).json()["status"] == "Failed"
    assert clocked_arm.get_deployment("d").json()["properties"]["provisioningState"] == "Failed"


def test_insufficient_quota_is_400_and_creates_nothing(arm):
    arm.emu.inject(Fault(kind="insufficient-quota"))
    response = arm.put("d", arm.base_body(capacity=5))
    assert response.status_code == 400
    code, message = arm.error(response)
    assert code == "InsufficientQuota"
    assert message.startswith("This operation require 5 new capacity in quota Tokens Per Minute")
    assert arm.emu.deployment(arm.DEST, "d") is None
    assert arm.emu.write_overlaps == 0
    assert arm.put("d", arm.base_body()).status_code == 201


def test_insufficient_quota_takes_the_code_and_message_the_fault_names(arm):
    # As Fault.code documents it for this kind (the other kinds honoured it already).
    arm.emu.inject(Fault(kind="insufficient-quota", code="QuotaExceeded", message="None left."))
    response = arm.put("d", arm.base_body())
    assert response.status_code == 400
    assert arm.error(response) == ("QuotaExceeded", "None left.")


def test_insufficient_quota_is_not_spent_on_a_rejected_request(arm):
    arm.emu.inject(Fault(kind="insufficient-quota"))
    assert arm.put("d", arm.base_body(), auth=False).status_code == 401
    assert arm.put("d", arm.base_body()).status_code == 400


def test_new_role_assignment_is_not_in_force_during_its_propagation(clocked_arm, manual_clock):
    emu = clocked_arm.emu
    emu.add_role_assignment(
        STRANGER_OID,
        clocked_arm.CONTRIBUTOR,
        emu.account_id(clocked_arm.DEST),
        propagation_seconds=30,
    )
    token = emu.token("fabrikam", oid=STRANGER_OID)
    assert clocked_arm.put("d", clocked_arm.base_body(), token=token).status_code == 403
    manual_clock.advance(29)
    assert clocked_arm.put("d", clocked_arm.base_body(), token=token).status_code == 403
    manual_clock.advance(1)
    assert clocked_arm.put("d", clocked_arm.base_body(), token=token).status_code == 201


def test_role_propagation_fault_hides_young_assignments_on_the_source_too(
    clocked_arm, manual_clock
):
    emu = clocked_arm.emu
    emu.inject(Fault(kind="role-propagation", seconds=90))
    emu.add_role_assignment(
        emu.object_id("outsider", "contoso"),
        clocked_arm.CONTRIBUTOR,
        emu.account_id(clocked_arm.SOURCE),
    )
    aux = [emu.token("contoso", "outsider")]
    first = clocked_arm.put_copy("ft", principal="outsider", aux=aux)
    assert first.status_code == 403
    assert clocked_arm.error(first)[0] == "LinkedAuthorizationFailed"
    manual_clock.advance(90)
    assert clocked_arm.put_copy("ft", principal="outsider", aux=aux).status_code == 201
    assert emu.pending_faults()  # a propagation window stays until cleared


def test_seeded_assignments_are_not_hidden_by_a_propagation_window(clocked_arm):
    clocked_arm.emu.inject(Fault(kind="role-propagation", seconds=3600))
    assert clocked_arm.put_copy("ft").status_code == 201


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "error", "route": "nowhere"},
        {"kind": "error", "method": "TRACE"},
        {"kind": "error", "times": 0},
        {"kind": "error", "rate": 0},
        {"kind": "error", "status": 404},
        {"kind": "slow", "delay": 600},
        {"kind": "insufficient-quota", "route": "account"},
        {"kind": "insufficient-quota", "method": "DELETE"},
    ],
)
def test_fault_rejects_nonsense(kwargs):
    with pytest.raises(ValueError, match=r"[Ff]ault"):
        Fault(**kwargs)


def test_fault_is_frozen():
    fault = Fault(kind="drop")
    with pytest.raises(AttributeError):
        fault.times = 3  # type: ignore[misc]
