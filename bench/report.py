"""What a bench section hands back, and the table it is printed as."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Row", "SectionResult", "format_table", "median", "ms"]

Status = Literal["ok", "MISS", "FAIL", ""]


@dataclass(frozen=True)
class Row:
    """One measured figure."""

    figure: str
    """What was measured, e.g. ``Check+Diff per resource (median)``."""
    value: str
    """The figure as printed, unit included."""
    target: str = ""
    """The target from issue 6, when it sets one."""
    status: Status = ""
    """``ok`` / ``MISS`` against the target, ``FAIL`` when the measurement itself failed."""


@dataclass
class SectionResult:
    """The rows of one section, its settings, and what failed outright (a create that
    errored, a plugin that died): any failure makes the bench exit non-zero."""

    name: str
    rows: list[Row] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, figure: str, value: str, target: str = "", met: bool | None = None) -> None:
        status: Status = "" if met is None else ("ok" if met else "MISS")
        self.rows.append(Row(figure, value, target, status))

    def fail(self, what: str) -> None:
        self.failures.append(what)
        self.rows.append(Row(what[:70], "failed", "", "FAIL"))


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    millis = seconds * 1000
    return f"{millis:.2f} ms" if millis < 10 else f"{millis:.0f} ms"


def format_table(sections: Sequence[SectionResult]) -> str:
    """A plain-text table (section, figure, value, target, status), sections apart."""
    header = ("section", "figure", "value", "target", "")
    body: list[tuple[int, tuple[str, ...]]] = []
    for number, section in enumerate(sections):
        for index, row in enumerate(section.rows):
            name = section.name if index == 0 else ""
            body.append((number, (name, row.figure, row.value, row.target, row.status)))
    widths = [max(len(cells[i]) for cells in [header, *(c for _, c in body)]) for i in range(5)]

    def render(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [render(header), "  ".join("-" * w for w in widths)]
    for position, (number, cells) in enumerate(body):
        if position and number != body[position - 1][0]:
            out.append("")
        out.append(render(cells))
    return "\n".join(out)
