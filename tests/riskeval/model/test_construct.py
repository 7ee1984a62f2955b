"""``build`` gives the model that validation gives, on values of exact and of convertible types."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError, field_validator

from riskeval.model.assessment import Evaluation, Finding, ProcedureGap, TriggerHit
from riskeval.model.construct import _checks, build


class Text(StrEnum):
    A = "a"


texts = st.text(max_size=3) | st.just(Text.A)
floats = st.floats(allow_nan=False) | st.integers(-5, 5) | st.booleans()
maybe = st.none() | texts
facts = st.dictionaries(st.text(max_size=2), st.integers() | st.text(max_size=2) | st.none() | st.floats(allow_nan=False), max_size=3)


def finding_values() -> st.SearchStrategy[dict[str, Any]]:
    required = {k: texts for k in ("item", "rule", "label", "dimension", "dimension_label", "source", "confidence", "condition")}
    optional = {"category": maybe, "branch": maybe, "facts": facts, "panel": st.booleans() | st.integers(0, 1)}
    optional.update({k: st.none() | floats for k in ("points", "probability", "impact", "weight", "declared_weight")})
    return st.fixed_dictionaries({**required, "contribution": floats}, optional=optional)


def same(model: type[BaseModel], values: dict[str, Any]) -> None:
    try:
        expected = model(**values)
    except ValidationError:
        with pytest.raises(ValidationError):
            build(model, **values)
        return
    got = build(model, **values)
    assert got == expected
    assert got.model_dump_json() == expected.model_dump_json()
    assert got.model_fields_set == expected.model_fields_set
    assert [type(v) for v in got.__dict__.values()] == [type(v) for v in expected.__dict__.values()]


@settings(max_examples=300, deadline=None)
@given(values=finding_values())
def test_finding(values: dict[str, Any]) -> None:
    same(Finding, values)


@settings(max_examples=200, deadline=None)
@given(
    values=st.fixed_dictionaries(
        {"trigger": texts, "label": texts, "level": st.sampled_from(["high", "medium", "low", "none", Text.A]), "condition": texts,
         "source": texts, "confidence": texts},
        optional={"factors": st.lists(texts, max_size=2), "facts": facts},
    ),
    findings=st.lists(finding_values(), max_size=2),
    score=floats,
    dims=st.dictionaries(st.text(max_size=2), floats, max_size=2),
    drop=st.sampled_from(["", "score", "findings"]),
)
def test_trigger_and_evaluation(values: dict[str, Any], findings: list[dict[str, Any]], score: Any, dims: dict[str, Any], drop: str) -> None:
    same(TriggerHit, values)
    try:
        built = [Finding(**f) for f in findings]
    except ValidationError:
        return
    ev = {
        "stage": "initial", "score": score, "score_level": "low", "level": "high", "dimensions": dims, "findings": built,
        "triggers": [], "missing_procedures": [ProcedureGap(procedure="p", label="l", condition="c", source="s")],
        "rules_fired": ["a", "b"],
    }
    ev.pop(drop, None)  # a required field missing: both raise
    same(Evaluation, ev)
    same(Evaluation, {**ev, "findings": [f.model_dump() for f in built]})  # dicts, not models: validated


def test_a_validator_or_unknown_annotation_always_validates() -> None:
    class Checked(BaseModel):
        x: float

        @field_validator("x")
        @classmethod
        def double(cls, v: float) -> float:
            return v * 2

    class Odd(BaseModel):
        x: tuple[int, ...]

    assert _checks(Checked) is None and build(Checked, x=1.5).x == 3.0
    assert build(Odd, x=[1]).x == (1,)
    assert _checks(Finding) is not None
