"""One row of the fault matrix (``fault_matrix.py``): a fault, the verbs it applies to, how it
is injected and how a cell proves it hit. Its own module so that groups of rows
(``preflight_rows.py``) can be written apart from the matrix that runs them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aoai_deploy.providers import AoaiDeployError
from aoai_deploy.providers.azure.calls import RetryPolicy
from fault_lab import Lab

__all__ = ["OK", "POLICY", "Row"]

#: Retries of a cell unless its row says otherwise.
POLICY: Final = RetryPolicy(max_retries=3)
#: What a cell whose verb succeeded after the fault hit it shows.
OK: Final = "ok after retry"


@dataclass(frozen=True)
class Row:
    """One fault, as the matrix injects it."""

    key: str
    """Short id (test ids)."""
    label: str
    """The table's first column."""
    how: str
    """What exactly is injected, for the notes under the table."""
    verbs: tuple[str, ...]
    """The columns it applies to; the others are ``n/a``."""
    arrange: Callable[[Lab, str], None]
    """Injects the fault for a verb, right before that verb runs."""
    fired: Callable[[Lab, str, AoaiDeployError | None], bool]
    """Whether the fault actually hit the verb (a cell where it did not proves nothing)."""
    policy: RetryPolicy = POLICY
    inputs: Mapping[str, Any] = field(default_factory=dict)
    principal: str = "deployer"
    restore: Callable[[Lab], None] | None = None
    """Undo setting changes once the faulted verb has run."""
    settle_before_rerun: float = 0.0
    """Seconds (emulator clock) the user waits before running again."""
    config: Mapping[str, str] = field(default_factory=dict)
    """More ``aoai-deploy:*`` provider configuration (``{"aoai-deploy:preflight": "up"}``)."""
    ok: str = OK
    """What a cell whose verb succeeded shows."""
