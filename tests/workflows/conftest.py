"""The workflow files, parsed: shared by the workflow tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
NAMES = ("ci.yml", "preview.yml", "up.yml")


def load(text: str) -> dict[str, Any]:
    """A workflow as GitHub reads it. YAML 1.1 (PyYAML) reads the key ``on`` as ``True``."""
    data: dict[str, Any] = yaml.safe_load(text)
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="session")
def texts() -> dict[str, str]:
    """Each workflow's text, by file name; the folder holds exactly these."""
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == sorted(NAMES)
    return {name: (WORKFLOWS / name).read_text() for name in NAMES}


@pytest.fixture(scope="session")
def workflows(texts: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {name: load(text) for name, text in texts.items()}
