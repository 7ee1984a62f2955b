"""Linear-programming backend (scipy's HiGHS).

One variable ``x[p, e]`` in ``[0, 1]`` per eligible pair; rows: panel size per project (equality), maximum
and minimum load per expert, unit caps, and the per-project per-unit bound.  Every variable appears in one
row of each of two laminar families (expert rows nested in unit rows; project x unit rows nested in project
rows), so the matrix is a network matrix, hence totally unimodular: the dual simplex returns an integral
vertex.  Integrality is checked anyway; a fractional answer (numerical trouble) falls back to scipy's MILP
solver.  The same routine, with ``upper`` below 1, solves the fractional LP of the capped random draw.

Examples
--------
>>> from expert_pool.models import Expert, ProjectNeed
>>> from expert_pool.assign.instance import build_instance
>>> experts = [Expert(id=f"E{i}", unit=f"U{i}", max_load=1) for i in range(3)]
>>> projects = [ProjectNeed(id="P1", panel_size=1), ProjectNeed(id="P2", panel_size=1)]
>>> aff = {("P1", "E0"): 0.9, ("P1", "E1"): 0.8, ("P2", "E0"): 0.85, ("P2", "E2"): -0.1}
>>> res = solve_lp(build_instance(experts, projects, affinity=aff))
>>> round(res.objective, 6), res.chosen.tolist()
(1.65, [1, 2])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from expert_pool.assign.instance import Instance

__all__ = ["LPResult", "solve_lp", "solve_fractional", "constraint_rows"]


@dataclass
class LPResult:
    """Outcome of :func:`solve_lp`: ``chosen`` pair indices (``None`` if infeasible)."""

    chosen: np.ndarray | None
    objective: float = math.nan
    x: np.ndarray | None = None
    certificate: dict[str, Any] = field(default_factory=dict)


def constraint_rows(inst: Instance) -> tuple[sp.csr_array, np.ndarray, sp.csr_array, np.ndarray]:
    """``(A_ub, b_ub, A_eq, b_eq)`` over the pair variables of ``inst``."""
    n = inst.n_pairs
    cols = np.arange(n)
    n_p, n_e, n_u = len(inst.projects), len(inst.experts), max(len(inst.units), 1)
    a_eq = sp.csr_array((np.ones(n), (inst.pair_p, cols)), shape=(n_p, n))
    b_eq = inst.k.astype(float)
    blocks = [sp.csr_array((np.ones(n), (inst.pair_e, cols)), shape=(n_e, n))]
    rhs = [inst.max_load.astype(float)]
    need_min = np.nonzero(inst.min_load > 0)[0]
    if need_min.size:
        row_of = np.full(n_e, -1)
        row_of[need_min] = np.arange(need_min.size)
        sel = row_of[inst.pair_e] >= 0
        blocks.append(sp.csr_array((-np.ones(int(sel.sum())), (row_of[inst.pair_e[sel]], cols[sel])),
                                   shape=(need_min.size, n)))
        rhs.append(-inst.min_load[need_min].astype(float))
    if inst.unit_cap is not None:
        blocks.append(sp.csr_array((np.ones(n), (inst.e_unit[inst.pair_e], cols)), shape=(len(inst.units), n)))
        rhs.append(inst.unit_cap.astype(float))
    if inst.max_per_unit is not None and n:
        groups = inst.group_ids()
        counts = np.bincount(groups, minlength=n_p * n_u)
        binding = np.nonzero(counts > inst.max_per_unit)[0]
        if binding.size:
            row_of = np.full(counts.size, -1)
            row_of[binding] = np.arange(binding.size)
            sel = row_of[groups] >= 0
            blocks.append(sp.csr_array((np.ones(int(sel.sum())), (row_of[groups[sel]], cols[sel])),
                                       shape=(binding.size, n)))
            rhs.append(np.full(binding.size, float(inst.max_per_unit)))
    return sp.csr_array(sp.vstack(blocks)), np.concatenate(rhs), a_eq, b_eq


def solve_fractional(inst: Instance, weights: np.ndarray | None = None, *, upper: float = 1.0,
                     method: str = "highs-ds") -> np.ndarray | None:
    """The LP optimum ``x`` (maximising ``weights``, default the scores) with ``0 <= x <= upper``;
    ``None`` if infeasible."""
    w = inst.score if weights is None else np.asarray(weights, dtype=float)
    if inst.n_pairs == 0:
        return None if inst.demand > 0 else np.zeros(0)
    a_ub, b_ub, a_eq, b_eq = constraint_rows(inst)
    res = linprog(-w, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0.0, upper), method=method)
    if res.status == 2:
        return None
    if res.status != 0:
        raise RuntimeError(f"HiGHS failed: {res.message}")
    return np.asarray(res.x)


def solve_lp(inst: Instance, weights: np.ndarray | None = None) -> LPResult:
    """Maximise the total ``weights`` (default: the scores) under all constraints with HiGHS.

    Returns
    -------
    LPResult
        ``chosen`` is ``None`` if infeasible; ``certificate`` records the LP value and integrality.
    """
    w = inst.score if weights is None else np.asarray(weights, dtype=float)
    x = solve_fractional(inst, w)
    if x is None:
        return LPResult(None, certificate={"optimal": False, "infeasible": True})
    lp_value = float(w @ x)
    gap = float(np.abs(x - np.rint(x)).max()) if x.size else 0.0
    method = "HiGHS dual simplex (LP, totally unimodular)"
    if gap > 1e-6:  # numerical trouble: solve the integer program instead
        a_ub, b_ub, a_eq, b_eq = constraint_rows(inst)
        res = milp(-w, constraints=[LinearConstraint(a_ub, -np.inf, b_ub), LinearConstraint(a_eq, b_eq, b_eq)],
                   integrality=np.ones(w.size), bounds=Bounds(0, 1))
        if res.status != 0 or res.x is None:
            return LPResult(None, certificate={"optimal": False, "infeasible": True})
        x = np.asarray(res.x)
        method = "HiGHS MILP (LP vertex was fractional)"
    chosen = np.nonzero(np.rint(x) == 1)[0]
    return LPResult(chosen, float(w[chosen].sum()), x, {
        "optimal": True, "method": method, "lp_value": lp_value, "integrality_gap": gap,
    })
