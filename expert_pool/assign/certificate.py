"""The reduced-cost optimality certificate every exact backend's result carries.

It is computed from the instance and the chosen pairs alone, never from a solver's internals, so that
networkx, OR-Tools and HiGHS answers are judged by the same check.

Method
------
1. **The network.**  The certificate builds its own residual network of the assignment problem
   ``S -> [U] -> E -> [G] -> P``: arcs ``S -> U`` (unit caps), ``S/U -> E`` with bounds
   ``[min_load, max_load]``, a node ``G`` for every (project, unit) group with more eligible experts than
   ``max_per_unit`` and an arc ``G -> P`` of capacity ``max_per_unit``, and one arc of capacity 1 per
   eligible pair, of integer cost ``c = -round(w * M)`` (``M`` as in :func:`~expert_pool.assign.flow.integer_costs`).
   The arc flows follow from the chosen pairs; every bound and every panel size is checked
   (``verdict="infeasible"`` otherwise).
2. **Potentials.**  Node potentials ``pi`` are shortest-path distances from a virtual root (0-cost arcs
   to every node) in a part of the residual graph: all structural residual arcs, the backward arcs of
   the chosen pairs and the forward arcs of a candidate subset of the other pairs.  They are computed by
   Bellman-Ford in int64 numpy (one vectorised relaxation of all arcs per pass); a cycle in the
   predecessor graph whose cost is negative proves the solution not optimal.  Each potential is then
   lowered as far as its out-arcs allow (which keeps them feasible on the subgraph and makes fewer arcs
   outside it fail).
3. **The check.**  The reduced cost ``c + pi(tail) - pi(head)`` of *every* residual arc of the full
   network is computed.  Arcs with a negative reduced cost join the subset and step 2 is repeated; when
   none is left, ``pi`` is a feasible dual of the full network, there is no negative cycle in its
   residual graph, and the solution is optimal for the integer costs, hence within ``D / M`` of the
   optimum of the float weights (``D`` = seats).
4. **Tolerance.**  An LP solver (HiGHS) works in floating point and may return, among solutions whose
   float totals tie to ~1e-9, one that is a few units worse in integer costs.  If the exact check finds a
   negative cycle, it is repeated with every arc cost raised by ``epsilon`` (``1e-9`` then ``1e-7`` per
   arc): a pass proves the solution within ``epsilon`` per residual arc of every cycle, and the bound
   ``gap_bound`` reported grows accordingly.  A solution that fails all of them is not optimal.

The verdict, the objective, the number of residual arcs checked and the sha256 of the potentials form
the :class:`Certificate`.

Examples
--------
>>> from expert_pool.models import Expert, ProjectNeed
>>> from expert_pool.assign.instance import build_instance
>>> experts = [Expert(id=f"E{i}", unit=f"U{i}", max_load=1) for i in range(3)]
>>> projects = [ProjectNeed(id="P1", panel_size=1), ProjectNeed(id="P2", panel_size=1)]
>>> aff = {("P1", "E0"): 0.9, ("P1", "E1"): 0.8, ("P2", "E0"): 0.85, ("P2", "E2"): -0.1}
>>> inst = build_instance(experts, projects, affinity=aff)
>>> best = certify(inst, [1, 2])  # P1-E1 and P2-E0: 0.8 + 0.85
>>> best.verdict, round(best.objective, 6), best.checked_arcs > 0, len(best.potentials_sha256)
('optimal', 1.65, True, 64)
>>> worse = certify(inst, [0, 3])  # P1-E0 and P2-E2: 0.9 - 0.1
>>> worse.verdict, worse.ok
('not_optimal', False)
>>> certify(inst, [0]).problems
['P2: panel of 0 instead of 1']
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from expert_pool.assign.flow import candidate_pairs, integer_costs
from expert_pool.assign.instance import Instance
from expert_pool.errors import PoolError
from riskeval.errors import EXIT_INTERNAL
from riskeval.i18n import register_messages

__all__ = ["Certificate", "CertificateError", "certify", "TOLERANCES"]

#: Per-arc tolerances tried in turn (see the module docstring, step 4): exact first.
TOLERANCES: tuple[float, ...] = (0.0, 1e-9, 1e-7)

register_messages(
    {
        "pool.certificate.failed": {
            "zh": "内部错误：{backend} 求解器返回的分配未通过最优性证书检验（{verdict}），结果未输出",
            "en": "internal error: the assignment returned by the {backend} solver fails its optimality "
            "certificate ({verdict}); no result was written",
        },
    }
)


class Certificate(BaseModel):
    """The outcome of :func:`certify`.

    Attributes
    ----------
    verdict : ``"optimal"``, ``"not_optimal"`` or ``"infeasible"``
    objective : float
        Total weight of the chosen pairs.
    scale : int
        ``M``: integer costs are ``-round(weight * M)``.
    epsilon : float
        Per-arc tolerance the check passed with (0 = exact).
    gap_bound : float
        The solution is within this of the optimum of the float weights (``nan`` unless optimal).
    checked_arcs : int
        Residual arcs whose reduced cost was checked (every residual arc of the full network).
    negative_arcs : int
        Residual arcs with a negative reduced cost under the final potentials.
    min_reduced_cost : float
        Smallest reduced cost (in weight units) under the final potentials.
    potentials_sha256 : str
        sha256 of the potentials (little-endian int64), the scale and the tolerance.
    rounds : int
        Potential computations (each adds the violating arcs of the previous one).
    arcs_in_subgraph : int
        Residual arcs the last Bellman-Ford pass ran on.
    problems : list of str
        Constraint violations of an infeasible solution.
    """

    model_config = ConfigDict(frozen=True)

    verdict: Literal["optimal", "not_optimal", "infeasible"]
    objective: float
    scale: int = 1
    epsilon: float = 0.0
    gap_bound: float = math.nan
    checked_arcs: int = 0
    negative_arcs: int = 0
    min_reduced_cost: float = 0.0
    potentials_sha256: str = ""
    rounds: int = 0
    arcs_in_subgraph: int = 0
    problems: list[str] = Field(default_factory=list)
    method: str = "Bellman-Ford potentials (numpy, int64) + reduced cost of every residual arc"

    @property
    def ok(self) -> bool:
        """Whether the solution is proven optimal."""
        return self.verdict == "optimal"


class CertificateError(PoolError):
    """A solver returned an assignment that fails its optimality certificate: a bug, never an input problem
    (exit code 3).  ``certificate`` holds the failed :class:`Certificate`."""

    code = "pool.certificate.failed"
    exit_code: ClassVar[int] = EXIT_INTERNAL

    def __init__(self, certificate: Certificate, backend: str) -> None:
        self.certificate = certificate
        super().__init__(backend=backend, verdict=certificate.verdict)


@dataclass
class _Network:
    """The certificate's residual network.

    Structural residual arcs are listed (all of cost 0); the residual arc of pair ``i`` is
    ``E -> pair_head[i]`` of cost ``cost[i]`` if the pair is not chosen, ``pair_head[i] -> E`` of cost
    ``-cost[i]`` if it is (``E = e_base + pair_e[i]``).
    """

    n_nodes: int
    s_tail: np.ndarray
    s_head: np.ndarray
    e_base: int
    pair_e: np.ndarray
    pair_head: np.ndarray
    cost: np.ndarray
    chosen: np.ndarray  # bool per pair

    def pair_arcs(self, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(tail, head, cost)`` of the residual arcs of the pairs ``sel``."""
        x, e, h, c = self.chosen[sel], self.e_base + self.pair_e[sel], self.pair_head[sel], self.cost[sel]
        return np.where(x, h, e), np.where(x, e, h), np.where(x, -c, c)

    def check(self, pi: np.ndarray, eps: int, chunk: int = 1 << 20) -> tuple[int, np.ndarray]:
        """The smallest reduced cost (with ``eps`` added to every arc cost) over every pair's residual arc
        under ``pi``, and the pairs whose reduced cost is negative; in chunks (no full-size temporaries)."""
        low = 0
        found: list[np.ndarray] = []
        pi_e = pi[self.e_base:]
        for start in range(0, self.cost.size, chunk):
            stop = min(start + chunk, self.cost.size)
            out = self.cost[start:stop] + pi_e[self.pair_e[start:stop]] - pi[self.pair_head[start:stop]]
            np.negative(out, out=out, where=self.chosen[start:stop])
            out += eps
            low = min(low, int(out.min()))
            found.append(start + np.nonzero(out < 0)[0])
        return low, np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _network(inst: Instance, chosen: np.ndarray, cost: np.ndarray) -> tuple[_Network | None, list[str]]:
    """Build the residual network of the solution ``chosen``; ``(None, problems)`` if it is infeasible."""
    n_u, n_e, n_p = len(inst.units), len(inst.experts), len(inst.projects)
    n_pairs = inst.n_pairs
    problems: list[str] = []
    if chosen.size and (chosen.min() < 0 or chosen.max() >= n_pairs):
        return None, ["pair index out of range"]
    if np.unique(chosen).size != chosen.size:
        return None, ["a pair is chosen twice"]
    x = np.zeros(n_pairs, dtype=bool)
    x[chosen] = True
    has_units = inst.unit_cap is not None
    n_nodes = 1 + (n_u if has_units else 0) + n_e + n_p
    e_base = 1 + (n_u if has_units else 0)
    p_base = e_base + n_e
    g_base = p_base + n_p
    load = np.bincount(inst.pair_e[chosen], minlength=n_e)
    panel = np.bincount(inst.pair_p[chosen], minlength=n_p)
    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    lows: list[np.ndarray] = []
    highs: list[np.ndarray] = []
    flows: list[np.ndarray] = []
    if has_units:
        assert inst.unit_cap is not None
        uload = np.bincount(inst.e_unit, weights=load, minlength=n_u).astype(np.int64)
        tails.append(np.zeros(n_u, dtype=np.int64))
        heads.append(1 + np.arange(n_u))
        lows.append(np.zeros(n_u, dtype=np.int64))
        highs.append(inst.unit_cap.astype(np.int64))
        flows.append(uload)
        for u in np.nonzero(uload > inst.unit_cap)[0]:
            problems.append(f"unit {inst.units[u]}: load {uload[u]} above cap {inst.unit_cap[u]}")
    tails.append(1 + inst.e_unit if has_units else np.zeros(n_e, dtype=np.int64))
    heads.append(e_base + np.arange(n_e))
    lows.append(inst.min_load.astype(np.int64))
    highs.append(inst.max_load.astype(np.int64))
    flows.append(load)
    for j in np.nonzero((load > inst.max_load) | (load < inst.min_load))[0]:
        problems.append(f"{inst.experts[j].id}: load {load[j]} outside [{inst.min_load[j]}, {inst.max_load[j]}]")
    node_type = np.int32 if g_base + n_pairs < 2**31 else np.int64
    if inst.max_per_unit is None or not n_pairs:
        pair_head = (p_base + inst.pair_p).astype(node_type)
    else:
        n_groups = n_p * max(n_u, 1)
        group = inst.group_ids()  # project * n_units + unit of every pair
        binding = np.nonzero(np.bincount(group, minlength=n_groups) > inst.max_per_unit)[0]
        node_of = np.full(n_groups, -1, dtype=np.int64)
        node_of[binding] = g_base + np.arange(binding.size)
        n_nodes = g_base + binding.size
        head_of = p_base + np.arange(n_groups) // max(n_u, 1)  # a group's arcs enter its G node, else P
        head_of[binding] = node_of[binding]
        pair_head = head_of.astype(node_type)[group]
        gflow = np.bincount(group[chosen], minlength=n_groups)
        tails.append(node_of[binding])
        heads.append(p_base + binding // max(n_u, 1))
        lows.append(np.zeros(binding.size, dtype=np.int64))
        highs.append(np.full(binding.size, inst.max_per_unit, dtype=np.int64))
        flows.append(gflow[binding])
        for g in np.nonzero(gflow > inst.max_per_unit)[0]:
            problems.append(f"{inst.projects[g // max(n_u, 1)].id}: {gflow[g]} experts of unit "
                            f"{inst.units[g % max(n_u, 1)]}")
    for i in np.nonzero(panel != inst.k)[0]:
        problems.append(f"{inst.projects[i].id}: panel of {panel[i]} instead of {inst.k[i]}")
    if problems:
        return None, problems
    tail, head = np.concatenate(tails), np.concatenate(heads)
    lo, hi, flow = np.concatenate(lows), np.concatenate(highs), np.concatenate(flows)
    fwd, bwd = flow < hi, flow > lo
    return _Network(
        n_nodes=n_nodes,
        s_tail=np.concatenate([tail[fwd], head[bwd]]), s_head=np.concatenate([head[fwd], tail[bwd]]),
        e_base=e_base, pair_e=inst.pair_e, pair_head=pair_head, cost=cost, chosen=x,
    ), []


def _negative_cycle(pred: np.ndarray, pred_cost: np.ndarray) -> bool:
    """Whether the predecessor graph (``pred[v]`` = tail of the arc that last lowered ``v``) has a cycle
    of negative cost."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import connected_components

    nodes = np.nonzero(pred >= 0)[0]
    n = pred.size
    graph = csr_array((np.ones(nodes.size), (pred[nodes], nodes)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels)
    for comp in np.nonzero(sizes > 1)[0]:
        start = int(np.nonzero(labels == comp)[0][0])
        total, v = 0, start
        while True:  # a strong component of a graph of in-degree <= 1 is one cycle
            total += int(pred_cost[v])
            v = int(pred[v])
            if v == start:
                break
        if total < 0:
            return True
    return False


def _potentials(n_nodes: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray) -> np.ndarray | None:
    """Shortest-path distances from a virtual root with 0-cost arcs to every node, by Bellman-Ford
    (int64, all arcs relaxed at once per pass); ``None`` if a negative cycle exists."""
    dist = np.zeros(n_nodes, dtype=np.int64)
    if tail.size == 0:
        return dist
    order = np.argsort(head, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    heads, starts = np.unique(head, return_index=True)
    slot = np.searchsorted(heads, head)
    pred = np.full(n_nodes, -1, dtype=np.int64)
    pred_cost = np.zeros(n_nodes, dtype=np.int64)
    for sweep in range(1, n_nodes + 2):
        via = dist[tail] + cost
        best = np.minimum.reduceat(via, starts)
        improved = best < dist[heads]
        if not improved.any():
            return dist
        arcs = np.nonzero(improved[slot] & (via == best[slot]))[0]
        pred[head[arcs]] = tail[arcs]
        pred_cost[head[arcs]] = cost[arcs]
        dist[heads[improved]] = best[improved]
        if sweep % 16 == 0 and _negative_cycle(pred, pred_cost):
            return None
    return None


def _lower(pi: np.ndarray, tail: np.ndarray, head: np.ndarray, cost: np.ndarray, passes: int = 50) -> np.ndarray:
    """Lower each potential to the least value its out-arcs allow (``pi(t) >= pi(h) - c``), repeatedly.

    Feasibility on the arcs given is kept (lowering a node can only help its in-arcs), while nodes the
    subgraph barely constrains (e.g. a project x unit node with no chosen pair) move next to their
    neighbours, so that far fewer arcs outside the subgraph violate: a heuristic, the check decides.
    """
    order = np.argsort(tail, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    tails, starts = np.unique(tail, return_index=True)
    for _ in range(passes):
        bound = np.maximum.reduceat(pi[head] - cost, starts)
        lower = bound < pi[tails]
        if not lower.any():
            break
        pi[tails[lower]] = bound[lower]
    return pi


def certify(inst: Instance, chosen: Iterable[int] | np.ndarray, weights: np.ndarray | None = None, *,
            max_rounds: int = 30, start_pairs: np.ndarray | None = None) -> Certificate:
    """The optimality certificate of the chosen pairs for ``weights`` (default: the scores).

    Parameters
    ----------
    inst : Instance
    chosen : array of pair indices
    weights : ndarray, optional
        One float per eligible pair.
    max_rounds : int
        Potential computations on a growing subgraph before the full residual graph is used.
    start_pairs : ndarray, optional
        Pairs whose arcs the first subgraph includes besides the chosen ones (e.g. the last network a
        flow solver ran on); default the pruning's candidates (:func:`~expert_pool.assign.flow.candidate_pairs`).
        Only the number of rounds depends on it, never the verdict.

    Returns
    -------
    Certificate
        ``verdict`` is ``"optimal"`` only if the check of step 3 passed (see the module docstring).
    """
    w = inst.score if weights is None else np.asarray(weights, dtype=float)
    idx = np.asarray(list(chosen) if not isinstance(chosen, np.ndarray) else chosen, dtype=np.int64)
    objective = float(w[idx].sum()) if idx.size and idx.min() >= 0 and idx.max() < w.size else math.nan
    cost, m = integer_costs(inst, w)
    net, problems = _network(inst, idx, cost)
    if net is None:
        return Certificate(verdict="infeasible", objective=objective, scale=m, problems=problems)
    n_pairs = inst.n_pairs
    start = np.zeros(n_pairs, dtype=bool)
    start[idx] = True
    if n_pairs:
        start[candidate_pairs(inst, w) if start_pairs is None else np.asarray(start_pairs, dtype=np.int64)] = True
    checked = int(net.s_tail.size) + n_pairs
    rounds = 0
    last: dict[str, Any] = {}
    for tolerance in TOLERANCES:
        eps = 0 if tolerance == 0 else max(1, math.ceil(tolerance * m))
        inside = start.copy()
        while True:
            rounds += 1
            if rounds > max_rounds:
                inside[:] = True
            p_tail, p_head, p_cost = net.pair_arcs(np.nonzero(inside)[0])
            tail = np.concatenate([net.s_tail, p_tail])
            head = np.concatenate([net.s_head, p_head])
            arc_cost = np.concatenate([np.zeros(net.s_tail.size, dtype=np.int64), p_cost]) + eps
            pi = _potentials(net.n_nodes, tail, head, arc_cost)
            if pi is None:  # a negative cycle: not optimal at this tolerance
                last = {"arcs_in_subgraph": int(tail.size), "negative_arcs": 0, "min_reduced_cost": -math.inf}
                break
            if tail.size:
                pi = _lower(pi, tail, head, arc_cost)
            p_low, bad = net.check(pi, eps)
            s_reduced = eps + pi[net.s_tail] - pi[net.s_head]
            n_bad = int(bad.size) + int((s_reduced < 0).sum())
            low = min(p_low, int(s_reduced.min()) if s_reduced.size else 0)
            last = {"arcs_in_subgraph": int(tail.size), "negative_arcs": n_bad, "min_reduced_cost": (low - eps) / m}
            if n_bad == 0:
                h = hashlib.sha256(pi.astype("<i8").tobytes())
                h.update(f"|{m}|{eps}".encode())
                arcs_bound = 8 * inst.demand  # arcs in a cycle decomposition of the difference of two solutions
                return Certificate(
                    verdict="optimal", objective=objective, scale=m, epsilon=eps / m,
                    gap_bound=(inst.demand + eps * arcs_bound) / m, checked_arcs=checked,
                    potentials_sha256=h.hexdigest(), rounds=rounds, **last)
            if inside[bad].all() or inside.all():  # structural arcs violate: cannot happen with exact potentials
                break
            inside[bad] = True
    return Certificate(verdict="not_optimal", objective=objective, scale=m, checked_arcs=checked, rounds=rounds,
                       **last)
