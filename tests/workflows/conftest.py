"""The workflow files, parsed: fixtures of the workflow tests."""

from __future__ import annotations

from typing import Any

import pytest
from workflow_rules import NAMES, WORKFLOWS, load


@pytest.fixture(scope="session")
def texts() -> dict[str, str]:
    """Each workflow's text, by file name; the folder holds exactly these."""
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == sorted(NAMES)
    return {name: (WORKFLOWS / name).read_text() for name in NAMES}


@pytest.fixture(scope="session")
def workflows(texts: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {name: load(text) for name, text in texts.items()}
