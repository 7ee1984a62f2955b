"""Random draw of panels (随机抽取) under the same constraints, reproducible from a seed.

Two documented procedures:

* **No probability cap** (``prob_cap=None``): every eligible pair gets an independent uniform random
  weight from ``numpy.random.default_rng(seed)`` and the feasible assignment of maximum total weight is
  taken (exact min-cost flow or LP).  When loads do not bind, each project thus gets a uniformly random
  set of ``k`` of its eligible experts; with binding loads the draw is still random, feasible and
  reproducible.  Affinity plays no role in the choice (it is still reported).
* **With a cap** ``q`` (Jecmen et al. 2020, "Mitigating manipulation in peer review via randomized
  reviewer assignments"): the fractional LP maximising total affinity subject to all constraints and
  ``x[p, e] <= q`` is solved; its solution is a fractional flow in the assignment network, which is
  rounded by *dependent rounding* on cycles: repeatedly a cycle of fractional arcs is found (every node
  with a fractional arc has at least two, since all demands and bounds are integers) and the flow is
  moved around it by ``+d1`` with probability ``d2 / (d1 + d2)`` or by ``-d2`` otherwise, where ``d1``,
  ``d2`` are the largest moves keeping every arc between the floor and ceiling of its value.  Each step
  makes an arc integral and keeps every arc's expectation, so ``P(e reviews p) = x[p, e] <= q`` exactly,
  while every constraint holds in every outcome.

Both record the seed, the pool hash (sha256 of the canonical input) and the UTC time of the draw.

Examples
--------
>>> from expert_pool.models import Expert, ProjectNeed
>>> from expert_pool.assign.instance import build_instance, validate
>>> experts = [Expert(id=f"E{i}", unit=f"U{i}", max_load=2) for i in range(6)]
>>> inst = build_instance(experts, [ProjectNeed(id="P1", panel_size=3), ProjectNeed(id="P2", panel_size=3)])
>>> a = draw(inst, seed=7).chosen.tolist()
>>> a == draw(inst, seed=7).chosen.tolist(), validate(inst, a)
(True, [])
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from expert_pool.assign.flow import FlowResult, solve_flow
from expert_pool.assign.instance import Instance, build_network
from expert_pool.assign.lp import LPResult, solve_fractional, solve_lp

__all__ = ["DrawResult", "draw", "dependent_round", "fractional_flow", "new_seed"]

_EPS = 1e-9


@dataclass
class DrawResult:
    """Outcome of :func:`draw`: ``chosen`` pair indices (``None`` if infeasible) and the marginals."""

    chosen: np.ndarray | None
    seed: int
    procedure: str
    marginals: np.ndarray | None = None
    certificate: dict[str, Any] = field(default_factory=dict)


def new_seed() -> int:
    """A fresh random seed (63 bits) for a draw that was not given one."""
    return secrets.randbits(63)


def fractional_flow(inst: Instance, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The arc flows of the assignment network induced by pair values ``x``: ``(tail, head, flow, pair_index)``."""
    net = build_network(inst, None, np.zeros(inst.n_pairs))
    n_nodes = net.n_nodes
    pair_arcs = net.pair_index >= 0
    flow = np.zeros(net.tail.size)
    flow[pair_arcs] = x[net.pair_index[pair_arcs]]
    into_expert = ~pair_arcs & (net.head >= net.expert_base) & (net.head < net.project_base)
    into_unit = ~pair_arcs & (net.head >= 1) & (net.head < net.expert_base)
    into_project = ~pair_arcs & (net.head >= net.project_base)
    out = np.bincount(net.tail, weights=flow, minlength=n_nodes)  # experts' outflow (pair arcs only so far)
    flow[into_expert] = out[net.head[into_expert]]
    out = np.bincount(net.tail, weights=flow, minlength=n_nodes)  # now also the units' outflow
    flow[into_unit] = out[net.head[into_unit]]
    inflow = np.bincount(net.head[pair_arcs], weights=flow[pair_arcs], minlength=n_nodes)
    flow[into_project] = inflow[net.tail[into_project]]
    return net.tail, net.head, flow, net.pair_index


def dependent_round(tail: np.ndarray, head: np.ndarray, value: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round a flow with integral node balances to an integral flow, keeping each arc's expectation and
    each arc between the floor and the ceiling of its value (see the module docstring).

    >>> tail, head = np.array([0, 0, 1, 2]), np.array([1, 2, 3, 3])
    >>> out = dependent_round(tail, head, np.array([0.5, 0.5, 0.5, 0.5]), np.random.default_rng(0))
    >>> sorted(out.tolist()) in ([0.0, 0.0, 1.0, 1.0],)
    True
    """
    val = np.asarray(value, dtype=float).copy()
    t_list, h_list = tail.tolist(), head.tolist()
    adj: dict[int, dict[int, None]] = {}

    def is_frac(v: float) -> bool:
        return abs(v - round(v)) > _EPS

    def drop(a: int) -> None:
        for v in (t_list[a], h_list[a]):
            arcs = adj.get(v)
            if arcs is not None:
                arcs.pop(a, None)
                if not arcs:
                    del adj[v]

    for a in range(val.size):
        if is_frac(val[a]):
            adj.setdefault(t_list[a], {})[a] = None
            adj.setdefault(h_list[a], {})[a] = None
        else:
            val[a] = round(val[a])
    while adj:
        start = next(iter(adj))
        pos = {start: 0}
        nodes = [start]
        arcs: list[int] = []
        prev = -1
        v = start
        cycle_from = -1
        while True:
            nxt = next((a for a in adj.get(v, {}) if a != prev), None)
            if nxt is None:  # only reachable through numerical noise: snap the dangling arc
                if prev >= 0:
                    val[prev] = round(val[prev])
                    drop(prev)
                else:
                    del adj[v]
                break
            w = h_list[nxt] if t_list[nxt] == v else t_list[nxt]
            arcs.append(nxt)
            if w in pos:
                cycle_from = pos[w]
                break
            pos[w] = len(nodes)
            nodes.append(w)
            prev, v = nxt, w
        if cycle_from < 0:
            continue
        cyc = arcs[cycle_from:]
        signs = [1.0 if t_list[a] == nodes[cycle_from + i] else -1.0 for i, a in enumerate(cyc)]
        up = min((np.ceil(val[a]) - val[a]) if s > 0 else (val[a] - np.floor(val[a])) for a, s in zip(cyc, signs,
                                                                                                         strict=True))
        down = min((val[a] - np.floor(val[a])) if s > 0 else (np.ceil(val[a]) - val[a]) for a, s in zip(cyc, signs,
                                                                                                           strict=True))
        step = up if rng.random() < down / (up + down) else -down
        for a, s in zip(cyc, signs, strict=True):
            val[a] += s * step
            if not is_frac(val[a]):
                val[a] = round(val[a])
                drop(a)
    return val


def draw(inst: Instance, *, seed: int | None = None, backend: str = "networkx") -> DrawResult:
    """Draw a feasible assignment at random (see the module docstring for the two procedures).

    Parameters
    ----------
    inst : Instance
        ``inst.prob_cap`` selects the capped procedure.
    seed : int, optional
        A fresh seed is generated (and returned) when omitted.
    backend : ``"networkx"``, ``"ortools"`` or ``"highs"`` (or ``"flow"``, ``"lp"``)
        Solver of the uncapped procedure.
    """
    seed = new_seed() if seed is None else int(seed)
    rng = np.random.default_rng(seed)
    if inst.prob_cap is None or inst.prob_cap >= 1:
        weights = rng.random(inst.n_pairs)
        res: LPResult | FlowResult
        if backend in ("lp", "highs"):
            res = solve_lp(inst, weights)
        elif backend == "ortools":
            from expert_pool.assign.ortools_flow import solve_ortools

            res = solve_ortools(inst, weights)
        else:
            res = solve_flow(inst, weights)
        return DrawResult(res.chosen, seed, "random weights, maximum-weight feasible assignment",
                          certificate=res.certificate)
    x = solve_fractional(inst, upper=float(inst.prob_cap), method="highs")
    if x is None:
        return DrawResult(None, seed, "capped LP + dependent rounding")
    x = np.clip(x, 0.0, float(inst.prob_cap))
    tail, head, flow, pair_index = fractional_flow(inst, x)
    rounded = dependent_round(tail, head, flow, rng)
    pair_arcs = pair_index >= 0
    chosen = np.sort(pair_index[pair_arcs & (np.rint(rounded) == 1)])
    return DrawResult(chosen, seed, "capped LP (Jecmen et al. 2020) + dependent rounding", marginals=x,
                      certificate={"lp_expected_affinity": float(inst.score @ x)})


def empirical_frequencies(inst: Instance, seeds: Iterable[int]) -> np.ndarray:
    """How often each pair is drawn over ``seeds`` (for checking a probability cap)."""
    count = np.zeros(inst.n_pairs)
    n = 0
    for s in seeds:
        res = draw(inst, seed=s)
        if res.chosen is not None:
            count[res.chosen] += 1
        n += 1
    return count / max(n, 1)
