"""Turn fired rules into scores, dimension subtotals, a level, and a decision.

Points method (DB32/T 4013 style): the score is the sum of item points (higher = riskier).
Index method: each item contributes ``w · P · I``; a dimension's subtotal is the sum over its
items (item weights add up to 1 within a dimension) and the score is ``Σ W_dim · subtotal``.
Direct triggers raise the level to at least theirs and never lower it.
"""

from __future__ import annotations

from typing import Any

from ..model.assessment import Evaluation, Finding, ProcedureGap, TriggerHit
from ..model.rulefile import LEVEL_ORDER, Level
from ..ruleset.compiled import RuleSet
from ..ruleset.conditions import facts_read
from ..ruleset.formula import formula_facts

__all__ = ["score_evaluation", "numeric_values"]


def numeric_values(ruleset: RuleSet, values: dict[str, Any]) -> dict[str, float]:
    """Values usable in formulas (see :meth:`RuleSet.numeric`)."""
    return ruleset.numeric(values)


def _shown(values: dict[str, Any], names: set[str]) -> dict[str, Any]:
    return {n: values.get(n) for n in sorted(names)}


def score_evaluation(
    ruleset: RuleSet,
    stage: str,
    values: dict[str, Any],
    fired: set[str],
    panel: dict[str, Any] | None = None,
) -> Evaluation:
    """Score one evaluation from the set of fired rule ids."""
    method = ruleset.scoring.method
    numeric = numeric_values(ruleset, values)
    by_ref: dict[str, list[Any]] = {}
    for rule in ruleset.rules:
        if rule.id in fired:
            by_ref.setdefault(f"{rule.kind}:{rule.ref}", []).append(rule)
    findings: list[Finding] = []
    missing_panel: list[str] = []
    subtotals: dict[str, float] = {d.id: 0.0 for d in ruleset.dimensions}
    for item in ruleset.items:
        rules = by_ref.get(f"item:{item.id}", [])
        if not rules:
            continue
        rule = rules[0]
        compiled = ruleset.item_values[item.id]
        read = facts_read(rule.condition)
        finding: dict[str, Any] = {}
        if method == "points":
            spec = compiled["points"]
            if spec.kind == "panel":
                if not panel or item.id not in panel:
                    missing_panel.append(item.id)
                    continue
                points = float(panel[item.id])
            elif spec.kind == "formula":
                assert spec.formula is not None
                read |= formula_facts(spec.formula)
                points = spec.lookup(values, numeric)[0]  # type: ignore[index]
                if item.max is not None:
                    points = min(points, item.max)
                points = max(points, 0.0)
            else:
                points = float(rule.value or 0.0)
            contribution = points
            finding = {"points": round(points, 6)}
        else:
            if compiled["probability"].kind == "panel":
                entry = (panel or {}).get(item.id)
                if not isinstance(entry, dict) or "probability" not in entry or "impact" not in entry:
                    missing_panel.append(item.id)
                    continue
                p, i = float(entry["probability"]), float(entry["impact"])
            else:
                got_p = compiled["probability"].lookup(values, numeric)
                got_i = compiled["impact"].lookup(values, numeric)
                if got_p is None or got_i is None:
                    continue
                p, i = got_p[0], got_i[0]
                for spec in (compiled["probability"], compiled["impact"]):
                    if spec.fact:
                        read.add(spec.fact)
                    if spec.formula is not None:
                        read |= formula_facts(spec.formula)
            w = float(item.weight or 0.0)
            contribution = w * p * i
            finding = {"probability": p, "impact": i, "weight": w}
        subtotals[item.dimension] = subtotals.get(item.dimension, 0.0) + contribution
        if contribution > 0 or item.panel:
            findings.append(
                Finding(
                    item=item.id,
                    rule=rule.id,
                    label=item.label,
                    dimension=item.dimension,
                    dimension_label=ruleset.dimension_label(item.dimension),
                    category=item.category,
                    source=item.source,
                    confidence=item.confidence,
                    condition=item.when or "true",
                    branch=rule.branch,
                    facts=_shown(values, read),
                    contribution=round(contribution, 9),
                    panel=item.panel,
                    **finding,
                )
            )
    if method == "points":
        score = sum(subtotals.values())
    else:
        weights = {d.id: float(d.weight or 0.0) for d in ruleset.dimensions}
        score = sum(weights.get(k, 0.0) * v for k, v in subtotals.items())
    score = round(score, 9)
    score_level = ruleset.level_for(score)
    level: Level = score_level
    hits: list[TriggerHit] = []
    # Factors are only needed to explain a compound trigger; most rule sets have none.
    fired_items = set(ruleset.fired_factors(fired, values)) if any(r.compound for r in ruleset.rules) else set()
    for trig in ruleset.triggers:
        if f"trigger:{trig.id}" in fired:
            rule = next(r for r in ruleset.rules if r.id == f"trigger:{trig.id}")
            hits.append(
                TriggerHit(
                    trigger=trig.id,
                    label=trig.label,
                    level=trig.level,
                    condition=trig.when or "true",
                    factors=[f for f in rule.factors if f in fired_items],
                    facts=_shown(values, facts_read(rule.condition)),
                    source=trig.source,
                    confidence=trig.confidence,
                )
            )
            if LEVEL_ORDER[trig.level] > LEVEL_ORDER[level]:
                level = trig.level
    gaps = [
        ProcedureGap(procedure=p.id, label=p.label, condition=p.satisfied, source=p.source)
        for p in ruleset.procedures
        if f"proc-required:{p.id}" in fired and f"proc-satisfied:{p.id}" not in fired
    ]
    return Evaluation(
        stage=stage,  # type: ignore[arg-type]
        score=score,
        score_level=score_level,
        level=level,
        dimensions={k: round(v, 9) for k, v in subtotals.items()},
        findings=findings,
        triggers=hits,
        missing_procedures=gaps,
        missing_panel_items=missing_panel,
        rules_fired=sorted(fired),
    )


