"""The method fixes of issue 18: index weights over the items that apply, the Jiangsu 群众意见分析 formula,
Guiyang's citations and the national low-risk rule at the gate."""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import Project, assess
from riskeval.check import check_project
from riskeval.engine import reference_fired
from riskeval.gate import AssessmentIncomplete, Gate
from riskeval.pipeline import evaluate_facts
from riskeval.scoring import score_evaluation

RULES = Path(__file__).resolve().parents[3] / "rules"

# no relocation, no workers, no price change, no NIMBY; every other answer at its worst; 19.9% opposed
WORST_BUT_NOT_APPLICABLE: dict[str, Any] = {
    "subject_authority": "none",
    "legal_compliance": "none",
    "procedure_compliant": False,
    "stakeholders_defined": "unclear",
    "information_disclosed": False,
    "satisfaction_rate": 0,
    "comparison_risk": "high",
    "local_support": "oppose",
    "expert_feasible": False,
    "fiscal_capacity": False,
    "environmental_impact": "some",
    "technical_readiness": "not_ready",
    "opposition_rate": 19.9,
    "opposition_intensity": "strong",
    "negative_publicity": "serious",
    "malicious_hype": "serious",
    "activist_involvement": "serious",
    "hostile_forces": True,
    "instability_ledger": "none",
    "contingency_plan": "incomplete",
    "publicity_guidance": "inadequate",
    "petitions_12m": 100,
    "prior_mass_incident": True,
    "affected_population": 100000,
    "public_notice_days": 10,
    "legality_reviewed": True,
    "expert_reviewed": True,
}


@pytest.fixture(scope="module")
def national() -> riskeval.RuleSet:
    return riskeval.load_ruleset("national")


def _zero(rs: riskeval.RuleSet) -> riskeval.RuleSet:
    return dataclasses.replace(rs, scoring=rs.scoring.model_copy(update={"not_applicable": "zero"}))


def test_national_reaches_high_by_score_only_with_renormalised_weights(national):
    project = Project(id="W", kind="project", facts=WORST_BUT_NOT_APPLICABLE)
    result = assess(project, national)
    assert result.initial.score_level == "high" and result.initial.score >= 0.64
    assert result.initial.not_applicable == ["N-RSN-1", "N-RSN-2", "N-RSN-8", "N-FEA-5", "N-FEA-7"]
    values = check_project(project, national).initial
    old = score_evaluation(_zero(national), "initial", values, reference_fired(national, values))
    assert old.score < 0.64 and old.score_level == "medium"  # the diluted index of the old behaviour
    assert old.not_applicable == result.initial.not_applicable


def test_applicable_weights_sum_to_one_in_every_dimension(national):
    facts = copy.deepcopy(national.tests[1].project["facts"])
    result = assess(Project(id="M", kind="project", facts=facts), national)
    ev = result.initial
    per_dim: dict[str, float] = {}
    for f in ev.findings:
        per_dim[f.dimension] = per_dim.get(f.dimension, 0.0) + (f.weight or 0.0)
    # every applicable item is a finding except 敌对势力 and 曾发生群体性事件 (P = 0; weights 0.05 + 0.1 of 可控性)
    expected = {"legality": 1.0, "reasonableness": 1.0, "feasibility": 1.0, "controllability": 0.85}
    assert per_dim == pytest.approx(expected)
    assert ev.not_applicable == ["N-RSN-8", "N-FEA-5", "N-FEA-7"]
    assert {f.item for f in ev.findings if f.declared_weight is not None} >= {"N-RSN-3", "N-FEA-1"}
    for dim, subtotal in ev.dimensions.items():
        assert subtotal == pytest.approx(sum(f.contribution for f in ev.findings if f.dimension == dim))


@pytest.mark.parametrize("name", ["national", "jiangsu-db32-4013-2021", "guiyang"])
def test_engine_and_reference_paths_give_the_same_scores(name):
    rs = riskeval.load_ruleset(name)
    for case in rs.tests:
        project = Project.model_validate({"id": case.name, **case.project})
        checked = check_project(project, rs)
        for values in (checked.initial, checked.residual):
            engine = evaluate_facts(rs, values)  # durable-rules, cross-checked against the reference firing
            reference = score_evaluation(rs, "initial", values, reference_fired(rs, values))
            assert engine == reference, case.name


def test_not_applicable_zero_keeps_the_declared_weights(national):
    facts = national.tests[0].project["facts"]
    values = check_project(Project(id="G", kind="project", facts=facts), national).initial
    fired = reference_fired(national, values)
    old = score_evaluation(_zero(national), "initial", values, fired)
    new = score_evaluation(national, "initial", values, fired)
    assert all(f.declared_weight is None for f in old.findings)
    assert old.score == pytest.approx(0.052685) and new.score == pytest.approx(0.064599286)


def test_not_applicable_zero_is_a_rule_file_setting(tmp_path, national):
    text = (RULES / "national.yaml").read_text(encoding="utf-8")
    assert "  not_applicable: renormalise\n" in text
    path = tmp_path / "national-zero.yaml"
    path.write_text(text.replace("  not_applicable: renormalise\n", "  not_applicable: zero\n"), encoding="utf-8")
    rs = riskeval.load_ruleset(path, strict_tests=False)
    result = assess(Project(id="G", kind="project", facts=national.tests[0].project["facts"]), rs)
    assert result.initial.score == pytest.approx(0.052685)


def test_jiangsu_opinion_item_follows_the_transcription():
    rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    facts = dict(rs.tests[0].project["facts"], opposition_rate=40, opposition_intensity="fairly_strong")
    result = assess(Project(id="J", kind="project", facts=facts), rs)
    (finding,) = [f for f in result.initial.findings if f.item == "JS-CTL-1"]
    assert finding.points == pytest.approx(35 * 0.40 * 0.7)  # a × b × 35; the alternative reading gives 19.6
    item = rs.item("JS-CTL-1")
    assert item.confidence == "S" and "knowledge_agent.py" in item.source
    assert "35 × min(a / 50%, 1) × b [U]" in (item.note or "")


def test_guiyang_cites_every_entry_or_marks_it_unsourced():
    rs = riskeval.load_ruleset("guiyang")
    text = (RULES / "guiyang.yaml").read_text(encoding="utf-8")
    for entry in [*rs.items, *rs.triggers, *rs.procedures]:
        assert entry.source.strip() and entry.confidence in ("V", "S", "U"), entry.id
    petitions = next(t for t in rs.triggers if t.id == "GY-TRG-M2")
    assert petitions.confidence == "U" and "30 件次" in (petitions.note or "") and "未见" in (petitions.note or "")
    prior = next(t for t in rs.triggers if t.id == "GY-TRG-M1")
    assert prior.confidence == "U" and "不是认定规则" in prior.source and "背景" in prior.source
    assert any("法制日报》2009-12-07" in s for s in rs.sources)
    assert "评分细则没有公开" in text and "是本项目的取舍" in text
    # every scope entry is followed by a comment that cites it
    scope = text[text.index("\nscope:") : text.index("\ntriggers:")]
    comments = re.findall(r"  # (.*)\n  - ", scope)
    assert len(comments) == len(rs.scope or []) and all(re.search(r"\[[VSU]\]", c) for c in comments)


def _national_gate(tmp_path: Path, national: riskeval.RuleSet) -> Gate:
    return Gate(national, ledger=tmp_path / "ledger.sqlite")


def _good(national: riskeval.RuleSet, **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(national.tests[0].project["facts"]), **changes}


def test_low_risk_ndrc_project_without_control_measures_is_incomplete(tmp_path, national):
    gate = _national_gate(tmp_path, national)
    project = Project(id="N-1", kind="project", facts=_good(national, contingency_plan="incomplete"))
    result = gate.assess(project, actor="张三")
    assert result.level == "low" and result.regime == "ndrc_project" and result.decision == "proceed"
    with pytest.raises(AssessmentIncomplete) as info:
        gate.require(project)
    assert info.value.reason == "control_measures"
    assert "存在低风险但有可靠防控措施的，可以审批、核准" in info.value.message("zh")
    assert "2492" in info.value.message("en") and "reliable control measures" in info.value.message("en")
    assert not gate.allows(project)


@pytest.mark.parametrize(
    ("pid", "facts", "extra"),
    [
        ("plan", {"contingency_plan": "basic"}, {}),
        ("measures", {"contingency_plan": "incomplete"}, {"measures": [{"id": "M1", "label": "预案", "sets": {"contingency_plan": "detailed"}}]}),
        ("regime", {"contingency_plan": "incomplete"}, {"regime": "major_decision"}),
    ],
)
def test_reliable_measures_or_another_regime_pass(tmp_path, national, pid, facts, extra):
    gate = _national_gate(tmp_path, national)
    project = Project.model_validate({"id": pid, "kind": "project", "facts": _good(national, **facts), **extra})
    gate.assess(project, actor="张三")
    assert gate.require(project).kind == "assessment"
