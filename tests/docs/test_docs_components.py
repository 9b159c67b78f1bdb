"""docs/components.md, the reference of the component's arguments, says what the code says.

Issue 15, item 6b: the component's arguments had no reference in the docs (a user read them
with ``inspect``). The page is written from ``components/args.py`` by
``scripts/component_reference.py``; regenerate it when an argument changes.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

import pytest

from aoai_deploy.components import args as component_args

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "components.md"
CLASSES = [
    component_args.FineTunedModelDeploymentArgs,
    component_args.ModelDeploymentArgs,
    component_args.DestinationAccountArgs,
    component_args.RoleAssignmentArgs,
]


def _script() -> ModuleType:
    spec = spec_from_file_location(
        "component_reference", REPO / "scripts" / "component_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table(page: str, heading: str) -> list[list[str]]:
    section = page.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def _docstrings(cls: type) -> dict[str, str]:
    """The docstring under each field, read from the source on its own (not by the script)."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    assert isinstance(body, ast.ClassDef)
    found: dict[str, str] = {}
    for statement, following in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
        ):
            found[statement.target.id] = " ".join(str(following.value.value).split())
    return found


def test_the_page_is_what_the_script_writes_from_the_code() -> None:
    assert PAGE.read_text() == _script().render(), (
        "docs/components.md is stale: run .venv/bin/python scripts/component_reference.py"
    )


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_each_table_lists_every_field_with_its_default_and_docstring(cls: type) -> None:
    rows = _table(PAGE.read_text(), cls.__name__)
    fields = dataclasses.fields(cls)
    docs = _docstrings(cls)

    assert [row[0] for row in rows] == [f"`{f.name}`" for f in fields]
    for row, field in zip(rows, fields, strict=True):
        required = field.default is dataclasses.MISSING
        assert (row[2] == "required") is required, field.name
        if field.default is None:
            assert row[2] == "unset", field.name
        description = row[3].replace("\\|", "|")
        assert description == docs[field.name].replace("``", "`"), field.name


def test_the_readme_links_the_reference() -> None:
    assert "(docs/components.md)" in (REPO / "README.md").read_text()
