"""How item values add up to dimension subtotals and the total: the one place the analysis knows it.

For a fixed set of applicable items the score is linear in the items' raw values (points for the
points method, ``P · I`` for the index method)::

    subtotal(d) = Σ_{i in d} dim_coeff[i] · raw[i]        score = Σ_i total_coeff[i] · raw[i]

:func:`coefficients` returns both coefficient tables. The re-normalised index weights come from
:func:`riskeval.scoring.renormalise` itself (the function the evaluator scores with), so the analysis
and the evaluator cannot drift apart; the brute-force tests compare the two on generated rule sets.

Examples
--------
>>> from riskeval import load_ruleset
>>> rs = load_ruleset("national")
>>> total, dim = coefficients(rs, frozenset(i.id for i in rs.items))
>>> round(total["N-LEG-1"], 6), round(dim["N-LEG-1"], 6)
(0.045, 0.3)
>>> total, dim = coefficients(rs, frozenset(i.id for i in rs.items if not i.when))
>>> round(dim["N-RSN-3"], 6)  # 0.1 of the 0.55 that the items applying to every project weigh
0.181818
"""

from __future__ import annotations

from ..compiled import RuleSet

__all__ = ["coefficients", "renormalises", "present_dimensions"]


def renormalises(rs: RuleSet) -> bool:
    """Whether the coefficients depend on which items apply (index weights re-normalised)."""
    return rs.scoring.method == "index" and rs.scoring.not_applicable != "zero"


def _renormalised(rs: RuleSet, applicable: frozenset[str]) -> tuple[dict[str, float], dict[str, float]]:
    """``(item -> effective weight, dimension -> effective weight)`` from the evaluator's own rule."""
    from ...scoring import renormalise

    by_dim: dict[str, dict[str, tuple[float, float]]] = {}
    for item in rs.items:
        if item.id in applicable:
            by_dim.setdefault(item.dimension, {})[item.id] = (float(item.weight or 0.0), 0.0)
    dim_weights = {d.id: float(d.weight or 0.0) for d in rs.dimensions}
    subtotals, effective, _ = renormalise(by_dim, dim_weights)
    norm = sum(dim_weights.get(d, 0.0) for d in subtotals)
    return effective, {d: (dim_weights.get(d, 0.0) / norm if norm > 0 else 0.0) for d in subtotals}


def coefficients(rs: RuleSet, applicable: frozenset[str]) -> tuple[dict[str, float], dict[str, float]]:
    """``(total_coeff, dim_coeff)`` for the items in ``applicable`` (others have no coefficient)."""
    items = [i for i in rs.items if i.id in applicable]
    if rs.scoring.method == "points":
        ones = {i.id: 1.0 for i in items}
        return ones, dict(ones)
    if renormalises(rs):
        effective, dims = _renormalised(rs, applicable)
        dim = {i.id: effective.get(i.id, 0.0) for i in items}
        return {i.id: dims.get(i.dimension, 0.0) * dim[i.id] for i in items}, dim
    dim_weight = {d.id: float(d.weight or 0.0) for d in rs.dimensions}
    dim = {i.id: float(i.weight or 0.0) for i in items}
    return {i.id: dim_weight.get(i.dimension, 0.0) * dim[i.id] for i in items}, dim


def present_dimensions(rs: RuleSet, applicable: frozenset[str]) -> set[str]:
    """The dimensions that have a subtotal: all of them, except that re-normalising drops the empty ones."""
    if not renormalises(rs):
        return {d.id for d in rs.dimensions}
    return set(_renormalised(rs, applicable)[1])
