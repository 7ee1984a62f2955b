"""Turn fired rules into scores, dimension subtotals, a level, and a decision.

Points method (DB32/T 4013 style): the score is the sum of item points (higher = riskier); an item
that does not apply scores nothing (不涉及不计分).
Index method: each item contributes ``w · P · I``; a dimension's subtotal is the sum over its
items and the score is ``Σ W_dim · subtotal``. By default (``scoring.not_applicable: renormalise``)
the weights are renormalised over the items that apply within each dimension, and a dimension with
no item that applies drops out (its weight is shared by the others): the 428 outline has experts weight
only the main factors identified. ``not_applicable: zero`` keeps the declared weights (an item that
does not apply counts 0), for tables on a fixed scale. Items that do not apply are listed in
``Evaluation.not_applicable`` (shown as 不适用).
Direct triggers raise the level to at least theirs and never lower it.

Examples
--------
>>> renormalise({"a": {"x": (0.25, 0.5), "y": (0.25, 0.25)}, "b": {}}, {"a": 0.5, "b": 0.5})
({'a': 0.375}, {'x': 0.5, 'y': 0.5}, 0.375)
>>> renormalise({"a": {"x": (0.2, 0.5)}, "b": {"y": (0.3, 1.0)}}, {"a": 0.5, "b": 0.5})[2]
0.75
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..model.assessment import Evaluation, Finding, ProcedureGap, TriggerHit
from ..model.rulefile import LEVEL_ORDER, Item, Level
from ..ruleset.compiled import CompiledValue, Rule, RuleSet
from ..ruleset.conditions import Condition, facts_read
from ..ruleset.formula import Formula, formula_facts
from ..ruleset.plans import PlanCache

__all__ = ["ItemScore", "aggregate", "level_of", "numeric_values", "renormalise", "score_evaluation", "score_item"]


def numeric_values(ruleset: RuleSet, values: dict[str, Any]) -> dict[str, float]:
    """Values usable in formulas (see :meth:`RuleSet.numeric`)."""
    return ruleset.numeric(values)


@dataclass
class ItemScore:
    """One item on one set of facts.

    ``status`` is ``scored`` (``value`` is the points, or P × I before weighting), ``not_applicable``
    (its condition does not hold or a value cannot be read) or ``missing_panel`` (a panel item
    without the panel's scores). ``rule`` is the rule that fired, ``read`` the facts it read and
    ``fields`` the finding's fields (``points`` or ``probability``/``impact``).
    """

    item: Item
    status: Literal["scored", "not_applicable", "missing_panel"]
    value: float = 0.0
    rule: Rule | None = None
    read: set[str] = field(default_factory=set)
    fields: dict[str, Any] = field(default_factory=dict)


_FACTS_OF: dict[int, tuple[Any, frozenset[str]]] = {}


def _condition_facts(cond: Condition) -> frozenset[str]:
    """``facts_read(cond)``, computed once per condition object (conditions are immutable)."""
    got = _FACTS_OF.get(id(cond))
    if got is None or got[0] is not cond:
        got = _FACTS_OF[id(cond)] = (cond, frozenset(facts_read(cond)))
    return got[1]


def _formula_facts(formula: Formula) -> frozenset[str]:
    """``formula_facts(formula)``, computed once per formula object (formulas are immutable)."""
    got = _FACTS_OF.get(id(formula))
    if got is None or got[0] is not formula:
        got = _FACTS_OF[id(formula)] = (formula, frozenset(formula_facts(formula)))
    return got[1]


def score_item(
    ruleset: RuleSet,
    item: Item,
    rule: Rule | None,
    values: dict[str, Any],
    numeric: dict[str, float],
    panel: dict[str, Any] | None,
) -> ItemScore:
    """Score ``item`` given the first of its rules that fired (``None``: none fired)."""
    if rule is None:
        return ItemScore(item, "not_applicable")
    compiled = ruleset.item_values[item.id]
    read = set(_condition_facts(rule.condition))
    if ruleset.scoring.method == "points":
        spec = compiled["points"]
        if spec.kind == "panel":
            if not panel or item.id not in panel:
                return ItemScore(item, "missing_panel", rule=rule, read=read)
            points = float(panel[item.id])
        elif spec.kind == "formula":
            assert spec.formula is not None
            read |= _formula_facts(spec.formula)
            points = spec.lookup(values, numeric)[0]  # type: ignore[index]
            if item.max is not None:
                points = min(points, item.max)
            points = max(points, 0.0)
        else:
            points = float(rule.value or 0.0)
        return ItemScore(item, "scored", points, rule, read, {"points": round(points, 6)})
    if compiled["probability"].kind == "panel":
        entry = (panel or {}).get(item.id)
        if not isinstance(entry, dict) or "probability" not in entry or "impact" not in entry:
            return ItemScore(item, "missing_panel", rule=rule, read=read)
        p, i = float(entry["probability"]), float(entry["impact"])
    else:
        got_p = compiled["probability"].lookup(values, numeric)
        got_i = compiled["impact"].lookup(values, numeric)
        if got_p is None or got_i is None:
            return ItemScore(item, "not_applicable")
        p, i = got_p[0], got_i[0]
        for spec in (compiled["probability"], compiled["impact"]):
            if spec.fact:
                read.add(spec.fact)
            if spec.formula is not None:
                read |= _formula_facts(spec.formula)
    return ItemScore(item, "scored", p * i, rule, read, {"probability": p, "impact": i})


def renormalise(
    applicable: dict[str, dict[str, tuple[float, float]]], dim_weights: dict[str, float]
) -> tuple[dict[str, float], dict[str, float], float]:
    """Renormalise index weights over the items that apply.

    Parameters
    ----------
    applicable
        Per dimension, ``{item: (declared weight, P × I)}`` of the items that apply.
    dim_weights
        Declared dimension weights.

    Returns
    -------
    tuple
        The subtotal of each dimension that has an item applying (Σ w'·P·I with the item weights
        renormalised to sum to 1 in it), the effective weight ``w'`` of each item, and the score
        ``Σ W'_dim · subtotal`` with the weights of those dimensions renormalised to sum to 1.
        A dimension whose applicable items all weigh 0 counts as empty.
    """
    subtotals: dict[str, float] = {}
    effective: dict[str, float] = {}
    for dim, items in applicable.items():
        total = sum(w for w, _ in items.values())
        if not items or total <= 0:
            continue
        subtotal = 0.0
        for item, (w, pi) in items.items():
            effective[item] = w / total
            subtotal += effective[item] * pi
        subtotals[dim] = subtotal
    dim_total = sum(dim_weights.get(d, 0.0) for d in subtotals)
    score = sum(dim_weights.get(d, 0.0) * v for d, v in subtotals.items()) / dim_total if dim_total > 0 else 0.0
    return subtotals, effective, score


def aggregate(ruleset: RuleSet, scores: list[ItemScore]) -> tuple[dict[str, float], dict[str, float], float]:
    """Dimension subtotals, item weights used (index method) and the score (rounded to 9 places).

    Items that apply are those ``scored`` or ``missing_panel`` (a panel item keeps its weight while
    its scores are awaited).
    """
    method = ruleset.scoring.method
    if method == "points":
        # As below for the points method, without the weights it does not read.
        totals = {d.id: 0.0 for d in ruleset.dimensions}
        for s in scores:
            if s.status != "not_applicable":
                dim = s.item.dimension
                totals[dim] = totals.get(dim, 0.0) + s.value
        return totals, {}, round(sum(totals.values()), 9)
    dim_weights = {d.id: float(d.weight or 0.0) for d in ruleset.dimensions}
    applies = [s for s in scores if s.status != "not_applicable"]
    if ruleset.scoring.not_applicable != "zero":  # the index method from here on
        applicable: dict[str, dict[str, tuple[float, float]]] = {}
        for s in applies:
            applicable.setdefault(s.item.dimension, {})[s.item.id] = (float(s.item.weight or 0.0), s.value)
        subtotals, weights, score = renormalise(applicable, dim_weights)
        return subtotals, weights, round(score, 9)
    subtotals = {d.id: 0.0 for d in ruleset.dimensions}
    weights = {s.item.id: float(s.item.weight or 0.0) for s in applies}
    for s in applies:
        subtotals[s.item.dimension] = subtotals.get(s.item.dimension, 0.0) + s.value * weights[s.item.id]
    score = sum(dim_weights.get(k, 0.0) * v for k, v in subtotals.items())
    return subtotals, weights, round(score, 9)


def level_of(ruleset: RuleSet, score: float, fired: set[str]) -> Level:
    """The level: the score's, raised by every direct trigger that fired."""
    level: Level = ruleset.level_for(score)
    for trig in ruleset.triggers:
        if f"trigger:{trig.id}" in fired and LEVEL_ORDER[trig.level] > LEVEL_ORDER[level]:
            level = trig.level
    return level


def _shown(values: dict[str, Any], names: set[str] | frozenset[str]) -> dict[str, Any]:
    return {n: values.get(n) for n in sorted(names)}


def item_scores(ruleset: RuleSet, values: dict[str, Any], fired: set[str], panel: dict[str, Any] | None) -> list[ItemScore]:
    """Every item of ``ruleset`` scored on ``values`` given the fired rule ids."""
    return [
        s if s is not None else ItemScore(item, "not_applicable")  # as score_item without a rule
        for item, s in zip(ruleset.items, _fired_item_scores(ruleset, values, fired, panel), strict=True)
    ]


def _fired_item_scores(
    ruleset: RuleSet, values: dict[str, Any], fired: set[str], panel: dict[str, Any] | None
) -> list[ItemScore | None]:
    """:func:`item_scores` with ``None`` for each item none of whose rules fired (``not_applicable``)."""
    first: dict[str, Rule] = {}
    for rule_id, ref, rule in _plan(ruleset).item_rules:
        if rule_id in fired and ref not in first:
            first[ref] = rule
    # Formulas are the only readers of the numeric values, and each reads only its own facts: the
    # numeric values are computed for those facts alone (as ``numeric_values`` would for all of them).
    out: list[ItemScore | None] = []
    for item in ruleset.items:
        found = first.get(item.id)
        if found is None:
            out.append(None)
            continue
        numeric: dict[str, float] = {}
        names = _formula_inputs(ruleset.item_values[item.id])
        if names:
            numeric = numeric_values(ruleset, {n: values[n] for n in names if n in values})
        out.append(score_item(ruleset, item, found, values, numeric, panel))
    return out


class _Plan:
    """What scoring looks up in a rule set's rules on every evaluation, listed once."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.item_rules = [(r.id, r.ref, r) for r in rules if r.kind == "item"]
        self.compound = any(r.compound for r in rules)


_PLANS: PlanCache[_Plan] = PlanCache(_Plan)


def _plan(ruleset: RuleSet) -> _Plan:
    """The plan of ``ruleset`` (kept per object while it lives, rebuilt if its rules were changed)."""
    return _PLANS.get(ruleset)


def _formula_inputs(specs: dict[str, CompiledValue]) -> frozenset[str]:
    """The facts the formulas among ``specs`` read (empty: no formula)."""
    names: frozenset[str] = frozenset()
    for spec in specs.values():
        if spec.kind == "formula" and spec.formula is not None:
            names = names | _formula_facts(spec.formula)
    return names


def score_evaluation(
    ruleset: RuleSet,
    stage: str,
    values: dict[str, Any],
    fired: set[str],
    panel: dict[str, Any] | None = None,
) -> Evaluation:
    """Score one evaluation from the set of fired rule ids."""
    method = ruleset.scoring.method
    every = _fired_item_scores(ruleset, values, fired, panel)
    scores = [s for s in every if s is not None]  # the items left out do not apply
    subtotals, weights, score = aggregate(ruleset, scores)
    findings: list[Finding] = []
    for s in scores:
        if s.status != "scored" or s.rule is None:
            continue
        item, fields = s.item, dict(s.fields)
        contribution = s.value
        if method == "index":
            w = weights.get(item.id, 0.0)
            contribution = w * s.value
            fields["weight"] = round(w, 9)
            if abs(w - float(item.weight or 0.0)) > 1e-12:
                fields["declared_weight"] = item.weight
        if contribution > 0 or item.panel:
            findings.append(
                Finding(
                    item=item.id,
                    rule=s.rule.id,
                    label=item.label,
                    dimension=item.dimension,
                    dimension_label=ruleset.dimension_label(item.dimension),
                    category=item.category,
                    source=item.source,
                    confidence=item.confidence,
                    condition=item.when or "true",
                    branch=s.rule.branch,
                    facts=_shown(values, s.read),
                    contribution=round(contribution, 9),
                    panel=item.panel,
                    **fields,
                )
            )
    score_level = ruleset.level_for(score)
    level = level_of(ruleset, score, fired)
    hits: list[TriggerHit] = []
    # Factors are only needed to explain a compound trigger; most rule sets have none.
    fired_items = set(ruleset.fired_factors(fired, values)) if _plan(ruleset).compound else set()
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
                    facts=_shown(values, _condition_facts(rule.condition)),
                    source=trig.source,
                    confidence=trig.confidence,
                )
            )
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
        missing_panel_items=[s.item.id for s in scores if s.status == "missing_panel"],
        not_applicable=[
            item.id for item, s in zip(ruleset.items, every, strict=True) if s is None or s.status == "not_applicable"
        ]
        if method == "index"
        else [],
        rules_fired=sorted(fired),
    )
