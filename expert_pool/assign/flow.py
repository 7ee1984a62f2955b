"""Exact assignment as a min-cost flow in networkx, with candidate pruning and a per-run optimality proof.

Algorithm
---------
1. **Integer costs.**  networkx's network simplex is exact only on integers, so the scores ``s`` become
   costs ``-round(s * M)`` with ``M`` a power of ten chosen so that ``D / M <= 1e-7`` (``D`` = number of
   seats).  Rounding moves each chosen pair by at most ``1 / (2M)``, so the integer optimum is within
   ``D / M`` of the float optimum; the bound actually achieved is reported as ``gap_bound``.
2. **Pruning.**  On large instances the network is first built from a candidate subset: for each project
   its best ``2k + 8`` experts, for each expert its best ``2 max_load + min_load + 2`` projects.
3. **Proof of optimality for this run.**  Node potentials ``pi`` are computed as shortest-path distances in
   the residual graph of the optimal pruned flow (Bellman-Ford; no negative cycle exists there).  Every
   pruned pair ``(p, e)`` carries no flow, so its only residual arc is ``E_e -> head`` with reduced cost
   ``c + pi(E_e) - pi(head)``; project x unit nodes absent from the pruned network get ``pi = pi(project)``,
   which keeps every other reduced cost unchanged.  If all reduced costs are ``>= 0`` the potentials are a
   feasible dual of the *full* network and complementary slackness holds, so the flow is optimal for the
   full instance.  Otherwise the violating pairs are added and the network is solved again.  If the pruned
   network is infeasible, a maximum flow on the full network either proves infeasibility or provides a
   feasible support that is added to the candidates.

The certificate (rounds, pairs checked, smallest reduced cost) is returned with the result.

Examples
--------
>>> from expert_pool.models import Expert, ProjectNeed
>>> from expert_pool.assign.instance import build_instance
>>> experts = [Expert(id=f"E{i}", unit=f"U{i}", max_load=1) for i in range(3)]
>>> projects = [ProjectNeed(id="P1", panel_size=1), ProjectNeed(id="P2", panel_size=1)]
>>> aff = {("P1", "E0"): 0.9, ("P1", "E1"): 0.8, ("P2", "E0"): 0.85, ("P2", "E2"): -0.1}
>>> res = solve_flow(build_instance(experts, projects, affinity=aff))
>>> round(res.objective, 6), res.certificate["optimal"]
(1.65, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from expert_pool.assign.explain import feasible_flow
from expert_pool.assign.instance import Instance, Network, build_network

__all__ = ["FlowResult", "NetworkSolver", "candidate_pairs", "integer_costs", "solve_flow", "solve_network_networkx", "residual_potentials",
           "scale_factor"]

#: A min-cost-flow routine: arc flows of an optimal flow of the network, or ``None`` if it is infeasible.
NetworkSolver = Callable[[Network], np.ndarray | None]

#: Prune only when the instance has more eligible pairs than this.
PRUNE_THRESHOLD = 20_000
_INT_LIMIT = 2**62


@dataclass
class FlowResult:
    """Outcome of :func:`solve_flow`: ``chosen`` pair indices (``None`` if infeasible) and the pairs of
    the last network solved (``network_pairs``)."""

    chosen: np.ndarray | None
    objective: float = math.nan
    certificate: dict[str, Any] = field(default_factory=dict)
    network_pairs: np.ndarray | None = None


def scale_factor(weights: np.ndarray, demand: int, n_nodes: int, target: float = 1e-7) -> int:
    """The power of ten ``M`` used to turn float weights into integers (see the module docstring).

    ``M`` is the smallest power of ten with ``demand / M <= target``, lowered if needed so that path sums
    of scaled weights stay below 2**62.

    >>> scale_factor(np.array([0.5, -2.0]), demand=10, n_nodes=20)
    100000000
    """
    m = 10 ** max(0, math.ceil(math.log10(max(demand, 1) / target)))
    biggest = float(np.max(np.abs(weights))) if weights.size else 0.0
    while m > 1 and biggest * m * (n_nodes + 2) >= _INT_LIMIT:
        m //= 10
    return m


def integer_costs(inst: Instance, weights: np.ndarray) -> tuple[np.ndarray, int]:
    """The integer pair costs ``-round(weights * M)`` and the scale ``M`` (:func:`scale_factor`) that every
    exact backend and the optimality certificate use for ``inst``."""
    n_nodes_bound = 2 + len(inst.units) + len(inst.experts) + len(inst.projects) * (1 + len(inst.units))
    m = scale_factor(weights, inst.demand, n_nodes_bound)
    scaled = np.multiply(weights, -float(m))
    np.rint(scaled, out=scaled)
    return scaled.astype(np.int64), m


def residual_potentials(net: Network, flow: np.ndarray) -> np.ndarray:
    """Shortest-path distances from a virtual root (0-cost arcs to every node) in the residual graph of
    ``flow``: feasible dual potentials, i.e. ``cost + pi[tail] - pi[head] >= 0`` on every residual arc.

    Raises ``RuntimeError`` if the residual graph has a negative cycle (``flow`` not optimal).
    """
    fwd = flow < net.hi
    bwd = flow > net.lo
    rt = np.concatenate([net.tail[fwd], net.head[bwd]])
    rh = np.concatenate([net.head[fwd], net.tail[bwd]])
    rc = np.concatenate([net.cost[fwd], -net.cost[bwd]]).astype(np.int64)
    dist = np.zeros(net.n_nodes, dtype=np.int64)
    if rt.size == 0:
        return dist
    order = np.argsort(rh, kind="stable")
    rt, rh, rc = rt[order], rh[order], rc[order]
    heads, starts = np.unique(rh, return_index=True)
    for _ in range(net.n_nodes + 1):
        best = np.minimum.reduceat(dist[rt] + rc, starts)
        improved = best < dist[heads]
        if not improved.any():
            return dist
        dist[heads[improved]] = best[improved]
    raise RuntimeError("negative cycle in the residual graph: the flow is not optimal")


def solve_network_networkx(net: Network) -> np.ndarray | None:
    """Min-cost flow on ``net`` by networkx's network simplex; arc flows, or ``None`` if infeasible."""
    g = nx.DiGraph()
    b = net.demand.copy()
    np.add.at(b, net.tail, net.lo)
    np.subtract.at(b, net.head, net.lo)
    g.add_nodes_from((v, {"demand": d}) for v, d in enumerate(b.tolist()))
    cap = (net.hi - net.lo).tolist()
    cost = net.cost.tolist()
    tails, heads = net.tail.tolist(), net.head.tolist()
    g.add_edges_from((t, h, {"capacity": c, "weight": w}) for t, h, c, w in zip(tails, heads, cap, cost, strict=True))
    try:
        _, flow_dict = nx.network_simplex(g)
    except nx.NetworkXUnfeasible:
        return None
    flow = np.fromiter((flow_dict[t][h] for t, h in zip(tails, heads, strict=True)), dtype=np.int64, count=len(tails))
    return flow + net.lo


def _thresholds(dense: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Per row of ``dense``, the ``limit[row]``-th largest value (one ``np.partition``, linear time, then a
    sort of the small block of the ``max(limit)`` largest values of each row)."""
    n_rows, n_cols = dense.shape
    top = int(min(max(int(limit.max()), 1), n_cols))
    block = np.partition(dense, n_cols - top, axis=1)[:, n_cols - top:] if top < n_cols else dense.copy()
    block.sort(axis=1)  # ascending: the best last
    rank = np.clip(limit, 1, top)
    return block[np.arange(n_rows), top - rank]


def candidate_pairs(inst: Instance, weights: np.ndarray) -> np.ndarray:
    """Best ``2k + 8`` experts per project and best ``2 max_load + min_load + 2`` projects per expert
    (ties at a threshold kept)."""
    n_p, n_e = len(inst.projects), len(inst.experts)
    if inst.n_pairs == 0 or n_p == 0 or n_e == 0:
        return np.zeros(0, dtype=np.int64)
    dense = np.full((n_p, n_e), -np.inf)
    dense[inst.pair_p, inst.pair_e] = weights
    by_project = _thresholds(dense, 2 * inst.k + 8)
    by_expert = _thresholds(dense.T, 2 * inst.max_load + inst.min_load + 2)
    del dense
    keep = weights >= by_project[inst.pair_p]
    keep |= weights >= by_expert[inst.pair_e]
    return np.nonzero(keep)[0]


_CHUNK = 1 << 20


def _check_pruned(inst: Instance, net: Network, pi: np.ndarray, cost: np.ndarray, inside: np.ndarray
                  ) -> tuple[int, np.ndarray]:
    """The smallest reduced cost of the pairs outside the network (0 if none) and those below 0, in
    chunks so that no full-size temporary is built."""
    low = 0
    found: list[np.ndarray] = []
    pi_e = pi[net.expert_base:]
    for start in range(0, inst.n_pairs, _CHUNK):
        stop = min(start + _CHUNK, inst.n_pairs)
        reduced = cost[start:stop] + pi_e[inst.pair_e[start:stop]] - pi[net.pair_head[start:stop]]
        reduced[inside[start:stop]] = 0
        low = min(low, int(reduced.min()))
        found.append(start + np.nonzero(reduced < 0)[0])
    return low, np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


#: The pruning's first candidate set (a module attribute so that tests can replace it).
_initial_candidates = candidate_pairs


def solve_flow(inst: Instance, weights: np.ndarray | None = None, *, prune: bool | None = None,
               max_rounds: int = 30, network_solver: NetworkSolver | None = None,
               method: str = "network simplex (networkx)") -> FlowResult:
    """Maximise the total ``weights`` (default: the scores) of the chosen pairs under all constraints.

    Parameters
    ----------
    inst : Instance
    weights : ndarray, optional
        One float per eligible pair (the random draw passes random weights).
    prune : bool, optional
        Force (``True``) or forbid (``False``) candidate pruning; default: prune above 20 000 pairs.
    max_rounds : int
        Pruning rounds before falling back to the full network.
    network_solver : callable, optional
        The min-cost-flow routine run on each (pruned) network; default networkx's network simplex
        (:func:`solve_network_networkx`); :mod:`expert_pool.assign.ortools_flow` passes OR-Tools'.
    method : str
        The solver's name in the certificate.

    Returns
    -------
    FlowResult
        ``chosen`` is ``None`` if the instance is infeasible.
    """
    solve_network = solve_network_networkx if network_solver is None else network_solver
    w = inst.score if weights is None else np.asarray(weights, dtype=float)
    n = inst.n_pairs
    cost, m = integer_costs(inst, w)
    use_prune = (n > PRUNE_THRESHOLD) if prune is None else prune
    cand = _initial_candidates(inst, w) if use_prune else np.arange(n)
    rounds = 0
    while True:
        rounds += 1
        full = cand.size == n
        net = build_network(inst, cand, cost)
        flow = solve_network(net)
        if flow is None:
            if full:
                return FlowResult(None, certificate={"optimal": False, "infeasible": True, "rounds": rounds})
            feasible, fflow, _, _ = feasible_flow(build_network(inst, None, cost))
            if not feasible:
                return FlowResult(None, certificate={"optimal": False, "infeasible": True, "rounds": rounds})
            full_net = build_network(inst, None, cost)
            support = full_net.pair_index[(full_net.pair_index >= 0) & (fflow > 0)]
            cand = np.union1d(cand, support)
            continue
        pi = residual_potentials(net, flow)
        inside = np.zeros(n, dtype=bool)
        inside[cand] = True
        min_reduced, violating = _check_pruned(inst, net, pi, cost, inside)
        del inside
        if min_reduced >= 0 or rounds >= max_rounds:
            if min_reduced < 0:  # give up pruning: solve the full network
                cand = np.arange(n)
                continue
            pair_arcs = net.pair_index >= 0
            chosen = np.sort(net.pair_index[pair_arcs & (flow == 1)])
            certificate = {
                "optimal": True,
                "method": f"{method} + reduced-cost check on the full network",
                "rounds": rounds,
                "pairs_total": n,
                "pairs_in_network": int(cand.size),
                "pairs_checked": n - int(cand.size),
                "min_reduced_cost": min_reduced / m,
                "scale": m,
                "gap_bound": inst.demand / m,
            }
            return FlowResult(chosen, float(w[chosen].sum()), certificate, network_pairs=cand)
        cand = np.union1d(cand, violating)
