"""Rings, parallelism, failure budget and Ctrl-C: the order a fleet operation runs in.

- Rings run in order (``canary``, ``1``, ``2``, ...); a ring starts when the one before it has
  finished. ``destroy`` runs them in reverse: the last ring first, the canary last.
- Within a ring, up to ``parallel`` customers run at once, each on a thread of its own
  driving its own ``pulumi`` (and dynamic-provider plugin) process. A customer's failure is
  its own: the others in its ring carry on.
- After a ring, failures (failed or cancelled customers) above ``max_failures`` stop the
  later rings; their customers are reported ``not-started`` with the reason.
- Ctrl-C (SIGINT), first: no customer starts any more; those running finish, and the
  report says which ones never started. Second: the running ones are cancelled: each of
  their ``pulumi`` processes gets SIGINT, which is the CLI's own clean cancellation (it
  waits for the resource operations in flight, then ends the update and releases the
  stack); they are reported ``cancelled``. The runner never kills a CLI.

A customer's run is any callable with :class:`~aoai_deploy.fleet.stacks.StackRunner`'s
``run`` signature, so tests can drive the ordering without Pulumi.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from aoai_deploy.fleet.outcome import Outcome
from aoai_deploy.fleet.spec import Customer, Fleet, ring_label, ring_order

__all__ = ["FleetRun", "Progress", "RunResult", "StackRun", "cli_children"]


class StackRun(Protocol):
    def __call__(
        self,
        customer: Customer,
        operation: str,
        on_step: Callable[[str], None],
        cancelled: threading.Event,
    ) -> Outcome: ...


class Progress(Protocol):
    """What the runner tells the display (progress.py)."""

    def ring(self, label: str, customers: int) -> None: ...
    def started(self, customer: Customer) -> None: ...
    def step(self, key: str, text: str) -> None: ...
    def finished(self, outcome: Outcome) -> None: ...
    def say(self, line: str) -> None: ...


@dataclass
class RunResult:
    """Every selected customer's outcome, in the order they were decided."""

    operation: str
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False
    """Ctrl-C stopped the run before every customer started."""
    stopped: str | None = None
    """Why later rings did not run, if they did not."""
    started: float = field(default_factory=time.time)
    finished: float = 0.0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result in ("failed", "cancelled")]

    @property
    def ok(self) -> bool:
        return all(o.result == "succeeded" for o in self.outcomes)


class FleetRun:
    """One operation over a selection of customers."""

    def __init__(
        self,
        fleet: Fleet,
        run_stack: StackRun,
        progress: Progress,
        *,
        operation: str,
        parallel: int,
        max_failures: int,
    ) -> None:
        self.fleet = fleet
        self._run_stack = run_stack
        self._progress = progress
        self.operation = operation
        self.parallel = max(1, parallel)
        self.max_failures = max_failures
        self._stop_starting = threading.Event()
        self._cancel = threading.Event()
        self._interrupts = 0

    # -- Ctrl-C ------------------------------------------------------------------------------

    def interrupt(self) -> None:
        """What SIGINT does (the CLI installs it as the handler): see the module docstring."""
        self._interrupts += 1
        if self._interrupts == 1:
            self._stop_starting.set()
            self._progress.say(
                "interrupted: starting no more customers; the running ones finish "
                "(Ctrl-C again cancels them)"
            )
            return
        self._cancel.set()
        children = cli_children(os.getpid())
        self._progress.say(
            f"interrupted again: cancelling the running customers ({len(children)} pulumi "
            "processes told to stop cleanly)"
        )
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)

    # -- the run -----------------------------------------------------------------------------

    def run(self, customers: Sequence[Customer]) -> RunResult:
        result = RunResult(self.operation)
        chosen = {c.key for c in customers}
        rings = [
            (ring, [c for c in members if c.key in chosen]) for ring, members in self.fleet.rings()
        ]
        rings = [(ring, members) for ring, members in rings if members]
        if self.operation == "destroy":
            rings.sort(key=lambda item: ring_order(item[0]), reverse=True)
        for ring, members in rings:
            if result.stopped or self._stop_starting.is_set():
                reason = result.stopped or "interrupted before it started"
                result.outcomes += [self._not_started(c, reason) for c in members]
                continue
            self._progress.ring(ring_label(ring), len(members))
            outcomes = self._ring(members)
            result.outcomes += outcomes
            failures = [o for o in outcomes if o.result in ("failed", "cancelled")]
            if len(failures) > self.max_failures:
                result.stopped = (
                    f"{ring_label(ring)} had {len(failures)} failure"
                    f"{'s' if len(failures) != 1 else ''}, more than --max-failures "
                    f"{self.max_failures}"
                )
                self._progress.say(f"stopping: {result.stopped}; later rings do not start")
        result.interrupted = self._stop_starting.is_set()
        result.finished = time.time()
        return result

    def _ring(self, members: list[Customer]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        pending = list(members)
        running: dict[Future[Outcome], Customer] = {}
        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="fleet") as pool:
            while pending or running:
                while pending and len(running) < self.parallel and not self._stop_starting.is_set():
                    customer = pending.pop(0)
                    self._progress.started(customer)
                    running[pool.submit(self._one, customer)] = customer
                if self._stop_starting.is_set() and pending:
                    for customer in pending:
                        outcome = self._not_started(customer, "interrupted before it started")
                        outcomes.append(outcome)
                        self._progress.finished(outcome)
                    pending.clear()
                if not running:
                    break
                done, _ = wait(running, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in done:
                    customer = running.pop(future)
                    outcome = future.result()
                    outcomes.append(outcome)
                    self._progress.finished(outcome)
        order = {c.key: n for n, c in enumerate(members)}
        return sorted(outcomes, key=lambda o: order[o.key])

    def _one(self, customer: Customer) -> Outcome:
        try:
            return self._run_stack(
                customer,
                self.operation,
                lambda text: self._progress.step(customer.key, text),
                self._cancel,
            )
        except Exception as error:  # the stack runner reports failures itself; this is a bug
            outcome = Outcome(customer.key, customer.ring, self.operation, started=time.time())
            outcome.result = "failed"
            outcome.error = f"{type(error).__name__}: {error}".splitlines()[0]
            return outcome

    def _not_started(self, customer: Customer, reason: str) -> Outcome:
        outcome = Outcome(customer.key, customer.ring, self.operation, started=time.time())
        outcome.note = reason
        return outcome


def cli_children(parent: int) -> list[int]:
    """Pids of ``parent``'s child processes named ``pulumi`` (Linux ``/proc``; elsewhere,
    none: a terminal's Ctrl-C reaches those CLIs itself, see stacks.py)."""
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == parent and name == "pulumi":
            found.append(int(entry.name))
    return found
