"""Row → project conversion: column names (codes or Chinese labels), lists, booleans and measures.

A row is a mapping from column names to cell values, as read from CSV, Excel, JSON Lines or YAML.
Columns name identity fields (``id``, ``kind``, ``unit`` ... or ``项目编号``, ``事项类型`` ...), facts
(``opposition_rate`` or the rule set's label ``反对率``) and measures (``measure:opposition_rate`` or
``措施:反对率``; ``measure:M2:opposition_rate`` names the measure).  Values are converted only as far as
the file format requires (a ``;``-separated list, an integral float from Excel); the checks against the
rule set's declarations (types, bounds, options, booleans ``是/否``) are :func:`riskeval.check.check_project`'s.

Strict columns: a column that names nothing known (not an identity or measure column, not a fact of the rule
set by name or label, not a standard fact) is an error (``batch.unknown_column``, with the nearest known
spelling): :meth:`ColumnResolver.check_columns` before any row is evaluated, and ``project_data(row,
strict=True)`` for rows whose keys differ (JSON Lines, YAML).  Standard-fact columns the rule set does not use
are ignored (:attr:`ColumnCheck.unused`, for a note).

Examples
--------
>>> from riskeval import load_ruleset
>>> resolver = ColumnResolver(load_ruleset("jiangsu-db32-4013-2021"))
>>> data = resolver.project_data({"编号": "P1", "事项类型": "重大工程项目", "反对率": "12.5",
...                               "measure:反对率": "3", "domains": "交通;土地"})
>>> data["id"], data["kind"], data["facts"], data["domains"]
('P1', '重大工程项目', {'opposition_rate': '12.5'}, ['交通', '土地'])
>>> data["measures"][0]["sets"]
{'opposition_rate': '3'}
>>> check = resolver.check_columns(["编号", "反对率", "petition_12m", "households_relocated"])
>>> [p.message("en") for p in check.unknown], check.unused
(["unknown column 'petition_12m': not a project field, a fact of the rule set (name or label) nor a standard fact (did you mean 'petitions_12m'?)"], ['households_relocated'])
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from ..check import ProjectError, ProjectProblem
from ..i18n import register_messages
from ..model.vocabulary import STANDARD_FACTS
from ..ruleset.compiled import RuleSet

__all__ = [
    "ColumnResolver",
    "Column",
    "ColumnCheck",
    "RowError",
    "is_missing",
    "IDENTITY_ALIASES",
    "MEASURE_PREFIXES",
    "ROW_KEYS",
    "peek_columns",
]

register_messages(
    {
        "batch.row.not_mapping": {
            "zh": "该行不是“列名: 取值”的映射",
            "en": "the row is not a mapping of columns to values",
        },
        "batch.row.extra_cells": {
            "zh": "该行的单元格比表头多（{count} 个多余）",
            "en": "the row has more cells than the header ({count} extra)",
        },
        "batch.row.bad_measures": {
            "zh": "“measures” 应为措施列表（每项含 id、label、sets）",
            "en": "'measures' must be a list of measures (each with id, label, sets)",
        },
        "batch.row.bad_facts": {
            "zh": "“facts” 应为“事实: 取值”的映射",
            "en": "'facts' must be a mapping of facts to values",
        },
        "batch.row.parse": {"zh": "无法解析该行：{detail}", "en": "cannot parse the row: {detail}"},
        "batch.measure.default_label": {"zh": "防范化解措施", "en": "mitigation measures"},
        "batch.unknown_column": {
            "zh": "未知的列 “{column}”：既不是项目信息列，也不是本规则集的事实（代码或中文名称）或标准事实{hint}",
            "en": "unknown column '{column}': not a project field, a fact of the rule set (name or label) "
            "nor a standard fact{hint}",
        },
    }
)

#: Accepted spellings of the identity fields (code first, then Chinese headers).
IDENTITY_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "项目编号", "事项编号"),
    "name": ("name", "名称", "项目名称", "事项名称"),
    "kind": ("kind", "类型", "事项类型"),
    "regime": ("regime", "决策规则", "决策制度"),
    "unit": ("unit", "单位", "申报单位", "提出单位", "申报（提出）单位", "责任单位"),
    "domains": ("domains", "领域", "涉及领域"),
    "decision_level": ("decision_level", "决策层级"),
    "investment": ("investment", "投资", "总投资", "总投资（万元）", "总投资(万元)"),
    "location": ("location", "地点", "项目地点"),
}
PASSTHROUGH = ("panel", "panel_record")
MEASURE_PREFIXES = ("measure:", "措施:", "措施：")
MEASURE_ID_COLUMNS = ("measure_id", "措施编号")
MEASURE_LABEL_COLUMNS = ("measure_label", "措施", "措施名称")
IGNORED = ("row", "行号", "序号")
#: Keys a row may carry as in a project file (JSON Lines, YAML, or added by the Excel reader).
ROW_KEYS = ("facts", "measures")
DEFAULT_MEASURE_ID = "M1"

_UNIT_SUFFIX = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


def is_missing(value: Any) -> bool:
    """True for an empty cell: ``None``, blank text, NaN, or pandas' ``NA``/``NaT``.

    Examples
    --------
    >>> [is_missing(v) for v in (None, "", "  ", float("nan"), 0, "否")]
    [True, True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


@dataclass(frozen=True)
class Column:
    """What a column means: ``kind`` is identity, fact, measure, measure_id, measure_label, pass, ignore or unknown."""

    kind: str
    name: str = ""
    measure: str | None = None


@dataclass
class ColumnCheck:
    """The columns of an input checked against a rule set: ``unknown`` problems and ``unused`` standard facts."""

    unknown: list[ProjectProblem] = dc_field(default_factory=list)
    unused: list[str] = dc_field(default_factory=list)

    def raise_unknown(self) -> None:
        """Raise :class:`ProjectError` listing the unknown columns, if any."""
        if self.unknown:
            raise ProjectError(self.unknown)


class RowError(ValueError):
    """A row that cannot be turned into a project at all; ``code``/``params`` form the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def _split_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [_text(v) for v in value if not is_missing(v)]
    text = _text(value).replace("；", ";")
    return [part.strip() for part in text.split(";") if part.strip()]


class ColumnResolver:
    """Resolves column names against one rule set and builds project data from rows.

    Parameters
    ----------
    ruleset
        The rule set whose fact declarations (names and Chinese labels) name the columns.

    Examples
    --------
    >>> from riskeval import load_ruleset
    >>> r = ColumnResolver(load_ruleset("jiangsu-db32-4013-2021"))
    >>> r.resolve("反对率（%）"), r.resolve("措施:反对强烈程度").measure, r.resolve("colour").kind
    (Column(kind='fact', name='opposition_rate', measure=None), 'M1', 'unknown')
    """

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._names: dict[str, tuple[str, str]] = {}
        for field, aliases in IDENTITY_ALIASES.items():
            for alias in aliases:
                self._names[alias.lower()] = ("identity", field)
        for name in STANDARD_FACTS:
            self._names.setdefault(name.lower(), ("fact", name))
        for name, decl in ruleset.facts.items():
            self._names[name.lower()] = ("fact", name)
            self._names.setdefault(decl.label.lower(), ("fact", name))
        for alias in MEASURE_ID_COLUMNS:
            self._names[alias] = ("measure_id", "")
        for alias in MEASURE_LABEL_COLUMNS:
            self._names[alias] = ("measure_label", "")
        for alias in PASSTHROUGH:
            self._names[alias] = ("pass", alias)
        for alias in IGNORED:
            self._names[alias] = ("ignore", "")
        for alias in ROW_KEYS:
            self._names[alias] = ("ignore", "")
        self._cache: dict[str, Column] = {}
        spellings = [a for aliases in IDENTITY_ALIASES.values() for a in aliases]
        spellings += [*MEASURE_ID_COLUMNS, *MEASURE_LABEL_COLUMNS, *PASSTHROUGH, *IGNORED]
        self._fact_spellings = sorted(
            {*STANDARD_FACTS, *ruleset.facts, *(d.label for d in ruleset.facts.values())}
        )
        self._spellings = sorted(set(spellings) | set(self._fact_spellings))

    def fact_name(self, header: str) -> str | None:
        """The declared (or standard) fact a header names, by code or Chinese label (unit suffix allowed)."""
        key = str(header).strip().lower()
        hit = self._names.get(key)
        if hit is None:
            stripped = _UNIT_SUFFIX.sub("", key)
            hit = self._names.get(stripped) if stripped != key else None
        return hit[1] if hit is not None and hit[0] == "fact" else None

    def resolve(self, header: str) -> Column:
        """What ``header`` means (cached)."""
        got = self._cache.get(header)
        if got is not None:
            return got
        got = self._resolve(header)
        self._cache[header] = got
        return got

    def _resolve(self, header: str) -> Column:
        text = str(header).strip()
        key = text.lower()
        for prefix in MEASURE_PREFIXES:
            if key.startswith(prefix):
                rest = text[len(prefix) :].strip()
                measure = DEFAULT_MEASURE_ID
                fact = self.fact_name(rest)
                if fact is None and ":" in rest:
                    measure, _, tail = rest.partition(":")
                    measure = measure.strip() or DEFAULT_MEASURE_ID
                    fact = self.fact_name(tail)
                return Column("measure", fact, measure) if fact else Column("unknown", text)
        hit = self._names.get(key)
        if hit is None:
            stripped = _UNIT_SUFFIX.sub("", key)
            hit = self._names.get(stripped) if stripped != key else None
        if hit is None:
            return Column("unknown", text)
        return Column(hit[0], hit[1])

    def unknown(self, headers: Iterable[str]) -> list[str]:
        """The headers that name nothing known (errors when strict, else ignored with a warning)."""
        return [h for h in headers if self.resolve(h).kind == "unknown"]

    def suggestion(self, header: str) -> str:
        """The nearest known spelling of ``header`` ("" when none is close); measure columns keep their prefix."""
        text = str(header).strip()
        for prefix in MEASURE_PREFIXES:
            if text.lower().startswith(prefix):
                rest = text[len(prefix) :].strip()
                close = difflib.get_close_matches(rest, self._fact_spellings, n=1)
                return prefix + close[0] if close else ""
        close = difflib.get_close_matches(text, self._spellings, n=1)
        return close[0] if close else ""

    def unknown_problem(self, header: str) -> ProjectProblem:
        """The problem of an unknown column (code ``batch.unknown_column``, with did-you-mean)."""
        return ProjectProblem(
            str(header), "batch.unknown_column", {"column": str(header), "suggestion": self.suggestion(header)}
        )

    def check_columns(self, headers: Iterable[Any]) -> ColumnCheck:
        """Check the column names of an input before any row is evaluated.

        Parameters
        ----------
        headers
            Column names (non-text and blank names are skipped: they carry no meaning to check).

        Returns
        -------
        ColumnCheck
            ``unknown``: a problem per column that names nothing known; ``unused``: standard facts named by
            a column (or a measure column) that the rule set does not declare, which are ignored.
        """
        check = ColumnCheck()
        for header in headers:
            if not isinstance(header, str) or not header.strip():
                continue
            col = self.resolve(header)
            if col.kind == "unknown":
                check.unknown.append(self.unknown_problem(header))
            elif col.kind in ("fact", "measure") and col.name not in self.ruleset.facts:
                if col.name not in check.unused:
                    check.unused.append(col.name)
        return check

    def project_data(self, row: Mapping[str, Any], *, strict: bool = False) -> dict[str, Any]:
        """Project data in the project-file format (for :func:`riskeval.pipeline.project_from_data`).

        Parameters
        ----------
        row
            Column → value.  JSON Lines and YAML rows may also carry ``facts`` (a mapping) and
            ``measures`` (a list of ``{id, label, sets}``) as in a project file.
        strict
            A filled cell under an unknown column is an error (else it is ignored).

        Returns
        -------
        dict
            ``id``, identity fields, ``facts`` and ``measures``; empty cells are left out.

        Raises
        ------
        RowError
            The row's shape is wrong (not a mapping, extra CSV cells, malformed ``facts``/``measures``).
        ProjectError
            ``strict`` and the row fills a column that names nothing known.
        """
        if not isinstance(row, Mapping):
            raise RowError("batch.row.not_mapping")
        data: dict[str, Any] = {}
        facts: dict[str, Any] = {}
        measures: dict[str, dict[str, Any]] = {}
        measure_id: str | None = None
        measure_label: str | None = None
        listed: list[dict[str, Any]] = []
        unknown: list[ProjectProblem] = []
        resolve = self.resolve
        for header, value in row.items():
            # Empty cells first, cheaply (this loop runs for every cell of every row).
            vt = type(value)
            if vt is str:
                value = value.strip()
                if not value:
                    continue
            elif value is None or (vt is float and value != value):
                continue
            if header is None:  # csv.DictReader puts surplus cells under None
                raise RowError("batch.row.extra_cells", count=len(value) if isinstance(value, list) else 1)
            if header == "facts":
                if not isinstance(value, Mapping):
                    raise RowError("batch.row.bad_facts")
                for name, fact_value in value.items():
                    if not is_missing(fact_value):
                        facts[self.fact_name(str(name)) or str(name)] = _cell(fact_value)
                continue
            if header == "measures":
                if not is_missing(value):
                    listed.extend(self._listed_measures(value))
                continue
            if vt is not str and is_missing(value):
                continue
            col = resolve(header)
            kind = col.kind
            if kind == "fact":
                facts[col.name] = value
            elif kind == "measure":
                assert col.measure is not None
                measures.setdefault(col.measure, {})[col.name] = value
            elif kind == "identity":
                if col.name == "domains":
                    data["domains"] = _split_list(value)
                elif col.name == "investment":
                    data["investment"] = (
                        value if isinstance(value, int | float) else _text(value).replace(",", "")
                    )
                else:
                    data[col.name] = value if vt is str else _text(value)
            elif kind == "measure_id":
                measure_id = _text(value)
            elif kind == "measure_label":
                measure_label = _text(value)
            elif kind == "pass":
                data[col.name] = value
            elif kind == "unknown" and strict:
                unknown.append(self.unknown_problem(header))
        if unknown:
            raise ProjectError(unknown)
        data["facts"] = facts
        out_measures = list(listed)
        for mid, sets in measures.items():
            if mid == DEFAULT_MEASURE_ID and measure_id:
                mid = measure_id
            label = measure_label or _default_label()
            out_measures.append({"id": mid, "label": label, "sets": sets})
        if out_measures:
            data["measures"] = out_measures
        return data

    def _listed_measures(self, value: Any) -> list[dict[str, Any]]:
        if isinstance(value, Mapping):
            value = [value]
        if not isinstance(value, list):
            raise RowError("batch.row.bad_measures")
        out = []
        for entry in value:
            if not isinstance(entry, Mapping):
                raise RowError("batch.row.bad_measures")
            entry = dict(entry)
            sets = entry.get("sets")
            if isinstance(sets, Mapping):
                entry["sets"] = {
                    self.fact_name(str(k)) or str(k): _cell(v) for k, v in sets.items() if not is_missing(v)
                }
            if "id" in entry:
                entry["id"] = _text(entry["id"])
            out.append(entry)
        return out


def peek_columns(
    items: Iterable[Any],
    resolver: ColumnResolver,
    *,
    strict: bool = True,
    source: str | None = None,
    headers: Sequence[str] | None = None,
) -> tuple[Iterator[Any], ColumnCheck]:
    """Check the columns of the first row of ``items`` before any row is evaluated.

    A table's rows all carry its header's columns (a CSV row has every column, an Excel row every named
    one), so the first row tells them all; rows whose keys differ (JSON Lines) are checked one by one
    by :meth:`ColumnResolver.project_data`.

    Parameters
    ----------
    items
        Rows (mappings), :class:`~riskeval.model.project.Project` objects or bad-row markers.
    resolver
        The rule set's column resolver.
    strict
        Raise :class:`ProjectError` when a column names nothing known.
    source
        The input file, named in the problems.
    headers
        The table's header, when it has one (CSV, XLSX): checked instead of the first row's keys.

    Returns
    -------
    tuple
        An iterator over all of ``items`` (the first one included) and the :class:`ColumnCheck`.

    Examples
    --------
    >>> from riskeval import load_ruleset
    >>> resolver = ColumnResolver(load_ruleset("guiyang"))
    >>> try:
    ...     peek_columns([{"id": "P1", "petition_12m": 45}], resolver, source="list.csv")
    ... except ProjectError as exc:
    ...     print(exc.render("en"))
    list.csv: unknown column 'petition_12m': not a project field, a fact of the rule set (name or label) nor a standard fact (did you mean 'petitions_12m'?)
    """
    it = iter(items)
    check = ColumnCheck()
    if headers is not None:
        return it, _checked(resolver, headers, strict=strict, source=source)
    first = next(it, None)
    if first is None:
        return it, check
    values = getattr(first, "values", first) if not isinstance(first, Mapping) else first
    if isinstance(values, Mapping):
        check = _checked(resolver, values, strict=strict, source=source)
    return itertools.chain([first], it), check


def _checked(resolver: ColumnResolver, headers: Iterable[Any], *, strict: bool, source: str | None) -> ColumnCheck:
    check = resolver.check_columns(headers)
    if source is not None:
        check.unknown = [ProjectProblem(p.field, p.code, p.params, file=source) for p in check.unknown]
    if strict:
        check.raise_unknown()
    return check


def _default_label() -> str:
    from ..i18n import t

    return t("batch.measure.default_label", "zh")
