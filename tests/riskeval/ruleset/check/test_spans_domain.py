"""Spans with attained or approached ends, formula ranges and the regions of a fact's domain."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from riskeval.model.rulefile import FactDecl
from riskeval.ruleset import load_ruleset
from riskeval.ruleset.analysis import score_bounds
from riskeval.ruleset.analysis.domain import all_conditions, fact_regions, item_condition, ruleset_regions
from riskeval.ruleset.analysis.findings import item_findings
from riskeval.ruleset.analysis.spans import NotAnalysable, Span, formula_exact, formula_span
from riskeval.ruleset.formula import parse_formula


def span(text: str, **spans: Span) -> Span:
    return formula_span(parse_formula(text, set(spans)), spans)


def test_open_ends_survive_arithmetic() -> None:
    x = Span(0, 20, True, False)
    assert span("35 * min(x / 50, 1) * 1", x=x).text() == "[0, 14)"
    assert span("max(x, 10)", x=x).text() == "[10, 20)"
    assert span("min(x, 20)", x=Span(0, 30, True, True)).text() == "[0, 20]"  # 20 attained at x = 20
    assert span("min(x, 20)", x=Span(0, 20, True, False)).text() == "[0, 20)"
    assert span("x - y", x=Span(0, 1), y=Span(0, 1, False, True)).text() == "[-1, 1)"


def test_division() -> None:
    assert span("x / y", x=Span(1, 2), y=Span(2, 4)).text() == "[0.25, 1]"
    assert span("x / y", x=Span(1, 2), y=Span(0, 0)).text() == "[0, 0]"  # the evaluator gives 0
    with pytest.raises(NotAnalysable):
        span("x / y", x=Span(1, 2), y=Span(-1, 1))


def test_exactness_needs_each_fact_once() -> None:
    assert formula_exact(parse_formula("min(a / 50, 1) * b", {"a", "b"}))
    assert not formula_exact(parse_formula("a / 10 - a / 20", {"a"}))


def test_meets_respects_open_and_closed_ends() -> None:
    s = Span(0.05, 0.64, True, False)
    assert not s.meets(0.64, 1, True, True)
    assert s.meets(0.36, 0.64, True, False)
    assert Span(0, 0.64).meets(0.64, 1, True, True)


def test_number_regions_are_points_and_open_stretches() -> None:
    decl = FactDecl.model_validate({"type": "number", "label": "率", "min": 0, "max": 100, "required": True})
    labels = [r.label for r in fact_regions("r", decl, {20.0, 50.0})]
    assert labels == ["0", "(0, 20)", "20", "(20, 50)", "50", "(50, 100)", "100"]


def test_optional_facts_can_be_absent_and_unbounded_ends_stay_open() -> None:
    decl = FactDecl.model_validate({"type": "integer", "label": "人数", "min": 0})
    regions = fact_regions("n", decl, {100.0})
    assert [r.label for r in regions] == ["0", "1–99", "100", "≥ 101", "—"]
    assert regions[3].span is not None and math.isinf(regions[3].span.high) and not regions[3].span.high_closed
    assert regions[-1].value is None


def test_option_regions_carry_their_values() -> None:
    decl = FactDecl.model_validate(
        {"type": "option", "label": "强烈程度", "required": True,
         "options": [{"code": "a", "label": "强烈", "value": 1}, {"code": "b", "label": "一般", "value": 0.3}]}
    )
    assert [(r.value, r.span) for r in fact_regions("o", decl, set())] == [("a", Span(1, 1)), ("b", Span(0.3, 0.3))]


ZERO_TABLE_ITEM = """id: zero
title: 零分表
version: "1"
regime: major_decision
facts:
  r: {type: number, label: 比例, min: 0, max: 6, required: true}
  o: {type: option, label: 选项, required: true, options: [{code: a, label: 甲}, {code: b, label: 乙}]}
dimensions:
  - {id: d1, label: 一, max: 10}
scoring:
  method: points
  total: 10
  levels:
    low: {range: "[0, 3]"}
    medium: {range: "(3, 6]"}
    high: {range: "(6, 10]"}
items:
  - {id: I0, label: 条目零, dimension: d1, source: 测试, confidence: U, max: 5, points: {fact: o, map: {a: 5, b: 0}}}
  - id: I1
    label: 条目一
    dimension: d1
    source: 测试
    confidence: U
    when: 'r > 5.2 and r < 5.4'
    max: 5
    points: {fact: o, map: {a: 0, b: 0}}
"""


def test_an_item_without_a_rule_still_cuts_the_domain(tmp_path: Path) -> None:
    """A points table of zeros compiles to no engine rule; its item's ``when`` must still cut ``r``.

    Before the fix ``r`` had the regions 0, (0, 6), 6 only: the item was reported as never applying
    (an error on a valid rule set) and the case where it applies was missing from the bounds.
    """
    path = tmp_path / "zero.yaml"
    path.write_text(ZERO_TABLE_ITEM, encoding="utf-8")
    rs = load_ruleset(path)
    assert not any(rule.ref == "I1" for rule in rs.rules)
    assert [r.label for r in ruleset_regions(rs, {"r"})["r"]] == ["0", "(0, 5.2)", "5.2", "(5.2, 5.4)", "5.4", "(5.4, 6)", "6"]
    assert item_condition(rs, rs.item("I1")) in all_conditions(rs)
    assert [p.code for p in item_findings(rs)] == ["check.item_max"]  # attains 0 of its 5; not "never applies"
    assert set(score_bounds(rs).cases) == {frozenset(), frozenset({"I1"})}
