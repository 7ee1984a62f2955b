"""Aggregation of expert scores into panel values, with disagreement flags.

For each project and scored item the panel value is

* ``median`` (default): the median of the experts' scores;
* ``mean``: the arithmetic mean;
* ``trimmed``: the mean after dropping one highest and one lowest score (去掉一个最高分和一个最低分,
  the usual Chinese panel practice) when there are at least 3 scores, else the mean.

with ``n``, ``min``, ``max`` and ``std`` (sample standard deviation, 0 for a single score).

**Disagreement flags** (each with a reason; any one sets ``disagreement``):

``spread``
    the range ``max - min`` exceeds ``spread`` × the item's range (default 0.4: more than 1.6 points
    on a 0–4 item, more than 0.4 on a probability);
``agreement``
    fewer than ``agree_share`` of the scores (default 0.6) lie within one step of the median (the step
    of :mod:`expert_pool.review.items`);
``level``
    the experts' values fall on both sides of a level boundary.  *With the project known* (its facts,
    through ``--project`` on the command line or :class:`AssessmentLevelCheck`), the project is assessed
    twice with this item at the lowest and at the highest expert score (every other panel item at its
    panel value): the flag is set when the initial (措施前) or the final (措施后) level differs.  *Without
    the project*, the item's own scale is cut into thirds (low / medium / high: ``[lo, lo+r/3)``,
    ``[lo+r/3, lo+2r/3)``, ``[lo+2r/3, hi]``) and the flag is set when the lowest and the highest score
    lie in different thirds (:class:`ScaleLevelCheck`).

Flagged items form the second (Delphi) round list (:mod:`expert_pool.review.delphi`).  The whole
procedure — validation, round 1, round 2, optional calibration (:mod:`expert_pool.review.calibrate`) —
is :func:`review_panel`; :meth:`PanelReview.panel_rows` gives the rows of the PANEL.csv that
:func:`riskeval.panel.load_panel_values` reads.

Examples
--------
>>> aggregate_value([1, 2, 9], "median"), aggregate_value([1, 2, 9], "mean"), aggregate_value([1, 2, 9], "trimmed")
(2.0, 4.0, 2.0)
>>> from expert_pool.review.items import ScoredItem
>>> item = ScoredItem("A", "A", "points", "a", "d", "D", 0, 4, 2)
>>> [f.code for f in disagreement_flags([0, 2, 4], item, center=2)]
['spread', 'level']
>>> [f.code for f in disagreement_flags([2, 2, 2], item, center=2)]
[]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from riskeval import Project, RuleSet, assess
from riskeval.panel import write_panel_rows

from .calibrate import Calibration, calibrate_scores, fit_leniency
from .delphi import delphi_list, merge_rounds, rescored_pairs
from .items import ScoredItem, scored_items
from .scores import RawRow, Score, ScoreBatch, ScoreRowError, validate_rows

__all__ = [
    "Method",
    "METHODS",
    "Flag",
    "ItemResult",
    "LevelCheck",
    "ScaleLevelCheck",
    "AssessmentLevelCheck",
    "PanelReview",
    "aggregate_value",
    "disagreement_flags",
    "aggregate_scores",
    "panel_values",
    "review_panel",
    "DEFAULT_SPREAD",
    "DEFAULT_AGREE_SHARE",
]

Method = Literal["median", "mean", "trimmed"]
METHODS: tuple[str, ...] = ("median", "mean", "trimmed")
#: Default largest range, as a share of the item's range.
DEFAULT_SPREAD = 0.4
#: Default least share of scores within one step of the median.
DEFAULT_AGREE_SHARE = 0.6
_EPS = 1e-9
_LEVEL_ZH = {"low": "低", "medium": "中", "high": "高"}


def _g(x: float) -> str:
    return f"{round(x, 6):g}"


def aggregate_value(values: Sequence[float], method: str = "median") -> float:
    """The panel value of ``values`` by ``method`` (``median``, ``mean`` or ``trimmed``).

    Parameters
    ----------
    values
        At least one score.
    method
        See the module docstring.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        No values, or an unknown method.

    Examples
    --------
    >>> aggregate_value([3, 1, 2, 10, 0], "trimmed")
    2.0
    """
    if not values:
        raise ValueError("no values to aggregate")
    arr = np.asarray(values, dtype=float)
    if method == "median":
        return float(np.median(arr))
    if method == "mean":
        return float(arr.mean())
    if method == "trimmed":
        if len(arr) < 3:
            return float(arr.mean())
        return float(np.sort(arr)[1:-1].mean())
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


@dataclass(frozen=True)
class Flag:
    """One disagreement flag: ``code`` (``spread`` / ``agreement`` / ``level``) and its reason."""

    code: str
    zh: str
    en: str

    def reason(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class LevelCheck(Protocol):
    """Decides whether an item's lowest and highest scores lie on both sides of a level boundary."""

    def __call__(
        self, project: str, item: ScoredItem, low: float, high: float, values: Mapping[str, float]
    ) -> Flag | None: ...


def _third(item: ScoredItem, x: float) -> str:
    pos = (x - item.low) / item.span
    if pos < 1 / 3 - _EPS:
        return "low"
    if pos < 2 / 3 - _EPS:
        return "medium"
    return "high"


class ScaleLevelCheck:
    """The level test on the item's own scale, cut into thirds (used when the project is unknown).

    Examples
    --------
    >>> from expert_pool.review.items import ScoredItem
    >>> item = ScoredItem("A", "A", "points", "a", "d", "D", 0, 3, 1)
    >>> ScaleLevelCheck()("P1", item, 0, 1, {}).en
    'values on both sides of a level boundary of the item scale (thirds): lowest 0 low, highest 1 medium'
    >>> ScaleLevelCheck()("P1", item, 2, 3, {}) is None
    True
    """

    def __call__(
        self, project: str, item: ScoredItem, low: float, high: float, values: Mapping[str, float]
    ) -> Flag | None:
        a, b = _third(item, low), _third(item, high)
        if a == b:
            return None
        return Flag(
            "level",
            f"分值跨越条目量程的等级分界（三等分）：最低 {_g(low)} 属{_LEVEL_ZH[a]}、最高 {_g(high)} 属{_LEVEL_ZH[b]}",
            f"values on both sides of a level boundary of the item scale (thirds): lowest {_g(low)} {a}, "
            f"highest {_g(high)} {b}",
        )


def panel_values(values: Mapping[str, float], items: Mapping[str, ScoredItem]) -> dict[str, Any]:
    """Panel values by key -> the ``panel`` mapping :func:`riskeval.assess` takes.

    Examples
    --------
    >>> from expert_pool.review.items import ScoredItem
    >>> items = {"F.probability": ScoredItem("F.probability", "F", "probability", "f", "d", "D", 0, 1, 0.2),
    ...          "F.impact": ScoredItem("F.impact", "F", "impact", "f", "d", "D", 0, 1, 0.2)}
    >>> panel_values({"F.probability": 0.5, "F.impact": 0.4}, items)
    {'F': {'probability': 0.5, 'impact': 0.4}}
    """
    out: dict[str, Any] = {}
    for key, value in values.items():
        item = items.get(key)
        if item is None:
            continue
        if item.part == "points":
            out[item.item] = float(value)
        else:
            out.setdefault(item.item, {})[item.part] = float(value)
    return out


class AssessmentLevelCheck:
    """The level test through the assessment of the project itself (falls back to :class:`ScaleLevelCheck`).

    Parameters
    ----------
    ruleset
        The rule set.
    projects
        project id -> :class:`riskeval.Project` (with its facts); projects not given use the scale test.
    items
        Scored items by key.
    """

    def __init__(self, ruleset: RuleSet, projects: Mapping[str, Project], items: Mapping[str, ScoredItem]) -> None:
        self.ruleset = ruleset
        self.projects = dict(projects)
        self.items = dict(items)
        self.fallback = ScaleLevelCheck()

    def _levels(self, project: Project, values: Mapping[str, float]) -> tuple[str, str]:
        result = assess(project, self.ruleset, panel=panel_values(values, self.items))
        if not result.in_scope or result.initial is None or result.level is None:
            return ("-", "-")
        return (result.initial.level, result.level)

    def __call__(
        self, project: str, item: ScoredItem, low: float, high: float, values: Mapping[str, float]
    ) -> Flag | None:
        proj = self.projects.get(project)
        if proj is None:
            return self.fallback(project, item, low, high, values)
        try:
            lo = self._levels(proj, {**values, item.key: low})
            hi = self._levels(proj, {**values, item.key: high})
        except Exception:  # the project cannot be assessed: use the scale test rather than guess
            return self.fallback(project, item, low, high, values)
        if lo == hi:
            return None
        zh = [_LEVEL_ZH.get(x, x) for x in (*lo, *hi)]
        return Flag(
            "level",
            f"分值跨越项目的风险等级分界：取最低 {_g(low)} 时措施前/后等级为 {zh[0]}/{zh[1]}，"
            f"取最高 {_g(high)} 时为 {zh[2]}/{zh[3]}",
            f"values on both sides of the project's level boundary: with the lowest {_g(low)} the initial/final "
            f"levels are {lo[0]}/{lo[1]}, with the highest {_g(high)} {hi[0]}/{hi[1]}",
        )


def disagreement_flags(
    values: Sequence[float],
    item: ScoredItem,
    *,
    center: float,
    spread: float = DEFAULT_SPREAD,
    agree_share: float = DEFAULT_AGREE_SHARE,
    level_check: LevelCheck | None = None,
    project: str = "",
    panel: Mapping[str, float] | None = None,
) -> list[Flag]:
    """The disagreement flags of one item's scores (see the module docstring).

    Parameters
    ----------
    values
        The experts' scores.
    item
        The scored item (range and step).
    center
        The median of the scores (the agreement test counts scores within one step of it).
    spread, agree_share
        Thresholds (share of the item's range; share of the scores).
    level_check
        The level test (default :class:`ScaleLevelCheck`).
    project, panel
        The project id and its panel values by key (for an assessment-based level test).

    Returns
    -------
    list of Flag
        In the order spread, agreement, level.

    Examples
    --------
    >>> from expert_pool.review.items import ScoredItem
    >>> item = ScoredItem("A", "A", "points", "a", "d", "D", 0, 35, 1)
    >>> [f.code for f in disagreement_flags([10, 12, 20], item, center=12)]
    ['agreement', 'level']
    """
    flags: list[Flag] = []
    if not values:
        return flags
    lo, hi = min(values), max(values)
    limit = spread * item.span
    if hi - lo > limit + _EPS:
        flags.append(
            Flag(
                "spread",
                f"极差 {_g(hi - lo)} 超过 {_g(limit)}（量程的 {_g(spread)}）",
                f"range {_g(hi - lo)} exceeds {_g(limit)} ({_g(spread)} of the item range)",
            )
        )
    near = sum(1 for v in values if abs(v - center) <= item.step + _EPS)
    share = near / len(values)
    if share < agree_share - _EPS:
        flags.append(
            Flag(
                "agreement",
                f"距中位数一个步长（{_g(item.step)}）以内的只有 {near}/{len(values)}，低于 {_g(agree_share)}",
                f"only {near}/{len(values)} scores within one step ({_g(item.step)}) of the median, "
                f"below {_g(agree_share)}",
            )
        )
    check = level_check or ScaleLevelCheck()
    level = check(project, item, lo, hi, panel or {})
    if level is not None:
        flags.append(level)
    return flags


@dataclass
class ItemResult:
    """The panel's result for one project and scored item in one round."""

    project: str
    item: ScoredItem
    round: int
    value: float
    raw_value: float
    method: str
    scores: dict[str, float]
    flags: list[Flag] = field(default_factory=list)
    final: bool = True
    calibrated_value: float | None = None
    assigned: list[str] | None = None

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def n(self) -> int:
        return len(self.scores)

    @property
    def min(self) -> float:
        return min(self.scores.values())

    @property
    def max(self) -> float:
        return max(self.scores.values())

    @property
    def std(self) -> float:
        vals = list(self.scores.values())
        return float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0

    @property
    def disagreement(self) -> bool:
        return bool(self.flags)

    @property
    def missing(self) -> list[str]:
        """Assigned experts without a score for this item."""
        return [e for e in (self.assigned or []) if e not in self.scores]

    def reason(self, lang: str = "zh") -> str:
        return ("；" if lang == "zh" else "; ").join(f.reason(lang) for f in self.flags)

    def row(self, lang: str = "zh") -> dict[str, Any]:
        """The PANEL.csv row (see :mod:`riskeval.panel`)."""
        return {
            "project": self.project,
            "kind": "value",
            "item": self.item.item,
            "part": self.item.part,
            "label": self.item.label,
            "round": self.round,
            "final": int(self.final),
            "value": round(self.value, 6),
            "method": self.method,
            "n": self.n,
            "assigned": "" if self.assigned is None else len(self.assigned),
            "min": _g(self.min),
            "max": _g(self.max),
            "std": round(self.std, 6),
            "disagreement": int(self.disagreement),
            "flags": ";".join(f.code for f in self.flags),
            "reason": self.reason(lang),
            "raw_value": round(self.raw_value, 6),
            "calibrated_value": "" if self.calibrated_value is None else round(self.calibrated_value, 6),
            "scores": ";".join(f"{e}={_g(v)}" for e, v in self.scores.items()),
            "missing": ";".join(self.missing),
        }


def aggregate_scores(
    scores: Sequence[Score],
    items: Sequence[ScoredItem],
    *,
    method: str = "median",
    spread: float = DEFAULT_SPREAD,
    agree_share: float = DEFAULT_AGREE_SHARE,
    level_check: LevelCheck | None = None,
    assignment: Mapping[str, list[str]] | None = None,
    round: int = 1,
    base_values: Mapping[str, Mapping[str, float]] | None = None,
) -> list[ItemResult]:
    """Aggregate valid scores per project and item, with flags.

    Parameters
    ----------
    scores
        Valid scores (one per project, expert and key).
    items
        The scored items, in output order.
    method, spread, agree_share
        See the module docstring.
    level_check
        The level test (default :class:`ScaleLevelCheck`).
    assignment
        project -> assigned experts (to list experts who gave no score).
    round
        The round number written on the results.
    base_values
        project -> key -> value for keys not in ``scores`` (the other panel values the level test
        holds fixed; used for a Delphi round that re-scores only some items).

    Returns
    -------
    list of ItemResult
        By project (first appearance) and item order.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    order = {s.key: i for i, s in enumerate(items)}
    table = {s.key: s for s in items}
    grouped: dict[str, dict[str, dict[str, float]]] = {}
    for s in scores:
        grouped.setdefault(s.project, {}).setdefault(s.key, {})[s.expert] = s.value
    out: list[ItemResult] = []
    for project, by_key in grouped.items():
        values = {k: aggregate_value(list(v.values()), method) for k, v in by_key.items()}
        context = {**(base_values or {}).get(project, {}), **values}
        for key in sorted(by_key, key=lambda k: order.get(k, len(order))):
            item = table[key]
            vals = list(by_key[key].values())
            flags = disagreement_flags(
                vals,
                item,
                center=float(np.median(vals)),
                spread=spread,
                agree_share=agree_share,
                level_check=level_check,
                project=project,
                panel=context,
            )
            out.append(
                ItemResult(
                    project=project,
                    item=item,
                    round=round,
                    value=values[key],
                    raw_value=values[key],
                    method=method,
                    scores=dict(by_key[key]),
                    flags=flags,
                    assigned=list(assignment[project]) if assignment and project in assignment else None,
                )
            )
    return out


@dataclass
class PanelReview:
    """Everything :func:`review_panel` found: results of both rounds, records, calibration, errors."""

    ruleset: RuleSet
    items: list[ScoredItem]
    results: list[ItemResult]
    first: ScoreBatch
    second: ScoreBatch | None
    calibration: Calibration | None
    assignment: Mapping[str, list[str]] | None
    names: Mapping[str, str]
    method: str

    @property
    def errors(self) -> list[ScoreRowError]:
        """Every row error of both rounds."""
        return list(self.first.errors) + (list(self.second.errors) if self.second else [])

    @property
    def final(self) -> list[ItemResult]:
        """The final result per project and item (round 2 where there was one)."""
        return [r for r in self.results if r.final]

    @property
    def delphi(self) -> list[ItemResult]:
        """Final results still flagged: the list for a (further) Delphi round."""
        return delphi_list(self.results)

    @property
    def projects(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.results:
            seen.setdefault(r.project, None)
        for p in self.first.chairs:
            seen.setdefault(p, None)
        for p, _ in self.first.notes:
            seen.setdefault(p, None)
        return list(seen)

    def panel_values(self, project: str) -> dict[str, Any]:
        """The final panel values of ``project`` as :func:`riskeval.assess` takes them."""
        table = {s.key: s for s in self.items}
        return panel_values({r.key: r.value for r in self.final if r.project == project}, table)

    def _members(self, project: str) -> list[str]:
        if self.assignment is not None and project in self.assignment:
            return list(self.assignment[project])
        seen: dict[str, None] = {}
        for r in self.results:
            if r.project == project:
                for e in r.scores:
                    seen.setdefault(e, None)
        for p, e in self.first.notes:
            if p == project:
                seen.setdefault(e, None)
        return list(seen)

    def panel_rows(self, lang: str = "zh") -> list[dict[str, Any]]:
        """The rows of the PANEL.csv (:mod:`riskeval.panel` describes the format)."""
        rows: list[dict[str, Any]] = []
        batches = [self.first] + ([self.second] if self.second else [])
        for project in self.projects:
            rows.extend(r.row(lang) for r in self.results if r.project == project)
            chair = None
            for batch in batches:
                chair = batch.chairs.get(project, chair)
            if chair is not None:
                rows.append(
                    {"project": project, "kind": "chair", "expert": chair[0], "name": self.names.get(chair[0], ""),
                     "text": chair[1]}
                )
            for expert in self._members(project):
                opinion, signature, item_notes = "", "", {}
                for batch in batches:
                    note = batch.notes.get((project, expert))
                    if note is not None:
                        opinion = note.opinion or opinion
                        signature = note.signature or signature
                        item_notes.update(note.item_opinions)
                if not opinion and item_notes:
                    opinion = "; ".join(f"{k}: {v}" for k, v in item_notes.items())
                rows.append(
                    {"project": project, "kind": "expert", "expert": expert, "name": self.names.get(expert, ""),
                     "text": opinion, "signed": int(bool(signature)), "signature": signature}
                )
        if self.calibration is not None and self.calibration.ok:
            for expert, bias in sorted(self.calibration.biases.items()):
                if lang == "en":
                    text = "stricter (rates risk higher)" if bias > 0 else "more lenient" if bias < 0 else "neutral"
                else:
                    text = "偏严（评分偏高）" if bias > 0 else "偏宽（评分偏低）" if bias < 0 else "居中"
                rows.append(
                    {"project": "*", "kind": "bias", "expert": expert, "name": self.names.get(expert, ""),
                     "value": round(bias, 6), "text": text}
                )
        return rows

    def write(self, path: str | Path, lang: str = "zh") -> None:
        """Write the PANEL.csv."""
        write_panel_rows(path, self.panel_rows(lang))

    def summary(self, lang: str = "zh") -> str:
        """A short account: projects, items, flagged items (the Delphi list), missing scores, calibration."""
        en = lang == "en"
        final = self.final
        rounds = 2 if any(r.round == 2 for r in self.results) else 1
        lines = [
            (
                f"{len(self.projects)} projects, {len(final)} panel values ({self.method}), {rounds} round(s)"
                if en
                else f"{len(self.projects)} 个项目，{len(final)} 个专家组分值（{self.method}），{rounds} 轮"
            )
        ]
        flagged = self.delphi
        if flagged:
            lines.append(
                f"{len(flagged)} items with disagreement (second-round list):"
                if en
                else f"{len(flagged)} 个条目有分歧（第二轮评分清单）："
            )
            for r in flagged:
                lines.append(f"  {r.project} {r.key}: {r.reason(lang)}")
        else:
            lines.append("no disagreement" if en else "无分歧条目")
        for r in final:
            if r.missing:
                who = ", ".join(r.missing)
                lines.append(
                    f"  note: {r.project} {r.key} lacks scores of {who}" if en else f"  提示：{r.project} {r.key} 缺少 {who} 的评分"
                )
        if self.calibration is not None:
            lines.append(self.calibration.message(lang))
        return "\n".join(lines)


def review_panel(
    rows: Iterable[RawRow],
    ruleset: RuleSet,
    *,
    round2: Iterable[RawRow] | None = None,
    assignment: Mapping[str, list[str]] | None = None,
    experts: Mapping[str, str] | None = None,
    method: str = "median",
    spread: float = DEFAULT_SPREAD,
    agree_share: float = DEFAULT_AGREE_SHARE,
    calibrate: bool = False,
    projects: Mapping[str, Project] | None = None,
    items: list[ScoredItem] | None = None,
) -> PanelReview:
    """Validate, aggregate, run the Delphi round and calibrate: the whole panel review.

    Parameters
    ----------
    rows
        First-round rows (:func:`expert_pool.review.scores.read_score_rows`).
    ruleset
        The rule set.
    round2
        Second-round rows, scoring only items flagged in the first round.
    assignment
        project -> assigned experts (validation, missing scores, panel members).
    experts
        expert id -> name (an experts file): unknown experts become errors; names go to the record.
    method, spread, agree_share
        See the module docstring.
    calibrate
        Fit the leniency model and report calibrated values (``value`` = calibrated, ``raw_value`` beside).
    projects
        project id -> :class:`riskeval.Project` for the assessment-based level test.
    items
        Scored items (default :func:`expert_pool.review.items.scored_items`).

    Returns
    -------
    PanelReview

    Raises
    ------
    ValueError
        An unknown method or a threshold outside ``[0, 1]``.

    Examples
    --------
    >>> import riskeval
    >>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    >>> raw = [RawRow({"project": "P1", "expert": e, "item": "JS-RSN-4", "score": v}, "s.csv", i + 2)
    ...        for i, (e, v) in enumerate([("E1", "0"), ("E2", "4"), ("E3", "2")])]
    >>> review = review_panel(raw, rs)
    >>> r = review.final[0]
    >>> r.value, r.n, [f.code for f in r.flags]
    (2.0, 3, ['spread', 'level'])
    >>> again = [RawRow({"project": "P1", "expert": e, "item": "JS-RSN-4", "score": v}, "s2.csv", i + 2)
    ...          for i, (e, v) in enumerate([("E1", "2"), ("E2", "2")])]
    >>> review = review_panel(raw, rs, round2=again)
    >>> [(r.round, r.final, r.value, r.disagreement) for r in review.results]
    [(1, False, 2.0, True), (2, True, 2.0, False)]
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    for name, value in (("spread", spread), ("agree_share", agree_share)):
        if not (0.0 <= value <= 1.0) or math.isnan(value):
            raise ValueError(f"{name} must lie in [0, 1], not {value}")
    items = items if items is not None else scored_items(ruleset)
    table = {s.key: s for s in items}
    check: LevelCheck = AssessmentLevelCheck(ruleset, projects, table) if projects else ScaleLevelCheck()
    known = list(experts) if experts else None
    first = validate_rows(rows, ruleset, items, assignment=assignment, experts=known, round=1)
    settings: dict[str, Any] = dict(
        method=method, spread=spread, agree_share=agree_share, level_check=check, assignment=assignment
    )
    results = aggregate_scores(first.scores, items, round=1, **settings)
    second: ScoreBatch | None = None
    final_scores = list(first.scores)
    if round2 is not None:
        flagged = {(r.project, r.key) for r in results if r.disagreement}
        second = validate_rows(
            round2, ruleset, items, assignment=assignment, experts=known, round=2, allowed_keys=flagged
        )
        final_scores = merge_rounds(first.scores, second.scores)
        again = rescored_pairs(second.scores)
        base: dict[str, dict[str, float]] = {}
        for r in results:
            base.setdefault(r.project, {})[r.key] = r.value
        merged = [s for s in final_scores if (s.project, s.key) in again]
        round2_results = aggregate_scores(merged, items, round=2, base_values=base, **settings)
        for r in results:
            if (r.project, r.key) in again:
                r.final = False
        by_pair = {(r.project, r.key): r for r in round2_results}
        ordered: list[ItemResult] = []
        for r in results:
            ordered.append(r)
            if (r.project, r.key) in by_pair:
                ordered.append(by_pair[(r.project, r.key)])
        results = ordered
    calibration: Calibration | None = None
    if calibrate:
        calibration = fit_leniency(final_scores, table)
        if calibration.ok:
            adjusted = calibrate_scores(final_scores, calibration, table)
            per_pair: dict[tuple[str, str], list[float]] = {}
            for s in adjusted:
                per_pair.setdefault((s.project, s.key), []).append(s.value)
            for r in results:
                if r.final and (r.project, r.key) in per_pair:
                    item = table[r.key]
                    value = aggregate_value(per_pair[(r.project, r.key)], method)
                    r.calibrated_value = min(max(value, item.low), item.high)
                    r.value = r.calibrated_value
    return PanelReview(
        ruleset=ruleset,
        items=items,
        results=results,
        first=first,
        second=second,
        calibration=calibration,
        assignment=assignment,
        names=dict(experts or {}),
        method=method,
    )

