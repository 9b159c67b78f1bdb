"""Rings in order, parallelism within a ring, the failure budget and Ctrl-C, with stack runs
that are plain functions (no Pulumi): what the runner decides, not what a stack does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from aoai_deploy.fleet.outcome import Outcome
from aoai_deploy.fleet.runner import FleetRun
from aoai_deploy.fleet.spec import Customer, parse_fleet
from fleet_files import small_fleet

WAIT = 10.0  # seconds any coordination in these tests may take at most


class Recorder:
    """The runner's Progress, remembering what it was told."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.started_keys: list[str] = []

    def ring(self, label: str, customers: int) -> None:
        self.lines.append(f"ring {label}")

    def started(self, customer: Customer) -> None:
        self.started_keys.append(customer.key)

    def step(self, key: str, text: str) -> None:
        pass

    def finished(self, outcome: Outcome) -> None:
        self.lines.append(f"{outcome.key} {outcome.result}")

    def say(self, line: str) -> None:
        self.lines.append(line)


class Stacks:
    """A stack run that succeeds unless its key is in ``failing``, noting concurrency."""

    def __init__(self, failing: tuple[str, ...] = (), hold: threading.Event | None = None):
        self.failing = failing
        self.hold = hold
        self.order: list[str] = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()
        self.cancelled_seen: list[str] = []

    def __call__(
        self,
        customer: Customer,
        operation: str,
        on_step: Callable[[str], None],
        cancelled: threading.Event,
    ) -> Outcome:
        with self.lock:
            self.order.append(customer.key)
            self.running += 1
            self.most = max(self.most, self.running)
        if self.hold is not None:
            self.hold.wait(WAIT)
        else:
            time.sleep(0.02)  # long enough for the others of the ring to start alongside
        if cancelled.is_set():
            self.cancelled_seen.append(customer.key)
        with self.lock:
            self.running -= 1
        outcome = Outcome(customer.key, customer.ring, operation, started=time.time())
        if customer.key in self.failing:
            outcome.result = "failed"
            outcome.error = "updating ...: AuthorizationFailed: ..."
        elif cancelled.is_set():
            outcome.result = "cancelled"
        else:
            outcome.result = "succeeded"
        return outcome


RINGS = [("a", "canary"), ("b", 1), ("c", 1), ("d", 1), ("e", 2), ("f", 2)]


def run(stacks: Stacks, *, operation: str = "up", parallel: int = 2, max_failures: int = 0):
    fleet = parse_fleet(small_fleet(RINGS))
    progress = Recorder()
    runner = FleetRun(
        fleet,
        stacks,
        progress,
        operation=operation,
        parallel=parallel,
        max_failures=max_failures,
    )
    return runner, progress, fleet


def test_rings_run_in_order_and_a_ring_starts_when_the_one_before_is_done() -> None:
    stacks = Stacks()
    runner, progress, fleet = run(stacks)
    result = runner.run(fleet.customers)
    assert result.ok
    assert stacks.order[0] == "a"
    assert set(stacks.order[1:4]) == {"b", "c", "d"}
    assert set(stacks.order[4:]) == {"e", "f"}
    assert progress.lines.index("ring ring 1") > progress.lines.index("a succeeded")
    assert progress.lines.index("ring ring 2") > max(
        progress.lines.index(f"{k} succeeded") for k in "bcd"
    )


def test_no_more_customers_run_at_once_than_parallel() -> None:
    stacks = Stacks()
    runner, _, fleet = run(stacks, parallel=2)
    runner.run(fleet.customers)
    assert stacks.most == 2


def test_a_failed_customer_does_not_stop_the_others_in_its_ring() -> None:
    stacks = Stacks(failing=("b",))
    runner, _, fleet = run(stacks, max_failures=1)
    result = runner.run(fleet.customers)
    assert {o.key: o.result for o in result.outcomes} == {
        "a": "succeeded",
        "b": "failed",
        "c": "succeeded",
        "d": "succeeded",
        "e": "succeeded",
        "f": "succeeded",
    }
    assert result.stopped is None


def test_failures_above_max_failures_stop_the_later_rings() -> None:
    stacks = Stacks(failing=("b", "c"))
    runner, _, fleet = run(stacks, max_failures=1)
    result = runner.run(fleet.customers)
    by_key = {o.key: o for o in result.outcomes}
    assert by_key["d"].result == "succeeded"  # its own ring carries on
    assert (by_key["e"].result, by_key["f"].result) == ("not-started", "not-started")
    assert result.stopped == "ring 1 had 2 failures, more than --max-failures 1"
    assert by_key["e"].note == result.stopped
    assert "e" not in stacks.order


def test_destroy_runs_the_rings_last_first() -> None:
    stacks = Stacks()
    runner, _, fleet = run(stacks, operation="destroy")
    runner.run(fleet.customers)
    assert set(stacks.order[:2]) == {"e", "f"}
    assert stacks.order[-1] == "a"


def test_a_selection_runs_only_its_customers_in_their_rings() -> None:
    stacks = Stacks()
    runner, _, fleet = run(stacks)
    result = runner.run([c for c in fleet.customers if c.key in ("f", "c")])
    assert stacks.order == ["c", "f"]
    assert [o.key for o in result.outcomes] == ["c", "f"]


def test_first_ctrl_c_starts_no_one_new_and_lets_the_running_finish() -> None:
    hold = threading.Event()
    stacks = Stacks(hold=hold)
    runner, progress, fleet = run(stacks, parallel=2)
    done: list = []
    thread = threading.Thread(target=lambda: done.append(runner.run(fleet.customers)))
    thread.start()
    deadline = time.monotonic() + WAIT
    while progress.started_keys != ["a"] and time.monotonic() < deadline:
        time.sleep(0.01)
    runner.interrupt()
    hold.set()
    thread.join(WAIT)
    (result,) = done
    assert result.interrupted
    assert {o.key: o.result for o in result.outcomes} == {
        "a": "succeeded",
        **dict.fromkeys("bcdef", "not-started"),
    }
    assert stacks.order == ["a"]
    assert stacks.cancelled_seen == []


def test_second_ctrl_c_cancels_the_running_customers() -> None:
    hold = threading.Event()
    stacks = Stacks(hold=hold)
    runner, progress, fleet = run(stacks, parallel=2)
    done: list = []
    thread = threading.Thread(target=lambda: done.append(runner.run(fleet.customers)))
    thread.start()
    deadline = time.monotonic() + WAIT
    while not progress.started_keys and time.monotonic() < deadline:
        time.sleep(0.01)
    runner.interrupt()
    runner.interrupt()
    hold.set()
    thread.join(WAIT)
    (result,) = done
    assert {o.key: o.result for o in result.outcomes}["a"] == "cancelled"
    assert stacks.cancelled_seen == ["a"]
    assert any("cancelling the running customers" in line for line in progress.lines)
