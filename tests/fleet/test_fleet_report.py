"""The report (what --only-failed resumes from), the Markdown summary, the GitHub matrix and
ring gates."""

from __future__ import annotations

import json
import re
import time
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import pytest

from aoai_deploy.fleet.github import MATRIX_LIMIT, MatrixError, gate, github_outputs, matrix
from aoai_deploy.fleet.markdown import FLEET_MARKER, summary_markdown, table_cell
from aoai_deploy.fleet.outcome import Outcome, first_error
from aoai_deploy.fleet.report import left_to_do, load_report, merge_reports, record, write_report
from aoai_deploy.fleet.runner import RunResult
from aoai_deploy.fleet.spec import parse_fleet
from fleet_files import REPO, small_fleet

SCRIPT = REPO / "scripts" / "preview_comment.py"


def _load_script():
    spec = spec_from_file_location("preview_comment_for_fleet_tests", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


comment = _load_script()
FLEET = parse_fleet(small_fleet([("a", "canary"), ("b", 1), ("c", 1), ("d", 2)]))


def outcome(key: str, result: str, operation: str = "up", **fields) -> Outcome:
    ring = FLEET.customer(key).ring
    made = Outcome(key, ring, operation, started=time.time(), result=result)
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def run_of(*outcomes: Outcome, operation: str = "up") -> RunResult:
    return RunResult(operation, outcomes=list(outcomes), finished=time.time())


def test_a_run_replaces_the_entries_of_its_customers_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    first = record(None, FLEET, run_of(*(outcome(k, "succeeded") for k in "abcd")), {})
    write_report(path, first)
    second = record(load_report(path), FLEET, run_of(outcome("b", "failed", error="x")), {"t": 1})
    assert {k: e["result"] for k, e in second["customers"].items()} == {
        "a": "succeeded",
        "b": "failed",
        "c": "succeeded",
        "d": "succeeded",
    }
    assert second["lastRun"]["selected"] == ["b"]
    assert second["lastRun"]["tokensAcquired"] == {"t": 1}


def test_only_failed_takes_what_is_left_failed_cancelled_not_started_or_never_run() -> None:
    report = record(
        None,
        FLEET,
        run_of(
            outcome("a", "succeeded"),
            outcome("b", "failed"),
            outcome("c", "not-started"),
        ),
        {},
    )
    assert [c.key for c in left_to_do(FLEET, report, "up")] == ["b", "c", "d"]
    # A successful preview is not a deployment.
    preview = record(None, FLEET, run_of(*(outcome(k, "succeeded", "preview") for k in "abcd")), {})
    assert [c.key for c in left_to_do(FLEET, preview, "up")] == ["a", "b", "c", "d"]


def test_a_file_that_is_not_a_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"customers": {}}))
    with pytest.raises(ValueError, match="not an aoai-deploy fleet report"):
        load_report(path)


def test_per_customer_reports_merge_into_one_latest_entry_each() -> None:
    early = record(None, FLEET, run_of(outcome("a", "failed")), {"t": 1})
    time.sleep(0.01)
    late = record(None, FLEET, run_of(outcome("a", "succeeded")), {"t": 1})
    other = record(None, FLEET, run_of(outcome("b", "succeeded")), {"t": 1})
    merged = merge_reports([late, other, early], FLEET)
    assert {k: e["result"] for k, e in merged["customers"].items()} == {
        "a": "succeeded",
        "b": "succeeded",
        "c": "no report",
        "d": "no report",
    }
    assert merged["lastRun"]["tokensAcquired"] == {"t": 3}
    assert merged["lastRun"]["selected"] == ["a", "b"]


def test_the_gate_counts_a_customer_without_a_report_as_failed() -> None:
    report = merge_reports([record(None, FLEET, run_of(outcome("b", "succeeded")), {})], FLEET)
    passed, lines = gate(FLEET, "1", report)
    assert not passed  # maxFailures 0, and c never wrote a report
    assert lines == ["c: no report (its job failed before writing one)"]


def test_the_matrix_lists_each_ring_jobs_customers_and_the_parallelism() -> None:
    values = matrix(FLEET)
    assert values == {
        "max-parallel": 2,
        "max-failures": 0,
        "ring-canary": ["a"],
        "ring-1": ["b", "c"],
        "ring-2": ["d"],
        "ring-3": [],
    }
    assert 'ring-1=["b","c"]\n' in github_outputs(values)


def test_the_matrix_refuses_more_rings_than_the_workflow_has_jobs_for_and_256_per_ring() -> None:
    many = small_fleet([(f"c{n}", 1) for n in range(MATRIX_LIMIT + 1)] + [("x", 4)], tenants=3)
    many["customers"] += [{**many["customers"][0], "key": f"r{n}", "ring": n} for n in (2, 3)]
    with pytest.raises(MatrixError) as caught:
        matrix(parse_fleet(many))
    text = str(caught.value)
    assert "ring 4: fleet.yml has jobs for canary, 1, 2, 3 only" in text
    assert f"ring 1 has {MATRIX_LIMIT + 1} customers; a GitHub matrix makes at most 256" in text


# -- Markdown: nothing in a value can turn into live markdown --------------------------------------

HOSTILE = [
    "```\n# Approved\n[click](https://evil.test)",
    "a | b | c",
    "<img src=x onerror=alert(1)>",
    "``two`` and `one`",
    "`starts and ends`",
]


def _cells(row: str) -> list[str]:
    # GFM splits a row at pipes not escaped by a backslash.
    return re.split(r"(?<!\\)\|", row.strip().strip("|"))


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_is_one_code_span_on_one_line_whatever_the_text_holds(text: str) -> None:
    cell = table_cell(text)
    assert "\n" not in cell
    assert len(_cells(f"| {cell} |")) == 1
    ticks = re.match(r"`+", cell)
    assert ticks is not None
    assert cell.endswith(ticks[0])
    inner = cell[len(ticks[0]) : -len(ticks[0])]
    assert ticks[0] not in inner  # no run inside closes the span early


def test_every_summary_row_keeps_its_seven_cells_with_hostile_values() -> None:
    outcomes = [
        outcome("a", "failed", error=HOSTILE[0], hint=HOSTILE[1]),
        outcome("b", "succeeded", changed=[HOSTILE[2], HOSTILE[3]], changes={"update": 1}),
    ]
    text = summary_markdown(record(None, FLEET, run_of(*outcomes), {}))
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 3
    assert all(len(_cells(row)) == 7 for row in rows)
    # Outside code spans (CommonMark: a run of backticks closed by a run of the same length)
    # nothing of the values is left: no HTML, no link, no heading.
    outside = re.sub(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", text)
    for leaked in ("<img", "evil.test", "# Approved", "two"):
        assert leaked not in outside


def test_preview_comment_renders_the_fleet_summary_from_the_report(tmp_path: Path) -> None:
    report = record(None, FLEET, run_of(outcome("a", "succeeded", "preview")), {})
    body = comment.fleet_comment_body(json.dumps(report), "success")
    assert body.startswith(FLEET_MARKER + "\n")
    assert "| `a` | `canary` | `succeeded` |" in body
    # One fence rule: the script's own functions are the fleet module's.
    assert comment.inline_code is not None
    assert comment.fenced("x```y").startswith("````")
    assert "wrote no report" in comment.fleet_comment_body(None, "failure")
    assert SCRIPT.is_file()


def test_the_first_error_line_drops_the_traceback_and_keeps_the_hint() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "    return fn(self, request, context)\n"
        "           ^^^^^^^^^^\n"
        "aoai_deploy.providers.errors.ArmAuthorizationError: updating /x: AuthorizationFailed: no\n"
        "The deploying identity needs the role.\n"
    )
    assert first_error(text) == (
        "updating /x: AuthorizationFailed: no",
        "The deploying identity needs the role.",
    )


@pytest.mark.parametrize(
    "argv",
    [["status"], ["up", "--only-failed"]],
    ids=["status", "up --only-failed"],
)
def test_a_file_that_is_not_a_report_stops_the_command_naming_it_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    from aoai_deploy.fleet.cli import main

    fleet_file = tmp_path / "fleet.yaml"
    fleet_file.write_text(json.dumps(small_fleet([("a", "canary")])), encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_text("[]", encoding="utf-8")
    # No pulumi is given or needed: the report is read before any stack is touched.
    code = main(["fleet", argv[0], str(fleet_file), "--report", str(report), *argv[1:]])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"aoai-deploy fleet {argv[0]}: ")
    assert f"{report} is not an aoai-deploy fleet report" in err
