"""Exception types of :mod:`expert_pool`, all under :class:`riskeval.errors.RiskevalError`.

Every error has a stable ``code`` (a key of the message catalogue :mod:`riskeval.i18n`, registered
here), its ``params`` and, for input files, a :class:`~riskeval.errors.Location` (file and row, header =
row 1, and field for tables; file and line for YAML).  ``message(lang)`` is the text alone,
``render(lang)`` (and ``str(err)``, in Chinese) puts the location in front, ``to_dict(lang)`` is the JSON
form.  A loader that finds several bad rows raises one :class:`PoolInputError` whose ``problems`` list
each of them.

Exit codes (:func:`riskeval.errors.exit_code_for`): a file that cannot be read (:class:`PoolFileError`)
and an invalid argument or option (:class:`InvalidParameterError`) give 2, every other problem 1.

Examples
--------
>>> err = InvalidValueError("max_load", "abc", "not_integer", minimum=0, file="E.csv", row=3)
>>> print(err)
E.csv：第 3 行，列“max_load”：值“abc”不是≥0的整数
>>> print(err.render("en"))
E.csv: row 3, column 'max_load': value 'abc' is not an integer >= 0
>>> err.code, err.row, err.field, isinstance(err, PoolError)
('pool.invalid_value.not_integer', 3, 'max_load', True)
>>> both = PoolInputError([err, MissingColumnError("unit", file="E.csv", row=4)], file="E.csv")
>>> print(both.render("en"))
E.csv: 2 problems
  E.csv: row 3, column 'max_load': value 'abc' is not an integer >= 0
  E.csv: row 4, column 'unit': required column or key is missing
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from expert_pool import messages as _messages  # noqa: F401 - registers the error messages
from riskeval.errors import EXIT_USAGE, InputError, Location, RiskevalError, jsonable
from riskeval.i18n import normalize_lang, t

if TYPE_CHECKING:  # pragma: no cover
    from expert_pool.assign.explain import Explanation

__all__ = [
    "Cause",
    "PoolError",
    "PoolFileError",
    "PoolInputError",
    "MissingColumnError",
    "InvalidValueError",
    "DuplicateIdError",
    "UnknownReferenceError",
    "PanelSizeError",
    "InvalidParameterError",
    "InfeasibleAssignment",
    "ProblemCollector",
    "UnreadableRowError",
]

class Cause:
    """Another :class:`~riskeval.errors.RiskevalError` as a message parameter (rendered in the message's language).

    >>> from riskeval.errors import InputError
    >>> err = PoolFileError("pool.file.reader", detail=Cause(InputError("input.not_found", path="E.csv")))
    >>> err.message("en")
    'no such file: E.csv'
    """

    def __init__(self, error: RiskevalError) -> None:
        self.error = error

    def short(self, lang: str = "zh") -> str:
        return self.error.message(lang)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.error.code, "params": jsonable(self.error.params)}

    def __str__(self) -> str:
        return self.error.message("zh")


class PoolError(RiskevalError):
    """Base class of all errors raised by :mod:`expert_pool`.

    Parameters
    ----------
    code
        The catalogue key (defaults to the class's ``code``).
    file, row, field
        Where the problem is (a table cell; ``line`` instead of ``row`` for YAML).
    line, column
        A position in a YAML or JSON file.
    location
        A ready :class:`~riskeval.errors.Location` (overrides ``file``/``row``/...).
    problems
        Several problems found in one input.
    **params
        Message parameters.
    """

    code = "pool.error"

    def __init__(
        self,
        code: str | None = None,
        /,
        *,
        file: Any = None,
        row: int | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
        location: Location | None = None,
        problems: Iterable[Any] = (),
        **params: Any,
    ) -> None:
        if location is None and (file or row is not None or field or line is not None):
            location = Location(
                file=None if file is None else str(file), row=row, field=field, line=line, column=column
            )
        super().__init__(code, location=location, problems=problems, **params)

    # -- where ------------------------------------------------------------------------------------
    @property
    def file(self) -> str | None:
        """The file named by the location."""
        return self.location.file if self.location is not None else None

    @property
    def row(self) -> int | None:
        """The table row (header = 1) or, for YAML, the line."""
        if self.location is None:
            return None
        return self.location.row if self.location.row is not None else self.location.line

    @property
    def field(self) -> str | None:
        """The column or key."""
        return self.location.field if self.location is not None else None

    def located(self, **where: Any) -> PoolError:
        """Set (parts of) the location (``file``, ``row``, ``line``, ``column``, ``field``); returns ``self``.

        >>> UnknownReferenceError("unit", "U9", "unit").located(file="E.csv", row=2).row
        2
        """
        if "file" in where and where["file"] is not None:
            where["file"] = str(where["file"])
        self.location = dataclasses.replace(self.location or Location(), **where)
        return self

    def render(self, lang: str = "zh") -> str:
        """The location, then the message (one line per problem when there are several)."""
        lang = normalize_lang(lang)
        if self.problems:
            return super().render(lang)
        loc = self.location
        if loc is None:
            return self.message(lang)
        where = loc.render(lang)
        if loc.line is not None:
            if loc.field:
                where = t("pool.where.line_field", lang, where=where, field=loc.field)
            return f"{where}: {self.message(lang)}"
        if not where:
            return self.message(lang)
        return f"{where}{t('punct.colon', lang)}{self.message(lang)}"

    def __str__(self) -> str:
        return self.render("zh")


class PoolFileError(PoolError, InputError):
    """A file cannot be read or parsed (missing, not UTF-8, YAML syntax, wrong top-level shape)."""

    code = "pool.file.unreadable"
    exit_code: ClassVar[int] = EXIT_USAGE


class UnreadableRowError(PoolError):
    """One record of a table that cannot be read (not valid text, unterminated quote, more cells than the header)."""

    code = "pool.row.unreadable"

    @classmethod
    def from_row_error(cls, error: RiskevalError) -> UnreadableRowError:
        """Wrap the table reader's row error (same location, its message)."""
        return cls(location=error.location, detail=Cause(error), reason=error.code)


class PoolInputError(PoolError):
    """Several problems in one input file, reported together (``problems``: each a located :class:`PoolError`).

    The first problem's kind is kept: ``err.problems[0]`` is e.g. an :class:`InvalidValueError`.
    """

    code = "pool.input_problems"

    def __init__(self, problems: Sequence[PoolError], *, file: Any = None, code: str | None = None) -> None:
        self._file_label = "" if file is None else str(file)
        super().__init__(code, file=file, problems=problems, n=len(problems))

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        if self.code != PoolInputError.code:
            return t(self.code, lang, file=self._file_label, n=len(self.problems))
        if self._file_label:
            return t(self.code, lang, file=self._file_label, n=len(self.problems))
        return t("pool.input_problems.no_file", lang, n=len(self.problems))

    def render(self, lang: str = "zh") -> str:
        """A head line, then one indented line per problem."""
        lang = normalize_lang(lang)
        return "\n".join([self.message(lang), *("  " + p.render(lang) for p in self.problems)])

    @property
    def kinds(self) -> list[type[PoolError]]:
        """The classes of the problems, in order."""
        return [type(p) for p in self.problems]


class MissingColumnError(PoolError):
    """A required CSV column or YAML key is absent."""

    code = "pool.missing_column"

    def __init__(self, field: str, *, file: Any = None, row: int | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(file=file, row=row, line=line, column=column, field=field)


class InvalidValueError(PoolError):
    """A value has the wrong type or is out of range (``reason`` names which, e.g. ``not_integer``)."""

    code = "pool.invalid_value.invalid"

    def __init__(
        self,
        field: str,
        value: Any,
        reason: str = "invalid",
        *,
        file: Any = None,
        row: int | None = None,
        line: int | None = None,
        column: int | None = None,
        **params: Any,
    ) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"pool.invalid_value.{reason}", file=file, row=row, line=line, column=column, field=field,
                         value=value, **params)


class DuplicateIdError(PoolError):
    """An identifier (unit, expert, project, or affinity/conflict pair) occurs twice."""

    code = "pool.duplicate_id"

    def __init__(self, field: str, value: Any, first_row: int | None, *, file: Any = None, row: int | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        self.value = value
        code = "pool.duplicate_id.first_row" if first_row is not None else "pool.duplicate_id"
        super().__init__(code, file=file, row=row, line=line, column=column, field=field, value=value,
                         first_row=first_row)


class UnknownReferenceError(PoolError):
    """A reference to a unit, expert or project that does not exist (``kind``: ``unit``/``expert``/``project``)."""

    code = "pool.unknown_reference.unit"

    def __init__(self, field: str, value: Any, kind: str, *, file: Any = None, row: int | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        self.value = value
        super().__init__(f"pool.unknown_reference.{kind}", file=file, row=row, line=line, column=column,
                         field=field, value=value)


class PanelSizeError(PoolError):
    """The panel size of a project is missing or invalid (e.g. returned by a rule set's panel-size rule)."""

    code = "pool.panel_size.invalid"


class InvalidParameterError(PoolError):
    """An argument of :func:`expert_pool.assign` (or a CLI option) is invalid (exit code 2).

    The parameter's name is ``params["field"]`` (an argument has no place in a file).
    """

    code = "pool.invalid_parameter.method"
    exit_code: ClassVar[int] = EXIT_USAGE

    def __init__(self, code: str | None = None, /, *, field: str | None = None, **params: Any) -> None:
        if field is not None:
            params["field"] = field
        RiskevalError.__init__(self, code, **params)

    @property
    def field(self) -> str | None:
        """The parameter's name."""
        value = self.params.get("field")
        return None if value is None else str(value)


class InfeasibleAssignment(PoolError):
    """No assignment satisfies all constraints.

    Attributes
    ----------
    explanation : Explanation
        The reasons, each naming the projects (and experts or units) and the binding constraint.
    """

    code = "pool.infeasible"

    def __init__(self, explanation: Explanation) -> None:
        self.explanation = explanation
        super().__init__(reasons=[r.kind for r in explanation.reasons])

    def message(self, lang: str | None = "zh") -> str:
        """A head line, then the explanation, one reason per line."""
        lang = normalize_lang(lang)
        return t(self.code, lang) + "\n" + self.explanation.text(lang)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The base JSON plus each reason's kind, projects, experts, units and text."""
        out = super().to_dict(lang)
        out["reasons"] = [r.to_dict(lang) for r in self.explanation.reasons]
        return out


class ProblemCollector:
    """Collects the row problems of one input and raises them together.

    >>> bag = ProblemCollector("E.csv")
    >>> with bag.row():
    ...     raise MissingColumnError("unit", file="E.csv", row=2)
    >>> with bag.row():
    ...     pass
    >>> len(bag.problems)
    1
    >>> bag.raise_if_any()
    Traceback (most recent call last):
    ...
    expert_pool.errors.PoolInputError: E.csv 共有 1 处问题
      E.csv：第 2 行，列“unit”：缺少必填列或字段
    """

    def __init__(self, file: Any = None) -> None:
        self.file = None if file is None else str(file)
        self.problems: list[PoolError] = []

    def add(self, problem: PoolError) -> None:
        """Record one problem (a :class:`PoolInputError` contributes its own problems)."""
        if isinstance(problem, PoolInputError):
            self.problems.extend(problem.problems)
        else:
            self.problems.append(problem)

    def row(self) -> _RowGuard:
        """A context manager that records a :class:`PoolError` (not a file error) raised inside it."""
        return _RowGuard(self)

    def raise_if_any(self) -> None:
        """Raise :class:`PoolInputError` with every problem collected (in file order), if any."""
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: (p.row is None, p.row or 0))
            raise PoolInputError(ordered, file=self.file)

    def __bool__(self) -> bool:
        return bool(self.problems)


class _RowGuard:
    def __init__(self, bag: ProblemCollector) -> None:
        self.bag = bag

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if isinstance(exc, PoolError) and not isinstance(exc, PoolFileError):
            self.bag.add(exc)
            return True
        return False
