"""What the component's typed arguments say about themselves, read from the code.

The package schema and the Construct front both need, for each field of the component's
argument dataclasses (``aoai_deploy.components.args``): its kind of value, whether it may be an
Output, whether it is required, and its description. All of that is in the code already: the
type hints, the dataclass defaults and the docstring under each field. This module reads it
there, so that neither the schema nor the argument conversion keeps a second copy.
"""

from __future__ import annotations

import ast
import collections.abc
import dataclasses
import functools
import inspect
import itertools
import re
import textwrap
import types
import typing
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi.output

from aoai_deploy.providers.core.schema import camel

__all__ = ["Shape", "attribute_docs", "component_outputs", "dataclass_fields", "shape_of"]

_NONE: Final = type(None)
# A Sphinx role such as :class:`~x.Y`: the schema's descriptions are Markdown.
_ROLE: Final = re.compile(r":[a-z]+:`~?")


@dataclass(frozen=True)
class Shape:
    """The kind of value a type hint allows, as a schema and a conversion need it."""

    kind: str
    """``string``, ``integer``, ``number``, ``boolean``, ``array``, ``map``, ``object``
    (a dataclass), ``provider`` (a provider resource) or ``any``."""
    plain: bool
    """Whether the value must be known when the program runs (not a ``pulumi.Input``)."""
    item: Shape | None = None
    """The items' shape, for ``array`` and ``map``."""
    cls: type | None = None
    """The dataclass, for ``object``."""


@dataclass(frozen=True)
class FieldInfo:
    """One field of an argument dataclass."""

    name: str
    """The Python name (``sku_capacity``)."""
    schema_name: str
    """The name in the schema (``skuCapacity``)."""
    shape: Shape
    required: bool
    description: str


_SCALARS: Final[dict[Any, str]] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def shape_of(hint: Any) -> Shape:
    """The shape of a resolved type hint (``pulumi.Input[str] | None`` is a string that may
    be an Output)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not _NONE]
        concrete = [a for a in args if not _is_deferred(a)]
        unique = list(dict.fromkeys(concrete))
        if len(unique) != 1:
            return Shape("any", plain=False)
        inner = shape_of(unique[0])
        return dataclasses.replace(inner, plain=len(concrete) == len(args) and inner.plain)
    if hint in _SCALARS:
        return Shape(_SCALARS[hint], plain=True)
    if origin in (dict, collections.abc.Mapping):
        return Shape("map", plain=True, item=shape_of(typing.get_args(hint)[1]))
    if origin in (list, collections.abc.Sequence):
        return Shape("array", plain=True, item=shape_of(typing.get_args(hint)[0]))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return Shape("object", plain=True, cls=hint)
    if isinstance(hint, type) and issubclass(hint, pulumi.ProviderResource):
        return Shape("provider", plain=True)
    return Shape("any", plain=False)


def _is_deferred(hint: Any) -> bool:
    """An ``Awaitable[...]`` or ``Output[...]``: the parts of ``pulumi.Input`` that may not be
    known yet."""
    origin = typing.get_origin(hint) or hint
    return origin in (collections.abc.Awaitable, pulumi.Output)


@functools.cache
def dataclass_fields(cls: type) -> tuple[FieldInfo, ...]:
    """The fields of an argument dataclass, in declaration order."""
    hints = typing.get_type_hints(cls, localns=vars(pulumi.output))
    docs = attribute_docs(cls)
    return tuple(
        FieldInfo(
            name=f.name,
            schema_name=camel(f.name),
            shape=shape_of(hints[f.name]),
            required=f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            description=docs.get(f.name, ""),
        )
        for f in dataclasses.fields(cls)
    )


@functools.cache
def component_outputs(cls: type) -> tuple[FieldInfo, ...]:
    """The outputs a component class declares (``name: pulumi.Output[...]`` in its body)."""
    hints = typing.get_type_hints(cls, localns=vars(pulumi.output))
    docs = attribute_docs(cls)
    fields = []
    for name in inspect.get_annotations(cls):
        if name.startswith("_"):
            continue
        output = typing.get_args(hints[name])
        fields.append(
            FieldInfo(
                name=name,
                schema_name=camel(name),
                shape=dataclasses.replace(shape_of(output[0] if output else Any), plain=False),
                required=False,
                description=docs.get(name, ""),
            )
        )
    return tuple(fields)


def attribute_docs(cls: type) -> dict[str, str]:
    """The docstring under each annotated attribute of ``cls``'s body, as one line each.

    Python keeps no attribute docstrings at run time; they are read from the source, which
    the wheel ships.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = _one_paragraph(following.value.value)
    return docs


def _one_paragraph(text: str) -> str:
    """A docstring as one line of text; reStructuredText literals lose their backquotes."""
    line = " ".join(inspect.cleandoc(text).split())
    return _ROLE.sub("`", line).replace("``", "`")
