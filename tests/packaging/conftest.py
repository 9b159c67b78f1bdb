"""Fixtures of the packaging tests: the project's wheel, built once per session.

Helpers (building, fresh virtual environments) live in tests/support/packaging_env.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from packaging_env import build_wheel


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from a copy of the repository's source."""
    return build_wheel(tmp_path_factory.mktemp("wheel"))
