"""The fault matrix, cell by cell: each fault the emulator injects, on each verb.

Every cell checks, besides the outcome in :data:`fault_matrix.EXPECTED` (see
:func:`fault_matrix.run_cell`): a failure reads ``<operation> <ARM id>: <ARM code>: ...``;
afterwards Azure holds nothing the stack does not know of except owner-tagged leftovers,
nothing recorded is gone, and the next run converges. No token reaches a log line or an
error message on the way.
"""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import FAULT_KINDS
from fault_matrix import KNOWN_BUGS, ROWS, VERBS, Row, cells, expected, run_cell
from secret_scan import find_secrets, needles


def _params() -> list[object]:
    params: list[object] = []
    for row, verb in cells():
        bug = KNOWN_BUGS.get((row.key, verb))
        marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
        params.append(pytest.param(row, verb, id=f"{row.key}-{verb}", marks=marks))
    return params


@pytest.mark.parametrize(("row", "verb"), _params())
def test_fault_on_verb_ends_as_the_matrix_says(
    row: Row, verb: str, provider_logs: pytest.LogCaptureFixture
) -> None:
    cell = run_cell(row, verb)

    assert cell.outcome == expected(row, verb), cell.message
    haystacks = {"the logs": provider_logs.text, "the error": cell.message}
    assert find_secrets(haystacks, needles(cell.tokens)) == []


def test_every_fault_kind_the_emulator_injects_has_a_row_on_every_verb_it_applies_to() -> None:
    keys = {row.key for row in ROWS}

    for kind in FAULT_KINDS:
        assert any(key.startswith(kind) for key in keys), f"no row injects {kind!r}"
    assert {"conflict", "timeout"} <= keys
    transient = [row for row in ROWS if row.key in ("throttle", "error-500", "drop", "slow")]
    assert all(row.verbs == VERBS for row in transient)
