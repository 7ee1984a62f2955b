from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

import riskeval
from riskeval import Project, ProjectError, assess
from riskeval.cli import app


def make(facts: dict[str, Any], **kw: Any) -> Project:
    return Project(id=kw.pop("id", "P"), kind=kw.pop("kind", "project"), facts=facts, **kw)


def test_low_project_proceeds(jiangsu, good_facts):
    result = assess(make(good_facts), jiangsu)
    assert result.level == "low" and result.decision == "proceed"
    assert result.initial.score == pytest.approx(35 * 3 / 100 * 0.3)
    assert [f.item for f in result.initial.findings] == ["JS-CTL-1"]
    assert not result.incomplete


@pytest.mark.parametrize(
    ("changes", "trigger", "level"),
    [
        ({"opposition_rate": 50.0001}, "JS-TRG-H1", "high"),
        ({"opposition_rate": 50}, "JS-TRG-M1", "medium"),
        ({"opposition_rate": 20}, "JS-TRG-M1", "medium"),
        ({"possible_incident_size": 200}, "JS-TRG-H2", "high"),
        ({"possible_incident_size": 100}, "JS-TRG-M2", "medium"),
        ({"possible_violent_case": True}, "JS-TRG-H3", "high"),
        ({"possible_extreme_event": "是"}, "JS-TRG-H4", "high"),
    ],
)
def test_triggers_raise_level_and_include_the_number(jiangsu, good_facts, changes, trigger, level):
    result = assess(make({**good_facts, **changes}), jiangsu)
    assert trigger in {h.trigger for h in result.initial.triggers}
    assert result.level == level
    assert result.initial.score_level == ("low" if result.initial.score <= 20 else result.initial.score_level)


def test_below_thresholds_do_not_trigger(jiangsu, good_facts):
    result = assess(make({**good_facts, "opposition_rate": 19.99, "possible_incident_size": 99}), jiangsu)
    assert result.initial.triggers == []


def test_score_bands_and_option_labels(jiangsu, good_facts):
    facts = {**good_facts, "satisfaction_rate": 85, "environmental_impact": "涉邻避", "legal_compliance": "none"}
    result = assess(make(facts), jiangsu)
    pts = {f.item: f.points for f in result.initial.findings}
    assert "JS-RSN-3" not in pts  # 85 is in [85, 100]: 0 points
    assert pts["JS-FEA-2"] == 4 and pts["JS-LEG-2"] == 5
    assert assess(make({**good_facts, "satisfaction_rate": 84.9}), jiangsu).initial.dimensions["reasonableness"] == 4


def test_regimes_decide_medium_differently(jiangsu, good_facts):
    facts = {**good_facts, "opposition_rate": 30}
    assert assess(make(facts), jiangsu).decision == "reject"  # rule set default: ndrc_project
    major = assess(make(facts, regime="major_decision"), jiangsu)
    assert major.regime == "major_decision" and major.decision == "proceed_after_measures"


def test_measures_give_residual_assessment(jiangsu, good_facts):
    facts = {**good_facts, "opposition_rate": 60, "opposition_intensity": "strong", "environmental_impact": "nimby"}
    project = make(
        facts,
        measures=[
            {"id": "M1", "label": "科普参观", "sets": {"opposition_rate": 10, "opposition_intensity": "moderate"}},
            {"id": "M2", "label": "利益共享", "sets": {"opposition_rate": 0.3}},
        ],
        regime="major_decision",
    )
    result = assess(project, jiangsu)
    assert result.initial.level == "high" and result.level == "low"
    assert result.residual.score == pytest.approx(4 + 35 * 0.3 / 100 * 0.3)
    assert result.measures[1]["changes"]["opposition_rate"] == {"from": 10, "to": 0.3}
    text = result.explain("zh")
    assert "措施前" in text and "措施后" in text and "JS-TRG-H1" not in text
    assert "超过 50% 的群众反对（60%） → 至少高风险" in text and "反对率：10% → 0.3%" in text
    detail = result.explain("zh", detail=True)
    assert "[JS-TRG-H1]" in detail and "opposition_rate: 10 → 0.3" in detail


def test_no_measures_evaluates_once_and_stages_coincide(jiangsu, good_facts):
    result = assess(make(good_facts), jiangsu)
    assert result.residual.score == result.initial.score and result.residual.stage == "residual"


@pytest.mark.parametrize(
    ("facts", "code", "name"),
    [
        ({"opposition_rate": 120}, "project.bad_fact", "opposition_rate"),
        ({"opposition_rate": "high"}, "project.bad_fact", "opposition_rate"),
        ({"environmental_impact": "huge"}, "project.bad_fact", "environmental_impact"),
        ({"hostile_forces": "maybe"}, "project.bad_fact", "hostile_forces"),
    ],
)
def test_bad_facts_are_named(jiangsu, good_facts, facts, code, name):
    with pytest.raises(ProjectError) as info:
        assess(make({**good_facts, **facts}), jiangsu)
    problem = info.value.problems[0]
    assert (problem.code, problem.field) == (code, name)
    assert name in problem.message("en")


def test_missing_required_fact(jiangsu, good_facts):
    del good_facts["satisfaction_rate"]
    with pytest.raises(ProjectError) as info:
        assess(make(good_facts), jiangsu)
    assert info.value.problems[0].code == "project.missing_fact"
    assert "satisfaction_rate" in info.value.short("zh")


def test_unknown_facts_standard_ignored_other_warned_when_lenient(jiangsu, good_facts):
    facts = {**good_facts, "households_relocated": 12, "oposition_rate": 3}
    result = assess(make(facts), jiangsu, strict=False)
    assert len(result.warnings) == 1 and "opposition_rate" in result.warnings[0]
    with pytest.raises(ProjectError) as info:
        assess(make(facts), jiangsu)
    assert [p.code for p in info.value.problems] == ["project.unknown_fact"]


def test_cli_assess_json_stdout_is_only_json(tmp_path, good_facts):
    path = tmp_path / "p.yaml"
    path.write_text(json.dumps({"id": "X1", "kind": "project", "facts": {**good_facts, "zzz": 1}}), encoding="utf-8")
    args = ["assess", str(path), "--rules", "jiangsu-db32-4013-2021", "--format", "json", "--lenient"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "zzz" in result.stderr
    data = json.loads(result.stdout)
    assert data["level"] == "low" and data["decision"] == "proceed" and data["incomplete"] is False
    assert set(data["initial"]) >= {"level", "score"}


def test_cli_assess_reports_bad_fact_with_position(tmp_path, good_facts):
    path = tmp_path / "p.yaml"
    lines = ["id: X2", "kind: project", "facts:"] + [f"  {k}: {json.dumps(v)}" for k, v in good_facts.items() if k != "opposition_rate"]
    lines.append("  opposition_rate: 150")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["assess", str(path), "--rules", "jiangsu-db32-4013-2021", "--lang", "en"])
    assert result.exit_code == 1
    assert f"{path}:{len(lines)}:20: fact 'opposition_rate'" in result.stderr
    assert "above the maximum 100" in result.stderr


def test_embedded_tests_pass_for_every_bundled_ruleset():
    from riskeval.ruleset.testing import run_tests

    for name in riskeval.bundled_names():
        results = run_tests(riskeval.load_ruleset(name))
        assert results, name
        assert all(r.passed for r in results), [(r.name, r.differences) for r in results if not r.passed]


def test_project_schema_errors_speak_the_catalogue_not_pydantic(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("id: [1, 2]\nkind: project\nfacts: 3\nmeasures: 5\n", encoding="utf-8")
    with pytest.raises(riskeval.ProjectError) as info:
        riskeval.load_project(path)
    zh, en = info.value.render("zh"), info.value.render("en")
    assert "Input should be" not in zh and "Input should be" not in en
    assert f"{path}:1:5: 项目字段 “id”：类型错误：应为文本" in zh
    assert f"{path}:3:8: project field 'facts': wrong type: expected a mapping, got 3" in en
    assert len(info.value.problems) == 3  # every problem of the file, together
