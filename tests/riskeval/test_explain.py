"""The default explanation speaks in labels and values; ``detail=True`` keeps the technical form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import riskeval
from riskeval import Assessment, assess, load_project, load_ruleset
from riskeval.cli import app

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "projects").glob("*.yaml"))
RULESETS = riskeval.bundled_names()
XIDONG = Path(__file__).parents[2] / "examples" / "projects" / "xidong.yaml"


def identifiers(rs: riskeval.RuleSet) -> set[str]:
    """Every name of the rule file a reader should never see: facts, items, triggers, procedures."""
    return set(rs.facts) | {i.id for i in rs.items} | {t.id for t in rs.triggers} | {p.id for p in rs.procedures}


def found(names: set[str], text: str) -> set[str]:
    return {n for n in names if re.search(rf"(?<![A-Za-z0-9_-]){re.escape(n)}(?![A-Za-z0-9_])", text)}


@pytest.fixture(scope="module")
def rulesets() -> dict[str, riskeval.RuleSet]:
    return {name: load_ruleset(name) for name in RULESETS}


def test_examples_and_rule_sets_exist():
    assert len(EXAMPLES) >= 5 and {"guiyang", "jiangsu-db32-4013-2021", "national"} <= set(RULESETS)


@pytest.mark.parametrize("ruleset", RULESETS)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_default_explanation_has_no_identifiers_and_detail_has_them(rulesets, ruleset, path):
    rs = rulesets[ruleset]
    result = assess(load_project(path), rs)
    names = identifiers(rs)
    for lang in ("zh", "en"):
        assert found(names, result.explain(lang)) == set(), lang
    detail = result.explain("zh", detail=True)
    shown = found(names, detail)
    assert {f.item for f in result.initial.findings} <= shown
    assert {f.rule for f in result.initial.findings} <= {r for r in result.initial.rules_fired}
    assert any(name in rs.facts for name in shown)  # fact names are shown in the technical form


def test_xidong_speaks_in_labels_and_values(rulesets):
    result = assess(load_project(XIDONG), rulesets["guiyang"])
    text = result.explain()
    assert "须评估，依据：事项类型为重大工程项目、重大政策、重大改革或重大活动；环境影响为涉邻避" in text
    assert "合理性·群众满意度 30%（低于 70%）：6 分" in text
    assert "可控性·恶意炒作（有）：1 分" in text
    assert "超过 50% 的群众反对（62%） → 至少高风险" in text
    assert "曾发生群体性事件且仍有 10% 以上群众反对（反对率 62%；曾因本事项发生群体性事件：是） → 至少中风险" in text
    assert "恶意炒作：有 → 无" in text and "反对率：62% → 0.3%" in text and "可能引发群体性事件的人数：500 人 → 0 人" in text
    assert "结论：落实措施后为低风险（措施前为高风险）；决策：可以审批（核准）" in text
    assert "责任主体：" in text  # the measures of the example carry their owners


def test_xidong_in_english(rulesets):
    text = assess(load_project(XIDONG), rulesets["guiyang"]).explain("en")
    assert "Assessment required because: kind of matter is major construction project, major policy, major reform or major event" in text
    assert "群众满意度 30% (below 70%): 6 points" in text
    assert "超过 50% 的群众反对 (62%) → at least high risk" in text
    assert "恶意炒作: 有 → 无" in text and "decision: may be approved" in text


def test_index_method_and_numbers_in_words(rulesets):
    result = assess(load_project(XIDONG), rulesets["national"])
    text = result.explain()
    assert "可行性·邻避设施与居民区的距离（环境影响：涉邻避；邻避设施距最近居民区距离 800 米）：概率 0.6 × 影响 0.9 × 权重 0.1765 = 0.09529" in text
    # weights renormalised over the applicable items (0.15 / 0.85 in 可行性); the rest shown as 不适用
    assert "不适用（权重由同维度适用条目分摊）：征收补偿安置方案合理公平及时、征收拆迁规模、职工安置与就业影响、价格（收费）调整的群众承受能力" in text
    assert "P=0.6 × I=0.9 × w=0.1765" in result.explain(detail=True)
    assert "不适用：N-RSN-1, N-RSN-2, N-RSN-8, N-FEA-7" in result.explain(detail=True)


def test_explanation_survives_a_json_round_trip(rulesets):
    result = assess(load_project(XIDONG), rulesets["jiangsu-db32-4013-2021"])
    again = Assessment.model_validate_json(result.to_json())
    assert again.explain() == result.explain() and again.explain("en", detail=True) == result.explain("en", detail=True)


def test_a_record_without_vocabulary_still_explains(rulesets):
    """Assessments recorded before the vocabulary existed fall back to the names they carry."""
    data = assess(load_project(XIDONG), rulesets["jiangsu-db32-4013-2021"]).model_dump(mode="json")
    data.pop("vocabulary")
    text = Assessment.model_validate(data).explain()
    assert "群众满意度" in text and "satisfaction_rate" in text


def test_custom_decision_table_and_procedures_in_words(tmp_path):
    from tests.riskeval.test_scoring_paths import INDEX_RULES

    path = tmp_path / "idx.yaml"
    path.write_text(INDEX_RULES, encoding="utf-8")
    rs = load_ruleset(path)
    project = riskeval.Project(id="C", kind="project", facts={"households_relocated": 3, "environmental_impact": "none"})
    text = assess(project, rs).explain()
    assert "须评估，依据：事项类型为重大工程项目或重大政策；搬迁户数超过 0" in text
    assert "✗ 缺少必经程序：公示（要求公示天数不低于 10）" in text
    assert "缺少专家组评分：舆论" in text and "MEDIA" not in text


def test_cli_detail_flag():
    runner = CliRunner()
    plain = runner.invoke(app, ["assess", str(XIDONG), "--rules", "guiyang"])
    detail = runner.invoke(app, ["assess", str(XIDONG), "--rules", "guiyang", "--detail"])
    assert plain.exit_code == 0 and detail.exit_code == 0
    assert "JS-RSN-3" not in plain.stdout and "群众满意度 30%（低于 70%）" in plain.stdout
    assert "[item:JS-RSN-3#2]" in detail.stdout and "satisfaction_rate" in detail.stdout


def test_labelled_scope_entry_speaks_its_label(tmp_path):
    from tests.riskeval.test_scoring_paths import INDEX_RULES

    path = tmp_path / "idx.yaml"
    path.write_text(
        INDEX_RULES.replace("  - households_relocated > 0\n", "  - {when: households_relocated > 0, label: 征地拆迁, source: 办法第三条}\n"),
        encoding="utf-8",
    )
    project = riskeval.Project(id="C", kind="event", facts={"households_relocated": 3, "environmental_impact": "none"})
    result = assess(project, load_ruleset(path))
    assert "须评估，依据：征地拆迁\n" in result.explain()
    assert result.scope_reasons == ["征地拆迁（households_relocated > 0）"]  # the technical record is unchanged
