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

from riskeval.errors import EXIT_USAGE, InputError, Location, RiskevalError
from riskeval.i18n import normalize_lang, register_messages, t

if TYPE_CHECKING:  # pragma: no cover
    from expert_pool.assign.explain import Explanation

__all__ = [
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
]

register_messages(
    {
        "pool.error": {"zh": "专家库错误", "en": "expert pool error"},
        "pool.list.sep": {"zh": "、", "en": ", "},
        "pool.list.clause_sep": {"zh": "；", "en": "; "},
        "pool.where.line_field": {"zh": "{where}，字段“{field}”", "en": "{where}, field '{field}'"},
        # files that cannot be read at all
        "pool.file.not_found": {"zh": "文件不存在", "en": "file not found"},
        "pool.file.is_directory": {"zh": "路径是目录而不是文件", "en": "path is a directory, not a file"},
        "pool.file.not_utf8": {"zh": "文件不是 UTF-8 编码", "en": "file is not UTF-8 encoded"},
        "pool.file.unreadable": {"zh": "无法读取：{detail}", "en": "cannot read: {detail}"},
        "pool.file.empty": {"zh": "文件为空（缺少表头）", "en": "file is empty (no header row)"},
        "pool.file.csv_syntax": {"zh": "CSV 格式错误：{detail}", "en": "malformed CSV: {detail}"},
        "pool.file.json_syntax": {"zh": "JSON 语法错误：{detail}", "en": "JSON syntax error: {detail}"},
        "pool.file.yaml_syntax": {"zh": "YAML 语法错误：{detail}", "en": "YAML syntax error: {detail}"},
        "pool.file.pool_top_level": {
            "zh": "顶层应为映射（含 units 与 experts）",
            "en": "top level should be a mapping with units and experts",
        },
        "pool.file.projects_top_level": {
            "zh": "应为项目列表（或含 projects 的映射）",
            "en": "should be a list of projects (or a mapping with projects)",
        },
        "pool.input_problems": {"zh": "{file} 共有 {n} 处问题", "en": "{file}: {n} problems"},
        "pool.input_problems.no_file": {"zh": "共有 {n} 处问题", "en": "{n} problems"},
        # row and value problems
        "pool.missing_column": {"zh": "缺少必填列或字段", "en": "required column or key is missing"},
        "pool.invalid_value.not_integer": {
            "zh": "值“{value}”不是≥{minimum}的整数",
            "en": "value '{value}' is not an integer >= {minimum}",
        },
        "pool.invalid_value.not_number": {"zh": "值“{value}”不是有限实数", "en": "value '{value}' is not a finite number"},
        "pool.invalid_value.not_boolean": {
            "zh": "值“{value}”不是布尔值（是/否、true/false、1/0）",
            "en": "value '{value}' is not a boolean (true/false, 1/0)",
        },
        "pool.invalid_value.empty": {"zh": "值为空", "en": "value is empty"},
        "pool.invalid_value.exceeds_max_load": {
            "zh": "值“{value}”大于 max_load（{max_load}）",
            "en": "value '{value}' exceeds max_load ({max_load})",
        },
        "pool.invalid_value.too_many_cells": {
            "zh": "该行的列数多于表头（{cells} > {width}）",
            "en": "the row has more cells than the header ({cells} > {width})",
        },
        "pool.invalid_value.not_list": {"zh": "值（{value}）应为列表", "en": "value ({value}) should be a list"},
        "pool.invalid_value.not_mapping": {"zh": "值“{value}”应为映射", "en": "value '{value}' should be a mapping"},
        "pool.invalid_value.not_project": {"zh": "值“{value}”不是项目", "en": "value '{value}' is not a project"},
        "pool.invalid_value.invalid": {
            "zh": "值“{value}”无效（{detail}）",
            "en": "value '{value}' is invalid ({detail})",
        },
        "pool.invalid_value.unknown_key": {"zh": "未知的字段“{key}”", "en": "unknown key '{key}'"},
        "pool.invalid_value.bad_category": {
            "zh": "值“{value}”不是专家类别（{choices}）",
            "en": "value '{value}' is not an expert category ({choices})",
        },
        "pool.invalid_value.min_over_max": {
            "zh": "min_load 大于 max_load",
            "en": "min_load exceeds max_load",
        },
        "pool.duplicate_id": {"zh": "标识“{value}”重复", "en": "duplicate identifier '{value}'"},
        "pool.duplicate_id.first_row": {
            "zh": "标识“{value}”重复（首次出现在第 {first_row} 行）",
            "en": "duplicate identifier '{value}' (first seen in row {first_row})",
        },
        "pool.unknown_reference.unit": {"zh": "未知的单位“{value}”", "en": "unknown unit '{value}'"},
        "pool.unknown_reference.expert": {"zh": "未知的专家“{value}”", "en": "unknown expert '{value}'"},
        "pool.unknown_reference.project": {"zh": "未知的项目“{value}”", "en": "unknown project '{value}'"},
        "pool.panel_size.rule_failed": {
            "zh": "项目“{project}”的专家人数规则执行失败：{detail}",
            "en": "the panel-size rule failed for project '{project}': {detail}",
        },
        "pool.panel_size.invalid": {
            "zh": "项目“{project}”的专家人数规则返回了无效值“{value}”（应为正整数）",
            "en": "the panel-size rule returned an invalid value '{value}' for project '{project}' "
            "(expected a positive integer)",
        },
        "pool.infeasible": {"zh": "无法完成分配：", "en": "No feasible assignment:"},
        # arguments and options
        "pool.invalid_parameter.method": {
            "zh": "未知的分配方法“{value}”（应为 optimal 或 random）",
            "en": "unknown method '{value}' (expected optimal or random)",
        },
        "pool.invalid_parameter.backend": {
            "zh": "未知的求解后端“{value}”（应为 flow 或 lp）",
            "en": "unknown backend '{value}' (expected flow or lp)",
        },
        "pool.invalid_parameter.prob_cap_needs_random": {
            "zh": "入选概率上限（--prob-cap / prob_cap）仅适用于随机抽取（method=random）",
            "en": "prob_cap (--prob-cap) requires a random draw (method=random)",
        },
        "pool.invalid_parameter.seed_needs_random": {
            "zh": "随机种子（--seed）仅适用于随机抽取（method=random）",
            "en": "a seed (--seed) requires a random draw (method=random)",
        },
        "pool.invalid_parameter.seed": {
            "zh": "随机种子应为非负整数，而不是“{value}”",
            "en": "seed must be a non-negative integer, not '{value}'",
        },
        "pool.invalid_parameter.max_per_unit": {
            "zh": "max_per_unit 应为≥1的整数，而不是“{value}”",
            "en": "max_per_unit must be an integer >= 1, not '{value}'",
        },
        "pool.invalid_parameter.prob_cap": {
            "zh": "prob_cap 应在 (0, 1] 之间，而不是“{value}”",
            "en": "prob_cap must lie in (0, 1], not '{value}'",
        },
        "pool.invalid_parameter.unit_max_load": {
            "zh": "unit_max_load 应为≥0的整数，而不是“{value}”",
            "en": "unit_max_load must be an integer >= 0, not '{value}'",
        },
        "pool.invalid_parameter.not_expert": {"zh": "“{value}”不是专家（Expert）", "en": "'{value}' is not an Expert"},
        "pool.invalid_parameter.formula": {
            "zh": "未知的亲和度公式“{value}”",
            "en": "unknown affinity formula '{value}'",
        },
        "pool.invalid_parameter.matrix_shape": {
            "zh": "亲和度矩阵的形状与项目、专家数不符",
            "en": "affinity matrix shape does not match the numbers of projects and experts",
        },
        "pool.invalid_parameter.pool_source": {
            "zh": "请指定 --experts 或 --pool 二者之一",
            "en": "give exactly one of --experts and --pool",
        },
        "pool.invalid_parameter.rules_unavailable": {
            "zh": "无法使用 --rules：{detail}",
            "en": "--rules unavailable: {detail}",
        },
        "pool.invalid_parameter.rules_load": {
            "zh": "无法加载规则集“{value}”：{detail}",
            "en": "cannot load rule set '{value}': {detail}",
        },
        "pool.invalid_parameter.no_panel_rule": {
            "zh": "规则集“{value}”没有专家人数规则（panel_size）",
            "en": "rule set '{value}' has no panel_size rule",
        },
        "pool.invalid_parameter.share": {
            "zh": "{field} 须在 0 到 1 之间，而不是“{value}”",
            "en": "{field} must lie between 0 and 1, not '{value}'",
        },
        "pool.invalid_parameter.aggregate_method": {
            "zh": "未知的汇总方法“{value}”（应为 median、mean 或 trimmed）",
            "en": "unknown method '{value}' (use median, mean or trimmed)",
        },
        "pool.file.write_failed": {"zh": "无法写入文件：{detail}", "en": "cannot write the file: {detail}"},
    }
)


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

    def __init__(self, field: str, *, file: Any = None, row: int | None = None, line: int | None = None) -> None:
        super().__init__(file=file, row=row, line=line, field=field)


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
        **params: Any,
    ) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"pool.invalid_value.{reason}", file=file, row=row, line=line, field=field,
                         value=value, **params)


class DuplicateIdError(PoolError):
    """An identifier (unit, expert, project, or affinity/conflict pair) occurs twice."""

    code = "pool.duplicate_id"

    def __init__(self, field: str, value: Any, first_row: int | None, *, file: Any = None, row: int | None = None,
                 line: int | None = None) -> None:
        self.value = value
        code = "pool.duplicate_id.first_row" if first_row is not None else "pool.duplicate_id"
        super().__init__(code, file=file, row=row, line=line, field=field, value=value, first_row=first_row)


class UnknownReferenceError(PoolError):
    """A reference to a unit, expert or project that does not exist (``kind``: ``unit``/``expert``/``project``)."""

    code = "pool.unknown_reference.unit"

    def __init__(self, field: str, value: Any, kind: str, *, file: Any = None, row: int | None = None,
                 line: int | None = None) -> None:
        self.value = value
        super().__init__(f"pool.unknown_reference.{kind}", file=file, row=row, line=line, field=field,
                         value=value)


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
        """Raise :class:`PoolInputError` with every problem collected, if any."""
        if self.problems:
            raise PoolInputError(self.problems, file=self.file)

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
