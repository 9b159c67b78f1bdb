"""Fixtures of the fleet's tests (the helpers are fleet_files.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fleet_files import EXAMPLE


@pytest.fixture
def example_data() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text())


@pytest.fixture
def fleet_file(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """``fleet_file(data)``: ``data`` written as YAML; returns its path."""

    def write(data: dict[str, Any]) -> Path:
        path = tmp_path / "fleet.yaml"
        path.write_text(yaml.safe_dump(copy.deepcopy(data), sort_keys=False))
        return path

    return write
