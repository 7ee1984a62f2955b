"""``condition_test`` (the compiled reference) equals ``evaluate`` on any condition and any facts."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.engine import _reference_plan, condition_test, reference_fired
from riskeval.ruleset.conditions import Always, And, Cmp, Condition, Has, Or, evaluate

FACTS = ("a", "b", "c")
scalars = (
    st.integers(-3, 3)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0.5, 1.0, 2.0, -0.0, math.nan])
    | st.booleans()
    | st.sampled_from(["x", "y", "", "1"])
)
constants = st.integers(-3, 3) | st.sampled_from([0.5, 1.0, 2.0, 1e-05]) | st.booleans() | st.sampled_from(["x", "y"])
cmps = st.builds(Cmp, st.sampled_from(FACTS), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), constants)
hases = st.builds(Has, st.sampled_from(FACTS), st.sampled_from(["x", "y"]), st.booleans())
conditions: st.SearchStrategy[Condition] = st.recursive(
    cmps | hases | st.just(Always()),
    lambda inner: st.builds(And, st.lists(inner, max_size=3).map(tuple)) | st.builds(Or, st.lists(inner, max_size=3).map(tuple)),
    max_leaves=8,
)
facts = st.dictionaries(
    st.sampled_from(FACTS),
    scalars | st.none() | st.lists(st.sampled_from(["x", "y", "z"]), max_size=3) | st.just("xy"),
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(cond=conditions, values=facts)
def test_compiled_test_equals_evaluate(cond: Condition, values: dict[str, Any]) -> None:
    assert condition_test(cond)(values) is evaluate(cond, values)


def test_reference_plan_follows_changes_to_the_rules(tmp_path: Any) -> None:
    """A rule set changed in memory gets a new plan (tests and tools edit loaded rule sets)."""
    rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    values = riskeval.check.check_project(riskeval.Project(id="T", facts=rs.tests[0].project["facts"]), rs).initial
    before = reference_fired(rs, values)
    plan = _reference_plan(rs)
    assert _reference_plan(rs) is plan
    dropped = next(r for r in rs.rules if r.id in before and r.kind == "item")
    rs.rules = [r for r in rs.rules if r is not dropped]
    assert reference_fired(rs, values) == before - {dropped.id}
    assert _reference_plan(rs) is not plan


def test_a_condition_is_compiled_once() -> None:
    cond = And((Cmp("a", ">", 1), Has("b", "x", True)))
    assert condition_test(cond) is condition_test(cond)
    assert condition_test(cond)({"a": 2, "b": ["x"]}) is True
