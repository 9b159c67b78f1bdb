#!/usr/bin/env python3
"""Write docs/components.md: the reference of the component's arguments, from the code.

Every field of the argument dataclasses in ``components/args.py`` (its type hint, default
and the docstring under it) becomes a row; the package's schema reads the same things
(``aoai_deploy.plugin.typeinfo``), so the reference, the schema and the code cannot drift
apart. tests/docs/test_docs_components.py fails when the file is not what this writes.

    .venv/bin/python scripts/component_reference.py
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path

from aoai_deploy.components import args as component_args
from aoai_deploy.plugin.typeinfo import attribute_docs

DOC = Path(__file__).resolve().parents[1] / "docs" / "components.md"

#: The argument classes, in the order a reader meets them.
CLASSES = (
    component_args.FineTunedModelDeploymentArgs,
    component_args.ModelDeploymentArgs,
    component_args.DestinationAccountArgs,
    component_args.RoleAssignmentArgs,
)
_NAMES = {cls.__name__ for cls in CLASSES}

_HEADER = """\
# `FineTunedModelDeployment` arguments

Written by `scripts/component_reference.py` from `components/args.py`: each argument's type,
default and the docstring under it in the code (`tests/docs/test_docs_components.py` fails
when this page and the code differ). In Python these are the dataclasses'
fields; through the package (YAML and other languages) the same arguments are spelled in
camelCase (`sku_capacity` is `skuCapacity`).

A type `Input[...]` takes a plain value or a `pulumi.Output`; a plain type must be known when
the program runs (the component validates it before it registers anything). "unset" is
`None`: the argument is not sent, and what that means is in its description.
"""


def _anchor(name: str) -> str:
    return name.lower()


def type_text(annotation: str) -> str:
    """A field's annotation as the reference shows it: without ``pulumi.`` and without
    ``| None`` (the default column says whether it may be unset), and a link to each
    argument class it names."""
    text = annotation.replace("pulumi.", "").replace(" | None", "")
    named = [name for name in sorted(_NAMES) if re.search(rf"\b{name}\b", text)]
    links = ", ".join(f"[{name}](#{_anchor(name)})" for name in named)
    return f"`{text}`" + (f" (see {links})" if links else "")


def default_text(field: dataclasses.Field[object]) -> str:
    if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
        return "required"
    if field.default is None:
        return "unset"
    value = field.default
    return f'`"{value}"`' if isinstance(value, str) else f"`{value!r}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def rows(cls: type) -> list[tuple[str, str, str, str]]:
    """``(name, type, default, description)`` of each field of ``cls``, in order."""
    docs = attribute_docs(cls)
    annotations = inspect.get_annotations(cls)
    return [
        (f.name, type_text(str(annotations[f.name])), default_text(f), docs.get(f.name, ""))
        for f in dataclasses.fields(cls)
    ]


def _summary(cls: type) -> str:
    doc = inspect.cleandoc(cls.__doc__ or "")
    text = " ".join(doc.split("\n\n", 1)[0].split()).replace("``", "`")
    return re.sub(r":[a-z]+:`~?(?:[\w.]+\.)?(\w+)`", r"`\1`", text)


def render() -> str:
    parts = [_HEADER]
    for cls in CLASSES:
        parts.append(f"\n## {cls.__name__}\n\n{_summary(cls)}\n")
        parts.append("\n| argument | type | default | description |\n|---|---|---|---|\n")
        for name, type_, default, description in rows(cls):
            parts.append(f"| `{name}` | {type_} | {default} | {_cell(description)} |\n")
    return "".join(parts)


def main() -> int:
    DOC.write_text(render())
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
