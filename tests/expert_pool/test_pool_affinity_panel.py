"""Affinity formulas and explicit triples; panel sizes from the default rule or a rule set's callable."""

from __future__ import annotations

import numpy as np
import pytest

import expert_pool as ep
from expert_pool.panel_size import default_panel_size

P, E = ep.ProjectNeed, ep.Expert


def test_formulas():
    p = P(id="P", domains=["交通", "征地拆迁"])
    e = E(id="E", unit="U", domains=["交通", "征地拆迁", "法律", "经济"])
    assert ep.Affinity().score(p, e) == 0.5
    assert ep.Affinity(formula="overlap").score(p, e) == 1.0
    assert ep.Affinity().score(p, E(id="X", unit="U", domains=["医疗"])) is None
    assert ep.Affinity(require_overlap=False).score(p, E(id="X", unit="U", domains=["医疗"])) == 0.0
    assert ep.Affinity().score(P(id="Q"), e) == 0.0
    with pytest.raises(ep.InvalidParameterError):
        ep.Affinity(formula="cosine")  # type: ignore[arg-type]


def test_matrix_matches_pairwise():
    rng = np.random.default_rng(0)
    doms = list(ep.DOMAINS)
    projects = [P(id=f"P{i}", domains=list(rng.choice(doms, int(rng.integers(0, 4)), replace=False)))
                for i in range(15)]
    experts = [E(id=f"E{j}", unit="U", domains=list(rng.choice(doms, int(rng.integers(1, 5)), replace=False)))
               for j in range(20)]
    for aff in (ep.Affinity(), ep.Affinity(formula="overlap"), ep.Affinity({("P1", "E2"): -3.0}, fallback="domains")):
        scores, ok = aff.matrix(projects, experts)
        for i, p in enumerate(projects):
            for j, e in enumerate(experts):
                s = aff.score(p, e)
                assert ok[i, j] == (s is not None)
                if s is not None:
                    assert scores[i, j] == pytest.approx(s)


def test_explicit_precedence_and_eligibility():
    experts = [E(id=f"E{j}", unit=f"U{j}", domains=["法律"], max_load=1) for j in range(3)]
    projects = [P(id="P1", domains=["法律"], panel_size=1)]
    # explicit triples win over the (equal) domain scores, and absent pairs are not eligible
    a = ep.assign(experts, projects, affinity={("P1", "E2"): 0.1, ("P1", "E1"): -0.2})
    assert a.pairs[0].expert == "E2" and a.pairs[0].score == 0.1
    # with fallback to domains, E0 (domain score 1.0) beats both
    b = ep.assign(experts, projects, affinity=ep.Affinity({("P1", "E2"): 0.1}, fallback="domains"))
    assert b.pairs[0].expert in ("E0", "E1")
    m = ep.Affinity.from_matrix([[0.3, np.nan, 0.9]], ["P1"], ["E0", "E1", "E2"])
    assert ep.assign(experts, projects, affinity=m).pairs[0].expert == "E2"
    with pytest.raises(ep.InvalidParameterError):
        ep.Affinity.from_matrix([[1.0]], ["P1", "P2"], ["E0"])
    with pytest.raises(ep.InvalidValueError):
        ep.Affinity([("P1", "E1", float("inf"))])


def test_affinity_csv_path_in_api(tmp_path):
    path = tmp_path / "A.csv"
    path.write_text("project,expert,score\nP1,E1,2.5\nP1,E0,-1\n", encoding="utf-8")
    experts = [E(id=f"E{j}", unit=f"U{j}", max_load=1) for j in range(2)]
    a = ep.assign(experts, [P(id="P1", panel_size=1)], affinity=path)
    assert (a.pairs[0].expert, a.pairs[0].score) == ("E1", 2.5)


@pytest.mark.parametrize(
    ("facts", "size"),
    [
        ({"kind": "project", "investment": 99_999}, 3),
        ({"kind": "project", "investment": 100_000}, 5),
        ({"kind": "重大工程项目", "investment": "50000"}, 3),
        ({"kind": "project"}, 5),
        ({"kind": "project", "investment": "n/a"}, 5),
        ({"kind": "policy", "decision_level": "county"}, 3),
        ({"kind": "reform", "decision_level": "department"}, 3),
        ({"kind": "event", "decision_level": "city"}, 5),
        ({"kind": "policy", "decision_level": "province"}, 5),
        ({"kind": "policy", "decision_level": "县级"}, 3),
        ({"kind": "other"}, 5),
        ({}, 5),
    ],
)
def test_default_panel_size(facts, size):
    assert default_panel_size(facts) == size


def test_panel_size_callable_and_precedence():
    experts = [E(id=f"E{j}", unit=f"U{j}", max_load=3) for j in range(9)]
    projects = [P(id="P1", kind="project", investment=10), P(id="P2", kind="policy", decision_level="city"),
                P(id="P3", panel_size=1)]
    a = ep.assign(experts, projects)
    assert [p.panel_size for p in a.panels] == [3, 5, 1]
    seen = []

    def rule(facts):
        seen.append(facts)
        return 7 if facts["id"] == "P1" else None

    b = ep.assign(experts, projects, panel_size=rule)
    assert [p.panel_size for p in b.panels] == [7, 5, 1]
    assert {f["id"] for f in seen} == {"P1", "P2"} and seen[0]["kind"] == "project"
    with pytest.raises(ep.PanelSizeError) as info:
        ep.assign(experts, projects, panel_size=lambda facts: 0)
    assert "P1" in str(info.value) and "panel-size rule" in info.value.message("en")
    with pytest.raises(ep.PanelSizeError):
        ep.assign(experts, projects, panel_size=lambda facts: 1 / 0)


def test_assignment_outputs(tmp_path):
    experts = [E(id=f"E{j}", unit=f"U{j % 4}", domains=["法律"], max_load=2) for j in range(12)]
    projects = [P(id="B", unit="U0", domains=["法律"], panel_size=3), P(id="A", unit="U1", domains=["法律"], panel_size=3)]
    a = ep.assign(experts, projects, max_per_unit=1)
    assert [p.project for p in a.panels] == ["B", "A"]  # input order kept
    out = tmp_path / "out.csv"
    a.to_csv(out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "project,expert,score" and len(lines) == 7
    import json

    data = json.loads(a.metrics_json())
    m = data["metrics"]
    assert m["seats"] == 6 and m["total"] == pytest.approx(6.0) and m["min_project_affinity"] == pytest.approx(3.0)
    assert m["load_spread"] == m["load_max"] - m["load_min"]
    assert sum(m["assignments_per_unit"].values()) == 6
    assert set(data) >= {"method", "pool_hash", "panels", "certificate", "metrics"}
    with pytest.raises(KeyError):
        a.panel("Z")
