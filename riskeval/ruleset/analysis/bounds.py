"""Exact bounds of the score, per dimension and in total, over the declared domains of the facts.

The facts fall into independent groups (two facts are in one group when an item, a trigger, a
scope entry or a ``required_when`` reads both). Each group's regions (see :mod:`.domain`) are
enumerated; on each combination every condition has one truth value and every item has one raw
value (or, for a formula, a span). For each *case* — the set of items that apply (their ``when``
holds and, for the index method, their value can be read) — the coefficients of :mod:`.aggregate` are fixed, the score is a sum over the groups, and
its largest and smallest values are the sums of each group's. The bounds are exact except where
an item is listed in :attr:`ScoreBounds.inexact` (a fact used twice in formulas, a division by a
span holding 0), where they are still safe outer bounds.

``score_only=True`` keeps only the projects on which no direct trigger fires: the level then comes
from the score alone ("reachable by score").

Examples
--------
>>> from riskeval import load_ruleset
>>> b = score_bounds(load_ruleset("jiangsu-db32-4013-2021"), score_only=True)
>>> b.total.text(), b.cases[frozenset()].text()
('[0, 72)', '[0, 72)')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...model.rulefile import Item
from ..compiled import CompiledValue, RuleSet
from ..conditions import Condition, evaluate, facts_read
from ..formula import formula_facts
from .aggregate import coefficients, present_dimensions
from .domain import Region, item_condition, ruleset_regions
from .spans import NotAnalysable, Span, _max, _min, _times, formula_exact, formula_span, formula_vars, point

__all__ = ["ScoreBounds", "TooLarge", "score_bounds", "item_span", "inexact_items", "MAX_COMBINATIONS", "MAX_CASES"]

#: the most combinations of regions enumerated for one group of facts
MAX_COMBINATIONS = 200_000
#: the most cases (sets of applicable conditional items) told apart
MAX_CASES = 4096

Constraint = tuple[frozenset[str], Callable[[dict[str, Any]], bool]]


class TooLarge(Exception):
    """The domain is too large to enumerate; ``what`` says which limit was hit."""

    def __init__(self, what: str, size: int) -> None:
        super().__init__(what)
        self.what, self.size = what, size


@dataclass
class ScoreBounds:
    """The attainable scores: in total, per dimension, and per case of applicable conditional items."""

    total: Span | None
    dimensions: dict[str, Span]
    cases: dict[frozenset[str], Span]
    conditional: tuple[str, ...]
    inexact: dict[str, str] = field(default_factory=dict)


def _value_facts(spec: CompiledValue) -> set[str]:
    out = {spec.fact} if spec.fact else set()
    if spec.formula is not None:
        out |= formula_facts(spec.formula)
    return out


def _value_span(spec: CompiledValue, values: dict[str, Any], spans: dict[str, Span], unit: bool) -> Span | None:
    if spec.kind == "const":
        return point(spec.const)
    if spec.kind == "table":
        for cond, value, _ in spec.branches:
            if evaluate(cond, values):
                return point(value)
        return None
    if spec.kind == "formula":
        assert spec.formula is not None
        return formula_span(spec.formula, spans)
    return Span(0.0, 1.0) if unit else Span(0.0, math.inf, True, False)


def item_span(rs: RuleSet, item: Item, values: dict[str, Any], spans: dict[str, Span]) -> Span | None:
    """The raw value of an applicable item (points, or ``P · I``) on one combination; ``None``: no value.

    Raises ``KeyError`` when a formula reads a fact the combination leaves out.
    """
    compiled = rs.item_values.get(item.id, {})
    if rs.scoring.method == "points":
        spec = compiled.get("points")
        if spec is None:
            return None
        if spec.kind == "panel":
            return Span(0.0, item.max if item.max is not None else math.inf, True, item.max is not None)
        got = _value_span(spec, values, spans, unit=False)
        if got is None or spec.kind != "formula":
            return got
        if item.max is not None:
            got = _min(got, point(item.max))
        return _max(got, point(0.0))
    p, i = compiled.get("probability"), compiled.get("impact")
    if p is None or i is None:
        return None
    p_span, i_span = _value_span(p, values, spans, True), _value_span(i, values, spans, True)
    if p_span is None or i_span is None:
        return None
    return _times(p_span, i_span)


def inexact_items(rs: RuleSet) -> dict[str, str]:
    """Items whose formula ranges interval arithmetic may overstate: a fact used twice."""
    out: dict[str, str] = {}
    uses: dict[str, list[str]] = {}
    for item in rs.items:
        counts: dict[str, int] = {}
        for spec in rs.item_values.get(item.id, {}).values():
            if spec.formula is not None:
                if not formula_exact(spec.formula):
                    out[item.id] = "repeated"
                for name, n in formula_vars(spec.formula).items():
                    counts[name] = counts.get(name, 0) + n
        for name, n in counts.items():
            if n > 1 and item.id not in out:
                out[item.id] = "repeated"
            uses.setdefault(name, []).append(item.id)
    for users in uses.values():
        if len(users) > 1:
            for ident in users:
                out.setdefault(ident, "shared")
    return out


class _Groups:
    """Union-find over fact names."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, names: set[str] | frozenset[str]) -> None:
        ordered = sorted(names)
        for name in ordered:
            self.find(name)
        for a, b in itertools.pairwise(ordered):
            self.parent[self.find(a)] = self.find(b)


def base_constraints(rs: RuleSet, score_only: bool) -> list[Constraint]:
    """``required_when`` (a fact left out only where it is not required) and, for ``score_only``, no trigger."""
    out: list[Constraint] = []
    for name, cond in rs.required_when.items():
        out.append((frozenset(facts_read(cond) | {name}), _given_or_not_required(name, cond)))
    if score_only:
        for rule in rs.rules:
            if rule.kind == "trigger" and not rule.compound:
                out.append((frozenset(facts_read(rule.condition)), _holds(rule.condition, False)))
    return out


def _holds(cond: Condition, wanted: bool = True) -> Callable[[dict[str, Any]], bool]:
    def check(values: dict[str, Any]) -> bool:
        return evaluate(cond, values) is wanted

    return check


def _given_or_not_required(name: str, cond: Condition) -> Callable[[dict[str, Any]], bool]:
    def check(values: dict[str, Any]) -> bool:
        return values.get(name) is not None or not evaluate(cond, values)

    return check


def score_bounds(rs: RuleSet, *, score_only: bool = False, extra: list[Constraint] | None = None) -> ScoreBounds:
    """The attainable scores of ``rs`` (see the module notes); with a scope, over the projects in scope.

    Raises
    ------
    TooLarge
        A group of facts has more than :data:`MAX_COMBINATIONS` combinations of regions, or there
        are more than :data:`MAX_CASES` cases.
    """
    constraints = base_constraints(rs, score_only) + list(extra or [])
    if not rs.scope:
        return _finish(rs, _bounds(rs, constraints))
    merged: ScoreBounds | None = None
    for _, cond in rs.scope:
        part = _bounds(rs, [*constraints, (frozenset(facts_read(cond)), _holds(cond))])
        merged = part if merged is None else _merge(merged, part)
    assert merged is not None
    return _finish(rs, merged)


def _finish(rs: RuleSet, full: ScoreBounds) -> ScoreBounds:
    """Key the cases by the *conditional* items that apply: those that apply in some cases only."""
    keys = list(full.cases)
    always = frozenset.intersection(*keys) if keys else frozenset()
    varying = frozenset().union(*keys) - always if keys else frozenset()
    conditional = tuple(i.id for i in rs.items if i.id in varying)
    cases: dict[frozenset[str], Span] = {}
    for key, span in full.cases.items():
        case = key & varying
        cases[case] = cases[case].hull(span) if case in cases else span
    return ScoreBounds(full.total, full.dimensions, cases, conditional, full.inexact)


def _merge(a: ScoreBounds, b: ScoreBounds) -> ScoreBounds:
    cases = dict(a.cases)
    for key, span in b.cases.items():
        cases[key] = cases[key].hull(span) if key in cases else span
    total = a.total.hull(b.total) if a.total and b.total else (a.total or b.total)
    dims = dict(a.dimensions)
    for dim, span in b.dimensions.items():
        dims[dim] = dims[dim].hull(span) if dim in dims else span
    return ScoreBounds(total, dims, cases, a.conditional, {**a.inexact, **b.inexact})


def _bounds(rs: RuleSet, constraints: list[Constraint]) -> ScoreBounds:
    groups = _Groups()
    item_facts: dict[str, set[str]] = {}
    conditions: dict[str, Condition] = {}
    for item in rs.items:
        cond = conditions[item.id] = item_condition(rs, item)
        names = facts_read(cond)
        for spec in rs.item_values.get(item.id, {}).values():
            names |= _value_facts(spec)
        item_facts[item.id] = names
        groups.join(names or {f"\x00item:{item.id}"})
    for scope_names, _ in constraints:
        if scope_names:
            groups.join(scope_names)
    all_facts = {n for names in item_facts.values() for n in names} | {n for names, _ in constraints for n in names}
    regions = ruleset_regions(rs, all_facts)
    members: dict[str, list[str]] = {}
    for name in all_facts:
        members.setdefault(groups.find(name), []).append(name)
    conditional: tuple[str, ...] = ()
    # the items and constraints of each group
    group_items: dict[str, list[Item]] = {}
    for item in rs.items:
        read = item_facts[item.id]
        root = groups.find(min(read)) if read else groups.find(f"\x00item:{item.id}")
        group_items.setdefault(root, []).append(item)
        members.setdefault(root, [])
    group_constraints: dict[str, list[Callable[[dict[str, Any]], bool]]] = {}
    for scope_names, check in constraints:
        if not scope_names:
            if not check({}):
                return ScoreBounds(None, {}, {}, conditional, inexact_items(rs))
            continue
        group_constraints.setdefault(groups.find(min(scope_names)), []).append(check)
    tables = [
        _enumerate(rs, sorted(members[root]), regions, group_items.get(root, []), conditions, group_constraints.get(root, []))
        for root in sorted(members)
    ]
    if any(not table for table in tables):
        return ScoreBounds(None, {}, {}, conditional, inexact_items(rs))
    n_cases = math.prod(len(table) for table in tables)
    if n_cases > MAX_CASES:
        raise TooLarge("cases", n_cases)
    cases: dict[frozenset[str], Span] = {}
    dims: dict[str, Span] = {}
    for choice in itertools.product(*(table.items() for table in tables)):
        applicable = frozenset().union(*(key for key, _ in choice))
        total_coeff, dim_coeff = coefficients(rs, applicable)
        total = point(0.0)
        present = present_dimensions(rs, applicable)
        sub = {d.id: point(0.0) for d in rs.dimensions if d.id in present}
        for _, vectors in choice:
            total = total + _best(vectors, total_coeff, None)
            for d in sub:
                sub[d] = sub[d] + _best(vectors, dim_coeff, d)
        cases[applicable] = cases[applicable].hull(total) if applicable in cases else total
        for d, span in sub.items():
            dims[d] = dims[d].hull(span) if d in dims else span
    hull: Span | None = None
    for span in cases.values():
        hull = span if hull is None else hull.hull(span)
    return ScoreBounds(hull, dims, cases, conditional, inexact_items(rs))


Vector = tuple[tuple[str, str, Span], ...]


def _best(vectors: set[Vector], coeff: dict[str, float], dim: str | None) -> Span:
    """The span of ``Σ coeff · raw`` over the group's combinations (one dimension's items if ``dim``)."""
    out: Span | None = None
    for vector in vectors:
        s = point(0.0)
        for ident, d, raw in vector:
            if ident in coeff and (dim is None or d == dim):
                s = s + raw.scale(coeff[ident])
        out = s if out is None else out.hull(s)
    return out if out is not None else point(0.0)


def _enumerate(
    rs: RuleSet,
    names: list[str],
    regions: dict[str, list[Region]],
    items: list[Item],
    conditions: dict[str, Condition],
    checks: list[Callable[[dict[str, Any]], bool]],
) -> dict[frozenset[str], set[Vector]]:
    """For each set of applicable items of one group: the raw-value vectors reached.

    An item applies when its condition holds and, for the index method, its value can be read
    (a value table with no row for the project's value, or a left-out fact, makes it not apply).
    """
    names = [n for n in names if n in regions]
    size = math.prod(len(regions[n]) for n in names)
    if size > MAX_COMBINATIONS:
        raise TooLarge("combinations", size)
    out: dict[frozenset[str], set[Vector]] = {}
    for combo in itertools.product(*(regions[n] for n in names)):
        values = {n: r.value for n, r in zip(names, combo, strict=True) if r.value is not None}
        if not all(check(values) for check in checks):
            continue
        spans = {n: r.span if r.span is not None else point(0.0) for n, r in zip(names, combo, strict=True) if r.value is not None and r.span is not None}
        applicable: list[str] = []
        vector: list[tuple[str, str, Span]] = []
        valid = True
        for item in items:
            if not evaluate(conditions[item.id], values):
                continue
            try:
                raw = item_span(rs, item, values, spans)
            except KeyError:
                valid = False  # a formula fact left out: the assessment fails, no score
                break
            except NotAnalysable:
                raw = Span(-math.inf, math.inf, False, False)
            if raw is not None:
                vector.append((item.id, item.dimension, raw))
            if raw is not None or rs.scoring.method == "points":
                applicable.append(item.id)
        if valid:
            out.setdefault(frozenset(applicable), set()).add(tuple(vector))
    return out
