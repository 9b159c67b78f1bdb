"""What one customer's operation came to: result, duration, what changed, the error's first line.

An :class:`Outcome` fills itself from the engine's events while the operation runs (the
resource steps and the property names that differ, the first error diagnostic) and from the
summary at the end. It holds no token and no output value: only counts, resource names,
property names and the provider's error text, which the provider keeps free of secrets.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["CHANGE_KINDS", "RESULTS", "Outcome", "first_error"]

#: The results a customer can have in a report.
RESULTS: Final = ("succeeded", "failed", "cancelled", "not-started")
#: The change counts a report keeps, in the order tables show them.
CHANGE_KINDS: Final = ("create", "update", "replace", "delete", "same")
_COUNTED: Final = {
    "create": "create",
    "update": "update",
    "replace": "replace",
    "create-replacement": None,  # part of a replace, counted there
    "delete-replaced": None,
    "delete": "delete",
    "same": "same",
}
#: A Python traceback's header, and its frames, code lines and carets (all indented).
_TRACEBACK_FRAME: Final = re.compile(r"^Traceback |^\s")
_EXCEPTION_PREFIX: Final = re.compile(r"^(?:error: )?(?:[A-Za-z_][\w.]*(?:Error|Exception)): ")
_NOISE: Final = (
    "update failed",
    "preview failed",
    "destroy failed",
    "an error occurred",
    "the program stopped on the error above",
)


@dataclass
class Outcome:
    """One customer's last operation, as the report keeps it."""

    key: str
    ring: str
    operation: str
    started: float
    """Epoch seconds."""
    result: str = "not-started"
    duration: float = 0.0
    changes: dict[str, int] = field(default_factory=dict)
    """Resource changes by kind (:data:`CHANGE_KINDS`), the stack itself not counted."""
    changed: list[str] = field(default_factory=list)
    """``<resource>.<property>`` for each property an update or replace changes."""
    error: str | None = None
    """The first line of the first error."""
    hint: str | None = None
    """What to do about it, where the provider said."""
    note: str | None = None
    _stack_op: str | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def counts(self, summary: Mapping[Any, int]) -> None:
        """Take the change counts from the engine's summary (``OpType`` or str keys)."""
        changes: dict[str, int] = {}
        for op, count in summary.items():
            kind = _COUNTED.get(str(getattr(op, "value", op)))
            if kind is not None and count:
                changes[kind] = changes.get(kind, 0) + int(count)
        # The engine counts the stack resource itself too; the counts are of what is below it.
        with self._lock:
            if self._stack_op is not None and changes.get(self._stack_op):
                changes[self._stack_op] -= 1
                if not changes[self._stack_op]:
                    del changes[self._stack_op]
            self.changes = changes

    def event_handler(self, on_step: Callable[[str], None]) -> Callable[[Any], None]:
        """An ``on_event`` callback that notes diffs and errors and reports progress."""

        def handle(event: Any) -> None:
            pre = getattr(event, "resource_pre_event", None)
            if pre is not None:
                self._step(pre.metadata, on_step)
                return
            diagnostic = getattr(event, "diagnostic_event", None)
            if diagnostic is not None and diagnostic.severity == "error":
                with self._lock:
                    if self.error is None:
                        error, hint = first_error(diagnostic.message)
                        if error:
                            self.error, self.hint = error, hint

        return handle

    def _step(self, metadata: Any, on_step: Callable[[str], None]) -> None:
        op = str(getattr(metadata.op, "value", metadata.op))
        name = str(metadata.urn).rsplit("::", 1)[-1]
        if metadata.type == "pulumi:pulumi:Stack":
            with self._lock:
                self._stack_op = _COUNTED.get(op)
            return
        if op in ("same", "read", "refresh") or str(metadata.type).startswith("pulumi:providers:"):
            return
        on_step(f"{op} {name}")
        if op in ("update", "replace"):
            diffs = list(metadata.diffs or []) + list((metadata.detailed_diff or {}).keys())
            # A dynamic provider sends no property names with its diff (the SDK's server has
            # no field for them): compare the step's old and new inputs, as the CLI does.
            old = getattr(metadata.old, "inputs", None) or {}
            new = getattr(metadata.new, "inputs", None) or {}
            diffs += [k for k in sorted({*old, *new}) if old.get(k) != new.get(k)]
            with self._lock:
                for prop in dict.fromkeys(diffs):
                    top = prop.split(".", 1)[0].split("[", 1)[0]
                    if top.startswith("__"):
                        continue
                    entry = f"{name}.{top}"
                    if entry not in self.changed:
                        self.changed.append(entry)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ring": self.ring,
            "operation": self.operation,
            "result": self.result,
            "started": round(self.started, 3),
            "duration": round(self.duration, 3),
            "changes": dict(self.changes),
            "changed": list(self.changed),
            "error": self.error,
            "hint": self.hint,
            "note": self.note,
        }


def first_error(text: str) -> tuple[str | None, str | None]:
    """The first line of an error text that says what failed, and the line after it (the
    provider puts what to do there), without traceback frames, exception class names or the
    engine's closing remarks."""
    lines = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or _TRACEBACK_FRAME.match(line):
            continue
        line = _EXCEPTION_PREFIX.sub("", line.strip())
        if line.lower().rstrip(".:") in _NOISE or line.lower().startswith(_NOISE):
            continue
        lines.append(line)
    if not lines:
        return None, None
    return lines[0], lines[1] if len(lines) > 1 else None
