"""The bundled rule sets validate, pass their embedded tests, and keep the properties the product relies on."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

import riskeval
from riskeval.ruleset import bundled_names, validate_file
from riskeval.ruleset.loader import find_ruleset
from riskeval.ruleset.testing import run_tests

NAMES = ["national", "jiangsu-db32-4013-2021", "guiyang"]


@pytest.fixture(scope="module")
def rulesets() -> dict[str, riskeval.RuleSet]:
    return {name: riskeval.load_ruleset(name) for name in NAMES}


def test_all_three_are_bundled() -> None:
    assert set(NAMES) <= set(bundled_names())


@pytest.mark.parametrize("name", NAMES)
def test_validates_without_errors_or_warnings(name: str) -> None:
    path = find_ruleset(name)
    assert path is not None
    assert [p.render("zh") for p in validate_file(path)] == []


@pytest.mark.parametrize("name", NAMES)
def test_embedded_tests_pass(name: str, rulesets: dict[str, riskeval.RuleSet]) -> None:
    results = run_tests(rulesets[name])
    assert results, "every bundled rule set carries embedded tests"
    failed = {r.name: r.differences for r in results if not r.passed}
    assert failed == {}


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_sourced(name: str, rulesets: dict[str, riskeval.RuleSet]) -> None:
    rs = rulesets[name]
    for entry in [*rs.items, *rs.triggers, *rs.procedures]:
        assert entry.source.strip(), entry.id
        assert entry.confidence in ("V", "S", "U"), entry.id


@pytest.mark.parametrize("name", ["national", "guiyang"])
def test_embedded_tests_cover_levels_triggers_regimes(name: str, rulesets: dict[str, riskeval.RuleSet]) -> None:
    rs = rulesets[name]
    levels = {c.expect.level for c in rs.tests} | {c.expect.initial_level for c in rs.tests}
    assert {"low", "medium", "high"} <= levels
    triggered = {t for c in rs.tests for t in c.expect.triggers or []}
    assert triggered == {t.id for t in rs.triggers}
    missing = {p for c in rs.tests for p in c.expect.missing_procedures or []}
    assert missing == {p.id for p in rs.procedures}
    decisions = {c.expect.decision for c in rs.tests}
    assert {"reject", "proceed", "proceed_after_measures"} <= decisions


# -- national -------------------------------------------------------------------------------------------


def test_national_is_an_index_with_unit_weights(rulesets: dict[str, riskeval.RuleSet]) -> None:
    rs = rulesets["national"]
    assert rs.scoring.method == "index"
    assert rs.regime == "ndrc_project"
    assert sum(d.weight or 0 for d in rs.dimensions) == pytest.approx(1)
    assert [d.label for d in rs.dimensions] == ["合法性", "合理性", "可行性", "可控性"]
    per_dim: dict[str, float] = defaultdict(float)
    for item in rs.items:
        per_dim[item.dimension] += item.weight or 0
    assert per_dim == pytest.approx({d.id: 1.0 for d in rs.dimensions})


def test_national_covers_the_eight_428_categories(rulesets: dict[str, riskeval.RuleSet]) -> None:
    categories = {i.category for i in rulesets["national"].items}
    assert categories == {
        "政策规划和审批程序",
        "土地房屋征收（征用）方案",
        "技术和经济方案",
        "生态环境影响",
        "项目建设管理",
        "当地经济社会影响",
        "质量安全和社会治安",
        "媒体舆论导向",
    }


def test_national_levels_are_the_art4_definitions(rulesets: dict[str, riskeval.RuleSet]) -> None:
    levels = rulesets["national"].scoring.levels
    assert levels["high"].label is not None and "大部分群众对项目有意见、反应特别强烈" in levels["high"].label
    assert levels["medium"].label is not None and "部分群众对项目有意见、反应强烈" in levels["medium"].label
    assert levels["low"].label is not None and "多数群众理解支持但少部分人对项目有意见" in levels["low"].label
    assert [levels[k].range for k in ("low", "medium", "high")] == ["[0, 0.36)", "[0.36, 0.64)", "[0.64, 1]"]
    assert rulesets["national"].scoring.confidence == "U"


def test_national_uses_only_the_standard_vocabulary(rulesets: dict[str, riskeval.RuleSet]) -> None:
    from riskeval.model.vocabulary import STANDARD_FACTS

    for name in NAMES:
        assert set(rulesets[name].facts) <= STANDARD_FACTS, name


# -- guiyang --------------------------------------------------------------------------------------------


def _good_guiyang(rs: riskeval.RuleSet) -> dict[str, Any]:
    return dict(rs.tests[0].project["facts"])


def test_guiyang_extends_jiangsu(rulesets: dict[str, riskeval.RuleSet]) -> None:
    gy, js = rulesets["guiyang"], rulesets["jiangsu-db32-4013-2021"]
    assert [entry["id"] for entry in gy.lineage] == ["jiangsu-db32-4013-2021", "guiyang"]
    assert {t.id for t in js.triggers} < {t.id for t in gy.triggers}
    assert {i.id for i in js.items} == {i.id for i in gy.items}
    assert js.required_facts <= gy.required_facts
    assert gy.regime == "major_decision" and js.regime == "ndrc_project"
    assert gy.scoring == js.scoring


def test_guiyang_inherited_trigger_fires(rulesets: dict[str, riskeval.RuleSet]) -> None:
    rs = rulesets["guiyang"]
    facts = dict(_good_guiyang(rs), possible_incident_size=250)
    result = riskeval.assess({"id": "t", "kind": "project", "facts": facts}, rs)
    assert result.level == "high" and result.decision == "reject"
    assert "JS-TRG-H2" in {h.trigger for h in result.initial.triggers}


def test_guiyang_scope(rulesets: dict[str, riskeval.RuleSet]) -> None:
    rs = rulesets["guiyang"]
    facts = _good_guiyang(rs)
    out = riskeval.assess({"id": "o", "kind": "other", "facts": facts}, rs)
    assert out.in_scope is False and out.level is None and out.decision is None
    for kind in ("project", "policy", "reform", "event"):
        assert riskeval.assess({"id": kind, "kind": kind, "facts": facts}, rs).in_scope
    for extra in ({"households_relocated": 3}, {"price_change_pct": 8}, {"workers_affected": 120},
                  {"environmental_impact": "涉邻避"}, {"event_attendance": 5000}):  # fmt: skip
        assert riskeval.assess({"id": "x", "kind": "other", "facts": {**facts, **extra}}, rs).in_scope, extra


def test_guiyang_missing_table_fact_is_an_error(rulesets: dict[str, riskeval.RuleSet]) -> None:
    rs = rulesets["guiyang"]
    facts = _good_guiyang(rs)
    del facts["satisfaction_rate"]
    with pytest.raises(riskeval.ProjectError, match="satisfaction_rate"):
        riskeval.assess({"id": "m", "kind": "project", "facts": facts}, rs)


def test_guiyang_panel_sizes(rulesets: dict[str, riskeval.RuleSet]) -> None:
    rs = rulesets["guiyang"]
    assert rs.panel_size({"kind": "project", "investment": 100000}) == 5
    assert rs.panel_size({"kind": "project", "investment": 99999}) == 3
    assert rs.panel_size({"kind": "policy", "decision_level": "city"}) == 5
    assert rs.panel_size({"kind": "reform", "decision_level": "county"}) == 3
    assert rs.panel_size({"kind": "event", "decision_level": "department"}) == 3
