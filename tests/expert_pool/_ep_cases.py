"""Random small instances and an independent checker for the expert_pool tests."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Any

import numpy as np

from expert_pool import Affinity, Assignment, Expert, ProjectNeed
from expert_pool.assign.instance import Instance, build_instance


def random_case(
    seed: int,
    n_projects: int = 4,
    n_experts: int = 8,
    n_units: int = 3,
    *,
    max_k: int = 2,
    density: float = 0.85,
    with_min_load: bool = True,
    with_conflicts: bool = True,
    max_per_unit: bool = True,
    unit_cap: bool = True,
) -> dict[str, Any]:
    """Experts, projects, explicit float affinity (negative ones too), conflicts and caps."""
    rng = np.random.default_rng(seed)
    experts = [
        Expert(id=f"E{j}", unit=f"U{int(rng.integers(n_units))}", max_load=int(rng.integers(1, 4)),
               min_load=int(rng.integers(0, 2)) if with_min_load and rng.random() < 0.3 else 0)
        for j in range(n_experts)
    ]
    experts = [e.model_copy(update={"min_load": min(e.min_load, e.max_load)}) for e in experts]
    projects = [ProjectNeed(id=f"P{i}", unit=f"U{int(rng.integers(n_units + 1))}", panel_size=int(rng.integers(1, max_k + 1)))
                for i in range(n_projects)]
    affinity = {
        (p.id, e.id): float(np.round(rng.uniform(-1, 1), int(rng.integers(1, 9))))
        for p in projects for e in experts if rng.random() < density
    }
    demand = sum(p.panel_size or 0 for p in projects)
    conflicts = [(p.id, e.id) for p in projects for e in experts if with_conflicts and rng.random() < 0.08]
    return {
        "experts": experts,
        "projects": projects,
        "affinity": affinity,
        "conflicts": conflicts,
        "max_per_unit": int(rng.integers(1, 3)) if max_per_unit else None,
        "unit_max_load": int(np.ceil(demand / n_units * rng.uniform(0.9, 2.0))) if unit_cap else None,
    }


def crowded_instance(seed: int) -> Instance:
    """80 experts, 60 projects, everyone preferring the same few experts: a pruned network needs
    reduced-cost rounds before it is optimal."""
    rng = np.random.default_rng(seed)
    experts = [Expert(id=f"E{j:03d}", unit=f"U{j % 7}", max_load=3, min_load=1 if j % 17 == 0 else 0) for j in range(80)]
    projects = [ProjectNeed(id=f"P{i:03d}", unit=f"U{i % 9}", panel_size=2 + i % 2) for i in range(60)]
    base = rng.uniform(0, 1, len(experts)) ** 4
    matrix = base[None, :] + 0.05 * rng.uniform(-1, 1, (len(projects), len(experts)))
    aff = Affinity.from_matrix(matrix, [p.id for p in projects], [e.id for e in experts])
    return build_instance(experts, projects, affinity=aff, max_per_unit=1, unit_max_load=40)


def check(case: dict[str, Any], result: Assignment) -> None:
    """Assert every constraint from the raw input, independently of expert_pool's own validation."""
    experts = {e.id: e for e in case["experts"]}
    projects = {p.id: p for p in case["projects"]}
    conflicts = set(case.get("conflicts") or ())
    affinity = case.get("affinity")
    seen = set()
    for pair in result.pairs:
        key = (pair.project, pair.expert)
        assert key not in seen, f"pair twice: {key}"
        seen.add(key)
        e, p = experts[pair.expert], projects[pair.project]
        assert e.available, f"unavailable expert {e.id}"
        assert e.unit != p.unit, f"own unit: {key}"
        assert key not in conflicts, f"conflict: {key}"
        if affinity is not None:
            assert key in affinity, f"pair without score: {key}"
            assert math.isclose(pair.score, affinity[key]), key
    sizes = Counter(p.project for p in result.pairs)
    for p in case["projects"]:
        assert sizes[p.id] == p.panel_size, f"panel size of {p.id}"
    loads = Counter(p.expert for p in result.pairs)
    for e in case["experts"]:
        if e.available:
            assert e.min_load <= loads[e.id] <= e.max_load, f"load of {e.id}: {loads[e.id]}"
    if case.get("unit_max_load") is not None:
        per_unit = Counter(experts[p.expert].unit for p in result.pairs)
        assert max(per_unit.values(), default=0) <= case["unit_max_load"]
    if case.get("max_per_unit") is not None:
        per = Counter((p.project, experts[p.expert].unit) for p in result.pairs)
        assert max(per.values(), default=0) <= case["max_per_unit"]
    assert math.isclose(result.metrics.total, sum(p.score for p in result.pairs), abs_tol=1e-9)


def brute_force(case: dict[str, Any]) -> float | None:
    """Best total score by enumerating every combination of panels (tiny instances only)."""
    experts = {e.id: e for e in case["experts"] if e.available}
    conflicts = set(case.get("conflicts") or ())
    affinity = case["affinity"]
    options = []
    for p in case["projects"]:
        cands = [e for e in experts.values()
                 if e.unit != p.unit and (p.id, e.id) not in conflicts and (p.id, e.id) in affinity]
        options.append([(p, combo) for combo in itertools.combinations(cands, p.panel_size)])
    best = None
    for choice in itertools.product(*options):
        loads: Counter[str] = Counter()
        units: Counter[str] = Counter()
        ok = True
        total = 0.0
        for p, combo in choice:
            per = Counter(e.unit for e in combo)
            if case.get("max_per_unit") is not None and max(per.values(), default=0) > case["max_per_unit"]:
                ok = False
                break
            for e in combo:
                loads[e.id] += 1
                units[e.unit] += 1
                total += affinity[(p.id, e.id)]
        if not ok:
            continue
        if any(not (e.min_load <= loads[e.id] <= e.max_load) for e in experts.values()):
            continue
        if case.get("unit_max_load") is not None and max(units.values(), default=0) > case["unit_max_load"]:
            continue
        if best is None or total > best:
            best = total
    return best
