"""The one error tree of riskeval: every error raised on purpose is a :class:`RiskevalError`.

Each error carries a stable ``code`` (a message-catalogue key), its ``params``, a ``location``
where it has one (``file:line:column`` for YAML, sheet/row/column for tables), the list of
``problems`` when one input had several, ``message(lang)`` in Chinese (default) or English,
and ``to_dict(lang)``: the JSON that the HTTP service returns.

The families under the base are siblings: ``RuleSetError``, ``ProjectError``, ``EngineError``,
``GateError`` (the refusals), ``LedgerError`` (a broken or busy ledger is not a refusal),
``InputError`` (a file or table that cannot be read) and expert_pool's ``PoolError``.

Exit codes of the ``riskeval`` command come from one table (:func:`exit_code_for`):

=====  ==========================================================================
code   meaning
=====  ==========================================================================
0      success
1      validation problems, refusals, failed rows, a ledger that does not verify
2      usage errors and input that cannot be read at all (missing file, bad key)
3      an internal error (a bug): no input may cause it
=====  ==========================================================================

Examples
--------
>>> from riskeval.i18n import register_messages
>>> register_messages({"doctest.errors.too_big": {"zh": "数值 {value} 过大", "en": "value {value} is too big"}})
>>> err = RiskevalError("doctest.errors.too_big", value=7, location=Location(file="a.yaml", line=3, column=5))
>>> print(err.render("en"))
a.yaml:3:5: value 7 is too big
>>> err.to_dict("en")["location"]
{'file': 'a.yaml', 'line': 3, 'column': 5}
>>> exit_code_for(err), exit_code_for(KeyError("x"))
(1, 3)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Protocol, runtime_checkable

from .i18n import normalize_lang, register_messages, t

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "InputError",
    "Location",
    "ProblemLike",
    "RiskevalError",
    "exit_code_for",
    "exit_code_table",
    "jsonable",
]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

register_messages(
    {
        "riskeval.error": {"zh": "riskeval 错误", "en": "riskeval error"},
        "location.table": {"zh": "{where}第 {row} 行", "en": "{where}row {row}"},
        "location.table_field": {"zh": "{where}第 {row} 行，列“{field}”", "en": "{where}row {row}, column '{field}'"},
        "location.field": {"zh": "{where}字段“{field}”", "en": "{where}field '{field}'"},
        "punct.colon": {"zh": "：", "en": ": "},
        "punct.list": {"zh": "；", "en": "; "},
        "punct.enum": {"zh": "、", "en": ", "},
        "punct.aside": {"zh": "，{text}", "en": ", {text}"},
        "severity.warning": {"zh": "警告：", "en": "warning: "},
        "word.yes": {"zh": "是", "en": "yes"},
        "input.not_found": {"zh": "文件不存在：{path}", "en": "no such file: {path}"},
        "input.unreadable": {"zh": "无法读取文件 {path}：{detail}", "en": "cannot read {path}: {detail}"},
    }
)


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file position (``line``/``column``, 1-based) or a table cell.

    Examples
    --------
    >>> Location(file="p.csv", row=4, field="opposition_rate").render("en")
    "p.csv: row 4, column 'opposition_rate'"
    >>> Location(file="p.csv", sheet="项目", row=4).render()
    'p.csv[项目]：第 4 行'
    >>> Location(file="t.xlsx", sheet="评估细则", row=14, cell="D14").render()
    't.xlsx：评估细则!D14'
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    row: int | None = None
    field: str | None = None
    cell: str | None = None

    def render(self, lang: str = "zh") -> str:
        """``file:line:column``, ``file[sheet]: row N, column 'F'`` for tables, ``file：sheet!D14`` for a cell."""
        lang = normalize_lang(lang)
        if self.cell is not None:  # a spreadsheet cell, as Excel names it: 评估细则!D14
            ref = f"{self.sheet}!{self.cell}" if self.sheet else self.cell
            return f"{self.file}{t('punct.colon', lang)}{ref}" if self.file else ref
        head = self.file or ""
        if self.sheet:
            head = f"{head}[{self.sheet}]"
        if self.line is not None:
            col = f":{self.column}" if self.column is not None else ""
            return f"{head}:{self.line}{col}" if head else f"{self.line}{col}"
        where = (head + t("punct.colon", lang)) if head else ""
        if self.row is not None:
            if self.field:
                return t("location.table_field", lang, where=where, row=self.row, field=self.field)
            return t("location.table", lang, where=where, row=self.row)
        if self.field:
            return t("location.field", lang, where=where, field=self.field)
        return head

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@runtime_checkable
class ProblemLike(Protocol):
    """One of several problems carried by an error (a rule-file problem, a project problem)."""

    def message(self, lang: str = "zh") -> str: ...

    def render(self, lang: str = "zh") -> str: ...


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (objects with ``to_dict`` or ``short`` rendered, the rest as text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset) and not isinstance(value, bytes | bytearray):
        return [jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    return str(value)


class RiskevalError(Exception):
    """Base of every error riskeval raises on purpose.

    Parameters
    ----------
    code
        The stable code: a key of the message catalogue (defaults to the class's ``code``).
    location
        Where the problem is, if it has a place.
    problems
        Several problems found in one input, reported together.
    **params
        The message parameters.
    """

    code: str = "riskeval.error"
    #: the exit code of the ``riskeval`` command for this kind of error
    exit_code: ClassVar[int] = EXIT_PROBLEMS

    def __init__(
        self,
        code: str | None = None,
        /,
        *,
        location: Location | None = None,
        problems: Iterable[ProblemLike] = (),
        **params: Any,
    ) -> None:
        if code is not None:
            self.code = code
        self.params: dict[str, Any] = dict(params)
        self.location = location
        self.problems: list[Any] = list(problems)
        super().__init__(self.code)

    # Subclasses with their own message logic override ``message``; ``render`` and ``to_dict`` follow.
    def message(self, lang: str | None = "zh") -> str:
        """The message in Chinese (``"zh"``, default) or English (``"en"``), without the location."""
        lang = normalize_lang(lang)
        params = {k: (v.short(lang) if hasattr(v, "short") else v) for k, v in self.params.items()}
        return t(self.code, lang, **params)

    def render(self, lang: str = "zh") -> str:
        """The message with its location, then one line per problem."""
        lang = normalize_lang(lang)
        lines: list[str] = []
        if self.problems:
            lines.extend(p.render(lang) for p in self.problems)
        else:
            where = self.location.render(lang) if self.location is not None else ""
            file_position = self.location is not None and self.location.line is not None
            sep = ": " if file_position else t("punct.colon", lang)
            lines.append(f"{where}{sep}{self.message(lang)}" if where else self.message(lang))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render("zh")

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """``{"type", "code", "message", "params", "location", "problems"}`` as plain JSON data."""
        lang = normalize_lang(lang)
        out: dict[str, Any] = {
            "type": type(self).__name__,
            "code": self.code,
            "message": self.message(lang),
            "params": jsonable(self.params),
            "location": self.location.to_dict() if self.location is not None else None,
        }
        if self.problems:
            out["problems"] = [_problem_dict(p, lang) for p in self.problems]
        return out


def _problem_dict(problem: Any, lang: str) -> dict[str, Any]:
    if hasattr(problem, "to_dict"):
        try:
            return dict(problem.to_dict(lang))
        except TypeError:
            return dict(problem.to_dict())
    return {"message": problem.message(lang), "text": problem.render(lang)}


class InputError(RiskevalError):
    """An input file or table that cannot be read at all (missing, not a table, undecodable)."""

    code = "input.unreadable"
    exit_code: ClassVar[int] = EXIT_USAGE


def exit_code_for(exc: BaseException) -> int:
    """The ``riskeval`` exit code for ``exc``: the class's ``exit_code``, 3 for anything unexpected."""
    if isinstance(exc, RiskevalError):
        return int(exc.exit_code)
    return EXIT_INTERNAL


def exit_code_table() -> list[tuple[str, int]]:
    """Every error class importable from riskeval and expert_pool with its exit code, sorted by name."""
    import riskeval

    classes: dict[str, type[RiskevalError]] = {}
    modules: list[Any] = [riskeval]
    try:
        import expert_pool

        modules.append(expert_pool)
    except ImportError:  # pragma: no cover - expert_pool ships in the same wheel
        pass
    for module in modules:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if isinstance(obj, type) and issubclass(obj, RiskevalError):
                classes[obj.__name__] = obj
    return sorted((name, int(cls.exit_code)) for name, cls in classes.items())
