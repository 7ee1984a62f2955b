"""Hostile conditions, formulas and numbers become located errors; validate refuses what cannot be computed."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskeval.ruleset import validate_file
from riskeval.ruleset.conditions import (
    MAX_CONDITION_LENGTH,
    MAX_NESTING,
    ConditionError,
    FactSpec,
    parse_condition,
)
from riskeval.ruleset.formula import compute, formula_risks, parse_formula, value_range

FACTS = {"x": FactSpec("number"), "b": FactSpec("bool")}
VALID = (Path(__file__).parent / "corpus" / "valid.yaml").read_text(encoding="utf-8")


def _condition_code(text: str) -> str:
    with pytest.raises(ConditionError) as info:
        parse_condition(text, FACTS)
    return info.value.code


def _formula_code(text: str) -> str:
    with pytest.raises(ConditionError) as info:
        parse_formula(text, {"x"})
    return info.value.code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not " * 450 + "b", "cond.too_deep"),
        ("(" * 250 + "b" + ")" * 250, "cond.too_deep"),
        ("(" * 1000 + "b" + ")" * 1000, "cond.too_long"),
        ("x > " + "9" * (MAX_CONDITION_LENGTH + 1), "cond.too_long"),
        ("x > 1e999", "cond.number_out_of_range"),
        ("x > -1e999", "cond.number_out_of_range"),
        ("x > " + "9" * 400, "cond.number_out_of_range"),
        ("x > " + "9" * 1990, "cond.number_out_of_range"),
        ("x > 1e16", "cond.number_out_of_range"),
    ],
)
def test_hostile_conditions(text: str, code: str) -> None:
    assert _condition_code(text) == code


def test_nesting_within_the_limit_is_accepted() -> None:
    cond = parse_condition("not " * (MAX_NESTING - 2) + "b", FACTS)
    assert cond is not None
    assert parse_condition("(" * 150 + "b" + ")" * 150, FACTS) is not None  # brackets alone nest nothing
    assert parse_condition("x > 1e15", FACTS) is not None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-" * 100_000 + "1", "cond.too_long"),
        ("-" * 1000 + "1", "cond.too_deep"),
        ("+".join(["1"] * 600), "cond.too_deep"),
        ("+".join(["x"] * 600), "cond.too_deep"),
        ("min(" * 150 + "1" + ", 2)" * 150, "cond.too_deep"),
        ("min(" * 300 + "1" + ", 2)" * 300, "cond.too_long"),
        ("1e999 * 0", "cond.number_out_of_range"),
        ("9" * 400 + " * x", "cond.number_out_of_range"),
        ("9" * 1990, "cond.number_out_of_range"),
        ("9" * 5000, "cond.too_long"),
    ],
)
def test_hostile_formulas(text: str, code: str) -> None:
    assert _formula_code(text) == code


def test_formula_ranges_and_risks() -> None:
    f = parse_formula("35 * min(x / 50, 1)", {"x"})
    assert value_range(f, {"x": (0, 100)}) == (0.0, 35.0)
    assert formula_risks(f, {"x": (0, 100)}) == []
    assert formula_risks(parse_formula("x / 0", {"x"}), {}) == [("formula.divide_by_zero", "error")]
    assert formula_risks(parse_formula("10 / x", {"x"}), {"x": (0, 10)}) == [("formula.divisor_may_be_zero", "warning")]
    assert formula_risks(parse_formula("10 / x", {"x"}), {"x": (1, 10)}) == []
    huge = parse_formula(" * ".join(["1e15"] * 21), set())
    assert formula_risks(huge, {}) == [("formula.not_finite", "error")]
    assert formula_risks(parse_formula("x * 1e15 * 1e15 * 1e15", {"x"}), {"x": (0, 100)}) == []
    assert compute(parse_formula("10 / x", {"x"}), {"x": 0}) == 0.0  # the documented rule


def _rule_file(tmp_path: Path, old: str, new: str) -> Path:
    assert old in VALID
    path = tmp_path / "r.yaml"
    path.write_text(VALID.replace(old, new), encoding="utf-8")
    return path


def _first(path: Path) -> tuple[str, int, int]:
    problems = [p for p in validate_file(path) if p.severity == "error"]
    assert problems, "expected an error"
    return problems[0].code, problems[0].line, problems[0].column


def test_validate_refuses_infinite_threshold(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, "when: opposition_rate > 50,", "when: opposition_rate > 1e999,")
    line = path.read_text(encoding="utf-8").splitlines().index(next(x for x in path.read_text(encoding="utf-8").splitlines() if "1e999" in x))
    text = path.read_text(encoding="utf-8").splitlines()[line]
    assert _first(path) == ("cond.number_out_of_range", line + 1, text.index("1e999") + 1)


def test_validate_refuses_400_digit_constant(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, "when: opposition_rate > 50,", f"when: opposition_rate > {'9' * 400},")
    assert _first(path)[0] == "cond.number_out_of_range"


def test_validate_refuses_overflowing_yaml_number(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, "max: 4\n    points", "max: 1e999\n    points")
    assert _first(path) == ("yaml.number_out_of_range", 24, 10)


def test_validate_refuses_huge_points(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, '"[20, 100]": 6}', '"[20, 100]": 1e300}')
    codes = [p.code for p in validate_file(path)]
    assert "cond.number_out_of_range" in codes


def test_validate_refuses_nan_formula(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, 'points: {fact: opposition_rate, bands: {"[0, 20)": 0, "[20, 100]": 6}}', 'points: {formula: "1e999 * 0"}')
    assert _first(path)[0] == "cond.number_out_of_range"


def test_validate_refuses_overflowing_formula(tmp_path: Path) -> None:
    formula = " * ".join(["1e15"] * 21)
    path = _rule_file(tmp_path, 'points: {fact: opposition_rate, bands: {"[0, 20)": 0, "[20, 100]": 6}}', f'points: {{formula: "{formula}"}}')
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, x in enumerate(lines) if "1e15" in x)
    assert _first(path) == ("formula.not_finite", line + 1, lines[line].index('"1e15') + 1)


def test_validate_warns_on_divisor_that_can_be_zero(tmp_path: Path) -> None:
    formula = "6 * min(10 / opposition_rate, 1)"
    path = _rule_file(tmp_path, 'points: {fact: opposition_rate, bands: {"[0, 20)": 0, "[20, 100]": 6}}', f'points: {{formula: "{formula}"}}')
    problems = validate_file(path)
    assert [(p.code, p.severity) for p in problems] == [("formula.divisor_may_be_zero", "warning")]
    zero = _rule_file(tmp_path, 'points: {fact: opposition_rate, bands: {"[0, 20)": 0, "[20, 100]": 6}}', 'points: {formula: "opposition_rate / 0"}')
    assert _first(zero)[0] == "formula.divide_by_zero"


def test_embedded_test_project_format_error_is_located_in_both_languages(tmp_path: Path) -> None:
    old = "project: {facts: {opposition_rate: 1, environmental_impact: none}}"
    path = _rule_file(tmp_path, old, "project: {kind: 42, facts: {opposition_rate: 1, environmental_impact: none}}")
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, x in enumerate(lines) if "kind: 42" in x)
    problems = validate_file(path)
    assert [(p.code, p.line, p.column) for p in problems] == [("test.project", line + 1, lines[line].index("42") + 1)]
    assert "字段 “kind”" in problems[0].message("zh")
    assert "field 'kind'" in problems[0].message("en") and "validation error" not in problems[0].message("en")
