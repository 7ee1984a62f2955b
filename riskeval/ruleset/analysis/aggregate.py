"""How item values add up to dimension subtotals and the total: the one place the analysis knows it.

For a fixed set of applicable items the score is linear in the items' raw values (points for the
points method, ``P · I`` for the index method)::

    subtotal(d) = Σ_{i in d} dim_coeff[i] · raw[i]        score = Σ_i total_coeff[i] · raw[i]

:func:`coefficients` returns both coefficient tables. It mirrors :func:`riskeval.scoring.score_evaluation`
(the brute-force tests compare the two on generated rule sets), so a change of the aggregation rule
(for example re-normalising weights over the items that apply) is made here and nowhere else in the
analysis.

Examples
--------
>>> from riskeval import load_ruleset
>>> rs = load_ruleset("national")
>>> total, dim = coefficients(rs, frozenset(i.id for i in rs.items))
>>> round(total["N-LEG-1"], 6), round(dim["N-LEG-1"], 6)
(0.045, 0.3)
"""

from __future__ import annotations

from ..compiled import RuleSet

__all__ = ["coefficients", "renormalises", "present_dimensions"]


def renormalises(rs: RuleSet) -> bool:
    """Whether the coefficients depend on which items apply (index weights re-normalised)."""
    if rs.scoring.method != "index":
        return False
    return getattr(rs.scoring, "not_applicable", "zero") != "zero"


def coefficients(rs: RuleSet, applicable: frozenset[str]) -> tuple[dict[str, float], dict[str, float]]:
    """``(total_coeff, dim_coeff)`` for the items in ``applicable`` (others have no coefficient)."""
    items = [i for i in rs.items if i.id in applicable]
    if rs.scoring.method == "points":
        ones = {i.id: 1.0 for i in items}
        return ones, dict(ones)
    dim_weight = {d.id: float(d.weight or 0.0) for d in rs.dimensions}
    if not renormalises(rs):
        dim = {i.id: float(i.weight or 0.0) for i in items}
        return {i.id: dim_weight.get(i.dimension, 0.0) * dim[i.id] for i in items}, dim
    sums: dict[str, float] = {}
    for i in items:
        sums[i.dimension] = sums.get(i.dimension, 0.0) + float(i.weight or 0.0)
    present = {d: w for d, w in dim_weight.items() if sums.get(d, 0.0) > 0}
    norm = sum(present.values())
    dim = {i.id: float(i.weight or 0.0) / sums[i.dimension] if sums.get(i.dimension) else 0.0 for i in items}
    total = {i.id: (present.get(i.dimension, 0.0) / norm if norm else 0.0) * dim[i.id] for i in items}
    return total, dim


def present_dimensions(rs: RuleSet, applicable: frozenset[str]) -> set[str]:
    """The dimensions that have a subtotal: all of them, except that re-normalising drops the empty ones."""
    if not renormalises(rs):
        return {d.id for d in rs.dimensions}
    return {i.dimension for i in rs.items if i.id in applicable and float(i.weight or 0.0) > 0}
