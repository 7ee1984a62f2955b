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

The flags are computed by :mod:`expert_pool.review.flags`.  Flagged items form the second (Delphi)
round list (:mod:`expert_pool.review.delphi`).  The whole procedure — validation, round 1, round 2,
optional calibration (:mod:`expert_pool.review.calibrate`) — is
:func:`expert_pool.review.panel_review.review_panel`; :meth:`~expert_pool.review.panel_review.PanelReview.panel_rows`
gives the rows of the PANEL.csv that :func:`riskeval.panel_scores.load_panel_values` reads.

Examples
--------
>>> aggregate_value([1, 2, 9], "median"), aggregate_value([1, 2, 9], "mean"), aggregate_value([1, 2, 9], "trimmed")
(2.0, 4.0, 2.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from riskeval.i18n import t

from .flags import DEFAULT_AGREE_SHARE, DEFAULT_SPREAD, Flag, LevelCheck, disagreement_flags
from .items import ScoredItem
from .scores import Score

__all__ = ["Method", "METHODS", "ItemResult", "aggregate_value", "aggregate_scores"]

Method = Literal["median", "mean", "trimmed"]
METHODS: tuple[str, ...] = ("median", "mean", "trimmed")


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
        return t("pool.list.clause_sep", lang).join(f.reason(lang) for f in self.flags)

    def row(self, lang: str = "zh") -> dict[str, Any]:
        """The PANEL.csv row (see :mod:`riskeval.panel_scores`)."""
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


