"""Parsing cell values and turning pydantic's errors into located, catalogue-backed pool errors.

Examples
--------
>>> parse_int(" 3 ", "max_load"), parse_float("-2.5", "score"), parse_bool("是", "available", file="E.csv", row=2)
(3, -2.5, True)
>>> from expert_pool.models import Expert
>>> from pydantic import ValidationError
>>> try:
...     Expert(id="E1", unit="U1", max_load="two")
... except ValidationError as exc:
...     print(pydantic_error(exc, file="pool.yaml", line=4).render("en"))
pool.yaml:4, field 'max_load': value 'two' is not a whole number
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from expert_pool.errors import (
    InvalidValueError,
    MissingColumnError,
    PoolError,
    PoolFileError,
    ProblemCollector,
)
from expert_pool.models import CATEGORIES

__all__ = ["check", "parse_bool", "parse_float", "parse_int", "pydantic_error", "require"]

_T = TypeVar("_T")


def pydantic_error(exc: ValidationError, *, file: str | None, prefix: str = "",
                   where_of: Callable[[tuple[Any, ...]], dict[str, Any]] | None = None, **where: Any) -> PoolError:
    """The first pydantic problem as a located :class:`PoolError` with a catalogue message.

    Common pydantic error types get their own message (not an integer, too small, not a boolean, ...);
    any other is wrapped in ``pool.invalid_value.invalid`` with pydantic's text as detail.
    ``where_of(loc)`` positions YAML values.
    """
    err = exc.errors()[0]
    raw_loc = tuple(err.get("loc", ()))
    loc = ".".join(str(p) for p in raw_loc)
    field = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or "?")
    if where_of is not None:
        where = where_of(raw_loc)
    value = err.get("input")
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return MissingColumnError(field, file=file, **where)
    if kind == "extra_forbidden":
        return InvalidValueError(field, "", "unknown_key", key=loc, file=file, **where)
    if isinstance(value, dict | list):
        value = type(value).__name__
    if kind in ("greater_than_equal", "greater_than"):
        return InvalidValueError(field, value, "too_small", limit=ctx.get("ge", ctx.get("gt")), file=file, **where)
    reason = _PYDANTIC_REASONS.get(kind)
    if reason is None and kind == "value_error" and raw_loc[-1:] == ("category",):
        return InvalidValueError(field, value, "bad_category", choices=" / ".join(CATEGORIES), file=file, **where)
    if reason is None and kind == "value_error" and "min_load" in str(err.get("msg", "")):
        return InvalidValueError(field, "", "min_over_max", file=file, **where)
    if reason is not None:
        return InvalidValueError(field, value, reason, file=file, **where)
    return InvalidValueError(field, value, "invalid", detail=err.get("msg", "invalid"), file=file, **where)


_PYDANTIC_REASONS = {
    "int_parsing": "not_whole", "int_type": "not_whole", "int_from_float": "not_whole",
    "float_parsing": "not_number", "float_type": "not_number", "finite_number": "not_number",
    "bool_parsing": "not_boolean", "bool_type": "not_boolean",
    "string_too_short": "empty", "string_type": "not_text", "list_type": "not_list",
}


def parse_int(value: str, field: str, *, file: str | None = None, minimum: int = 0, **where: Any) -> int:
    """``value`` as an integer ``>= minimum`` (``"3.0"`` accepted); :class:`InvalidValueError` otherwise.

    >>> parse_int(" 3 ", "max_load"), parse_int("2.0", "max_load")
    (3, 2)
    """
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number != int(number) or number < minimum:
        raise InvalidValueError(field, value, "not_integer", minimum=minimum, file=file, **where)
    return int(number)


def parse_float(value: str, field: str, *, file: str | None = None, **where: Any) -> float:
    """``value`` as a finite number; :class:`InvalidValueError` otherwise.

    >>> parse_float("-2.5", "score")
    -2.5
    """
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidValueError(field, value, "not_number", file=file, **where)
    return number


_TRUE = {"1", "true", "yes", "y", "t", "是", "可用", "在岗"}
_FALSE = {"0", "false", "no", "n", "f", "否", "不可用", "暂停"}


def parse_bool(value: str, field: str, *, file: str, row: int) -> bool:
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidValueError(field, value, "not_boolean", file=file, row=row)


def require(record: Mapping[str, str], field: str, *, file: str, row: int) -> str:
    value = record.get(field, "")
    if not value:
        raise InvalidValueError(field, value, "empty", file=file, row=row)
    return value


def check(bag: ProblemCollector, func: Callable[..., _T], *args: Any, default: Any = None, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, or ``default`` after recording its :class:`PoolError` in ``bag``."""
    try:
        return func(*args, **kwargs)
    except PoolFileError:
        raise
    except PoolError as exc:
        bag.add(exc)
        return default


