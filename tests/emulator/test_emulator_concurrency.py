"""Per-account write serialization: 409 RequestConflict while a write on the account runs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from aoai_deploy.emulator import ManualClock
from aoai_deploy.emulator.seed import load_seed
from aoai_deploy.emulator.state import World


def test_second_write_on_the_same_account_is_409_with_the_real_message(clocked_arm):
    assert clocked_arm.put("one", clocked_arm.base_body()).status_code == 201
    response = clocked_arm.put("two", clocked_arm.base_body())
    assert response.status_code == 409
    account = clocked_arm.emu.account_id(clocked_arm.DEST)
    assert clocked_arm.error(response) == (
        "RequestConflict",
        f"Another operation is being performed on the parent resource '{account}'. "
        "Please try again later.",
    )
    assert clocked_arm.emu.conflicts == 1
    assert clocked_arm.emu.write_overlaps == 0
    assert clocked_arm.emu.deployment(clocked_arm.DEST, "two") is None


def test_patch_and_delete_also_wait_for_the_running_write(clocked_arm, manual_clock):
    clocked_arm.put("one", clocked_arm.base_body())
    manual_clock.advance(1)
    clocked_arm.put("two", clocked_arm.base_body())  # running now
    assert clocked_arm.patch("one", {"tags": {}}).status_code == 409
    assert clocked_arm.delete("one").status_code == 409
    assert clocked_arm.emu.conflicts == 2


def test_a_running_delete_blocks_writes_too(clocked_arm, manual_clock):
    clocked_arm.put("one", clocked_arm.base_body())
    manual_clock.advance(1)
    assert clocked_arm.delete("one").status_code == 202
    assert clocked_arm.put("two", clocked_arm.base_body()).status_code == 409


def test_writes_are_accepted_again_once_the_operation_ends(clocked_arm, manual_clock):
    clocked_arm.put("one", clocked_arm.base_body())
    manual_clock.advance(clocked_arm.emu.settings.provisioning_seconds)
    assert clocked_arm.put("two", clocked_arm.base_body()).status_code == 201


def test_writes_to_different_accounts_do_not_conflict(clocked_arm):
    assert clocked_arm.put("one", clocked_arm.base_body()).status_code == 201
    assert (
        clocked_arm.put("one", clocked_arm.base_body(), account="fabrikam-aoai-wus").status_code
        == 201
    )
    assert clocked_arm.emu.conflicts == 0


def test_reads_are_not_blocked_by_a_running_write(clocked_arm):
    clocked_arm.put("one", clocked_arm.base_body())
    assert clocked_arm.get_deployment("one").status_code == 200
    assert (
        clocked_arm.get(clocked_arm.emu.account_id(clocked_arm.DEST) + "/deployments").status_code
        == 200
    )


def test_concurrent_puts_on_one_account_let_exactly_one_through(clocked_emulator):
    url = (
        clocked_emulator.base_url
        + clocked_emulator.account_id("fabrikam-aoai-eus")
        + "/deployments/d{}"
    )
    token = clocked_emulator.token("fabrikam")
    body = {
        "sku": {"name": "Standard", "capacity": 1},
        "properties": {"model": {"format": "OpenAI", "name": "gpt-4o"}},
    }

    def put(index: int) -> int:
        return requests.put(
            url.format(index),
            params={"api-version": "2024-10-01"},
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            verify=clocked_emulator.ca_path,
            timeout=10,
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(put, range(16)))
    assert sorted(statuses) == [201] + [409] * 15
    assert clocked_emulator.conflicts == 15
    assert clocked_emulator.write_overlaps == 0
    assert len(clocked_emulator.deployments("fabrikam-aoai-eus")) == 1


def test_write_overlaps_counts_a_write_started_beside_a_running_one():
    # The counter is the safety net behind the 409: if the check ever let a write through,
    # this is what the tests above would see.
    clock = ManualClock()
    world = World(load_seed(), clock, clock)
    account = world.account_by_ref("fabrikam-aoai-eus")
    world.start_operation(account, "one", "create", "2024-10-01", seconds=10)
    world.start_operation(account, "two", "create", "2024-10-01", seconds=10)
    assert world.write_overlaps == 1
    clock.advance(10)
    world.start_operation(account, "three", "create", "2024-10-01", seconds=10)
    assert world.write_overlaps == 1
