#!/usr/bin/env python3
"""Write the pull-request comment that shows a `pulumi preview` (preview.yml's comment job).

    scripts/preview_comment.py PREVIEW_OUTPUT STACK RESULT > comment.md

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
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: The hidden first line by which the comment job finds its own comment to edit.
MARKER = "<!-- aoai-deploy preview -->"
#: GitHub's limit on a comment's body, in characters.
COMMENT_LIMIT = 65536
#: Room kept for the header and the note about a cut (both short).
RESERVED = 1024
#: The job results GitHub reports (`needs.<job>.result`).
RESULTS = ("success", "failure", "cancelled", "skipped")
NO_OUTPUT = "The preview produced no output; see the workflow run's log."


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


def main(argv: list[str]) -> int:
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
