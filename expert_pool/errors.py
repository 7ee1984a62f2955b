"""Exception types of :mod:`expert_pool`.

Every error carries a Chinese and an English message; ``str(err)`` is the Chinese one (the
user-facing default) and ``err.message("en")`` gives the English one.  Errors about input files name
the file, the row (the line number as a spreadsheet shows it, header = row 1) and the field.

Examples
--------
>>> err = InvalidValueError("max_load", "abc", "不是非负整数", "is not a non-negative integer",
...                         file="E.csv", row=3)
>>> print(err)
E.csv 第 3 行，字段“max_load”：值“abc”不是非负整数
>>> print(err.message("en"))
E.csv, row 3, field 'max_load': value 'abc' is not a non-negative integer
>>> isinstance(err, PoolError), err.row, err.field
(True, 3, 'max_load')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskeval.errors import Location, RiskevalError

if TYPE_CHECKING:  # pragma: no cover
    from expert_pool.assign.explain import Explanation

__all__ = [
    "PoolError",
    "PoolFileError",
    "MissingColumnError",
    "InvalidValueError",
    "DuplicateIdError",
    "UnknownReferenceError",
    "PanelSizeError",
    "InvalidParameterError",
    "InfeasibleAssignment",
]


def _where(file: str | None, row: int | None, field: str | None, lang: str) -> str:
    parts: list[str] = []
    if lang == "en":
        if file:
            parts.append(str(file))
        if row is not None:
            parts.append(f"row {row}")
        if field:
            parts.append(f"field '{field}'")
        return ", ".join(parts)
    head = str(file) if file else ""
    if row is not None:
        head = f"{head} 第 {row} 行" if head else f"第 {row} 行"
    if field:
        head = f"{head}，字段“{field}”" if head else f"字段“{field}”"
    return head


class PoolError(RiskevalError):
    """Base class of all errors raised by :mod:`expert_pool`.

    Parameters
    ----------
    zh, en : str
        The message in Chinese and in English (without the location prefix).
    file, row, field : optional
        Where the problem is: file name, row (line number, header = 1) and field (column or key).
    """

    code = "pool_error"

    def __init__(
        self,
        zh: str,
        en: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.zh = zh
        self.en = en
        self.file = None if file is None else str(file)
        self.row = row
        self.field = field
        location = Location(file=self.file, row=row, field=field) if (file or row is not None or field) else None
        super().__init__(type(self).code, location=location)

    def __str__(self) -> str:
        return self.message("zh")

    def render(self, lang: str = "zh") -> str:
        return self.message(lang)

    def message(self, lang: str | None = "zh") -> str:
        """The full message in ``lang`` (``"zh"`` or ``"en"``), prefixed by its location."""
        lang = "en" if lang == "en" else "zh"
        text = self.en if lang == "en" else self.zh
        where = _where(self.file, self.row, self.field, lang)
        if not where:
            return text
        return f"{where}: {text}" if lang == "en" else f"{where}：{text}"

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """A JSON-friendly description (code, location, both messages)."""
        return super().to_dict(lang) | {
            "code": self.code,
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "zh": self.message("zh"),
            "en": self.message("en"),
        }


class PoolFileError(PoolError):
    """A file cannot be read or parsed (missing, not UTF-8, YAML syntax, wrong top-level shape)."""

    code = "file"


class MissingColumnError(PoolError):
    """A required CSV column or YAML key is absent."""

    code = "missing_column"

    def __init__(self, field: str, *, file: str | None = None, row: int | None = None) -> None:
        super().__init__("缺少必填列或字段", "required column or key is missing", file=file, row=row, field=field)


class InvalidValueError(PoolError):
    """A value has the wrong type or is out of range."""

    code = "invalid_value"

    def __init__(
        self,
        field: str,
        value: Any,
        zh_reason: str,
        en_reason: str,
        *,
        file: str | None = None,
        row: int | None = None,
    ) -> None:
        self.value = value
        super().__init__(
            f"值“{value}”{zh_reason}", f"value '{value}' {en_reason}", file=file, row=row, field=field
        )


class DuplicateIdError(PoolError):
    """An identifier (unit, expert, project, or affinity/conflict pair) occurs twice."""

    code = "duplicate_id"

    def __init__(self, field: str, value: Any, first_row: int | None, *, file: str | None = None,
                 row: int | None = None) -> None:
        self.value = value
        zh_first = f"（首次出现在第 {first_row} 行）" if first_row is not None else ""
        en_first = f" (first seen in row {first_row})" if first_row is not None else ""
        super().__init__(f"标识“{value}”重复{zh_first}", f"duplicate identifier '{value}'{en_first}",
                         file=file, row=row, field=field)


class UnknownReferenceError(PoolError):
    """A reference to a unit, expert or project that does not exist."""

    code = "unknown_reference"

    def __init__(self, field: str, value: Any, zh_kind: str, en_kind: str, *, file: str | None = None,
                 row: int | None = None) -> None:
        self.value = value
        super().__init__(f"未知的{zh_kind}“{value}”", f"unknown {en_kind} '{value}'", file=file, row=row,
                         field=field)


class PanelSizeError(PoolError):
    """The panel size of a project is missing or invalid (e.g. returned by a rule set's panel-size rule)."""

    code = "panel_size"


class InvalidParameterError(PoolError):
    """An argument of :func:`expert_pool.assign` (or a CLI option) is invalid."""

    code = "invalid_parameter"


class InfeasibleAssignment(PoolError):
    """No assignment satisfies all constraints.

    Attributes
    ----------
    explanation : Explanation
        The reasons, each naming the projects (and experts or units) and the binding constraint.
    """

    code = "infeasible"

    def __init__(self, explanation: Explanation) -> None:
        self.explanation = explanation
        super().__init__(explanation.text("zh"), explanation.text("en"))
