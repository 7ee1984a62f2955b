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
>>> from expert_pool.pool import Expert, ProjectNeed
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

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, Field
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from expert_pool.assign.instance import Instance, Network, build_network

__all__ = ["Reason", "Explanation", "explain", "precheck", "feasible_flow"]

_MAX_NAMES = 8
_MAX_REASONS = 20


class Reason(BaseModel):
    """One binding constraint, with the projects (experts, units) it concerns."""

    kind: str
    projects: list[str] = Field(default_factory=list)
    experts: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    zh: str
    en: str


class Explanation(BaseModel):
    """The reasons an instance is infeasible."""

    reasons: list[Reason] = Field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        """All reasons, one per line (at most 20, then a count of the rest)."""
        lines = [r.en if lang == "en" else r.zh for r in self.reasons[:_MAX_REASONS]]
        rest = len(self.reasons) - _MAX_REASONS
        if rest > 0:
            lines.append(f"... and {rest} more" if lang == "en" else f"……另有 {rest} 条")
        return "\n".join(lines)

    @property
    def kinds(self) -> list[str]:
        return [r.kind for r in self.reasons]

    def __bool__(self) -> bool:
        return bool(self.reasons)


def _names(items: Sequence[str], lang: str) -> str:
    shown = list(items[:_MAX_NAMES])
    if lang == "en":
        text = ", ".join(shown)
        return text + (f" and {len(items) - len(shown)} more" if len(items) > len(shown) else "")
    text = "、".join(f"“{s}”" for s in shown)
    return text + (f"等 {len(items)} 个" if len(items) > len(shown) else "")


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
            if stage == "available":
                zh = f"项目“{p.id}”：专家库中可用专家仅 {n} 人，少于所需的 {k} 人"
                en = f"project {p.id}: the pool has only {n} available expert(s), fewer than the {k} required"
            elif stage == "affinity" and inst.affinity.explicit:
                zh = f"项目“{p.id}”：亲和度表中有评分的专家仅 {n} 人，少于所需的 {k} 人"
                en = f"project {p.id}: only {n} expert(s) have a score in the affinity table, fewer than the {k} required"
            elif stage == "affinity":
                doms = "、".join(p.domains)
                zh = f"项目“{p.id}”：具备领域“{doms}”的专家仅 {n} 人，少于所需的 {k} 人"
                en = f"project {p.id}: only {n} expert(s) with domains {', '.join(p.domains)}, fewer than the {k} required"
            elif stage == "own_unit":
                zh = f"项目“{p.id}”：排除提出单位“{p.unit}”本单位的专家后仅剩 {n} 人，少于所需的 {k} 人"
                en = (f"project {p.id}: after excluding experts of its own unit {p.unit}, only {n} remain, "
                      f"fewer than the {k} required")
            else:
                zh = f"项目“{p.id}”：排除回避（利益冲突）专家后仅剩 {n} 人，少于所需的 {k} 人"
                en = (f"project {p.id}: after excluding conflicted experts, only {n} remain, "
                      f"fewer than the {k} required")
            reasons.append(Reason(kind="too_few_candidates", projects=[p.id], zh=zh, en=en))
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
            units = int((counts[i] > 0).sum())
            reasons.append(Reason(
                kind="diversity", projects=[p.id],
                zh=(f"项目“{p.id}”：候选专家来自 {units} 个单位，每个单位至多 {inst.max_per_unit} 人，"
                    f"最多组成 {room[i]} 人的专家组，少于所需的 {inst.k[i]} 人"),
                en=(f"project {p.id}: candidates come from {units} unit(s) and at most {inst.max_per_unit} per unit "
                    f"may serve, so at most {room[i]} of the {inst.k[i]} seats can be filled"),
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
                zh=(f"项目“{p.id}”：{cand[i]} 名候选专家、每人入选概率上限 {q:g}，期望至多 {cand[i] * q:g} 人，"
                    f"少于所需的 {inst.k[i]} 人；概率上限至少应为 {need:.3g}"),
                en=(f"project {p.id}: {cand[i]} candidates with a probability cap of {q:g} give at most "
                    f"{cand[i] * q:g} expected seats, fewer than {inst.k[i]}; the cap must be at least {need:.3g}"),
            ))

    demand = inst.demand
    capacity = int(inst.max_load.sum())
    if capacity < demand:
        reasons.append(Reason(
            kind="total_capacity", projects=[p.id for p in inst.projects],
            zh=f"全部可用专家的最大评审量合计 {capacity} 次，少于所有项目所需的 {demand} 个席位",
            en=f"the available experts' maximum loads add up to {capacity}, fewer than the {demand} seats of all projects",
        ))
    elif inst.unit_cap is not None:
        per_unit = np.minimum(inst.unit_cap, np.bincount(inst.e_unit, weights=inst.max_load, minlength=n_u))
        if per_unit.sum() < demand:
            reasons.append(Reason(
                kind="unit_caps", projects=[p.id for p in inst.projects], units=list(inst.units),
                zh=f"在单位评审量上限下，各单位合计最多提供 {int(per_unit.sum())} 个席位，少于所需的 {demand} 个",
                en=(f"under the unit load caps the units can fill at most {int(per_unit.sum())} seats, "
                    f"fewer than the {demand} required"),
            ))

    min_total = int(inst.min_load.sum())
    if min_total > demand:
        reasons.append(Reason(
            kind="min_load_total", experts=[e.id for j, e in enumerate(inst.experts) if inst.min_load[j] > 0],
            zh=f"专家最低评审量合计 {min_total} 次，超过所有项目的席位总数 {demand}",
            en=f"the experts' minimum loads add up to {min_total}, more than the {demand} seats of all projects",
        ))
    e_cand = np.bincount(inst.pair_e, minlength=len(inst.experts)).astype(float)
    if inst.prob_cap is not None:
        e_cand = e_cand * inst.prob_cap
    for j in np.nonzero(inst.min_load > e_cand + 1e-9)[0]:
        e = inst.experts[j]
        reasons.append(Reason(
            kind="min_load_expert", experts=[e.id],
            zh=f"专家“{e.id}”：最低评审量 {inst.min_load[j]} 次，但可参评的项目{'（按概率上限折算）' if inst.prob_cap else ''}"
               f"仅 {e_cand[j]:g} 个",
            en=f"expert {e.id}: minimum load {inst.min_load[j]} but only {e_cand[j]:g} eligible project(s)"
               f"{' (weighted by the probability cap)' if inst.prob_cap else ''}",
        ))
    if inst.unit_cap is not None:
        unit_min = np.bincount(inst.e_unit, weights=inst.min_load, minlength=n_u)
        for u in np.nonzero(unit_min > inst.unit_cap)[0]:
            reasons.append(Reason(
                kind="min_load_unit", units=[inst.units[u]],
                zh=f"单位“{inst.units[u]}”：本单位专家最低评审量合计 {int(unit_min[u])} 次，超过单位上限 {inst.unit_cap[u]}",
                en=(f"unit {inst.units[u]}: its experts' minimum loads add up to {int(unit_min[u])}, above the unit "
                    f"cap of {inst.unit_cap[u]}"),
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
    return [Reason(
        kind="min_load_joint", experts=short,
        zh=(f"专家{_names(short, 'zh')}的最低评审量无法与其他约束（专家组人数、单位上限、回避等）同时满足；"
            "请降低最低评审量"),
        en=(f"the minimum loads of experts {_names(short, 'en')} cannot be met together with the other constraints "
            "(panel sizes, unit caps, conflicts); lower the minimum loads"),
    )]


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
    names = [inst.projects[i].id for i in short]
    zh_parts: list[str] = []
    en_parts: list[str] = []
    if experts:
        zh_parts.append(f"专家{_names(experts, 'zh')}已达最大评审量")
        en_parts.append(f"experts {_names(experts, 'en')} at their maximum load")
    if units:
        zh_parts.append(f"单位{_names(units, 'zh')}已达单位评审量上限")
        en_parts.append(f"units {_names(units, 'en')} at their load cap")
    if diversity:
        zh_parts.append(f"同一单位至多 {inst.max_per_unit} 人（{diversity} 处）")
        en_parts.append(f"at most {inst.max_per_unit} expert(s) per unit and project ({diversity} place(s))")
    if slots:
        zh_parts.append(f"每名专家在同一项目至多 1 个席位（{slots} 人）")
        en_parts.append(f"one seat per expert and project ({slots} expert(s))")
    return Reason(
        kind="hall", projects=names, experts=experts, units=units,
        zh=(f"项目{_names(names, 'zh')}合计需要 {need} 名专家，但其候选专家最多只能提供 {supply} 个席位"
            f"（受限于：{'；'.join(zh_parts) or '候选人数'}）"),
        en=(f"projects {_names(names, 'en')} need {need} experts in all, but their candidates can fill at most "
            f"{supply} seats (bound by: {'; '.join(en_parts) or 'the number of candidates'})"),
    )


def explain(inst: Instance) -> Explanation:
    """Explain why ``inst`` is infeasible (empty explanation if it is feasible without a probability cap).

    Examples
    --------
    >>> from expert_pool.pool import Expert, ProjectNeed
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
        reasons.append(Reason(
            kind="prob_cap_joint", projects=[p.id for p in inst.projects],
            zh=(f"在入选概率上限 {inst.prob_cap:g} 下，专家评审量、单位上限与专家组人数无法同时满足；"
                "请提高概率上限或放宽评审量"),
            en=(f"with a probability cap of {inst.prob_cap:g} the loads, unit caps and panel sizes cannot all be met; "
                "raise the cap or relax the loads"),
        ))
    return Explanation(reasons=reasons)
