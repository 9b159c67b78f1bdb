#!/usr/bin/env python3
"""Write the pull-request comment that shows a `pulumi preview` (preview.yml's comment job).

    scripts/preview_comment.py PREVIEW_OUTPUT STACK RESULT > comment.md
    scripts/preview_comment.py --fleet REPORT_JSON RESULT > comment.md   (fleet-preview.yml)

The preview's output is text that the comment must show, never markdown that GitHub renders:
it holds whatever the program, the providers and Azure printed (names, error messages, values),
and a line of three backticks in it would close an ordinary code fence and turn everything
after it into live markdown in the bot's comment (links, images, HTML, fake headings). So the
fence is longer than the longest run of backticks anywhere in the text: under CommonMark
(and GitHub's cmark-gfm) a fence closes only at a line holding a run of the same character at
least as long as the opening one, so nothing in the text can close it. Tildes cannot close a
backtick fence, and HTML inside a fenced block is shown as text.

A comment holds at most 65,536 characters: the end of the output (where the summary is) is
kept, fence included, and the comment says how much was cut. Standard library only: the
comment job runs this file as the base branch has it, with the system's python3.

The fence rule itself lives in fleet/markdown.py (standard library only too), loaded from
there by path: the fleet's summary table (`--fleet`, and `aoai-deploy fleet ... --markdown`)
uses the same rule, so it is written once. The comment jobs check out both files.
"""

from __future__ import annotations

import json
import sys
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType


def _markdown() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "fleet" / "markdown.py"
    spec = spec_from_file_location("aoai_deploy_fleet_markdown", path)
    assert spec is not None, path
    assert spec.loader is not None, path
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_md = _markdown()
longest_run = _md.longest_run
fence_for = _md.fence_for
fenced = _md.fenced
inline_code = _md.inline_code

#: The hidden first line by which the comment job finds its own comment to edit.
MARKER = "<!-- aoai-deploy preview -->"
#: GitHub's limit on a comment's body, in characters.
COMMENT_LIMIT = 65536
#: Room kept for the header and the note about a cut (both short).
RESERVED = 1024
#: The job results GitHub reports (`needs.<job>.result`).
RESULTS = ("success", "failure", "cancelled", "skipped")
NO_OUTPUT = "The preview produced no output; see the workflow run's log."


def tail_that_fits(text: str, budget: int) -> str:
    """The longest end of ``text`` that fits in ``budget`` characters once fenced.

    The fence grows with the longest backtick run kept, so a text of backticks alone keeps
    about a third of ``budget``. Keeping less never costs more, so a binary search finds it.
    """
    if len(fenced(text)) <= budget:
        return text
    fits, too_long = 0, len(text)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if len(fenced(text[-middle:])) <= budget:
            fits = middle
        else:
            too_long = middle
    return text[-fits:] if fits else ""


def comment_body(output: str | None, stack: str, result: str) -> str:
    """The whole comment: marker, header, the preview's output fenced (its end, if long)."""
    result = result if result in RESULTS else "unknown"
    header = (
        f"{MARKER}\n#### {inline_code('pulumi preview --diff --refresh')} of "
        f"{inline_code(stack)}: {result}\n\n"
    )
    if not output:
        return header + NO_OUTPUT + "\n"
    kept = tail_that_fits(output, COMMENT_LIMIT - RESERVED - len(header))
    body = header + fenced(kept)
    if len(kept) < len(output):
        body += (
            f"\nThe first {len(output) - len(kept):,} characters were cut; the whole output is "
            "the `preview` artifact of the workflow run.\n"
        )
    return body


def fleet_comment_body(report_text: str | None, result: str) -> str:
    """The fleet preview's comment: marker, header, the summary table of its JSON report
    (rendered here, by the base branch's code, from the report's data)."""
    result = result if result in RESULTS else "unknown"
    header = f"{_md.FLEET_MARKER}\n"
    try:
        report = json.loads(report_text) if report_text else None
    except ValueError:
        report = None
    if not isinstance(report, dict):
        return (
            header
            + f"#### {inline_code('aoai-deploy fleet preview')}: {result}\n\n"
            + "The fleet preview wrote no report; see the workflow run's log.\n"
        )
    body = header + _md.summary_markdown(
        report, title=f"{inline_code('aoai-deploy fleet preview')}: {result}"
    )
    if len(body) > COMMENT_LIMIT - RESERVED:
        body = body[: COMMENT_LIMIT - RESERVED].rsplit("\n", 1)[0] + "\n"
        body += "\nThe table was cut; the whole report is the workflow run's artifact.\n"
    return body


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "--fleet":
        source = Path(argv[1])
        text = source.read_text(errors="replace") if source.is_file() else None
        sys.stdout.write(fleet_comment_body(text, argv[2]))
        return 0
    if len(argv) != 3:
        print("usage: preview_comment.py PREVIEW_OUTPUT STACK RESULT", file=sys.stderr)
        return 64
    path, stack, result = argv
    source = Path(path)
    output = source.read_text(errors="replace") if source.is_file() else None
    sys.stdout.write(comment_body(output, stack, result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
