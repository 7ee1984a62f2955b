"""Disagreement flags of the panel's scores for one item (see :mod:`expert_pool.review.aggregate`).

``spread``
    the range ``max - min`` exceeds ``spread`` × the item's range;
``agreement``
    fewer than ``agree_share`` of the scores lie within one step of the median;
``level``
    the experts' values fall on both sides of a level boundary: of the project's assessment
    (:class:`AssessmentLevelCheck`, when the project is known) or of the item's scale cut into thirds
    (:class:`ScaleLevelCheck`).

Examples
--------
>>> from expert_pool.review.items import ScoredItem
>>> item = ScoredItem("A", "A", "points", "a", "d", "D", 0, 4, 2)
>>> [f.code for f in disagreement_flags([0, 2, 4], item, center=2)]
['spread', 'level']
>>> print(disagreement_flags([0, 2, 4], item, center=2)[0].reason("en"))
range 4 exceeds 1.6 (0.4 of the item range)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from riskeval import Project, RuleSet, assess
from riskeval.i18n import normalize_lang, register_messages, t

from .items import ScoredItem

__all__ = [
    "DEFAULT_AGREE_SHARE",
    "DEFAULT_SPREAD",
    "AssessmentLevelCheck",
    "Flag",
    "LevelCheck",
    "ScaleLevelCheck",
    "disagreement_flags",
    "panel_values",
]

#: Default largest range, as a share of the item's range.
DEFAULT_SPREAD = 0.4
#: Default least share of scores within one step of the median.
DEFAULT_AGREE_SHARE = 0.6
_EPS = 1e-9

register_messages(
    {
        "pool.level.low": {"zh": "低", "en": "low"},
        "pool.level.medium": {"zh": "中", "en": "medium"},
        "pool.level.high": {"zh": "高", "en": "high"},
        "pool.flag.spread": {
            "zh": "极差 {range} 超过 {limit}（量程的 {share}）",
            "en": "range {range} exceeds {limit} ({share} of the item range)",
        },
        "pool.flag.agreement": {
            "zh": "距中位数一个步长（{step}）以内的只有 {near}/{n}，低于 {share}",
            "en": "only {near}/{n} scores within one step ({step}) of the median, below {share}",
        },
        "pool.flag.level_scale": {
            "zh": "分值跨越条目量程的等级分界（三等分）：最低 {low} 属{level_low}、最高 {high} 属{level_high}",
            "en": "values on both sides of a level boundary of the item scale (thirds): lowest {low} {level_low}, "
            "highest {high} {level_high}",
        },
        "pool.flag.level_project": {
            "zh": "分值跨越项目的风险等级分界：取最低 {low} 时措施前/后等级为 {level_lo_initial}/{level_lo_final}，"
            "取最高 {high} 时为 {level_hi_initial}/{level_hi_final}",
            "en": "values on both sides of the project's level boundary: with the lowest {low} the initial/final "
            "levels are {level_lo_initial}/{level_lo_final}, with the highest {high} {level_hi_initial}/"
            "{level_hi_final}",
        },
    }
)


def _g(x: float) -> str:
    return f"{round(x, 6):g}"


def _level(code: Any, lang: str) -> Any:
    return t(f"pool.level.{code}", lang) if code in ("low", "medium", "high") else code


@dataclass(frozen=True)
class Flag:
    """One disagreement flag: ``code`` (``spread`` / ``agreement`` / ``level``) and its reason.

    ``message`` is the catalogue key of the reason and ``params`` its parameters (levels given as
    ``low`` / ``medium`` / ``high`` are shown in the language asked for).
    """

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def reason(self, lang: str = "zh") -> str:
        """The reason in Chinese (``"zh"``) or English (``"en"``)."""
        lang = normalize_lang(lang)
        params = {k: (_level(v, lang) if k.startswith("level") else v) for k, v in self.params.items()}
        return t(self.message, lang, **params)

    @property
    def zh(self) -> str:
        return self.reason("zh")

    @property
    def en(self) -> str:
        return self.reason("en")


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
        return Flag("level", "pool.flag.level_scale", {"low": _g(low), "high": _g(high), "level_low": a,
                                                        "level_high": b})


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
        return Flag("level", "pool.flag.level_project", {
            "low": _g(low), "high": _g(high), "level_lo_initial": lo[0], "level_lo_final": lo[1],
            "level_hi_initial": hi[0], "level_hi_final": hi[1]})


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
        flags.append(Flag("spread", "pool.flag.spread", {"range": _g(hi - lo), "limit": _g(limit),
                                                          "share": _g(spread)}))
    near = sum(1 for v in values if abs(v - center) <= item.step + _EPS)
    share = near / len(values)
    if share < agree_share - _EPS:
        flags.append(Flag("agreement", "pool.flag.agreement", {"step": _g(item.step), "near": near,
                                                                "n": len(values), "share": _g(agree_share)}))
    check = level_check or ScaleLevelCheck()
    level = check(project, item, lo, hi, panel or {})
    if level is not None:
        flags.append(level)
    return flags


