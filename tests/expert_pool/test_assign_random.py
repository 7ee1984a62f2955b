"""Random draw: constraints on every path, reproducibility, audit record, probability cap."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from _ep_cases import check, random_case

import expert_pool as ep
from expert_pool.assign.instance import build_instance, validate
from expert_pool.assign.random_draw import dependent_round, draw, fractional_flow


def _constrained_case():
    """Every constraint present and binding somewhere; feasible."""
    experts = []
    for j in range(30):
        experts.append(ep.Expert(id=f"E{j:02d}", unit=f"U{j % 5}", max_load=2 + j % 2, min_load=1 if j % 10 == 0 else 0,
                                 available=j != 29, domains=["法律", "经济", "交通"][j % 3:j % 3 + 2]))
    projects = [ep.ProjectNeed(id=f"P{i:02d}", unit=f"U{i % 5}", domains=[["法律"], ["经济"], ["交通"]][i % 3],
                               panel_size=3 if i % 2 else 2) for i in range(16)]
    conflicts = [("P00", "E01"), ("P03", "E02"), ("P05", "E13"), ("P07", "E04")]
    return {"experts": experts, "projects": projects, "affinity": None, "conflicts": conflicts,
            "max_per_unit": 1, "unit_max_load": 9}


def _run(case, **kw):
    return ep.assign(case["experts"], case["projects"], affinity=case["affinity"], conflicts=case["conflicts"],
                     max_per_unit=case["max_per_unit"], unit_max_load=case["unit_max_load"], **kw)


PATHS = [
    {"method": "optimal", "backend": "flow"},
    {"method": "optimal", "backend": "lp"},
    {"method": "random", "backend": "flow", "seed": 1},
    {"method": "random", "backend": "lp", "seed": 2},
    {"method": "random", "seed": 3, "prob_cap": 0.5},
    {"method": "random", "seed": 4, "prob_cap": 0.4},
]


@pytest.mark.parametrize("kw", PATHS, ids=lambda kw: "-".join(str(v) for v in kw.values()))
def test_every_constraint_on_every_path(kw):
    case = _constrained_case()
    result = _run(case, **kw)
    check({**case, "affinity": None}, result)
    loads = {e.id: 0 for e in case["experts"]}
    for pair in result.pairs:
        loads[pair.expert] += 1
    assert loads["E29"] == 0  # unavailable
    assert all(loads[e] >= 1 for e in ("E00", "E10", "E20"))  # min loads
    domains = {e.id: set(e.domains) for e in case["experts"]}
    for pair in result.pairs:  # domain affinity: experts share a domain with the project
        project = next(p for p in case["projects"] if p.id == pair.project)
        assert domains[pair.expert] & set(project.domains)


@pytest.mark.parametrize("seed", range(15))
def test_random_constraints_on_random_instances(seed):
    case = random_case(seed, n_projects=6, n_experts=14, n_units=4, max_k=3)
    try:
        optimal = _run(case, method="optimal")
    except ep.InfeasibleAssignment:
        optimal = None
    try:
        result = _run(case, method="random", seed=seed)
    except ep.InfeasibleAssignment:
        result = None
    assert (result is None) == (optimal is None)  # same constraints, same feasibility
    if result is None:
        return
    check(case, result)
    try:
        capped = _run(case, method="random", seed=seed, prob_cap=0.75)
    except ep.InfeasibleAssignment as exc:  # a cap may make a feasible instance infeasible: say so
        assert {"prob_cap", "prob_cap_joint", "min_load_expert"} & set(exc.explanation.kinds)
        return
    check(case, capped)


def test_seeded_draw_is_reproducible_and_recorded():
    case = _constrained_case()
    a = _run(case, method="random", seed=123)
    b = _run(case, method="random", seed=123)
    assert [(p.project, p.expert) for p in a.pairs] == [(p.project, p.expert) for p in b.pairs]
    assert a.draw is not None and a.draw.seed == 123
    assert a.draw.pool_hash == b.draw.pool_hash == a.pool_hash
    assert len(a.draw.pool_hash) == 64
    drawn = dt.datetime.fromisoformat(a.draw.drawn_at.replace("Z", "+00:00"))
    assert drawn.tzinfo is not None and drawn.utcoffset() == dt.timedelta(0)
    others = {tuple((p.project, p.expert) for p in _run(case, method="random", seed=s).pairs) for s in range(5)}
    assert len(others) > 1  # different seeds give different draws


def test_draw_independent_of_row_order():
    case = _constrained_case()
    a = _run(case, method="random", seed=9)
    shuffled = {**case, "experts": case["experts"][::-1], "projects": case["projects"][::-1]}
    b = _run(shuffled, method="random", seed=9)
    assert a.pool_hash == b.pool_hash
    assert sorted((p.project, p.expert) for p in a.pairs) == sorted((p.project, p.expert) for p in b.pairs)


def test_capped_draw_reproducible():
    case = _constrained_case()
    a = _run(case, method="random", seed=5, prob_cap=0.4)
    b = _run(case, method="random", seed=5, prob_cap=0.4)
    assert a.pairs == b.pairs
    assert a.draw is not None and a.draw.prob_cap == 0.4 and "Jecmen" in a.draw.procedure


def test_seed_generated_when_missing():
    case = _constrained_case()
    a = _run(case, method="random")
    assert a.draw is not None and isinstance(a.draw.seed, int)
    again = _run(case, method="random", seed=a.draw.seed)
    assert a.pairs == again.pairs


def test_probability_cap_respected_empirically():
    # one attractive expert per project: without a cap they would always be chosen
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j}", max_load=3) for j in range(8)]
    projects = [ep.ProjectNeed(id=f"P{i}", panel_size=2) for i in range(4)]
    aff = {(p.id, e.id): (1.0 if e.id in ("E0", "E1") else 0.1 * j) for p in projects for j, e in enumerate(experts)}
    cap = 0.35
    inst = build_instance(experts, projects, affinity=aff, prob_cap=cap)
    x = draw(inst, seed=0).marginals
    assert x is not None and x.max() <= cap + 1e-9
    tail, head, flow, pidx = fractional_flow(inst, x)
    rng = np.random.default_rng(2024)
    n = 2000
    counts = np.zeros(inst.n_pairs)
    for _ in range(n):
        rounded = dependent_round(tail, head, flow, rng)
        chosen = pidx[(pidx >= 0) & (np.rint(rounded) == 1)]
        assert validate(inst, chosen.tolist()) == []
        counts[chosen] += 1
    freq = counts / n
    sd = np.sqrt(cap * (1 - cap) / n)
    assert freq.max() <= cap + 4.5 * sd
    np.testing.assert_allclose(freq, x, atol=5 * sd)  # marginals preserved
    # and through the public API, over seeds
    hits = {}
    for seed in range(60):
        result = ep.assign(experts, projects, affinity=aff, method="random", seed=seed, prob_cap=cap)
        for pair in result.pairs:
            hits[(pair.project, pair.expert)] = hits.get((pair.project, pair.expert), 0) + 1
    assert max(hits.values()) / 60 <= cap + 4.5 * np.sqrt(cap * (1 - cap) / 60)


def test_prob_cap_validation():
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j}", max_load=3) for j in range(4)]
    projects = [ep.ProjectNeed(id="P", panel_size=2)]
    with pytest.raises(ep.InvalidParameterError):
        ep.assign(experts, projects, method="random", prob_cap=1.5)
    with pytest.raises(ep.InvalidParameterError):
        ep.assign(experts, projects, method="optimal", prob_cap=0.5)
    with pytest.raises(ep.InvalidParameterError):
        ep.assign(experts, projects, method="random", seed=-1)
    with pytest.raises(ep.InvalidParameterError):
        ep.assign(experts, projects, method="lottery")
