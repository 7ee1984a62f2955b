"""Optimality of the exact backends: brute force (tiny), flow == LP (small random), pruning proofs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _ep_cases import brute_force, check, crowded_instance, random_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import expert_pool as ep
from expert_pool.assign.flow import residual_potentials, solve_flow
from expert_pool.assign.instance import build_instance, build_network, validate
from expert_pool.assign.lp import solve_lp


def _solve(case, backend):
    try:
        return ep.assign(case["experts"], case["projects"], affinity=case["affinity"], conflicts=case["conflicts"],
                         max_per_unit=case["max_per_unit"], unit_max_load=case["unit_max_load"], backend=backend)
    except ep.InfeasibleAssignment:
        return None


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force(seed):
    case = random_case(seed, n_projects=3, n_experts=6, n_units=3)
    best = brute_force(case)
    for backend in ("flow", "lp"):
        result = _solve(case, backend)
        if best is None:
            assert result is None
            continue
        assert result is not None, f"{backend} found no assignment, brute force did ({best})"
        check(case, result)
        assert result.optimal
        assert math.isclose(result.metrics.total, best, abs_tol=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), n_projects=st.integers(1, 20), n_experts=st.integers(4, 20),
       n_units=st.integers(2, 6), max_k=st.integers(1, 3), density=st.floats(0.5, 1.0))
def test_flow_equals_lp(seed, n_projects, n_experts, n_units, max_k, density):
    # about 60% of these instances are feasible; on the others both backends must report infeasibility
    case = random_case(seed, min(n_projects, n_experts), n_experts, n_units, max_k=max_k, density=density)
    flow, lp = _solve(case, "flow"), _solve(case, "lp")
    assert (flow is None) == (lp is None)
    if flow is not None and lp is not None:
        check(case, flow)
        check(case, lp)
        assert math.isclose(flow.metrics.total, lp.metrics.total, abs_tol=1e-6)


def test_negative_and_fractional_scores_exact():
    # all scores negative with tiny differences: the optimum must still be found to 1e-6
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j}", max_load=2) for j in range(6)]
    projects = [ep.ProjectNeed(id=f"P{i}", panel_size=2) for i in range(4)]
    rng = np.random.default_rng(0)
    aff = {(p.id, e.id): -5 + float(rng.integers(0, 1000)) * 1e-7 for p in projects for e in experts}
    case = {"experts": experts, "projects": projects, "affinity": aff, "conflicts": [], "max_per_unit": None,
            "unit_max_load": None}
    best = None
    flow = _solve(case, "flow")
    lp = _solve(case, "lp")
    assert flow is not None and lp is not None
    assert flow.metrics.total < 0
    assert math.isclose(flow.metrics.total, lp.metrics.total, abs_tol=1e-6)
    best = brute_force({**case, "projects": projects[:3], "experts": experts[:5]})
    small = _solve({**case, "projects": projects[:3], "experts": experts[:5]}, "flow")
    assert small is not None and best is not None
    assert math.isclose(small.metrics.total, best, abs_tol=1e-9)


def test_large_magnitude_scores():
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j}", max_load=1) for j in range(5)]
    projects = [ep.ProjectNeed(id=f"P{i}", panel_size=1) for i in range(3)]
    rng = np.random.default_rng(1)
    aff = {(p.id, e.id): float(rng.uniform(-1e6, 1e6)) for p in projects for e in experts}
    case = {"experts": experts, "projects": projects, "affinity": aff, "conflicts": [], "max_per_unit": None,
            "unit_max_load": None}
    flow, best = _solve(case, "flow"), brute_force(case)
    assert flow is not None and best is not None
    assert math.isclose(flow.metrics.total, best, rel_tol=1e-12, abs_tol=1e-6)
    assert flow.certificate["gap_bound"] <= 1e-6 or flow.certificate["scale"] >= 1


@pytest.mark.parametrize("seed", range(3))
def test_pruned_flow_is_proven_optimal(seed):
    # everyone prefers the same few experts, so the pruned candidate set is too small at first
    inst = crowded_instance(seed)
    pruned = solve_flow(inst, prune=True)
    full = solve_flow(inst, prune=False)
    lp = solve_lp(inst)
    assert pruned.chosen is not None and full.chosen is not None and lp.chosen is not None
    assert validate(inst, pruned.chosen.tolist()) == []
    assert pruned.certificate["optimal"] and pruned.certificate["min_reduced_cost"] >= 0
    assert pruned.certificate["pairs_in_network"] < inst.n_pairs
    assert pruned.certificate["rounds"] >= 2  # the reduced-cost check added pairs
    assert math.isclose(pruned.objective, full.objective, abs_tol=1e-6)
    assert math.isclose(pruned.objective, lp.objective, abs_tol=1e-6)


def test_residual_potentials_detect_suboptimal_flow():
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j}", max_load=1) for j in range(2)]
    projects = [ep.ProjectNeed(id="P0", panel_size=1)]
    inst = build_instance(experts, projects, affinity={("P0", "E0"): 1.0, ("P0", "E1"): 0.0})
    net = build_network(inst, None, -np.rint(inst.score * 10).astype(np.int64))
    bad = np.where(net.pair_index == 1, 1, 0)  # send the seat to the worse expert
    bad[(net.pair_index < 0) & (net.head == net.expert_base + 1)] = 1
    with pytest.raises(RuntimeError):
        residual_potentials(net, bad)


def test_certificate_recorded():
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j}", max_load=2) for j in range(4)]
    result = ep.assign(experts, [ep.ProjectNeed(id="P", panel_size=2)])
    assert result.optimal
    assert result.certificate["optimal"] is True
    assert result.certificate["gap_bound"] <= 1e-7


def test_pruned_network_infeasible_then_repaired(monkeypatch):
    # a pruned candidate set that cannot fill the panels: the full-network max flow supplies a feasible support
    from expert_pool.assign import flow as flow_module

    case = random_case(7, n_projects=8, n_experts=16, n_units=4, max_k=3, with_min_load=False)
    inst = build_instance(case["experts"], case["projects"], affinity=case["affinity"], max_per_unit=1)
    monkeypatch.setattr(flow_module, "_initial_candidates", lambda inst, w: np.arange(1))
    pruned = solve_flow(inst, prune=True)
    lp = solve_lp(inst)
    assert pruned.chosen is not None and lp.chosen is not None
    assert pruned.certificate["rounds"] >= 2
    assert math.isclose(pruned.objective, lp.objective, abs_tol=1e-6)


def test_pruned_infeasible_instance_reports_infeasible():
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j % 3}", max_load=1) for j in range(6)]
    projects = [ep.ProjectNeed(id=f"P{i}", panel_size=2) for i in range(3)]
    inst = build_instance(experts, projects, max_per_unit=1, unit_max_load=1)
    assert solve_flow(inst, prune=True).chosen is None
    assert solve_lp(inst).chosen is None
