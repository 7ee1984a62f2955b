"""The assignment problem in array form, shared by every algorithm, and its flow network.

An :class:`Instance` holds the available experts and the projects (both sorted by id, so that results do
not depend on the row order of the input files), the eligible (project, expert) pairs with their scores,
and the constraints.  :func:`build_network` turns it into the min-cost-flow network

``S -> [U_unit] -> E_expert -> [PU_(project, unit)] -> P_project``

with demand ``-D`` at ``S`` (``D`` = total panel seats) and ``panel_size`` at each project; arc
``S/U -> E`` has bounds ``[min_load, max_load]``, ``S -> U`` has the unit cap, ``E -> PU/P`` has capacity 1
and cost ``-score``, and ``PU -> P`` has capacity ``max_per_unit``.  The unit layer exists only with unit
caps, and a project x unit node only where the unit has more eligible experts for the project than
``max_per_unit`` (elsewhere the diversity bound cannot bind and the arc goes straight to the project).

Examples
--------
>>> from expert_pool.models import Expert, ProjectNeed
>>> experts = [Expert(id=f"E{i}", unit=f"U{i % 2}", max_load=2) for i in range(4)]
>>> inst = build_instance(experts, [ProjectNeed(id="P1", unit="U0", panel_size=2)])
>>> inst.n_pairs, [inst.experts[j].id for j in inst.pair_e]  # own-unit experts E0, E2 excluded
(2, ['E1', 'E3'])
>>> validate(inst, [0, 1])
[]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from expert_pool.affinity import Affinity, as_affinity
from expert_pool.errors import InvalidParameterError, UnknownReferenceError
from expert_pool.models import Expert, ProjectNeed
from expert_pool.panel_size import resolve_panel_sizes
from expert_pool.pool import Pool
from expert_pool.reading import load_conflicts_csv, load_pool, load_projects

__all__ = ["Instance", "Network", "build_instance", "build_network", "validate"]


@dataclass
class Instance:
    """The assignment problem in array form (see the module docstring)."""

    experts: list[Expert]
    projects: list[ProjectNeed]
    input_order: list[int]
    units: list[str]
    e_unit: np.ndarray
    max_load: np.ndarray
    min_load: np.ndarray
    k: np.ndarray
    p_unit: np.ndarray
    unit_cap: np.ndarray | None
    max_per_unit: int | None
    pair_p: np.ndarray
    pair_e: np.ndarray
    score: np.ndarray
    prob_cap: float | None = None
    conflicts: set[tuple[str, str]] = field(default_factory=set)
    unavailable: list[str] = field(default_factory=list)
    affinity: Affinity = field(default_factory=Affinity)
    #: per-project counts of candidates after each filter (for the explanations)
    stage_counts: dict[str, np.ndarray] = field(default_factory=dict)
    pool_hash: str = ""
    _groups: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def n_pairs(self) -> int:
        return int(self.pair_p.size)

    @property
    def demand(self) -> int:
        """Total number of seats ``D``."""
        return int(self.k.sum())

    def group_ids(self) -> np.ndarray:
        """Index of the (project, unit) group of every pair: ``project * n_units + unit`` (computed once;
        read-only)."""
        cached = self._groups
        if cached is None or cached.size != self.pair_p.size:
            cached = self.pair_p * max(len(self.units), 1) + self.e_unit[self.pair_e]
            cached.flags.writeable = False
            self._groups = cached
        return cached


def _coerce_pool(pool_or_experts: Pool | Iterable[Expert] | str | Path) -> Pool:
    if isinstance(pool_or_experts, Pool):
        return pool_or_experts
    if isinstance(pool_or_experts, (str, Path)):
        return load_pool(pool_or_experts)
    experts = list(pool_or_experts)
    for e in experts:
        if not isinstance(e, Expert):
            raise InvalidParameterError("pool.invalid_parameter.not_expert", value=repr(e))
    return Pool(experts=experts)


def build_instance(
    pool_or_experts: Pool | Iterable[Expert] | str | Path,
    projects: Iterable[ProjectNeed | Mapping[str, Any]] | str | Path,
    *,
    affinity: Any = None,
    conflicts: Iterable[tuple[str, str]] | str | Path | None = None,
    max_per_unit: int | None = None,
    unit_max_load: int | Mapping[str, int] | None = None,
    panel_size: Callable[[dict[str, Any]], int | None] | None = None,
    prob_cap: float | None = None,
    extra_hash: Mapping[str, Any] | None = None,
) -> Instance:
    """Validate the input and build the :class:`Instance` (arguments as in :func:`expert_pool.assign`).

    Raises
    ------
    InvalidParameterError, UnknownReferenceError, PanelSizeError, and the loading errors for paths.
    """
    pool = _coerce_pool(pool_or_experts)
    project_list = resolve_panel_sizes(load_projects(projects), panel_size)
    aff = as_affinity(affinity)
    if max_per_unit is not None and (isinstance(max_per_unit, bool) or not isinstance(max_per_unit, int)
                                     or max_per_unit < 1):
        raise InvalidParameterError("pool.invalid_parameter.max_per_unit", field="max_per_unit", value=max_per_unit)
    if prob_cap is not None and not (isinstance(prob_cap, (int, float)) and 0 < prob_cap <= 1):
        raise InvalidParameterError("pool.invalid_parameter.prob_cap", field="prob_cap", value=prob_cap)

    all_experts = pool.experts
    known_experts = {e.id for e in all_experts}
    experts = sorted((e for e in all_experts if e.available), key=lambda e: e.id)
    unavailable = sorted(e.id for e in all_experts if not e.available)
    order = sorted(range(len(project_list)), key=lambda i: project_list[i].id)
    projects_sorted = [project_list[i] for i in order]
    input_order = [0] * len(order)
    for pos, original in enumerate(order):
        input_order[original] = pos

    if isinstance(conflicts, (str, Path)):
        conflicts = load_conflicts_csv(conflicts)
    conflict_set: set[tuple[str, str]] = set()
    project_ids = {p.id for p in project_list}
    for pair in conflicts or ():
        p_id, e_id = str(pair[0]), str(pair[1])
        if p_id not in project_ids:
            raise UnknownReferenceError("conflicts.project", p_id, "project")
        if e_id not in known_experts:
            raise UnknownReferenceError("conflicts.expert", e_id, "expert")
        conflict_set.add((p_id, e_id))

    units = sorted({e.unit for e in experts} | {u.id for u in pool.units})
    uidx = {u: i for i, u in enumerate(units)}
    e_unit = np.array([uidx[e.unit] for e in experts], dtype=np.int64)
    max_load = np.array([e.max_load for e in experts], dtype=np.int64)
    min_load = np.array([e.min_load for e in experts], dtype=np.int64)
    k = np.array([p.panel_size or 0 for p in projects_sorted], dtype=np.int64)
    p_unit = np.array([uidx.get(pool.resolve_unit(p.unit), -1) for p in projects_sorted], dtype=np.int64)

    unit_cap: np.ndarray | None = None
    if unit_max_load is not None:
        big = int(max_load.sum()) + 1
        if isinstance(unit_max_load, Mapping):
            unit_cap = np.full(len(units), big, dtype=np.int64)
            for key, cap in unit_max_load.items():
                _check_cap(cap)
                uid = pool.resolve_unit(str(key))
                if uid not in uidx:
                    raise UnknownReferenceError("unit_max_load", key, "unit")
                unit_cap[uidx[uid]] = int(cap)
        else:
            _check_cap(unit_max_load)
            unit_cap = np.full(len(units), int(unit_max_load), dtype=np.int64)

    # eligibility, filter by filter (the counts feed the infeasibility explanations)
    n_p, n_e = len(projects_sorted), len(experts)
    scores, ok = aff.matrix(projects_sorted, experts)
    stage: dict[str, np.ndarray] = {"available": np.full(n_p, n_e, dtype=np.int64),
                                    "affinity": ok.sum(axis=1)}
    own = (p_unit[:, None] >= 0) & (p_unit[:, None] == e_unit[None, :]) if n_e else np.zeros_like(ok)
    ok &= ~own
    stage["own_unit"] = ok.sum(axis=1)
    if conflict_set:
        pidx = {p.id: i for i, p in enumerate(projects_sorted)}
        eidx = {e.id: j for j, e in enumerate(experts)}
        for p_id, e_id in conflict_set:
            j = eidx.get(e_id)
            if j is not None:
                ok[pidx[p_id], j] = False
    stage["conflicts"] = ok.sum(axis=1)
    pair_p, pair_e = np.nonzero(ok)
    inst = Instance(
        experts=experts, projects=projects_sorted, input_order=input_order, units=units, e_unit=e_unit,
        max_load=max_load, min_load=min_load, k=k, p_unit=p_unit, unit_cap=unit_cap, max_per_unit=max_per_unit,
        pair_p=pair_p.astype(np.int64, copy=False), pair_e=pair_e.astype(np.int64, copy=False),
        score=scores[pair_p, pair_e].astype(float, copy=False),
        prob_cap=None if prob_cap is None else float(prob_cap), conflicts=conflict_set, unavailable=unavailable,
        affinity=aff, stage_counts=stage,
    )
    inst.pool_hash = _hash(inst, all_experts, extra_hash or {})
    return inst


def _check_cap(cap: Any) -> None:
    if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 0:
        raise InvalidParameterError("pool.invalid_parameter.unit_max_load", field="unit_max_load", value=cap)


def _hash(inst: Instance, all_experts: list[Expert], extra: Mapping[str, Any]) -> str:
    """sha256 of the canonical input: experts, projects (with panel sizes), conflicts, constraints, the
    affinity description, and the eligible pairs with their scores."""
    payload = {
        "experts": [e.model_dump() for e in sorted(all_experts, key=lambda e: e.id)],
        "projects": [p.model_dump() for p in inst.projects],
        "conflicts": sorted(inst.conflicts),
        "max_per_unit": inst.max_per_unit,
        "unit_cap": None if inst.unit_cap is None else dict(zip(inst.units, inst.unit_cap.tolist(), strict=True)),
        "prob_cap": inst.prob_cap,
        "affinity": inst.affinity.describe(),
        **{str(k): v for k, v in extra.items()},
    }
    h = hashlib.sha256()
    h.update(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode())
    for arr, kind in ((inst.pair_p, "<i8"), (inst.pair_e, "<i8"), (inst.score, "<f8")):
        h.update(np.ascontiguousarray(arr.astype(kind, copy=False)).data)  # the bytes, without a copy
    return h.hexdigest()


@dataclass
class Network:
    """A flow network with lower and upper bounds (arrays indexed by arc)."""

    n_nodes: int
    tail: np.ndarray
    head: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    cost: np.ndarray
    demand: np.ndarray  # inflow - outflow required at each node (before the lower-bound transformation)
    pair_index: np.ndarray  # the pair of each pair arc, -1 for structural arcs
    pair_head: np.ndarray  # for every pair of the instance: the node its arc enters (PU if explicit, else P)
    source: int
    expert_base: int
    project_base: int
    n_units_nodes: int = 0
    labels: dict[int, str] = field(default_factory=dict)


def build_network(inst: Instance, pairs: np.ndarray | None = None, weights: np.ndarray | None = None) -> Network:
    """The flow network of ``inst`` restricted to ``pairs`` (indices into the pair arrays; all by default),
    with pair-arc costs ``weights`` (default ``-score``).

    ``pair_head`` is computed for *all* pairs of the instance: the node a pair's arc would enter given the
    project x unit nodes present in this network (used for the reduced-cost check of pruned pairs).
    """
    n_u, n_e, n_p = len(inst.units), len(inst.experts), len(inst.projects)
    if pairs is None:
        pairs = np.arange(inst.n_pairs)
    if weights is None:
        weights = -inst.score
    source = 0
    has_units = inst.unit_cap is not None
    unit_base = 1
    expert_base = unit_base + (n_u if has_units else 0)
    project_base = expert_base + n_e
    pu_base = project_base + n_p

    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    los: list[np.ndarray] = []
    his: list[np.ndarray] = []
    costs: list[np.ndarray] = []
    pidx: list[np.ndarray] = []

    def add(t: np.ndarray, h: np.ndarray, lo: np.ndarray, hi: np.ndarray, c: np.ndarray, pi: np.ndarray) -> None:
        tails.append(t.astype(np.int64, copy=False))
        heads.append(h.astype(np.int64, copy=False))
        los.append(lo.astype(np.int64, copy=False))
        his.append(hi.astype(np.int64, copy=False))
        costs.append(np.asarray(c))
        pidx.append(pi.astype(np.int64, copy=False))

    if has_units:
        assert inst.unit_cap is not None
        cap = np.minimum(inst.unit_cap, np.bincount(inst.e_unit, weights=inst.max_load, minlength=n_u).astype(np.int64))
        add(np.zeros(n_u), unit_base + np.arange(n_u), np.zeros(n_u), cap, np.zeros(n_u, dtype=weights.dtype),
            np.full(n_u, -1))
        e_tail = unit_base + inst.e_unit
    else:
        e_tail = np.zeros(n_e, dtype=np.int64)
    add(e_tail, expert_base + np.arange(n_e), inst.min_load, inst.max_load, np.zeros(n_e, dtype=weights.dtype),
        np.full(n_e, -1))

    # project x unit nodes where the diversity bound can bind among the included pairs
    pair_head: np.ndarray | None = None
    n_nodes = pu_base
    if inst.max_per_unit is not None and pairs.size:
        groups = inst.group_ids()
        counts = np.bincount(groups[pairs], minlength=max(n_p * max(n_u, 1), 1))
        binding = np.nonzero(counts > inst.max_per_unit)[0]
        if binding.size:
            node_of_group = np.full(counts.size, -1, dtype=np.int64)
            node_of_group[binding] = pu_base + np.arange(binding.size)
            n_nodes = pu_base + binding.size
            # the node each group's arcs enter (its PU node, else its project), then one gather per pair
            head_of_group = project_base + np.arange(counts.size) // max(n_u, 1)
            head_of_group[binding] = node_of_group[binding]
            small = np.int32 if n_nodes < 2**31 else np.int64
            pair_head = head_of_group.astype(small)[groups]
            mpu = np.full(binding.size, inst.max_per_unit)
            add(node_of_group[binding], project_base + binding // max(n_u, 1), np.zeros(binding.size), mpu,
                np.zeros(binding.size, dtype=weights.dtype), np.full(binding.size, -1))
    if pair_head is None:
        pair_head = project_base + inst.pair_p
    add(expert_base + inst.pair_e[pairs], pair_head[pairs], np.zeros(pairs.size), np.ones(pairs.size),
        weights[pairs], pairs)

    demand = np.zeros(n_nodes, dtype=np.int64)
    demand[source] = -inst.demand
    demand[project_base:project_base + n_p] = inst.k
    return Network(
        n_nodes=n_nodes, tail=np.concatenate(tails), head=np.concatenate(heads), lo=np.concatenate(los),
        hi=np.concatenate(his), cost=np.concatenate(costs), demand=demand, pair_index=np.concatenate(pidx),
        pair_head=pair_head, source=source, expert_base=expert_base, project_base=project_base,
        n_units_nodes=n_u if has_units else 0,
    )


def validate(inst: Instance, chosen: Iterable[int]) -> list[str]:
    """Check a set of chosen pair indices against every constraint; returns the violations (English).

    Checks: pairs eligible (by construction: own unit, conflicts, affinity, availability), no pair twice,
    panel sizes, expert min/max loads, unit caps and the per-project per-unit bound.
    """
    idx = np.asarray(sorted(chosen), dtype=np.int64)
    problems: list[str] = []
    if np.unique(idx).size != idx.size:
        problems.append("a pair is chosen twice")
    if idx.size and (idx.min() < 0 or idx.max() >= inst.n_pairs):
        return ["pair index out of range"]
    pp, ee = inst.pair_p[idx], inst.pair_e[idx]
    own = (inst.p_unit[pp] >= 0) & (inst.e_unit[ee] == inst.p_unit[pp])
    for i in np.unique(pp[own]).tolist():
        problems.append(f"{inst.projects[i].id}: expert of the proposing unit")
    if inst.conflicts:
        for i, j in zip(pp.tolist(), ee.tolist(), strict=True):
            if (inst.projects[i].id, inst.experts[j].id) in inst.conflicts:
                problems.append(f"{inst.projects[i].id}: conflicted expert {inst.experts[j].id}")
    size = np.bincount(pp, minlength=len(inst.projects))
    for bad in np.nonzero(size != inst.k)[0]:
        problems.append(f"{inst.projects[bad].id}: panel of {size[bad]} instead of {inst.k[bad]}")
    load = np.bincount(ee, minlength=len(inst.experts))
    for j in np.nonzero((load > inst.max_load) | (load < inst.min_load))[0]:
        problems.append(f"{inst.experts[j].id}: load {load[j]} outside [{inst.min_load[j]}, {inst.max_load[j]}]")
    if inst.unit_cap is not None:
        uload = np.bincount(inst.e_unit[ee], minlength=len(inst.units))
        for u in np.nonzero(uload > inst.unit_cap)[0]:
            problems.append(f"unit {inst.units[u]}: load {uload[u]} above cap {inst.unit_cap[u]}")
    if inst.max_per_unit is not None and idx.size:
        groups = inst.group_ids()[idx]
        vals, counts = np.unique(groups, return_counts=True)
        for g, c in zip(vals.tolist(), counts.tolist(), strict=True):
            if c > inst.max_per_unit:
                n_u = max(len(inst.units), 1)
                problems.append(f"{inst.projects[g // n_u].id}: {c} experts of unit {inst.units[g % n_u]}")
    return problems
