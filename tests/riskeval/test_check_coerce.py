"""``check._coerce`` (remembered text coercions) answers exactly as ``coerce_fact_value``, every time."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskeval import check
from riskeval.model.rulefile import FactDecl
from riskeval.ruleset.facts import FactValueError, coerce_fact_value

DECLS = [
    FactDecl(type="number", label="反对率", min=0, max=100),
    FactDecl(type="integer", label="人数", min=0),
    FactDecl(type="bool", label="是否"),
    FactDecl(type="option", label="强度", options={"strong": "强烈", "weak": "一般"}),
    FactDecl(type="text", label="说明"),
    FactDecl(type="list", label="领域"),
]
texts = st.sampled_from(["12.5", " 7 ", "1e3", "-1", "101", "3.5", "是", "否", "yes", "strong", "强烈", "x", "", "a;b", "nan", "inf", "1,000"]) | st.text(max_size=4)


def outcome(f: Any, decl: FactDecl, value: Any) -> tuple[str, Any]:
    try:
        result = f(decl, value)
    except FactValueError as exc:
        return "error", (exc.code, exc.params)
    return "ok", (type(result), result)


@settings(max_examples=300, deadline=None)
@given(k=st.integers(0, len(DECLS) - 1), value=texts | st.integers(-3, 3) | st.booleans() | st.floats(allow_nan=False))
def test_same_as_coerce_fact_value_first_and_second_time(k: int, value: Any) -> None:
    decl = DECLS[k]
    expected = outcome(coerce_fact_value, decl, value)
    assert outcome(check._coerce, decl, value) == expected
    assert outcome(check._coerce, decl, value) == expected  # remembered


def test_lists_are_never_shared() -> None:
    decl = DECLS[-1]
    first = check._coerce(decl, "a;b")
    first.append("c")
    assert check._coerce(decl, "a;b") == ["a", "b"]


def test_a_remembered_failure_is_raised_again_with_its_parameters() -> None:
    decl = DECLS[0]
    for _ in range(2):
        with pytest.raises(FactValueError) as info:
            check._coerce(decl, "约三成")
        assert info.value.code == "value.not_number" and info.value.params == {"value": '"约三成"'}


def test_another_declaration_is_not_answered_from_memory() -> None:
    assert check._coerce(FactDecl(type="number", label="a", max=100), "50") == 50.0
    with pytest.raises(FactValueError):
        check._coerce(FactDecl(type="number", label="a", max=10, min=60), "50")
