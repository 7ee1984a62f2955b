"""Build pydantic models without re-validating values that already have their declared types.

Scoring builds several result models per evaluation from values it has computed itself. For a value
whose type is exactly the declared one (a ``str`` for ``str``, a ``float`` for ``float``, a ``dict`` of
``str`` keys for ``dict[str, Any]``, a list of exact model instances for ``list[Model]``, a member of a
``Literal``), pydantic's validation returns an equal value of the same type, so
``Model.model_construct(**values)`` gives a model equal to ``Model(**values)``, with the same fields set.
:func:`build` checks every value against its field's annotation and validates as usual whenever one
does not match exactly (an ``int`` for a ``float`` field, which validation turns into ``1.0``; an
unknown field; an annotation this module does not know).

Examples
--------
>>> from pydantic import BaseModel
>>> class M(BaseModel):
...     x: float
...     tags: list[str] = []
>>> build(M, x=1.5).x, build(M, x=1).x
(1.5, 1.0)
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar, Union

from pydantic import BaseModel

__all__ = ["build"]

M = TypeVar("M", bound=BaseModel)
Check = Callable[[Any], bool]


def build(model: type[M], /, **values: Any) -> M:
    """``model(**values)``, constructed without validation when every value has exactly its field's type."""
    eligible = _checks(model)
    if eligible is not None and eligible[1] <= values.keys():
        checks = eligible[0]
        for name, value in values.items():
            check = checks.get(name)
            if check is None or not check(value):
                break
        else:
            return model.model_construct(**values)
    return model(**values)


@functools.cache
def _checks(model: type[BaseModel]) -> tuple[dict[str, Check], frozenset[str]] | None:
    """Per field, a test that a value needs no conversion, and the required fields (``None``: the
    model is not eligible)."""
    if model.model_config.get("extra") not in (None, "ignore") or model.__pydantic_decorators__.model_validators:
        return None
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or decorators.field_serializers or decorators.validators or decorators.root_validators:
        return None
    out: dict[str, Check] = {}
    for name, info in model.model_fields.items():
        if info.alias not in (None, name) or info.metadata:
            continue  # such a field always goes through validation
        check = _check(info.annotation)
        if check is not None:
            out[name] = check
    return out, frozenset(name for name, info in model.model_fields.items() if info.is_required())


def _check(annotation: Any) -> Check | None:
    """A test that a value of ``annotation`` comes out of validation unchanged; ``None`` if unknown."""
    if annotation is Any:
        return _anything
    if annotation in (str, float, bool):
        return _exact(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal and all(type(a) is str for a in args):
        allowed = frozenset(args)
        return lambda value: type(value) is str and value in allowed
    if origin in (Union, types.UnionType):
        parts = [_check(a) for a in args if a is not type(None)]
        if any(p is None for p in parts) or len(parts) != len(args) - (type(None) in args):
            return None
        checks = [p for p in parts if p is not None]
        nullable = type(None) in args
        return lambda value: (nullable and value is None) or any(c(value) for c in checks)
    if origin is list and len(args) == 1:
        inner = _check(args[0])
        if inner is None:
            return None
        return lambda value: type(value) is list and all(inner(v) for v in value)
    if origin is dict and len(args) == 2 and args[0] is str:
        item = _check(args[1])
        if item is None:
            return None
        if item is _anything:
            return lambda value: type(value) is dict and all(type(k) is str for k in value)
        return lambda value: type(value) is dict and all(type(k) is str and item(v) for k, v in value.items())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.model_config.get("revalidate_instances", "never") != "never":
            return None
        return _exact(annotation)
    return None


def _anything(value: Any) -> bool:
    return True


def _exact(kind: type) -> Check:
    return lambda value: type(value) is kind
