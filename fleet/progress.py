"""What the terminal shows while a fleet runs, and the table at the end.

On a terminal: one live line per running customer (its key, ring, seconds so far and what its
stack is doing), redrawn in place a few times a second, with a permanent line per customer as
it finishes. Anywhere else (a CI log, a pipe): plain lines, one when a customer starts and one
when it ends, never a control character.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from aoai_deploy.fleet.outcome import CHANGE_KINDS, Outcome
from aoai_deploy.fleet.spec import Customer, ring_label

__all__ = ["LiveProgress", "changes_text", "final_table"]


def changes_text(changes: Mapping[str, int], result: str = "succeeded") -> str:
    """``2 create, 1 update`` (``same`` left out); ``no change`` when a finished operation
    changed nothing, and ``not finished`` when one that failed or was cancelled left no
    summary (the CLI counts changes only at the end of an update)."""
    parts = [f"{changes[k]} {k}" for k in CHANGE_KINDS if k != "same" and changes.get(k)]
    if parts:
        return ", ".join(parts)
    return "no change" if result == "succeeded" else "not finished"


def _finished_line(outcome: Outcome) -> str:
    text = f"{outcome.key} ({ring_label(outcome.ring)}): {outcome.result}"
    if outcome.result != "not-started":
        text += f" in {outcome.duration:.1f}s, {changes_text(outcome.changes, outcome.result)}"
    if outcome.error:
        text += f": {outcome.error}"
    elif outcome.note:
        text += f" ({outcome.note})"
    return text


class LiveProgress:
    """The runner's display (runner.Progress); ``live`` redraws lines in place."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self._out = stream or sys.stdout
        self._live = self._out.isatty() if live is None else live
        self._lock = threading.Lock()
        self._running: dict[str, tuple[Customer, float, str]] = {}
        self._drawn = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self._live:
            self._thread = threading.Thread(target=self._redraw_loop, daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        with self._lock:
            self._clear()

    # -- runner.Progress ---------------------------------------------------------------------

    def ring(self, label: str, customers: int) -> None:
        self.say(f"{label}: {customers} customer{'s' if customers != 1 else ''}")

    def started(self, customer: Customer) -> None:
        with self._lock:
            self._running[customer.key] = (customer, time.monotonic(), "starting")
            if not self._live:
                self._write(f"{customer.key} ({ring_label(customer.ring)}): started\n")

    def step(self, key: str, text: str) -> None:
        with self._lock:
            if key in self._running:
                customer, began, _ = self._running[key]
                self._running[key] = (customer, began, text)

    def finished(self, outcome: Outcome) -> None:
        with self._lock:
            self._running.pop(outcome.key, None)
            self._clear()
            self._write(_finished_line(outcome) + "\n")
            self._draw()

    def say(self, line: str) -> None:
        with self._lock:
            self._clear()
            self._write(line + "\n")
            self._draw()

    # -- drawing -----------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()

    def _clear(self) -> None:
        if self._live and self._drawn:
            # Up to the first live line, then clear to the end of the screen.
            self._out.write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0

    def _draw(self) -> None:
        if not self._live:
            return
        now = time.monotonic()
        lines = [
            f"  {key} ({ring_label(customer.ring)}) {now - began:5.0f}s  {text}"
            for key, (customer, began, text) in self._running.items()
        ]
        if lines:
            self._write("\n".join(lines) + "\n")
        self._drawn = len(lines)

    def _redraw_loop(self) -> None:
        while not self._stop.wait(0.25):
            with self._lock:
                self._clear()
                self._draw()


def final_table(entries: Sequence[Mapping[str, Any]]) -> str:
    """The table printed at the end: customer, ring, result, time, changes, error's first
    line (and its hint on the line below)."""
    header = ("CUSTOMER", "RING", "RESULT", "TIME", "CHANGES", "ERROR (or note)")
    rows: list[tuple[list[str], str | None]] = []
    for entry in entries:
        changed = entry.get("changed") or []
        changes = changes_text(entry.get("changes") or {}, str(entry["result"]))
        if changed:
            tried = "" if entry["result"] == "succeeded" else "tried: "
            changes += f" ({tried}{', '.join(changed[:3])}{', …' if len(changed) > 3 else ''})"
        cells = [
            str(entry["key"]),
            str(entry["ring"]),
            str(entry["result"]),
            f"{float(entry.get('duration', 0)):.1f}s",
            changes,
            str(entry.get("error") or entry.get("note") or ""),
        ]
        hint = entry.get("hint")
        rows.append((cells, str(hint) if hint else None))
    widths = [max([len(header[i])] + [len(cells[i]) for cells, _ in rows]) for i in range(5)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, [*widths, 0], strict=False)).rstrip()]
    for cells, hint in rows:
        padded = [cells[i].ljust(widths[i]) for i in range(5)] + [cells[5]]
        lines.append("  ".join(padded).rstrip())
        if hint:
            lines.append(" " * (sum(widths) + 10) + f"hint: {hint}")
    return "\n".join(lines)
