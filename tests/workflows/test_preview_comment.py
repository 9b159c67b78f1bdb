"""scripts/preview_comment.py: the preview's output stays text in the bot's comment.

The output is fenced; these tests read the comment back with CommonMark's rule for where a
fenced code block ends (spec 0.31, "Fenced code blocks": a line indented at most three spaces
holding a run of the opening character at least as long as the opening fence, then only
spaces or tabs) and check that the block holds exactly the output and ends where the script
closed it, for outputs written to break out.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

import pytest
from workflow_rules import REPO

SCRIPT = REPO / "scripts" / "preview_comment.py"


def _load() -> ModuleType:
    spec = spec_from_file_location("preview_comment", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


comment = _load()

_LINE_ENDINGS = re.compile(r"\r\n|\n|\r")
_OPENING = re.compile(r" {0,3}(`{3,}|~{3,})([^`]*)")


def code_block(body: str) -> tuple[str, str, str]:
    """``(before, content, after)``: the body around its first fenced code block, as a
    CommonMark parser splits it. An unclosed block runs to the end (``after`` is empty)."""
    lines = _LINE_ENDINGS.split(body)
    found = [(n, m) for n, line in enumerate(lines) if (m := _OPENING.fullmatch(line))]
    assert found, "no fenced code block"
    start, opening = found[0]
    fence = opening[1]
    closing = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
    for end in range(start + 1, len(lines)):
        if closing.fullmatch(lines[end]):
            content = "\n".join(lines[start + 1 : end])
            return "\n".join(lines[:start]), content, "\n".join(lines[end + 1 :])
    return "\n".join(lines[:start]), "\n".join(lines[start + 1 :]), ""


HOSTILE = {
    "three backticks": "before\n```\n# Approved by the security team\n[click](https://evil.test)\n",
    "four backticks": "````\n<img src=x onerror=alert(1)>\n````\n",
    "ten backticks": "x\n``````````\n**live**\n",
    "a closing fence with an info string": "```text\n```\n",
    "an indented closing fence": "   ``````\n",
    "a run inside a line": "name: a```b``````c\n```````\n",
    "tildes": "~~~\n~~~~~~~~\n# heading\n",
    "HTML that would end a pre block": "</code></pre><script>alert(1)</script>\n<details open>\n",
    "the marker itself": f"{comment.MARKER}\n```\n",
    "carriage returns as line endings": "a\r```\r# live\r",
    "no final newline": "tail ```",
    "only backticks": "`" * 40,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_output_is_one_code_block_that_nothing_in_it_can_close(text: str) -> None:
    body = comment.comment_body(text, "example-azure", "success")
    before, content, after = code_block(body)

    assert before.startswith(comment.MARKER)
    assert _LINE_ENDINGS.split(content) == _LINE_ENDINGS.split(text.rstrip("\r\n"))
    assert after == ""  # the block ends at the fence the script wrote, the body's last line


def test_the_reader_sees_each_breakout_a_three_backtick_fence_allowed() -> None:
    # The comment as preview.yml wrote it before (a fence of three): every output with a line
    # of three or more backticks escaped it; tildes, HTML and a run inside a line did not.
    escaped = set()
    for name, text in HOSTILE.items():
        _, content, after = code_block(f"{comment.MARKER}\n\n```\n{text}\n```\n")
        if content.rstrip("\n") != text.rstrip("\r\n") or after.strip():
            escaped.add(name)
    assert escaped == set(HOSTILE) - {
        "tildes",
        "HTML that would end a pre block",
        "no final newline",
    }


def test_the_fence_is_longer_than_the_longest_run_of_backticks() -> None:
    assert comment.fence_for("plain") == "```"
    assert comment.fence_for("a ``` b") == "````"
    assert comment.fence_for("``````````") == "`" * 11
    assert comment.fence_for("~~~~~~~~") == "```"


def test_a_stack_name_with_backticks_stays_inside_its_code_span() -> None:
    assert comment.inline_code("example-azure") == "`example-azure`"
    assert comment.inline_code("a`b") == "``a`b``"
    assert comment.inline_code("`x") == "`` `x ``"


def test_an_unknown_result_is_not_echoed() -> None:
    body = comment.comment_body("x", "s", "success\n# injected")
    assert "injected" not in body
    assert ": unknown\n" in body


def test_a_long_output_keeps_its_end_within_githubs_limit_and_says_what_was_cut() -> None:
    text = "".join(f"line {n}\n" for n in range(20000)) + "Resources: 3 unchanged\n"
    body = comment.comment_body(text, "example-azure", "success")
    _, content, after = code_block(body)

    assert len(body) <= comment.COMMENT_LIMIT
    assert content.endswith("Resources: 3 unchanged")
    assert text.endswith(content + "\n")
    cut = len(text) - len(content) - 1
    assert f"The first {cut:,} characters were cut" in after


def test_an_output_of_backticks_alone_still_fits_and_stays_fenced() -> None:
    text = "`" * 70000
    body = comment.comment_body(text, "example-azure", "failure")
    _, content, after = code_block(body)

    assert len(body) <= comment.COMMENT_LIMIT
    assert content
    assert text.endswith(content)
    assert "were cut" in after
    assert "`" not in after.split("were cut")[0][-20:]


def test_the_script_writes_the_comment_and_says_so_when_there_was_no_output(
    tmp_path: Path,
) -> None:
    output = tmp_path / "preview.txt"
    output.write_text("a\n```\nb\n")

    def run(path: Path) -> str:
        done = subprocess.run(
            [sys.executable, str(SCRIPT), str(path), "example-azure", "failure"],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    assert run(output) == comment.comment_body("a\n```\nb\n", "example-azure", "failure")
    assert comment.NO_OUTPUT in run(tmp_path / "missing.txt")
