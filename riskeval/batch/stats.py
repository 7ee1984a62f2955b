"""Counters over a batch, built row by row (memory does not grow with the list, except the kept detail rows).

:class:`BatchStats` counts levels before and after measures, decisions, kinds, units, factor categories and
factors, keeps the high- and medium-risk rows with their explanations (up to ``max_details``) and the error
rows (up to ``max_errors``), and renders the tables the HTML and Excel reports share, and the summary line.

Examples
--------
>>> from riskeval.batch.runner import BatchRow
>>> stats = BatchStats()
>>> stats.add(BatchRow(1, "A", "ok", "medium", 25.0, "low", 10.0, "proceed", False, ["X"], initial_findings=["X"]))
>>> stats.add(BatchRow(2, "B", "error", error="bad"))
>>> stats.summary("en")
'2 rows: 1 assessed, 0 out of scope, 1 failed (rows 2)'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, MutableSequence
from dataclasses import dataclass, field
from typing import Any, overload

from ..i18n import register_messages, t
from ..model.vocabulary import KIND_OPTIONS
from ..ruleset.compiled import RuleSet
from .runner import BatchRow

__all__ = ["BatchStats", "DetailRows", "ReportTable", "LEVELS"]

LEVELS = ("high", "medium", "low")

register_messages(
    {
        "batch.summary": {
            "zh": "共 {total} 行：评估 {ok} 行，不在评估范围 {out} 行，出错 {errors} 行{which}",
            "en": "{total} rows: {ok} assessed, {out} out of scope, {errors} failed{which}",
        },
        "batch.summary.blank": {"zh": "；空行 {count} 行", "en": "; {count} blank"},
        "batch.summary.which": {"zh": "（第 {rows} 行{more}）", "en": " (rows {rows}{more})"},
        "batch.summary.more": {"zh": "等，共 {count} 行", "en": " and more, {count} in all"},
        "batch.summary.levels": {
            "zh": "措施后：高风险 {high}，中风险 {medium}，低风险 {low}",
            "en": "after measures: {high} high, {medium} medium, {low} low",
        },
        "batch.summary.error_line": {
            "zh": "  第 {row} 行（{id}）：{error}",
            "en": "  row {row} ({id}): {error}",
        },
        "batch.unknown_kind": {"zh": "未填写", "en": "not given"},
        "batch.no_category": {"zh": "未分类", "en": "uncategorised"},
        "batch.table.levels": {
            "zh": "风险等级（措施前、措施后）",
            "en": "Risk levels before and after measures",
        },
        "batch.table.decisions": {"zh": "决策结论", "en": "Decisions"},
        "batch.table.kinds": {"zh": "按事项类型（措施后等级）", "en": "By kind (level after measures)"},
        "batch.table.units": {"zh": "按申报单位（措施后等级）", "en": "By unit (level after measures)"},
        "batch.table.categories": {
            "zh": "按风险因素类别（涉及的事项数）",
            "en": "By factor category (matters concerned)",
        },
        "batch.table.factors": {"zh": "最常见的风险因素", "en": "Most frequent factors"},
        "batch.table.details": {"zh": "中、高风险事项", "en": "High- and medium-risk matters"},
        "batch.summary.high_head": {"zh": "措施后仍为高风险的事项（列出 {shown} 项，共 {total} 项）：", "en": "High risk after measures ({shown} of {total} shown):"},
        "batch.summary.high_line": {
            "zh": "  第 {row} 行 {id} {name}：措施前{initial} → 措施后{residual}（{score} 分），{decision}；{reasons}",
            "en": "  row {row} {id} {name}: {initial} before → {residual} after measures (score {score}), {decision}; {reasons}",
        },
        "batch.summary.decisive": {
            "zh": "决定等级的直接认定情形：{triggers}",
            "en": "triggers that set the level: {triggers}",
        },
        "batch.summary.top_items": {
            "zh": "合计分值最高的风险因素（措施后）：{items}",
            "en": "factors with the most points in all (after measures): {items}",
        },
        "batch.summary.count": {"zh": "{label}（{count} 项）", "en": "{label} ({count})"},
        "batch.summary.points": {"zh": "{label}（{points} 分）", "en": "{label} ({points} pts)"},
        "batch.summary.raised_by": {"zh": "直接认定：{triggers}", "en": "triggered by {triggers}"},
        "batch.summary.main_items": {"zh": "主要因素：{items}", "en": "main factors: {items}"},
        "batch.summary.no_reason": {"zh": "无", "en": "none"},
        "batch.table.errors": {"zh": "出错的行", "en": "Rows with errors"},
        "batch.table.overview": {"zh": "概览", "en": "Overview"},
        "batch.col.level": {"zh": "等级", "en": "level"},
        "batch.col.initial": {"zh": "措施前", "en": "before measures"},
        "batch.col.residual": {"zh": "措施后", "en": "after measures"},
        "batch.col.count": {"zh": "事项数", "en": "matters"},
        "batch.col.decision": {"zh": "决策", "en": "decision"},
        "batch.col.kind": {"zh": "事项类型", "en": "kind"},
        "batch.col.unit": {"zh": "申报单位", "en": "unit"},
        "batch.col.total": {"zh": "合计", "en": "total"},
        "batch.col.category": {"zh": "风险因素类别", "en": "factor category"},
        "batch.col.item": {"zh": "条目", "en": "item"},
        "batch.col.label": {"zh": "风险因素", "en": "factor"},
        "batch.col.row": {"zh": "行", "en": "row"},
        "batch.col.id": {"zh": "编号", "en": "id"},
        "batch.col.name": {"zh": "名称", "en": "name"},
        "batch.col.score": {"zh": "得分（措施前→措施后）", "en": "score (before → after)"},
        "batch.col.explanation": {"zh": "评估说明", "en": "explanation"},
        "batch.col.error": {"zh": "错误", "en": "error"},
        "batch.col.item_measure": {"zh": "项目", "en": "measure"},
        "batch.col.value": {"zh": "数值", "en": "value"},
        "batch.ov.total": {"zh": "事项总数", "en": "rows"},
        "batch.ov.ok": {"zh": "已评估", "en": "assessed"},
        "batch.ov.out": {"zh": "不在评估范围", "en": "out of scope"},
        "batch.ov.errors": {"zh": "出错", "en": "failed"},
        "batch.ov.incomplete": {"zh": "评估不完整", "en": "incomplete"},
        "batch.ov.omitted": {
            "zh": "中高风险事项未列出（超过上限）",
            "en": "high/medium rows not listed (over the limit)",
        },
        "batch.other_units": {"zh": "其他 {count} 个单位", "en": "{count} other units"},
    }
)


@dataclass
class ReportTable:
    """A titled table shared by the HTML and Excel reports; ``chart`` says how to draw it (or ``None``)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: str | None = None
    series: list[str] = field(default_factory=list)
    row_classes: list[str] = field(default_factory=list)


def _kind_label(kind: str | None, lang: str) -> str:
    if not kind:
        return t("batch.unknown_kind", lang)
    label = KIND_OPTIONS.get(kind)
    return t(f"identity.kind.{kind}", lang) if label else kind


class DetailRows(MutableSequence[BatchRow]):
    """The kept detail rows: a list whose rows may be made only when read (:meth:`defer`), so that a batch
    keeping thousands of them pays only for those a summary or a report shows.

    >>> rows = DetailRows()
    >>> rows.defer(lambda i: BatchRow(i, f"P{i}", "ok", residual_level="high"), [3, 5], ["high", "high"])
    >>> len(rows), rows.residual_levels(), rows[1].id
    (2, ['high', 'high'], 'P5')
    """

    def __init__(self, rows: Iterable[BatchRow] = ()) -> None:
        self._rows: list[BatchRow | tuple[Callable[[int], BatchRow], int, str | None]] = list(rows)

    def defer(self, make: Callable[[int], BatchRow], keys: Iterable[int], levels: Iterable[str | None]) -> None:
        """Append the rows ``make(key)`` for ``keys`` (their residual levels given), made when first read."""
        self._rows.extend((make, key, level) for key, level in zip(keys, levels, strict=True))

    def residual_levels(self) -> list[str | None]:
        """Every row's residual level, without making the deferred rows."""
        return [r[2] if isinstance(r, tuple) else r.residual_level for r in self._rows]

    def _made(self, i: int) -> BatchRow:
        got = self._rows[i]
        if isinstance(got, tuple):
            got = self._rows[i] = got[0](got[1])
        return got

    @overload
    def __getitem__(self, i: int) -> BatchRow: ...
    @overload
    def __getitem__(self, i: slice) -> list[BatchRow]: ...
    def __getitem__(self, i: int | slice) -> BatchRow | list[BatchRow]:
        if isinstance(i, slice):
            return [self._made(k) for k in range(len(self._rows))[i]]
        return self._made(range(len(self._rows))[i])

    def __setitem__(self, i: Any, value: Any) -> None:
        self._rows[i] = value

    def __delitem__(self, i: int | slice) -> None:
        del self._rows[i]

    def __len__(self) -> int:
        return len(self._rows)

    def insert(self, i: int, value: BatchRow) -> None:
        self._rows.insert(i, value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DetailRows | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DetailRows({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (DetailRows, (list(self),))


class BatchStats:
    """Counters of one batch run, filled by :meth:`add` in input order.

    Parameters
    ----------
    ruleset
        For item labels and categories (without it, items are shown by id).
    max_details
        High/medium rows kept with their explanation for the report.
    max_errors
        Error rows kept for the summary and the report.
    """

    def __init__(
        self, ruleset: RuleSet | None = None, max_details: int = 5000, max_errors: int = 1000
    ) -> None:
        self.ruleset = ruleset
        self.max_details = max_details
        self.max_errors = max_errors
        self.total = 0
        self.status: Counter[str] = Counter()
        self.initial_levels: Counter[str] = Counter()
        self.residual_levels: Counter[str] = Counter()
        self.decisions: Counter[str] = Counter()
        self.incomplete = 0
        self.by_kind: dict[str | None, Counter[str]] = {}
        self.by_unit: dict[str | None, Counter[str]] = {}
        self.category_initial: Counter[str] = Counter()
        self.category_residual: Counter[str] = Counter()
        self.factor_initial: Counter[str] = Counter()
        self.factor_residual: Counter[str] = Counter()
        self.item_points: dict[str, float] = {}
        self.decisive: Counter[str] = Counter()
        self.details = DetailRows()
        self.details_omitted = 0
        self.errors: list[tuple[int, str | None, str]] = []
        self.error_rows = 0
        self._category = {i.id: i.category for i in ruleset.items} if ruleset else {}
        self._label = {i.id: i.label for i in ruleset.items} if ruleset else {}

    def add(self, row: BatchRow) -> None:
        """Count one result."""
        self.total += 1
        self.status[row.status] += 1
        if row.status == "error":
            self.error_rows += 1
            if len(self.errors) < self.max_errors:
                self.errors.append((row.row, row.id, row.error or ""))
            return
        if row.status != "ok":
            return
        self.initial_levels[row.initial_level or ""] += 1
        level = row.residual_level or ""
        self.residual_levels[level] += 1
        self.decisions[row.decision or ""] += 1
        self.incomplete += bool(row.incomplete)
        self.by_kind.setdefault(row.kind, Counter())[level] += 1
        self.by_unit.setdefault(row.unit, Counter())[level] += 1
        self.factor_initial.update(row.initial_findings)
        self.factor_residual.update(row.findings)
        for item, points in zip(row.findings, row.finding_points, strict=False):
            self.item_points[item] = self.item_points.get(item, 0.0) + points
        self.decisive.update(row.decisive)
        no_cat = "\0"
        self.category_initial.update({self._category.get(i) or no_cat for i in row.initial_findings})
        self.category_residual.update({self._category.get(i) or no_cat for i in row.findings})
        if level in ("high", "medium"):
            if len(self.details) < self.max_details:
                self.details.append(
                    BatchRow(
                        row.row,
                        row.id,
                        row.status,
                        row.initial_level,
                        row.initial_score,
                        row.residual_level,
                        row.residual_score,
                        row.decision,
                        row.incomplete,
                        list(row.findings),
                        name=row.name,
                        kind=row.kind,
                        unit=row.unit,
                        explanation=row.explanation,
                        trigger_labels=list(row.trigger_labels),
                        top_items=list(row.top_items),
                        decisive=list(row.decisive),
                        level_zh=row.level_zh,
                        decision_zh=row.decision_zh,
                    )
                )
            else:
                self.details_omitted += 1

    # -- text ------------------------------------------------------------------------------------
    def summary(self, lang: str = "zh") -> str:
        """One line: how many rows, assessed, out of scope, failed and which rows failed."""
        which = ""
        if self.error_rows:
            shown = [str(r) for r, _, _ in self.errors[:20]]
            rows = t("punct.enum", lang).join(shown)
            more = (
                t("batch.summary.more", lang, count=self.error_rows) if self.error_rows > len(shown) else ""
            )
            which = t("batch.summary.which", lang, rows=rows, more=more)
        text = t(
            "batch.summary",
            lang,
            total=self.total,
            ok=self.status["ok"],
            out=self.status["out_of_scope"],
            errors=self.error_rows,
            which=which,
        )
        if self.status["blank"]:
            text += t("batch.summary.blank", lang, count=self.status["blank"])
        return text

    def details_text(self, lang: str = "zh", limit: int = 10) -> list[str]:
        """Lines for the first error rows (id and reason) and the level counts."""
        lines = [t("batch.summary.levels", lang, **{lv: self.residual_levels[lv] for lv in LEVELS})]
        sep = t("punct.enum", lang)
        if self.decisive:
            shown = [
                t("batch.summary.count", lang, label=label, count=n) for label, n in self.decisive.most_common(5)
            ]
            lines.append(t("batch.summary.decisive", lang, triggers=sep.join(shown)))
        if self.item_points:
            top = sorted(self.item_points.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
            shown = [
                t("batch.summary.points", lang, label=self._label.get(i, i), points=_num(p)) for i, p in top
            ]
            lines.append(t("batch.summary.top_items", lang, items=sep.join(shown)))
        high_at = [k for k, level in enumerate(self.details.residual_levels()) if level == "high"]
        if high_at:
            lines.append(t("batch.summary.high_head", lang, shown=min(limit, len(high_at)), total=len(high_at)))
        for r in (self.details[k] for k in high_at[:limit]):
            lines.append(
                t(
                    "batch.summary.high_line",
                    lang,
                    row=r.row,
                    id=r.id or "-",
                    name=r.name or "",
                    initial=self._level(r.initial_level or "high", lang),
                    residual=self._level("high", lang),
                    score=f"{r.residual_score:g}" if r.residual_score is not None else "-",
                    decision=t(f"decision.{r.decision}", lang),
                    reasons=self.reasons(r, lang),
                )
            )
        for row, ident, error in self.errors[:limit]:
            lines.append(t("batch.summary.error_line", lang, row=row, id=ident or "-", error=error))
        return lines

    def reasons(self, r: BatchRow, lang: str = "zh") -> str:
        """Why a row has its level, by label: the triggers that set it, else its largest factors."""
        sep = t("punct.enum", lang)
        parts = []
        if r.decisive:
            parts.append(t("batch.summary.raised_by", lang, triggers=sep.join(r.decisive)))
        if r.top_items:
            parts.append(t("batch.summary.main_items", lang, items=sep.join(r.top_items)))
        elif r.findings:
            items = [self._label.get(i, i) for i in r.findings[:3]]
            parts.append(t("batch.summary.main_items", lang, items=sep.join(items)))
        return t("plain.sep", lang).join(parts) if parts else t("batch.summary.no_reason", lang)

    # -- tables ----------------------------------------------------------------------------------
    def _level(self, level: str, lang: str) -> str:
        return t(f"level.{level}", lang)

    def _cat(self, cat: str, lang: str) -> str:
        return t("batch.no_category", lang) if cat == "\0" else cat

    def tables(self, lang: str = "zh", top_units: int = 30, top_factors: int = 20) -> list[ReportTable]:
        """The report's tables, in order: overview, levels, decisions, kinds, units, categories, factors, details, errors."""
        lv = [self._level(level, lang) for level in LEVELS]
        out: list[ReportTable] = []
        overview = [
            [t("batch.ov.total", lang), self.total],
            [t("batch.ov.ok", lang), self.status["ok"]],
            [t("batch.ov.out", lang), self.status["out_of_scope"]],
            [t("batch.ov.errors", lang), self.error_rows],
            [t("batch.ov.incomplete", lang), self.incomplete],
        ]
        if self.details_omitted:
            overview.append([t("batch.ov.omitted", lang), self.details_omitted])
        out.append(
            ReportTable(
                "overview",
                t("batch.table.overview", lang),
                [t("batch.col.item_measure", lang), t("batch.col.value", lang)],
                overview,
            )
        )
        out.append(
            ReportTable(
                "levels",
                t("batch.table.levels", lang),
                [t("batch.col.level", lang), t("batch.col.initial", lang), t("batch.col.residual", lang)],
                [
                    [lv[i], self.initial_levels[level], self.residual_levels[level]]
                    for i, level in enumerate(LEVELS)
                ],
                chart="grouped",
                series=[t("batch.col.initial", lang), t("batch.col.residual", lang)],
            )
        )
        decisions = sorted(self.decisions.items(), key=lambda kv: -kv[1])
        out.append(
            ReportTable(
                "decisions",
                t("batch.table.decisions", lang),
                [t("batch.col.decision", lang), t("batch.col.count", lang)],
                [[t(f"decision.{d}", lang), n] for d, n in decisions],
                chart="bar",
            )
        )
        kinds = sorted(self.by_kind.items(), key=lambda kv: -sum(kv[1].values()))
        out.append(
            ReportTable(
                "kinds",
                t("batch.table.kinds", lang),
                [t("batch.col.kind", lang), *lv, t("batch.col.total", lang)],
                [[_kind_label(k, lang), *(c[level] for level in LEVELS), sum(c.values())] for k, c in kinds],
                chart="stacked",
                series=lv,
            )
        )
        units = sorted(
            self.by_unit.items(), key=lambda kv: (-kv[1]["high"], -kv[1]["medium"], -sum(kv[1].values()))
        )
        unit_rows: list[list[Any]] = [
            [u or t("batch.unknown_kind", lang), *(c[level] for level in LEVELS), sum(c.values())]
            for u, c in units[:top_units]
        ]
        if len(units) > top_units:
            rest: Counter[str] = Counter()
            for _, c in units[top_units:]:
                rest.update(c)
            unit_rows.append(
                [
                    t("batch.other_units", lang, count=len(units) - top_units),
                    *(rest[level] for level in LEVELS),
                    sum(rest.values()),
                ]
            )
        out.append(
            ReportTable(
                "units",
                t("batch.table.units", lang),
                [t("batch.col.unit", lang), *lv, t("batch.col.total", lang)],
                unit_rows,
                chart="stacked",
                series=lv,
            )
        )
        cats = sorted(
            set(self.category_initial) | set(self.category_residual), key=lambda c: -self.category_initial[c]
        )
        out.append(
            ReportTable(
                "categories",
                t("batch.table.categories", lang),
                [t("batch.col.category", lang), t("batch.col.initial", lang), t("batch.col.residual", lang)],
                [[self._cat(c, lang), self.category_initial[c], self.category_residual[c]] for c in cats],
                chart="grouped",
                series=[t("batch.col.initial", lang), t("batch.col.residual", lang)],
            )
        )
        factors = sorted(
            set(self.factor_initial) | set(self.factor_residual),
            key=lambda i: (-self.factor_initial[i], -self.factor_residual[i], i),
        )[:top_factors]
        out.append(
            ReportTable(
                "factors",
                t("batch.table.factors", lang),
                [
                    t("batch.col.item", lang),
                    t("batch.col.label", lang),
                    t("batch.col.category", lang),
                    t("batch.col.initial", lang),
                    t("batch.col.residual", lang),
                ],
                [
                    [
                        i,
                        self._label.get(i, i),
                        self._cat(self._category.get(i) or "\0", lang),
                        self.factor_initial[i],
                        self.factor_residual[i],
                    ]
                    for i in factors
                ],
                chart="grouped",
                series=[t("batch.col.initial", lang), t("batch.col.residual", lang)],
            )
        )
        order = {"high": 0, "medium": 1}
        details = sorted(self.details, key=lambda r: (order.get(r.residual_level or "", 2), r.row))
        out.append(
            ReportTable(
                "details",
                t("batch.table.details", lang),
                [
                    t("batch.col.row", lang),
                    t("batch.col.id", lang),
                    t("batch.col.name", lang),
                    t("batch.col.kind", lang),
                    t("batch.col.unit", lang),
                    t("batch.col.initial", lang),
                    t("batch.col.residual", lang),
                    t("batch.col.score", lang),
                    t("batch.col.decision", lang),
                    t("batch.col.explanation", lang),
                ],
                [
                    [
                        r.row,
                        r.id,
                        r.name or "",
                        _kind_label(r.kind, lang),
                        r.unit or "",
                        self._level(r.initial_level or "", lang),
                        self._level(r.residual_level or "", lang),
                        f"{_num(r.initial_score)} → {_num(r.residual_score)}",
                        t(f"decision.{r.decision}", lang),
                        r.explanation or "",
                    ]
                    for r in details
                ],
                row_classes=[f"level-{r.residual_level}" for r in details],
            )
        )
        if self.errors:
            out.append(
                ReportTable(
                    "errors",
                    t("batch.table.errors", lang),
                    [t("batch.col.row", lang), t("batch.col.id", lang), t("batch.col.error", lang)],
                    [[r, i or "", e] for r, i, e in self.errors],
                )
            )
        return out


def _num(x: float | None) -> str:
    return "-" if x is None else f"{round(x, 2):g}"
