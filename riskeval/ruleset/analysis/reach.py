"""Findings about the score: levels and decisions no project reaches by score, dimension maxima.

"By score" means with no direct trigger firing, so that the level is the score's. A level is
checked three ways (see :mod:`.bounds`): over all projects (error when unreachable), over the
projects to which no conditional item applies (error: the ordinary project of the table), and
over each other case of applicable conditional items (a warning naming the worst case).
"""

from __future__ import annotations

from ...model.rulefile import LEVEL_ORDER
from ..compiled import REGIME_DECISIONS, RuleSet
from ..problems import Problem
from .bounds import ScoreBounds, TooLarge, score_bounds
from .findings import locate, problem, too_large
from .messages import Many as _Many
from .messages import Text as _Label
from .spans import Span

__all__ = ["score_findings"]


def _shortfall(span: Span, low: float, high: float) -> float:
    """How far ``span`` stays from the band ``[low, high]`` (for picking the worst case)."""
    return max(low - span.high, span.low - high, 0.0)


def _items(rs: RuleSet, ids: list[str], limit: int = 3) -> _Many:
    labels = [rs.item(i).label for i in ids]
    return _Many(labels[:limit], max(len(labels) - limit, 0))


def score_findings(rs: RuleSet) -> list[Problem]:
    """Levels, decisions and dimension maxima (see the module notes)."""
    out: list[Problem] = []
    try:
        bounds = score_bounds(rs, score_only=True)
        full = score_bounds(rs)
    except TooLarge as exc:
        return [too_large(locate(rs, "scoring", "", "method"), exc)]
    for ident, why in sorted(bounds.inexact.items()):
        out.append(problem(locate(rs, "items", ident), "check.not_analysed", "warning",
                           what=_Label(f"check.why.{why}", item=rs.item(ident).label)))
    for rule in rs.rules:
        if rule.kind == "trigger" and rule.compound:
            trig = next(x for x in rs.triggers if x.id == rule.ref)
            out.append(problem(locate(rs, "triggers", trig.id), "check.not_analysed", "warning",
                               what=_Label("check.why.compound", trigger=trig.label)))
    if bounds.total is None:
        out.append(problem(locate(rs, "scoring", "", "levels", key=True), "check.no_score"))
        return out
    out.extend(_levels(rs, bounds))
    out.extend(_dimensions(rs, full, set(bounds.inexact)))
    return out


def _levels(rs: RuleSet, bounds: ScoreBounds) -> list[Problem]:
    out: list[Problem] = []
    reachable: set[str] = set()
    assert bounds.total is not None
    base = bounds.cases.get(frozenset())
    for level, band in rs.level_bands.items():
        ends = (band.low, band.high, band.low_closed, band.high_closed)
        name = _Label(f"level.{level}")
        where = locate(rs, "scoring", "", "levels", level)
        if not bounds.total.meets(*ends):
            out.append(problem(where, "check.level_unreachable", level=name, range=bounds.total.text(), band=str(band)))
            continue
        reachable.add(level)
        if base is not None and bounds.conditional and not base.meets(*ends):
            out.append(problem(where, "check.level_unreachable_base", level=name, range=base.text(), band=str(band),
                               items=_items(rs, list(bounds.conditional))))
            continue
        missed = {case: span for case, span in bounds.cases.items() if not span.meets(*ends)}
        if missed:
            case, span = max(missed.items(), key=lambda kv: (_shortfall(kv[1], band.low, band.high), -len(kv[0])))
            described = (_Label("check.case_applies", items=_items(rs, [i for i in bounds.conditional if i in case]))
                         if case else _Label("check.case_none"))
            out.append(problem(where, "check.level_unreachable_cases", "warning", level=name, count=len(missed),
                               total=len(bounds.cases), case=described, range=span.text(), band=str(band)))
    decisions: dict[str, list[str]] = {}
    table = rs.decisions or REGIME_DECISIONS.get(rs.regime or "major_decision", {})
    for level, decision in table.items():
        decisions.setdefault(str(decision), []).append(level)
    for decision, levels in decisions.items():
        if not reachable & set(levels):
            ordered = sorted(levels, key=lambda lv: LEVEL_ORDER[lv])
            where = locate(rs, "scoring", "", "levels", ordered[-1])
            out.append(problem(where, "check.decision_unreachable", decision=_Label(f"decision.{decision}"),
                               levels=_Many([_Label(f"level.{lv}") for lv in ordered], sep="check.level_sep")))
    return out


def _dimensions(rs: RuleSet, full: ScoreBounds, inexact: set[str]) -> list[Problem]:
    out: list[Problem] = []
    if rs.scoring.method != "points":
        return out
    for dim in rs.dimensions:
        span = full.dimensions.get(dim.id)
        if dim.max is None or span is None or any(i.dimension == dim.id and (i.id in inexact or i.panel) for i in rs.items):
            continue  # a formula bounded only from outside, or points the panel gives
        if abs(span.high - dim.max) > 1e-9 or not span.high_closed:
            out.append(problem(locate(rs, "dimensions", dim.id, "max"), "check.dim_max", "warning", dimension=dim.label,
                               attained=f"{round(span.high, 6):g}", max=f"{dim.max:g}"))
    return out
