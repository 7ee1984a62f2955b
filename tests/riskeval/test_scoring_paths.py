"""Index scoring, custom decision tables, scope, procedures and panel items on a small rule file."""

from __future__ import annotations

from pathlib import Path

import pytest

import riskeval
from riskeval import Project, assess

INDEX_RULES = """\
id: idx
title: 指数法测试
version: "1"
decisions: {high: reject, medium: postpone, low: proceed}
facts:
  households_relocated: {type: integer, label: 搬迁户数, min: 0, default: 0}
  environmental_impact: {type: option, label: 环境影响, required: true, options: {none: 不涉及, some: 有影响, nimby: 涉邻避}}
  negative_publicity: {type: option, label: 负面舆论, default: none, options: {none: 无, some: 有, serious: 较大}}
  public_notice_days: {type: integer, label: 公示天数, min: 0, default: 0}
  hearing_held: {type: bool, label: 已听证, default: false}
dimensions:
  - {id: reasonableness, label: 合理性, weight: 0.5}
  - {id: controllability, label: 可控性, weight: 0.5}
scope:
  - kind in ["project", "policy"]
  - households_relocated > 0
scoring:
  method: index
  levels: {low: "[0, 0.36)", medium: "[0.36, 0.64)", high: "[0.64, 1]"}
items:
  - id: LAND
    label: 征收补偿
    dimension: reasonableness
    when: households_relocated > 0
    probability: {fact: households_relocated, bands: {"[0, 100)": 0.4, "[100, inf)": 0.9}}
    impact: 0.8
    weight: 1
    source: test
    confidence: U
  - id: ENV
    label: 邻避
    dimension: controllability
    probability: {fact: environmental_impact, map: {none: 0, some: 0.5, nimby: 1}}
    impact: 1
    weight: 0.6
    source: test
    confidence: U
  - id: MEDIA
    label: 舆论
    dimension: controllability
    panel: true
    weight: 0.4
    source: test
    confidence: U
procedures:
  - {id: NOTICE, label: 公示, satisfied: public_notice_days >= 10, source: test, confidence: S}
  - {id: HEARING, label: 听证, required_when: households_relocated > 0, satisfied: hearing_held, source: test, confidence: S}
panel:
  default: 3
  rules:
    - {when: kind == "project" and investment >= 100000, size: 5}
"""


@pytest.fixture(scope="module")
def index_rules(tmp_path_factory) -> riskeval.RuleSet:
    path: Path = tmp_path_factory.mktemp("idx") / "idx.yaml"
    path.write_text(INDEX_RULES, encoding="utf-8")
    return riskeval.load_ruleset(path)


def test_index_score_is_weighted_sum_and_custom_table_decides(index_rules):
    project = Project(
        id="A",
        kind="project",
        facts={"households_relocated": 150, "environmental_impact": "some", "public_notice_days": 12, "hearing_held": True},
        panel={"MEDIA": {"probability": 0.5, "impact": 0.5}},
    )
    result = assess(project, index_rules)
    expected = 0.5 * (1 * 0.9 * 0.8) + 0.5 * (0.6 * 0.5 * 1 + 0.4 * 0.25)
    assert result.initial.score == pytest.approx(expected)
    assert result.level == "medium" and result.decision == "postpone" and result.regime == "custom"
    assert not result.incomplete


def test_project_regime_overrides_custom_table(index_rules):
    # no relocation: 合理性 has no item that applies and drops out, so the score is 可控性's subtotal
    project = Project(id="B", kind="project", regime="major_decision", facts={"environmental_impact": "some"}, panel={"MEDIA": {"probability": 0.5, "impact": 0.5}})
    result = assess(project, index_rules)
    assert result.initial.score == pytest.approx(0.6 * 0.5 + 0.4 * 0.25)
    assert result.initial.not_applicable == ["LAND"] and list(result.initial.dimensions) == ["controllability"]
    assert result.level == "medium" and result.decision == "proceed_after_measures"


def test_missing_procedures_and_panel_make_incomplete(index_rules):
    result = assess(Project(id="C", kind="project", facts={"households_relocated": 3, "environmental_impact": "none"}), index_rules)
    assert result.incomplete
    assert {g.procedure for g in result.residual.missing_procedures} == {"NOTICE", "HEARING"}
    assert result.residual.missing_panel_items == ["MEDIA"]
    assert "听证" in result.explain()


def test_out_of_scope_has_no_level(index_rules):
    result = assess(Project(id="D", kind="event", facts={"environmental_impact": "none"}), index_rules)
    assert not result.in_scope and result.level is None and result.decision is None
    assert "不在须评估范围" in result.explain()
    assert assess(Project(id="E", kind="event", facts={"households_relocated": 1, "environmental_impact": "none"}), index_rules).in_scope


def test_panel_size_rule(index_rules):
    assert index_rules.panel_size({"kind": "project", "investment": 200000}) == 5
    assert index_rules.panel_size(Project(id="x", kind="project", investment=5000)) == 3


def test_english_explanation(index_rules):
    project = Project(id="F", kind="project", facts={"environmental_impact": "nimby", "public_notice_days": 10}, panel={"MEDIA": {"probability": 1, "impact": 1}})
    result = assess(project, index_rules)
    text = result.explain("en")
    assert "Conclusion: high risk" in text and "probability 1 × impact 1 × weight 0.6 = 0.6" in text
    assert "not applicable (their weight goes to the applicable items of the dimension): 征收补偿" in text
    assert "kind of matter is major construction project or major policy" in text and "ENV" not in text
    assert "P=1 × I=1 × w=0.6" in result.explain("en", detail=True)


def test_out_of_scope_needs_no_assessment_facts(index_rules):
    result = assess(Project(id="G", kind="event", facts={}), index_rules)
    assert not result.in_scope
    with pytest.raises(riskeval.ProjectError):
        assess(Project(id="H", kind="project", facts={}), index_rules)  # in scope: the missing fact is an error


def test_item_weights_must_add_up_per_dimension(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(INDEX_RULES.replace("    weight: 0.6\n", "    weight: 0.9\n"), encoding="utf-8")
    from riskeval.ruleset import validate_file

    messages = [p.render("en") for p in validate_file(path)]
    assert any("item weights of dimension 'controllability' add up to 1.3, not 1" in m for m in messages), messages


COMPOUND = """\
id: compound
title: 复合触发（正向推理）
version: "1"
extends: {parent}
triggers:
  - id: CTL-3OF4
    label: 四项可控性因素中三项同时出现
    factors: [JS-CTL-2, JS-CTL-3, JS-CTL-4, JS-CTL-5]
    min_factors: 3
    level: high
    source: test
    confidence: U
  - id: NIMBY-PLUS
    label: 涉邻避且群众意见分析扣分
    when: environmental_impact == "nimby"
    factors: [JS-CTL-1]
    level: medium
    source: test
    confidence: U
"""


@pytest.fixture(scope="module")
def compound_rules(tmp_path_factory, jiangsu) -> riskeval.RuleSet:
    path = tmp_path_factory.mktemp("compound") / "compound.yaml"
    path.write_text(COMPOUND.format(parent=jiangsu.path), encoding="utf-8")
    return riskeval.load_ruleset(path)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"negative_publicity": "some", "malicious_hype": "some"}, set()),
        ({"negative_publicity": "some", "malicious_hype": "some", "hostile_forces": True}, {"CTL-3OF4"}),
        ({"negative_publicity": "some", "malicious_hype": "serious", "activist_involvement": "some", "hostile_forces": True}, {"CTL-3OF4"}),
        ({"environmental_impact": "nimby"}, {"NIMBY-PLUS"}),
        ({"environmental_impact": "nimby", "opposition_rate": 0}, set()),
        ({"environmental_impact": "some"}, set()),
    ],
)
def test_compound_triggers_chain_over_fired_factors(compound_rules, good_facts, changes, expected):
    from riskeval.check import check_project
    from riskeval.engine import compile_ruleset, reference_fired

    result = assess(Project(id="C", kind="project", facts={**good_facts, **changes}), compound_rules)
    hits = {h.trigger for h in result.initial.triggers} & {"CTL-3OF4", "NIMBY-PLUS"}
    assert hits == expected
    if "CTL-3OF4" in expected:
        assert result.level == "high"
        hit = next(h for h in result.initial.triggers if h.trigger == "CTL-3OF4")
        assert len(hit.factors) >= 3 and "CTL-3OF4" in result.explain(detail=True)
        assert "四项可控性因素中三项同时出现（命中：" in result.explain() and "CTL-3OF4" not in result.explain()
    values = check_project(Project(id="C", kind="project", facts={**good_facts, **changes}), compound_rules).initial
    assert compile_ruleset(compound_rules).fired(values) == reference_fired(compound_rules, values)


def test_compound_trigger_validation(tmp_path, jiangsu):
    bad = COMPOUND.replace("JS-CTL-5]", "JS-CTL-9]").replace("min_factors: 3", "min_factors: 5")
    path = tmp_path / "bad.yaml"
    path.write_text(bad.format(parent=jiangsu.path), encoding="utf-8")
    from riskeval.ruleset import validate_file

    messages = [p.render("en") for p in validate_file(path)]
    assert any(":8:45: 'JS-CTL-9' in factors is not an item of this rule set" in m for m in messages), messages
    assert any(":9:18: min_factors is 5 but only 4 factors are listed" in m for m in messages), messages


def test_required_when_and_labelled_scope(tmp_path):
    text = INDEX_RULES.replace(
        "  hearing_held: {type: bool, label: 已听证, default: false}",
        "  hearing_held: {type: bool, label: 已听证, required_when: households_relocated > 0}",
    ).replace(
        "  - households_relocated > 0\n",
        "  - {when: households_relocated > 0, label: 征地拆迁, source: 贵阳市办法, confidence: S}\n",
    )
    path = tmp_path / "rw.yaml"
    path.write_text(text, encoding="utf-8")
    rules = riskeval.load_ruleset(path)
    panel = {"MEDIA": {"probability": 0, "impact": 0}}
    with pytest.raises(riskeval.ProjectError) as info:
        assess(Project(id="R", kind="event", facts={"households_relocated": 2, "environmental_impact": "none"}), rules)
    assert info.value.problems[0].code == "project.missing_fact_when"
    assert "required when households_relocated > 0" in info.value.short("en")
    ok = assess(Project(id="S", kind="event", facts={"households_relocated": 2, "environmental_impact": "none",
                                                      "hearing_held": True}, panel=panel), rules)
    assert ok.scope_reasons == ["征地拆迁（households_relocated > 0）"]
    assert assess(Project(id="T", kind="project", facts={"environmental_impact": "none"}, panel=panel), rules).in_scope
