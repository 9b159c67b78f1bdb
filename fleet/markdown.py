"""Markdown that shows text as text: the fence rule, and the fleet's summary table.

Standard library only, and importable as a plain file: ``scripts/preview_comment.py`` (which
the pull-request comment jobs run as the base branch has it, with the system's python3, from
a sparse checkout of itself and this file) loads it by path. This is the one place the rule
is written:

Everything shown comes from somewhere else (customer keys, resource names, error messages
from Azure): a backtick run in it would close an ordinary code span or fence and turn the
rest into live markdown (links, images, HTML, fake headings) in the bot's comment. A fence is
made longer than the longest backtick run in its text; under CommonMark (GitHub's cmark-gfm)
a fence closes only at a line holding a run of the same character at least as long, so
nothing inside can close it. An inline code span is delimited likewise, and inside a table a
``|`` is escaped (GFM splits cells at an unescaped pipe even inside a code span, and shows
``\\|`` as a pipe there). Line breaks end a table row, so a cell keeps one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "fence_for",
    "fenced",
    "inline_code",
    "longest_run",
    "summary_markdown",
    "table_cell",
]

#: The hidden first line by which a comment job finds the fleet preview comment to edit.
FLEET_MARKER = "<!-- aoai-deploy fleet preview -->"
_KINDS = ("create", "update", "replace", "delete")


def longest_run(text: str, char: str) -> int:
    """Length of the longest run of ``char`` in ``text`` (0 if none)."""
    return max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)


def fence_for(text: str) -> str:
    """A backtick fence no line of ``text`` can close: longer than any backtick run in it."""
    return "`" * max(3, longest_run(text, "`") + 1)


def fenced(text: str) -> str:
    """``text`` as one fenced code block (``text`` info string), ending in a newline."""
    fence = fence_for(text)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{fence}text\n{body}{fence}\n"


def inline_code(text: str) -> str:
    """``text`` as one inline code span, whatever backticks it holds (CommonMark's rule: the
    delimiters are a run no run inside equals; a space pads a text that starts or ends with a
    backtick)."""
    ticks = "`" * (longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def table_cell(text: str | None, limit: int = 300) -> str:
    """``text`` as the content of one table cell: its first line, cut at ``limit``
    characters, as inline code with every ``|`` escaped; empty for no text."""
    if not text:
        return ""
    line = text.splitlines()[0] if text.splitlines() else ""
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return inline_code(line).replace("|", "\\|") if line else ""


def _changes(changes: Mapping[str, int], result: str = "succeeded") -> str:
    parts = [f"{changes[k]} to {k}" for k in _KINDS if changes.get(k)]
    if parts:
        return ", ".join(parts)
    # A failed or cancelled operation leaves no summary: its changes were never counted.
    return "no change" if result == "succeeded" else "not finished"


def summary_markdown(report: Mapping[str, Any], title: str | None = None) -> str:
    """The fleet summary of a report (report.py's JSON) as Markdown: a count line, then one
    table row per customer (customer, ring, result, time, changes, changed properties,
    error and hint), every value from the report shown as code."""
    customers: Sequence[Mapping[str, Any]] = list(report.get("customers", {}).values())
    run = report.get("lastRun", {})
    operation = str(run.get("operation", "run"))
    heading = title or f"aoai-deploy fleet {operation}"
    counts: dict[str, int] = {}
    for entry in customers:
        counts[str(entry.get("result"))] = counts.get(str(entry.get("result")), 0) + 1
    totals = {k: sum(int(e.get("changes", {}).get(k, 0)) for e in customers) for k in _KINDS}
    lines = [
        f"### {heading}",
        "",
        f"{len(customers)} customers: "
        + ", ".join(f"{n} {table_cell(result)}" for result, n in sorted(counts.items()))
        + f"; {_changes(totals)} in all.",
    ]
    if run.get("stopped"):
        lines += ["", f"Stopped: {table_cell(str(run['stopped']))}"]
    if run.get("interrupted"):
        lines += ["", "Interrupted (Ctrl-C): customers not started are marked so."]
    lines += [
        "",
        "| customer | ring | result | time | changes | properties | error |",
        "|---|---|---|---:|---|---|---|",
    ]
    for entry in customers:
        changed = entry.get("changed") or []
        shown = ", ".join(str(p) for p in changed[:6]) + (" …" if len(changed) > 6 else "")
        error = entry.get("error") or entry.get("note") or ""
        hint = entry.get("hint")
        error_cell = table_cell(str(error)) + (f"<br>{table_cell(str(hint))}" if hint else "")
        lines.append(
            "| "
            + " | ".join(
                [
                    table_cell(str(entry.get("key", ""))),
                    table_cell(str(entry.get("ring", ""))),
                    table_cell(str(entry.get("result", ""))),
                    f"{float(entry.get('duration', 0)):.0f} s",
                    _changes(entry.get("changes") or {}, str(entry.get("result", ""))),
                    table_cell(shown),
                    error_cell,
                ]
            )
            + " |"
        )
    return "\n".join(lines) + "\n"
