"""The error a component raises for arguments it cannot use.

It joins the package's one error tree under :class:`~aoai_deploy.providers.InputError` (and is
a ``ValueError``, as bad arguments are in Python).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aoai_deploy.providers.errors import InputError

__all__ = ["ComponentArgsError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One unusable argument: where it is and what is wrong with it."""

    field: str
    """Path of the argument, e.g. ``deployments[1].sku_capacity``."""
    reason: str
    """What is wrong and, where known, what to do."""


class ComponentArgsError(InputError, ValueError):
    """A component was given arguments it cannot use; ``problems`` lists each one."""

    def __init__(self, component: str, name: str, problems: Sequence[Problem]) -> None:
        self.component = component
        self.name = name
        self.problems = tuple(problems)
        lines = "".join(f"\n  - {p.field}: {p.reason}" for p in self.problems)
        super().__init__(f"{component} {name!r}: invalid arguments:{lines}")
