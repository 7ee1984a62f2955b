"""OR-Tools' min-cost flow (cost scaling, C++) as the network solver of large instances.

The network, the integer costs, the candidate pruning and the per-run reduced-cost proof are those of
:mod:`expert_pool.assign.flow`; only the min-cost-flow routine run on each (pruned) network differs:
:func:`solve_network_ortools` hands the arcs to ``ortools.graph.python.min_cost_flow.SimpleMinCostFlow``
as numpy arrays (no per-arc Python objects).  Lower bounds are removed by the usual transformation
(shifting ``lo`` into the node supplies).  OR-Tools is imported only when this backend runs.

Examples
--------
>>> from expert_pool.models import Expert, ProjectNeed
>>> from expert_pool.assign.instance import build_instance
>>> experts = [Expert(id=f"E{i}", unit=f"U{i}", max_load=1) for i in range(3)]
>>> projects = [ProjectNeed(id="P1", panel_size=1), ProjectNeed(id="P2", panel_size=1)]
>>> aff = {("P1", "E0"): 0.9, ("P1", "E1"): 0.8, ("P2", "E0"): 0.85, ("P2", "E2"): -0.1}
>>> res = solve_ortools(build_instance(experts, projects, affinity=aff))
>>> round(res.objective, 6), res.chosen.tolist()
(1.65, [1, 2])
"""

from __future__ import annotations

import numpy as np

from expert_pool.assign.flow import FlowResult, solve_flow
from expert_pool.assign.instance import Instance, Network

__all__ = ["solve_network_ortools", "solve_ortools", "METHOD"]

METHOD = "cost-scaling min-cost flow (OR-Tools)"


def solve_network_ortools(net: Network) -> np.ndarray | None:
    """Min-cost flow on ``net`` by OR-Tools' ``SimpleMinCostFlow``; arc flows, or ``None`` if infeasible.

    Raises
    ------
    RuntimeError
        OR-Tools reports anything but optimal or infeasible (e.g. a cost range it cannot scale): a bug.
    """
    from ortools.graph.python import min_cost_flow

    b = net.demand.copy()
    np.add.at(b, net.tail, net.lo)
    np.subtract.at(b, net.head, net.lo)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        net.tail.astype(np.int32), net.head.astype(np.int32), (net.hi - net.lo).astype(np.int64),
        net.cost.astype(np.int64))
    solver.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int32), (-b).astype(np.int64))
    status = solver.solve()
    if status == solver.INFEASIBLE:
        return None
    if status != solver.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow failed with status {status}")
    return np.asarray(solver.flows(arcs), dtype=np.int64) + net.lo


def solve_ortools(inst: Instance, weights: np.ndarray | None = None, *, prune: bool | None = None) -> FlowResult:
    """Maximise the total ``weights`` (default: the scores) with OR-Tools (see :func:`~expert_pool.assign.flow.solve_flow`)."""
    return solve_flow(inst, weights, prune=prune, network_solver=solve_network_ortools, method=METHOD)
