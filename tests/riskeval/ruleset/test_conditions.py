from __future__ import annotations

import pytest

from riskeval.ruleset.conditions import (
    And,
    Cmp,
    ConditionError,
    FactSpec,
    Has,
    Or,
    evaluate,
    parse_condition,
    render,
)

FACTS = {
    "rate": FactSpec("number"),
    "n": FactSpec("integer"),
    "flag": FactSpec("bool"),
    "env": FactSpec("option", {"none": "不涉及", "some": "有影响", "nimby": "涉邻避"}),
    "domains": FactSpec("list"),
    "unit": FactSpec("text"),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rate > 50", Cmp("rate", ">", 50)),
        ("50 < rate", Cmp("rate", ">", 50)),
        ('env == "涉邻避"', Cmp("env", "==", "nimby")),
        ("flag", Cmp("flag", "==", True)),
        ("not flag", Cmp("flag", "==", False)),
        ("flag == 否", Cmp("flag", "==", False)),
        ("not rate > 5", Cmp("rate", "<=", 5)),
        ('"环保" in domains', Has("domains", "环保")),
        ('"环保" not in domains', Has("domains", "环保", False)),
        ('env in ["some", "nimby"]', Or((Cmp("env", "==", "some"), Cmp("env", "==", "nimby")))),
        ("20 <= rate <= 50", And((Cmp("rate", "<=", 20) if False else Cmp("rate", ">=", 20), Cmp("rate", "<=", 50)))),
        ("not (rate > 5 and n < 3)", Or((Cmp("rate", "<=", 5), Cmp("n", ">=", 3)))),
    ],
)
def test_parse(text, expected):
    assert parse_condition(text, FACTS) == expected


@pytest.mark.parametrize(
    ("text", "code", "offset"),
    [
        ("rat > 5", "cond.unknown_fact", 0),
        ('rate == "high"', "cond.type_mismatch", 8),
        ('env == "huge"', "cond.unknown_option", 7),
        ("env > 3", "cond.type_mismatch", 6),
        ("__import__('os').system('x')", "cond.unsupported", 0),
        ("rate + 1 > 2", "cond.one_fact_one_value", 0),
        ("rate > > 5", "cond.syntax", 7),
        ("rate > 5 if flag else n", "cond.unsupported", 0),
        ("env", "cond.bare_not_bool", 0),
        ("rate > n", "cond.one_fact_one_value", 0),
        ("  unit > 3", "cond.type_mismatch", 9),
    ],
)
def test_rejections_carry_code_and_offset(text, code, offset):
    with pytest.raises(ConditionError) as info:
        parse_condition(text, FACTS)
    assert (info.value.code, info.value.offset) == (code, offset)


def test_missing_facts_make_atoms_false_both_ways():
    cond = parse_condition("rate > 5", FACTS)
    neg = parse_condition("not rate > 5", FACTS)
    assert not evaluate(cond, {}) and not evaluate(neg, {})
    assert not evaluate(parse_condition('"x" not in domains', FACTS), {})


def test_render_round_trips():
    cond = parse_condition('rate >= 20 and (env == "nimby" or flag)', FACTS)
    assert parse_condition(render(cond), FACTS) == cond
