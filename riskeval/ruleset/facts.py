"""Checking one fact value against its declaration (shared by rule files and projects).

Examples
--------
>>> from riskeval.model.rulefile import FactDecl
>>> decl = FactDecl(type="option", label="环境影响", options={"none": "不涉及", "nimby": "涉邻避"})
>>> coerce_fact_value(decl, "涉邻避")
'nimby'
>>> coerce_fact_value(FactDecl(type="number", label="反对率", min=0, max=100), "12.5")
12.5
"""

from __future__ import annotations

import math
from typing import Any

from ..i18n import register_messages
from ..model.rulefile import FactDecl
from .conditions import FactSpec

__all__ = ["FactValueError", "coerce_fact_value", "spec_of", "TRUE_WORDS", "FALSE_WORDS"]

TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "对"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "不"}

register_messages(
    {
        "value.not_number": {"zh": "应为数值，实际为 {value}", "en": "expected a number, got {value}"},
        "value.not_integer": {"zh": "应为整数，实际为 {value}", "en": "expected an integer, got {value}"},
        "value.not_bool": {"zh": "应为 true/false（是/否），实际为 {value}", "en": "expected true/false, got {value}"},
        "value.not_text": {"zh": "应为文本，实际为 {value}", "en": "expected text, got {value}"},
        "value.not_list": {"zh": "应为列表，实际为 {value}", "en": "expected a list, got {value}"},
        "value.below_min": {"zh": "{value} 小于下限 {min}", "en": "{value} is below the minimum {min}"},
        "value.above_max": {"zh": "{value} 大于上限 {max}", "en": "{value} is above the maximum {max}"},
        "value.bad_option": {"zh": "“{value}” 不是可选值（可选：{options}）", "en": "'{value}' is not an allowed option ({options})"},
    }
)


class FactValueError(ValueError):
    """A value that does not match its declaration; ``code`` and ``params`` form the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def spec_of(decl: FactDecl) -> FactSpec:
    """The parser's view of a declaration."""
    return FactSpec(decl.type, {o.code: o.label for o in decl.options}, decl.label)


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text[:60]


def coerce_fact_value(decl: FactDecl, value: Any) -> Any:
    """Return ``value`` in canonical form (option code, bool, float/int) or raise :class:`FactValueError`."""
    kind = decl.type
    if kind in ("number", "integer"):
        number: float | int
        if isinstance(value, bool):
            raise FactValueError("value.not_number", value=_shown(value))
        if isinstance(value, int | float):
            number = value
        elif isinstance(value, str):
            text = value.strip().rstrip("%").replace(",", "")
            try:
                number = float(text)
            except ValueError:
                raise FactValueError("value.not_number", value=_shown(value)) from None
        else:
            raise FactValueError("value.not_number", value=_shown(value))
        if isinstance(number, float) and not math.isfinite(number):
            raise FactValueError("value.not_number", value=_shown(value))
        if kind == "integer":
            if float(number) != int(number):
                raise FactValueError("value.not_integer", value=_shown(value))
            number = int(number)
        if decl.min is not None and number < decl.min:
            raise FactValueError("value.below_min", value=number, min=_num(decl.min))
        if decl.max is not None and number > decl.max:
            raise FactValueError("value.above_max", value=number, max=_num(decl.max))
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in TRUE_WORDS:
            return True
        if isinstance(value, str) and value.strip().lower() in FALSE_WORDS:
            return False
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise FactValueError("value.not_bool", value=_shown(value))
    if kind == "option":
        code = None
        if isinstance(value, str | int):
            text = str(value).strip()
            code = next((o.code for o in decl.options if o.code == text), None) or next(
                (o.code for o in decl.options if o.label == text), None
            )
        if code is None:
            options = ", ".join(f"{o.code}（{o.label}）" for o in decl.options)
            raise FactValueError("value.bad_option", value=str(value), options=options)
        return code
    if kind == "list":
        if isinstance(value, str):
            return [part.strip() for part in value.replace("；", ";").split(";") if part.strip()]
        if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
            return [str(v) for v in value]
        raise FactValueError("value.not_list", value=_shown(value))
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise FactValueError("value.not_text", value=_shown(value))


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x
