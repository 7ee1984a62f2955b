"""The exact backends (networkx, OR-Tools, HiGHS) against each other, and their common certificate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _ep_cases import check, crowded_instance, random_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import expert_pool as ep
from expert_pool.assign import backends
from expert_pool.assign.backends import AUTO_MAX_NETWORKX_PAIRS, resolve_backend
from expert_pool.assign.certificate import CertificateError, certify
from expert_pool.assign.flow import solve_flow
from expert_pool.assign.instance import build_instance, validate
from expert_pool.assign.lp import solve_lp
from expert_pool.assign.ortools_flow import solve_ortools
from expert_pool.errors import InfeasibleAssignment, InvalidParameterError

EXACT = ("networkx", "ortools", "highs")


def _assign(case, backend):
    try:
        return ep.assign(case["experts"], case["projects"], affinity=case["affinity"], conflicts=case["conflicts"],
                         max_per_unit=case["max_per_unit"], unit_max_load=case["unit_max_load"], backend=backend)
    except InfeasibleAssignment:
        return None


def _agree(case):
    results = {b: _assign(case, b) for b in EXACT}
    feasible = {b: r is not None for b, r in results.items()}
    assert len(set(feasible.values())) == 1, f"backends disagree on feasibility: {feasible}"
    if results["networkx"] is None:
        return None
    totals = {b: r.metrics.total for b, r in results.items()}
    for b, r in results.items():
        check(case, r)
        assert r.backend == b and r.optimal
        assert r.certificate["verdict"] == "optimal" and r.certificate["backend"] == b
        assert r.certificate["checked_arcs"] >= r.certificate["arcs_in_subgraph"] > 0
        assert len(r.certificate["potentials_sha256"]) == 64
        assert math.isclose(r.certificate["objective"], r.metrics.total, abs_tol=1e-9)
        assert math.isclose(totals[b], totals["networkx"], abs_tol=1e-6), totals
    return results


@pytest.mark.parametrize("seed", range(40))
def test_backends_agree_on_random_instances(seed):
    # unit caps, per-unit bounds, conflicts and minimum loads, in varying combinations
    case = random_case(seed, n_projects=5, n_experts=10, n_units=3, max_k=3, with_min_load=seed % 2 == 0,
                       with_conflicts=seed % 3 != 0, max_per_unit=seed % 4 != 1, unit_cap=seed % 5 != 2)
    _agree(case)


def test_enough_random_instances_are_feasible():
    feasible = sum(_agree(random_case(seed, n_projects=5, n_experts=10, n_units=3, max_k=3)) is not None
                   for seed in range(100, 120))
    assert feasible >= 5  # the comparison above is not vacuous


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    n_projects=st.integers(1, 6),
    n_experts=st.integers(2, 12),
    n_units=st.integers(1, 4),
    max_k=st.integers(1, 3),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
)
def test_backends_agree_hypothesis(seed, n_projects, n_experts, n_units, max_k, flags):
    min_load, conflicts, per_unit, unit_cap = flags
    case = random_case(seed, n_projects=n_projects, n_experts=n_experts, n_units=n_units, max_k=max_k,
                       with_min_load=min_load, with_conflicts=conflicts, max_per_unit=per_unit, unit_cap=unit_cap)
    _agree(case)


@pytest.mark.parametrize("seed", range(3))
def test_pruned_ortools_matches_full_networkx_and_lp(seed):
    # everyone prefers the same few experts: the pruned network needs the reduced-cost rounds
    inst = crowded_instance(seed)
    pruned = solve_ortools(inst, prune=True)
    full = solve_flow(inst, prune=False)
    lp = solve_lp(inst)
    assert pruned.chosen is not None and full.chosen is not None and lp.chosen is not None
    assert validate(inst, pruned.chosen.tolist()) == []
    assert pruned.certificate["rounds"] >= 2 and pruned.certificate["pairs_in_network"] < inst.n_pairs
    assert math.isclose(pruned.objective, full.objective, abs_tol=1e-6)
    assert math.isclose(pruned.objective, lp.objective, abs_tol=1e-6)
    for chosen in (pruned.chosen, full.chosen, lp.chosen):
        assert certify(inst, chosen).verdict == "optimal"


def test_ortools_reports_infeasible_like_the_others():
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j}", max_load=1) for j in range(3)]
    projects = [ep.ProjectNeed(id=f"P{i}", panel_size=2) for i in range(2)]  # 4 seats, 3 experts
    inst = build_instance(experts, projects)
    assert solve_ortools(inst).chosen is None
    assert solve_flow(inst).chosen is None and solve_lp(inst).chosen is None


# -- the certificate -------------------------------------------------------------------------------


def _instance_and_optimum(seed=3):
    case = random_case(seed, n_projects=6, n_experts=12, n_units=3, max_k=2, with_min_load=False)
    inst = build_instance(case["experts"], case["projects"], affinity=case["affinity"],
                          conflicts=case["conflicts"], max_per_unit=case["max_per_unit"],
                          unit_max_load=case["unit_max_load"])
    res = solve_flow(inst)
    assert res.chosen is not None
    return inst, res.chosen


def _worse_swap(inst, chosen):
    """Replace one chosen pair by a worse unchosen pair of the same project that keeps every constraint."""
    taken = set(chosen.tolist())
    for a in chosen.tolist():
        for b in np.nonzero(inst.pair_p == inst.pair_p[a])[0].tolist():
            if b in taken or inst.score[b] >= inst.score[a] - 1e-3:
                continue
            candidate = np.array(sorted((taken - {a}) | {b}))
            if not validate(inst, candidate.tolist()):
                return candidate
    return None


def test_tampered_solution_fails_the_certificate():
    for seed in range(3, 30):
        inst, chosen = _instance_and_optimum(seed)
        worse = _worse_swap(inst, chosen)
        if worse is not None:
            break
    assert worse is not None, "no instance with a feasible worse swap"
    good, bad = certify(inst, chosen), certify(inst, worse)
    assert good.verdict == "optimal" and good.negative_arcs == 0 and good.min_reduced_cost >= 0
    assert bad.verdict == "not_optimal" and not bad.ok
    assert bad.objective < good.objective - 1e-3


def test_infeasible_solutions_fail_the_certificate():
    inst, chosen = _instance_and_optimum()
    missing = certify(inst, chosen[1:])
    assert missing.verdict == "infeasible" and any("panel of" in p for p in missing.problems)
    twice = certify(inst, np.concatenate([chosen, chosen[:1]]))
    assert twice.verdict == "infeasible" and twice.problems == ["a pair is chosen twice"]
    assert certify(inst, np.array([inst.n_pairs])).verdict == "infeasible"


def test_certificate_tolerance_accepts_float_near_ties_only():
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j}", max_load=1) for j in range(2)]
    projects = [ep.ProjectNeed(id="P", panel_size=1)]
    near = build_instance(experts, projects, affinity={("P", "E0"): 0.5, ("P", "E1"): 0.5 + 2e-7})
    cert = certify(near, [0])  # the worse of two choices 2e-7 apart (D = 1: M = 1e7, 2 integer units)
    assert cert.verdict == "optimal" and cert.epsilon > 0 and cert.gap_bound >= 2e-7
    assert certify(near, [1]).epsilon == 0
    far = build_instance(experts, projects, affinity={("P", "E0"): 0.5, ("P", "E1"): 0.6})
    assert certify(far, [0]).verdict == "not_optimal"


def test_potentials_hash_is_deterministic():
    inst, chosen = _instance_and_optimum()
    assert certify(inst, chosen).potentials_sha256 == certify(inst, chosen).potentials_sha256


@pytest.mark.parametrize("backend", EXACT)
def test_a_failed_certificate_is_an_error(monkeypatch, backend):
    inst, chosen = _instance_and_optimum()
    worse = _worse_swap(inst, chosen)
    if worse is None:
        pytest.fail("fixture instance has no feasible worse swap")
    monkeypatch.setattr(backends, "_solver", lambda name: lambda inst, weights=None: _Fake(worse))
    case = random_case(3, n_projects=6, n_experts=12, n_units=3, max_k=2, with_min_load=False)
    with pytest.raises(CertificateError) as info:
        _assign(case, backend)
    assert info.value.certificate.verdict == "not_optimal"
    assert info.value.exit_code == 3 and backend in info.value.message("en")


class _Fake:
    def __init__(self, chosen):
        self.chosen, self.certificate, self.network_pairs = chosen, {}, None


# -- choosing the backend ----------------------------------------------------------------------------


def test_resolve_backend():
    assert resolve_backend("auto", n_pairs=AUTO_MAX_NETWORKX_PAIRS) == "networkx"
    assert resolve_backend("auto", n_pairs=AUTO_MAX_NETWORKX_PAIRS + 1) == "ortools"
    assert resolve_backend("AUTO", n_pairs=1) == "networkx"
    assert [resolve_backend(b) for b in ("flow", "lp", "networkx", "ortools", "highs")] == \
        ["networkx", "highs", "networkx", "ortools", "highs"]
    with pytest.raises(InvalidParameterError) as info:
        resolve_backend("cplex")
    assert info.value.exit_code == 2 and "ortools" in info.value.message("en")


def test_auto_uses_ortools_above_the_threshold(monkeypatch):
    monkeypatch.setattr(backends, "AUTO_MAX_NETWORKX_PAIRS", 5)
    case = random_case(11, n_projects=4, n_experts=8)
    small = _assign(case, "auto")
    assert small is None or small.backend == "ortools"
    monkeypatch.setattr(backends, "AUTO_MAX_NETWORKX_PAIRS", 10**9)
    again = _assign(case, "auto")
    assert (again is None) == (small is None)
    if again is not None and small is not None:
        assert again.backend == "networkx" and math.isclose(again.metrics.total, small.metrics.total, abs_tol=1e-6)


@pytest.mark.parametrize("backend", ["ortools", "highs"])
def test_random_draw_on_other_backends(backend):
    case = random_case(5, n_projects=4, n_experts=10, n_units=3, max_k=2, with_min_load=False)
    try:
        a = ep.assign(case["experts"], case["projects"], affinity=case["affinity"], method="random", seed=9,
                      max_per_unit=case["max_per_unit"], backend=backend)
    except InfeasibleAssignment:
        pytest.fail("fixture instance should be feasible")
    check({**case, "unit_max_load": None, "conflicts": []}, a)
    assert a.backend == backend and a.draw is not None and a.draw.seed == 9


def test_cli_exits_3_and_writes_nothing_when_the_certificate_fails(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from riskeval.cli import app

    def worst(inst, weights=None):  # a feasible but poor answer: the greedy pick of the worst pairs
        res = solve_flow(inst, -inst.score)
        return _Fake(res.chosen)

    monkeypatch.setattr(backends, "_solver", lambda name: worst)
    experts = tmp_path / "E.csv"
    experts.write_text("expert,unit,max_load\n" + "".join(f"E{j},U{j % 3},2\n" for j in range(9)), encoding="utf-8")
    projects = tmp_path / "P.csv"
    projects.write_text("project,unit,panel_size\nP1,U0,2\nP2,U1,2\n", encoding="utf-8")
    scores = tmp_path / "A.csv"
    rng = np.random.default_rng(0)
    scores.write_text("project,expert,score\n" + "".join(f"P{i},E{j},{rng.uniform():.4f}\n" for i in (1, 2)
                                                          for j in range(9)), encoding="utf-8")
    out = tmp_path / "OUT.csv"
    res = CliRunner().invoke(app, ["assign", "--experts", str(experts), "--projects", str(projects), "--affinity",
                                   str(scores), "--out", str(out), "--lang", "en", "--backend", "ortools"])
    assert res.exit_code == 3, res.output
    assert "optimality certificate" in res.output and "not_optimal" in res.output
    assert not out.exists()


def test_large_magnitude_scores_on_every_backend():
    rng = np.random.default_rng(1)
    experts = [ep.Expert(id=f"E{j}", unit=f"U{j % 4}", max_load=2) for j in range(12)]
    projects = [ep.ProjectNeed(id=f"P{i}", unit=f"U{i % 5}", panel_size=2) for i in range(8)]
    aff = {(p.id, e.id): float(rng.uniform(-1e6, 1e6)) for p in projects for e in experts}
    case = {"experts": experts, "projects": projects, "affinity": aff, "conflicts": [], "max_per_unit": 1,
            "unit_max_load": None}
    results = _agree(case)
    assert results is not None
