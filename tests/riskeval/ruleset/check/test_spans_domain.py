"""Spans with attained or approached ends, formula ranges and the regions of a fact's domain."""

from __future__ import annotations

import math

import pytest

from riskeval.model.rulefile import FactDecl
from riskeval.ruleset.analysis.domain import fact_regions
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
