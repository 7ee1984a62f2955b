"""Aggregation methods and every disagreement flag."""

from __future__ import annotations

from typing import Any

import pytest

import riskeval
from expert_pool.review import (
    AssessmentLevelCheck,
    ScaleLevelCheck,
    ScoredItem,
    aggregate_value,
    disagreement_flags,
    review_panel,
    scored_items,
)

from ._helpers import rows_for

ITEM_0_4 = ScoredItem("A", "A", "points", "a", "d", "D", 0.0, 4.0, 2.0)
ITEM_0_35 = ScoredItem("C", "C", "points", "c", "d", "D", 0.0, 35.0, 1.0)


def codes(flags: list[Any]) -> list[str]:
    return [f.code for f in flags]


@pytest.mark.parametrize(
    ("values", "method", "expected"),
    [
        ([1, 2, 9], "median", 2.0),
        ([1, 2, 9], "mean", 4.0),
        ([1, 2, 9], "trimmed", 2.0),
        ([0, 1, 2, 3, 10], "trimmed", 2.0),
        ([1, 3], "trimmed", 2.0),
        ([1, 2, 3, 4], "median", 2.5),
    ],
)
def test_methods(values: list[float], method: str, expected: float) -> None:
    assert aggregate_value(values, method) == pytest.approx(expected)


def test_unknown_method_and_empty() -> None:
    with pytest.raises(ValueError):
        aggregate_value([1], "mode")
    with pytest.raises(ValueError):
        aggregate_value([], "median")


def test_no_flag_when_experts_agree() -> None:
    assert disagreement_flags([2, 2, 2], ITEM_0_4, center=2) == []
    assert disagreement_flags([20, 21, 22], ITEM_0_35, center=21) == []


def test_spread_flag_only() -> None:
    # range 15 > 0.4 * 35 = 14; every score within one step? no -> choose a step that makes agreement hold
    wide_step = ScoredItem("C", "C", "points", "c", "d", "D", 0.0, 35.0, 8.0)
    flags = disagreement_flags([24, 31, 39 - 0.5], wide_step, center=31)
    assert codes(flags) == ["spread"]
    assert "14" in flags[0].zh and "exceeds" in flags[0].en


def test_spread_is_configurable() -> None:
    wide_step = ScoredItem("C", "C", "points", "c", "d", "D", 0.0, 35.0, 8.0)
    assert codes(disagreement_flags([24, 31, 38.5], wide_step, center=31, spread=0.5)) == []


def test_agreement_flag_only() -> None:
    # 13, 15, 14.5: within one step (1) of the median 14.5: 15 and 14.5 -> 2/3, ok at 0.6, flagged at 0.7
    assert codes(disagreement_flags([13, 15, 14.5], ITEM_0_35, center=14.5)) == []
    flags = disagreement_flags([13, 15, 14.5], ITEM_0_35, center=14.5, agree_share=0.7)
    assert codes(flags) == ["agreement"]
    assert "2/3" in flags[0].zh and "2/3" in flags[0].en


def test_level_flag_only_on_scale_thirds() -> None:
    # 11 and 12 lie on both sides of 35/3 = 11.67; range 1, all within one step
    flags = disagreement_flags([11, 12, 12], ITEM_0_35, center=12)
    assert codes(flags) == ["level"]
    assert "三等分" in flags[0].zh and "thirds" in flags[0].en


def test_scale_level_check_boundaries() -> None:
    check = ScaleLevelCheck()
    item = ScoredItem("A", "A", "points", "a", "d", "D", 0.0, 3.0, 1.0)
    assert check("P", item, 0, 0.9, {}) is None
    assert check("P", item, 1, 1.9, {}) is None
    assert check("P", item, 2, 3, {}) is None
    assert check("P", item, 0.9, 1, {}) is not None


def test_all_three_flags_through_review(panel_rules: riskeval.RuleSet) -> None:
    review = review_panel(rows_for("P1", "JS-RSN-4", {"E1": 0, "E2": 4, "E3": 2}), panel_rules)
    (result,) = review.final
    assert codes(result.flags) == ["spread", "level"]
    review = review_panel(rows_for("P1", "JS-CTL-1", {"E1": 0, "E2": 20, "E3": 30}), panel_rules)
    (result,) = review.final
    assert codes(result.flags) == ["spread", "agreement", "level"]
    assert result.disagreement and result.value == 20 and result.n == 3
    assert result.min == 0 and result.max == 30
    assert result.std == pytest.approx(15.275252, abs=1e-5)
    assert [r.key for r in review.delphi] == ["JS-CTL-1"]


def _project(good_facts: dict[str, Any], **facts: Any) -> riskeval.Project:
    return riskeval.Project(id="P1", kind="project", investment=50000, facts={**good_facts, **facts})


def test_level_flag_through_assessment(panel_rules: riskeval.RuleSet, good_facts: dict[str, Any]) -> None:
    items = {s.key: s for s in scored_items(panel_rules)}
    project = _project(good_facts)
    check = AssessmentLevelCheck(panel_rules, {"P1": project}, items)
    # JS-CTL-1 at 12 or 22 with JS-RSN-4 at 0: scores 12 (low) and 22 (medium) -> flagged
    flag = check("P1", items["JS-CTL-1"], 12, 22, {"JS-CTL-1": 16, "JS-RSN-4": 0})
    assert flag is not None and flag.code == "level"
    assert "低" in flag.zh and "中" in flag.zh and "low" in flag.en
    # 10 vs 12 stays low (the scale-thirds test would flag it: 11.67 lies between)
    assert check("P1", items["JS-CTL-1"], 10, 12, {"JS-CTL-1": 11, "JS-RSN-4": 0}) is None
    assert ScaleLevelCheck()("P1", items["JS-CTL-1"], 10, 12, {}) is not None
    # unknown project: falls back to the scale test
    assert check("P9", items["JS-CTL-1"], 10, 12, {}) is not None


def test_level_flag_with_projects_in_review(panel_rules: riskeval.RuleSet, good_facts: dict[str, Any]) -> None:
    rows = rows_for("P1", "JS-CTL-1", {"E1": 10, "E2": 11, "E3": 12}) + rows_for(
        "P1", "JS-RSN-4", {"E1": 0, "E2": 0, "E3": 0}, start=5
    )
    plain = review_panel(rows, panel_rules)
    assert [(r.key, codes(r.flags)) for r in plain.final] == [("JS-RSN-4", []), ("JS-CTL-1", ["level"])]
    exact = review_panel(rows, panel_rules, projects={"P1": _project(good_facts)})
    assert [codes(r.flags) for r in exact.final] == [[], []]


def test_index_items(index_rules: riskeval.RuleSet) -> None:
    keys = [s.key for s in scored_items(index_rules)]
    assert keys == ["N-LEG-1.probability", "N-LEG-1.impact"]
    rows = rows_for("P1", "N-LEG-1.probability", {"E1": 0.3, "E2": 0.5, "E3": 0.5}) + rows_for(
        "P1", "N-LEG-1.impact", {"E1": 0.1, "E2": 0.9, "E3": 0.5}, start=5
    )
    review = review_panel(rows, index_rules)
    assert review.panel_values("P1") == {"N-LEG-1": {"probability": 0.5, "impact": 0.5}}
    prob, impact = review.final
    assert codes(prob.flags) == ["level"]  # 0.3 low third, 0.5 medium third
    assert codes(impact.flags) == ["spread", "agreement", "level"]


def test_bad_thresholds(panel_rules: riskeval.RuleSet) -> None:
    from expert_pool.errors import InvalidParameterError
    from riskeval.errors import exit_code_for

    with pytest.raises(InvalidParameterError) as info:
        review_panel([], panel_rules, spread=1.5)
    assert info.value.field == "spread" and "1.5" in info.value.message("en") and exit_code_for(info.value) == 2
    with pytest.raises(InvalidParameterError):
        review_panel([], panel_rules, method="mode")


def test_items_when_no_panel_item(jiangsu: riskeval.RuleSet, panel_rules: riskeval.RuleSet) -> None:
    every = scored_items(jiangsu)
    assert len(every) == len(jiangsu.items) and not any(s.panel for s in every)
    assert [s.key for s in scored_items(panel_rules)] == ["JS-RSN-4", "JS-CTL-1"]
    rsn4 = scored_items(panel_rules)[0]
    assert (rsn4.low, rsn4.high, rsn4.step) == (0.0, 4.0, 2.0)
    assert rsn4.allowed() == "0–4（较小 0 / 有可能 2 / 较大 4）"
