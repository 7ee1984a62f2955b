"""Every infeasibility explanation names the projects and the binding constraint, on every backend."""

from __future__ import annotations

import pytest

import expert_pool as ep

E = ep.Expert
P = ep.ProjectNeed


def _experts(n, *, unit=lambda j: f"U{j}", domains=lambda j: ["法律"], max_load=2, min_load=lambda j: 0):
    return [E(id=f"E{j}", unit=unit(j), domains=domains(j), max_load=max_load, min_load=min_load(j)) for j in range(n)]


def _infeasible(experts, projects, **kw) -> ep.Explanation:
    results = []
    for extra in ({"backend": "flow"}, {"backend": "lp"}, {"method": "random", "seed": 1}):
        with pytest.raises(ep.InfeasibleAssignment) as info:
            ep.assign(experts, projects, **{**kw, **extra})
        results.append(info.value)
    first = results[0]
    assert all(r.explanation == first.explanation for r in results)
    assert first.message("zh") and first.message("en") and str(first) == first.message("zh")
    return first.explanation


def test_too_few_of_a_domain():
    experts = _experts(6, domains=lambda j: ["征地拆迁"] if j < 2 else ["医疗"])
    why = _infeasible(experts, [P(id="拆迁项目", unit="X", domains=["征地拆迁"], panel_size=3)])
    assert why.kinds == ["too_few_candidates"]
    assert why.reasons[0].projects == ["拆迁项目"]
    assert "征地拆迁" in why.text("zh") and "2" in why.text("zh")
    assert "only 2 expert(s) with domains 征地拆迁" in why.text("en")


def test_too_few_after_own_unit():
    experts = _experts(5, unit=lambda j: "市住建局" if j < 3 else f"U{j}")
    why = _infeasible(experts, [P(id="P1", unit="市住建局", panel_size=3)])
    assert why.kinds == ["too_few_candidates"]
    assert "本单位" in why.text("zh") and "own unit" in why.text("en")


def test_every_candidate_conflicted():
    experts = _experts(4)
    conflicts = [("P1", "E0"), ("P1", "E1")]
    why = _infeasible(experts, [P(id="P1", panel_size=3)], conflicts=conflicts)
    assert why.kinds == ["too_few_candidates"]
    assert "回避" in why.text("zh") and "conflicted" in why.text("en")


def test_missing_explicit_scores():
    experts = _experts(4)
    why = _infeasible(experts, [P(id="P1", panel_size=2)], affinity={("P1", "E0"): 1.0})
    assert "affinity table" in why.text("en")


def test_diversity_bound():
    experts = _experts(6, unit=lambda j: f"U{j % 2}")
    why = _infeasible(experts, [P(id="P1", panel_size=3)], max_per_unit=1)
    assert why.kinds == ["diversity"]
    assert "2 unit(s)" in why.text("en") and "至多 1 人" in why.text("zh")


def test_total_capacity():
    experts = _experts(4, max_load=1)
    why = _infeasible(experts, [P(id="P1", panel_size=3), P(id="P2", panel_size=3)])
    assert why.kinds == ["total_capacity"]
    assert "4" in why.text("en") and "6" in why.text("en")


def test_unit_caps():
    experts = _experts(6, unit=lambda j: f"U{j % 2}", max_load=3)
    why = _infeasible(experts, [P(id=f"P{i}", panel_size=3) for i in range(3)], unit_max_load=4)
    assert why.kinds == ["unit_caps"]
    assert "unit load caps" in why.text("en")


def test_min_load_total():
    experts = _experts(4, min_load=lambda j: 2, max_load=3)
    why = _infeasible(experts, [P(id="P1", panel_size=2)])
    assert "min_load_total" in why.kinds


def test_min_load_expert_without_projects():
    experts = _experts(5, domains=lambda j: ["医疗"] if j == 4 else ["法律"], min_load=lambda j: 1 if j == 4 else 0)
    why = _infeasible(experts, [P(id="P1", domains=["法律"], panel_size=2), P(id="P2", domains=["法律"], panel_size=2)])
    assert why.kinds == ["min_load_expert"]
    assert why.reasons[0].experts == ["E4"]


def test_min_load_unit():
    experts = _experts(6, unit=lambda j: f"U{j % 3}", min_load=lambda j: 1, max_load=2)
    why = _infeasible(experts, [P(id=f"P{i}", panel_size=2) for i in range(4)], unit_max_load=1)
    assert "min_load_unit" in why.kinds


def test_hall_violation_names_projects_and_experts():
    # P1, P2 need 4 法律 experts in all but only E0..E2 (load 1 each) know 法律; capacity elsewhere is ample
    experts = _experts(8, domains=lambda j: ["法律"] if j < 3 else ["交通"], max_load=1)
    experts = [e.model_copy(update={"max_load": 1 if j < 3 else 3}) for j, e in enumerate(experts)]
    projects = [P(id="P1", domains=["法律"], panel_size=2), P(id="P2", domains=["法律"], panel_size=2),
                P(id="P3", domains=["交通"], panel_size=2)]
    why = _infeasible(experts, projects)
    assert why.kinds == ["hall"]
    assert sorted(why.reasons[0].projects) == ["P1", "P2"]
    assert sorted(why.reasons[0].experts) == ["E0", "E1", "E2"]
    assert "need 4 experts" in why.text("en") and "at most 3 seats" in why.text("en")
    assert "合计需要 4 名专家" in why.text("zh")


def test_hall_violation_with_unit_cap():
    experts = [E(id=f"E{j}", unit="A" if j < 4 else "B", domains=["法律"] if j < 4 else ["交通"], max_load=3)
               for j in range(8)]
    projects = [P(id="P1", domains=["法律"], panel_size=2), P(id="P2", domains=["法律"], panel_size=2),
                P(id="P3", domains=["交通"], panel_size=1)]
    why = _infeasible(experts, projects, unit_max_load=3)
    assert why.kinds == ["hall"] and why.reasons[0].units == ["A"]


def test_min_load_joint():
    experts = _experts(4, domains=lambda j: ["医疗"] if j < 2 else ["法律"], min_load=lambda j: 1 if j < 2 else 0)
    projects = [P(id="P1", domains=["医疗"], panel_size=1), P(id="P2", domains=["法律"], panel_size=2)]
    why = _infeasible(experts, projects)
    assert why.kinds == ["min_load_joint"]
    assert len(why.reasons[0].experts) == 1 and why.reasons[0].experts[0] in {"E0", "E1"}


def test_prob_cap_too_low():
    experts = _experts(4)
    with pytest.raises(ep.InfeasibleAssignment) as info:
        ep.assign(experts, [P(id="P1", panel_size=3)], method="random", seed=1, prob_cap=0.5)
    assert info.value.explanation.kinds == ["prob_cap"]
    assert "0.75" in info.value.message("en")


def test_prob_cap_joint():
    experts = [E(id="E1", unit="A", max_load=2), E(id="E2", unit="B", max_load=0)]
    projects = [P(id="P1", panel_size=1), P(id="P2", panel_size=1)]
    ep.assign(experts, projects, method="random", seed=1)  # feasible without a cap
    with pytest.raises(ep.InfeasibleAssignment) as info:
        ep.assign(experts, projects, method="random", seed=1, prob_cap=0.5)
    assert info.value.explanation.kinds == ["prob_cap_joint"]


def test_explanation_text_is_bounded():
    experts = _experts(2)
    projects = [P(id=f"P{i}", panel_size=3) for i in range(30)]
    with pytest.raises(ep.InfeasibleAssignment) as info:
        ep.assign(experts, projects)
    text = info.value.message("en")
    assert text.startswith("No feasible assignment:\n")
    assert text.count("\n") == 21 and text.endswith("more")
    data = info.value.to_dict("en")
    assert data["code"] == "pool.infeasible" and len(data["reasons"]) == 31  # 30 projects + total capacity
    assert data["reasons"][0]["kind"] == "too_few_candidates" and data["reasons"][0]["projects"] == ["P0"]
