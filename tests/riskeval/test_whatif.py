"""What-if: the smallest sets of fact changes that lower the level, in explain() and the JSON of assess."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import riskeval
from riskeval import Project, assess
from riskeval.check import check_project
from riskeval.cli import app
from riskeval.model.rulefile import LEVEL_ORDER
from riskeval.whatif import candidate_values, what_if

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"


@pytest.fixture(scope="module")
def rulesets() -> dict[str, riskeval.RuleSet]:
    return {n: riskeval.load_ruleset(n) for n in ("jiangsu-db32-4013-2021", "national", "guiyang")}


def _apply(project: Project, ruleset: riskeval.RuleSet, changes: dict[str, Any]) -> Project:
    """The project as it would be after the changes: its residual facts, changed, and no measures."""
    residual = check_project(project, ruleset).residual
    facts = {k: v for k, v in residual.items() if k in ruleset.facts}
    return project.model_copy(update={"facts": {**facts, **changes}, "measures": []})


def test_a_single_change_lowers_a_trigger_level(rulesets):
    rs = rulesets["jiangsu-db32-4013-2021"]
    facts = dict(rs.tests[0].project["facts"], opposition_rate=30)
    result = assess(Project(id="W1", kind="project", facts=facts), rs)
    assert result.level == "medium"
    assert [(w.changes, w.level) for w in result.what_if] == [({"opposition_rate": 19.9}, "low")]
    assert result.what_if_search is not None and result.what_if_search.size == 1 and result.what_if_search.complete
    text = result.explain()
    assert "如何降低风险等级" in text and "反对率：30% → 19.9%" in text
    assert "How to lower the risk level" in result.explain("en")


def test_two_triggers_need_two_changes(rulesets):
    rs = rulesets["national"]
    project = Project(id="W2", kind="project", facts=dict(rs.tests[0].project["facts"], opposition_rate=60, possible_incident_size=300))
    result = assess(project, rs)
    assert result.level == "high"
    assert result.what_if and all(len(w.changes) == 2 for w in result.what_if)
    assert {"opposition_rate": 50.0, "possible_incident_size": 199} in [w.changes for w in result.what_if]
    assert all(w.level == "medium" for w in result.what_if)  # 200 → 199 and 60% → 50%: the smallest changes


def test_low_has_no_what_if(rulesets):
    rs = rulesets["national"]
    result = assess(Project(id="W3", kind="project", facts=rs.tests[0].project["facts"]), rs)
    assert result.level == "low" and result.what_if == []
    assert "如何降低风险等级" not in result.explain()


def test_candidates_come_from_declarations_and_band_edges(rulesets):
    rs = rulesets["national"]
    assert candidate_values(rs, "opposition_intensity", "strong") == ["fairly_strong", "moderate"]
    assert candidate_values(rs, "hostile_forces", True) == [False]
    values = candidate_values(rs, "opposition_rate", 62)
    assert {0, 9.9, 10, 19.9, 20, 50, 50.1, 100} <= set(values) and all(0 <= v <= 100 for v in values)


def test_the_search_is_bounded_and_says_so(rulesets):
    rs = rulesets["national"]
    project = Project(id="W4", kind="project", facts=dict(rs.tests[3].project["facts"]))
    checked = check_project(project, rs)
    ev = assess(project, rs).residual
    assert ev is not None and ev.level == "high"
    found = what_if(rs, ev, checked.residual, max_evaluations=5)
    assert found.search.evaluated == 5 and not found.search.complete


def test_assess_json_has_what_if(rulesets, tmp_path):
    path = tmp_path / "p.yaml"
    facts = dict(rulesets["jiangsu-db32-4013-2021"].tests[0].project["facts"], opposition_rate=30)
    path.write_text(json.dumps({"id": "W5", "kind": "project", "facts": facts}, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["assess", str(path), "--rules", "jiangsu-db32-4013-2021", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["what_if"] == [{"changes": {"opposition_rate": 19.9}, "score": 2.0895, "level": "low"}]


@pytest.mark.parametrize("example", ["xidong.yaml", "water-price-hearing.yaml", "street-office-reform.yaml"])
def test_examples_reported_changes_lower_the_level(rulesets, example):
    project = riskeval.load_project(EXAMPLES / example)
    for rs in rulesets.values():
        # the initial (before measures) situation, which is the riskier one
        before = project.model_copy(update={"measures": []})
        result = assess(before, rs)
        for w in result.what_if[:10]:
            again = assess(_apply(before, rs, w.changes), rs)
            assert again.level == w.level and LEVEL_ORDER[again.level] < LEVEL_ORDER[result.level]
            assert again.residual is not None and again.residual.score == pytest.approx(w.score, abs=1e-6)


_OPTIONS = {
    "negative_publicity": ["none", "some", "serious"],
    "malicious_hype": ["none", "some", "serious"],
    "local_support": ["support", "indifferent", "oppose"],
    "comparison_risk": ["low", "possible", "high"],
    "opposition_intensity": ["strong", "fairly_strong", "moderate"],
    "contingency_plan": ["detailed", "basic", "incomplete"],
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["jiangsu-db32-4013-2021", "national"]),
    opposition=st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 1)),
    incident=st.integers(min_value=0, max_value=400),
    satisfaction=st.integers(min_value=0, max_value=100),
    options=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in _OPTIONS.items()}),
)
def test_property_every_reported_change_really_lowers_the_level(rulesets, name, opposition, incident, satisfaction, options):
    rs = rulesets[name]
    facts = copy.deepcopy(rs.tests[0].project["facts"])
    facts.update(options, opposition_rate=opposition, possible_incident_size=incident, satisfaction_rate=satisfaction)
    project = Project(id="H", kind="project", facts=facts)
    result = assess(project, rs)
    assert result.level is not None
    if result.level == "low":
        assert result.what_if == []
        return
    search = result.what_if_search
    assert search is not None
    if search.complete and result.what_if:
        assert {len(w.changes) for w in result.what_if} == {search.size}
    for w in result.what_if:
        again = assess(_apply(project, rs, w.changes), rs)  # the normal path: durable-rules, checked
        assert LEVEL_ORDER[again.level] < LEVEL_ORDER[result.level]
        assert again.level == w.level and again.residual.score == pytest.approx(w.score, abs=1e-6)


def test_candidate_values_include_the_cut_points_of_an_item_without_a_rule(tmp_path: Path) -> None:
    """An item whose points table is all zeros compiles to no engine rule, but where it applies still matters
    (index weights are renormalised over applicable items): its ``when`` gives candidate values too."""
    from tests.riskeval.ruleset.check.test_spans_domain import ZERO_TABLE_ITEM

    path = tmp_path / "zero.yaml"
    path.write_text(ZERO_TABLE_ITEM, encoding="utf-8")
    rs = riskeval.load_ruleset(path)
    assert not any(rule.ref == "I1" for rule in rs.rules)
    values = candidate_values(rs, "r", 1.0)
    assert {5.1, 5.2, 5.3, 5.4, 5.5} <= set(values)
