"""Why an assignment is infeasible: explanations that name the projects and the binding constraint.

:func:`explain` runs cheap counting checks first (each a necessary condition):

* ``too_few_candidates`` -- a project has fewer candidates than seats, reported at the filter where the
  count drops below the panel size: available experts, domain (or explicit score), own unit, conflicts;
* ``diversity`` -- with at most ``N`` experts of one unit per project, the units cannot fill the panel;
* ``prob_cap`` -- with a probability cap ``q``, ``q x candidates < panel size``;
* ``total_capacity`` / ``unit_caps`` -- all experts' (or units') loads are below the total seats;
* ``min_load_total`` / ``min_load_expert`` / ``min_load_unit`` -- minimum loads cannot be met.

If they all pass, a maximum flow on the full network (scipy) decides, and a minimum cut names a set of
projects whose seats exceed what their candidates can give (``hall``), with the binding arcs: experts at
maximum load, unit caps, the per-unit bound, or one seat per expert and project.  If only the minimum
loads fail, the experts whose minimum cannot be reached are named (``min_load_joint``).

Examples
--------
>>> from expert_pool.models import Expert, ProjectNeed
>>> from expert_pool.assign.instance import build_instance
>>> experts = [Expert(id="E1", unit="A", domains=["法律"], max_load=5),
...            Expert(id="E2", unit="B", domains=["交通"], max_load=5)]
>>> inst = build_instance(experts, [ProjectNeed(id="P1", unit="C", domains=["法律"], panel_size=2)])
>>> print(explain(inst).text("en"))
project P1: only 1 expert(s) with domains 法律, fewer than the 2 required
>>> print(explain(inst).text("zh"))
项目“P1”：具备领域“法律”的专家仅 1 人，少于所需的 2 人
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from expert_pool.assign.instance import Instance, Network, build_network
from expert_pool.assign.reasons import Explanation, Reason, Text

__all__ = ["Reason", "Explanation", "explain", "precheck", "feasible_flow"]


def _g(x: float, spec: str = "g") -> str:
    return format(float(x), spec)


def precheck(inst: Instance) -> Explanation:
    """The cheap counting checks (see the module docstring)."""
    reasons: list[Reason] = []
    sc = inst.stage_counts
    for i, p in enumerate(inst.projects):
        k = int(inst.k[i])
        stages = [("available", int(sc["available"][i])), ("affinity", int(sc["affinity"][i])),
                  ("own_unit", int(sc["own_unit"][i])), ("conflicts", int(sc["conflicts"][i]))]
        for stage, n in stages:
            if n >= k:
                continue
            variant = "affinity_explicit" if stage == "affinity" and inst.affinity.explicit else stage
            params = {"project": p.id, "n": n, "k": k, "domains": list(p.domains), "unit": p.unit}
            reasons.append(Reason(kind="too_few_candidates", projects=[p.id], code=f"pool.reason.too_few.{variant}",
                                  params=params))
            break
    failed = {r.projects[0] for r in reasons}

    n_u = max(len(inst.units), 1)
    if inst.max_per_unit is not None:
        groups = inst.group_ids()
        counts = np.bincount(groups, minlength=len(inst.projects) * n_u).reshape(len(inst.projects), n_u)
        room = np.minimum(counts, inst.max_per_unit).sum(axis=1)
        for ii in np.nonzero(room < inst.k)[0]:
            i = int(ii)
            p = inst.projects[i]
            if p.id in failed:
                continue
            reasons.append(Reason(
                kind="diversity", projects=[p.id],
                params={"project": p.id, "units": int((counts[i] > 0).sum()), "max_per_unit": inst.max_per_unit,
                        "room": int(room[i]), "k": int(inst.k[i])},
            ))
            failed.add(p.id)

    cand = np.bincount(inst.pair_p, minlength=len(inst.projects))
    if inst.prob_cap is not None and inst.prob_cap < 1:
        q = inst.prob_cap
        for ii in np.nonzero(cand * q < inst.k - 1e-9)[0]:
            i = int(ii)
            p = inst.projects[i]
            if p.id in failed:
                continue
            need = inst.k[i] / max(cand[i], 1)
            reasons.append(Reason(
                kind="prob_cap", projects=[p.id],
                params={"project": p.id, "candidates": int(cand[i]), "cap": _g(q), "expected": _g(cand[i] * q),
                        "k": int(inst.k[i]), "need": _g(need, ".3g")},
            ))

    demand = inst.demand
    capacity = int(inst.max_load.sum())
    if capacity < demand:
        reasons.append(Reason(kind="total_capacity", projects=[p.id for p in inst.projects],
                              params={"capacity": capacity, "demand": demand}))
    elif inst.unit_cap is not None:
        per_unit = np.minimum(inst.unit_cap, np.bincount(inst.e_unit, weights=inst.max_load, minlength=n_u))
        if per_unit.sum() < demand:
            reasons.append(Reason(kind="unit_caps", projects=[p.id for p in inst.projects], units=list(inst.units),
                                  params={"supply": int(per_unit.sum()), "demand": demand}))

    min_total = int(inst.min_load.sum())
    if min_total > demand:
        reasons.append(Reason(
            kind="min_load_total", experts=[e.id for j, e in enumerate(inst.experts) if inst.min_load[j] > 0],
            params={"total": min_total, "demand": demand},
        ))
    e_cand = np.bincount(inst.pair_e, minlength=len(inst.experts)).astype(float)
    if inst.prob_cap is not None:
        e_cand = e_cand * inst.prob_cap
    for j in np.nonzero(inst.min_load > e_cand + 1e-9)[0]:
        e = inst.experts[j]
        reasons.append(Reason(
            kind="min_load_expert", experts=[e.id],
            code="pool.reason.min_load_expert_capped" if inst.prob_cap else "pool.reason.min_load_expert",
            params={"expert": e.id, "minimum": int(inst.min_load[j]), "n": _g(e_cand[j])},
        ))
    if inst.unit_cap is not None:
        unit_min = np.bincount(inst.e_unit, weights=inst.min_load, minlength=n_u)
        for u in np.nonzero(unit_min > inst.unit_cap)[0]:
            reasons.append(Reason(
                kind="min_load_unit", units=[inst.units[u]],
                params={"unit": inst.units[u], "total": int(unit_min[u]), "cap": int(inst.unit_cap[u])},
            ))
    return Explanation(reasons=reasons)


def feasible_flow(net: Network, *, ignore_lower: bool = False
                  ) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray]:
    """Decide feasibility of ``net`` by one maximum flow (scipy, Dinic) after the usual lower-bound
    transformation.

    Returns
    -------
    feasible : bool
    flow : ndarray
        A flow of maximum value on each arc (bounds respected; feasible iff ``feasible``).
    reachable : ndarray of bool
        Nodes reachable from the super source in the residual graph (the source side of a minimum cut).
    unmet : ndarray
        Per node, the supply (from lower bounds and demands) the maximum flow could not route.
    """
    n = net.n_nodes
    lo = np.zeros_like(net.lo) if ignore_lower else net.lo
    cap = net.hi - lo
    b = net.demand.copy()
    np.add.at(b, net.tail, lo)
    np.subtract.at(b, net.head, lo)
    s_star, t_star = n, n + 1
    src = np.nonzero(b < 0)[0]
    dst = np.nonzero(b > 0)[0]
    tails = np.concatenate([net.tail, np.full(src.size, s_star), dst])
    heads = np.concatenate([net.head, src, np.full(dst.size, t_star)])
    caps = np.concatenate([cap, -b[src], b[dst]])
    keep = caps > 0
    mat = sp.csr_array((caps[keep].astype(np.int32), (tails[keep], heads[keep])), shape=(n + 2, n + 2))
    mat.sum_duplicates()
    res = maximum_flow(mat, s_star, t_star)
    fmat = sp.csr_array(res.flow)
    arc_flow = np.asarray(fmat[net.tail, net.head]).ravel().astype(np.int64) if net.tail.size else np.zeros(0, np.int64)
    required = int(b[dst].sum())
    feasible = int(res.flow_value) == required
    # residual graph: forward where flow < cap, backward where flow > 0
    t_all, h_all = tails[keep], heads[keep]
    f_all = np.asarray(fmat[t_all, h_all]).ravel()
    c_all = caps[keep]
    fwd = f_all < c_all
    bwd = f_all > 0
    rt = np.concatenate([t_all[fwd], h_all[bwd]])
    rh = np.concatenate([h_all[fwd], t_all[bwd]])
    rmat = sp.csr_array((np.ones(rt.size), (rt, rh)), shape=(n + 2, n + 2))
    order = breadth_first_order(rmat, s_star, directed=True, return_predecessors=False)
    reachable = np.zeros(n + 2, dtype=bool)
    reachable[order] = True
    unmet = np.zeros(n, dtype=np.int64)
    if src.size:
        unmet[src] = -b[src] - np.asarray(fmat[np.full(src.size, s_star), src]).ravel().astype(np.int64)
    return feasible, lo + arc_flow, reachable, unmet


def _flow_reasons(inst: Instance) -> list[Reason]:
    net = build_network(inst)
    ok_free, _, reach, _ = feasible_flow(net, ignore_lower=True)
    if not ok_free:
        return [_hall_reason(inst, net, reach)]
    ok, _, _, unmet = feasible_flow(net)
    if ok:
        return []
    n_e = len(inst.experts)
    short = [inst.experts[j].id for j in range(n_e) if unmet[net.expert_base + j] > 0 and inst.min_load[j] > 0]
    short = short or [e.id for j, e in enumerate(inst.experts) if inst.min_load[j] > 0]
    return [Reason(kind="min_load_joint", experts=short, params={"names_experts": short})]


def _hall_reason(inst: Instance, net: Network, reach: np.ndarray) -> Reason:
    pb = net.project_base
    n_p = len(inst.projects)
    short = [i for i in range(n_p) if not reach[pb + i]]
    need = int(inst.k[short].sum())
    cut = reach[net.tail] & ~reach[net.head]
    experts: list[str] = []
    units: list[str] = []
    slots = 0
    diversity = 0
    supply = 0
    for a in np.nonzero(cut)[0]:
        t, h, c = int(net.tail[a]), int(net.head[a]), int(net.hi[a])
        if net.pair_index[a] >= 0:
            slots += 1
        elif net.expert_base <= h < pb:
            experts.append(inst.experts[h - net.expert_base].id)
        elif 1 <= h < net.expert_base:
            units.append(inst.units[h - 1])
        elif pb <= h < pb + n_p and t >= pb + n_p:
            diversity += 1
        else:
            continue
        supply += c
    project_ids = [inst.projects[i].id for i in short]
    bounds: list[Text] = []
    if experts:
        bounds.append(Text(code="pool.reason.hall.experts", params={"names_experts": experts}))
    if units:
        bounds.append(Text(code="pool.reason.hall.units", params={"names_units": units}))
    if diversity:
        bounds.append(Text(code="pool.reason.hall.diversity", params={"max_per_unit": inst.max_per_unit,
                                                                       "n": diversity}))
    if slots:
        bounds.append(Text(code="pool.reason.hall.slots", params={"n": slots}))
    return Reason(
        kind="hall", projects=project_ids, experts=experts, units=units,
        params={"names_projects": project_ids, "need": need, "supply": supply,
                "bounds": bounds or Text(code="pool.reason.hall.candidates")},
    )


def explain(inst: Instance) -> Explanation:
    """Explain why ``inst`` is infeasible (empty explanation if it is feasible without a probability cap).

    Examples
    --------
    >>> from expert_pool.models import Expert, ProjectNeed
    >>> from expert_pool.assign.instance import build_instance
    >>> experts = [Expert(id=f"E{i}", unit=f"U{i}", max_load=1) for i in range(3)]
    >>> projects = [ProjectNeed(id="P1", panel_size=2), ProjectNeed(id="P2", panel_size=2)]
    >>> print(explain(build_instance(experts, projects)).text("en"))
    the available experts' maximum loads add up to 3, fewer than the 4 seats of all projects
    """
    pre = precheck(inst)
    if pre.reasons:
        return pre
    reasons = _flow_reasons(inst)
    if not reasons and inst.prob_cap is not None and inst.prob_cap < 1:
        reasons.append(Reason(kind="prob_cap_joint", projects=[p.id for p in inst.projects],
                              params={"cap": _g(inst.prob_cap)}))
    return Explanation(reasons=reasons)
