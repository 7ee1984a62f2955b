"""Conditions written the way people write on paper get a message saying what to write instead."""

from __future__ import annotations

import pytest

from riskeval.i18n import t
from riskeval.ruleset.conditions import ConditionError, FactSpec, parse_condition
from riskeval.ruleset.formula import parse_formula
from riskeval.ruleset.hints import normalize, suggest

FACTS = {
    "satisfaction_rate": FactSpec("number", label="满意度"),
    "opposition_rate": FactSpec("number", label="反对率"),
    "hearing_held": FactSpec("bool", label="已召开听证会"),
    "a": FactSpec("number"),
    "b": FactSpec("bool"),
    "impact": FactSpec("option", {"none": "不涉及", "nimby": "涉邻避"}, label="环境影响"),
}


def _error(text: str) -> ConditionError:
    with pytest.raises(ConditionError) as info:
        parse_condition(text, FACTS)
    return info.value


@pytest.mark.parametrize(
    ("text", "found", "write", "fixed", "offset"),
    [
        ("满意度＞80", "满意度", "satisfaction_rate", "satisfaction_rate > 80", 0),
        ("满意度 > 80", "满意度", "satisfaction_rate", "satisfaction_rate > 80", 0),
        ("satisfaction_rate＞80", "＞", ">", "satisfaction_rate > 80", 17),
        ("a ≥ 1 且 b", "≥", ">=", "a >= 1 and b", 2),
        ("a >= 1 且 b", "且", "and", "a >= 1 and b", 7),
        ("a >= 1 或者 not b", "或者", "or", "a >= 1 or not b", 7),
        ("opposition_rate > 50%", "50%", "50", "opposition_rate > 50", 18),
        ("反对率 ≥ 20 并且 已召开听证会", "反对率", "opposition_rate", "opposition_rate >= 20 and hearing_held", 0),
        ("（a > 1） or b", "（", "(", "(a > 1) or b", 0),
        ("a = 1", "=", "==", "a == 1", 2),
        ("impact == “涉邻避”", "“", '"', 'impact == "涉邻避"', 10),
    ],
)
def test_paper_spellings(text: str, found: str, write: str, fixed: str, offset: int) -> None:
    err = _error(text)
    assert err.code == "cond.write_instead"
    assert (err.params["found"], err.params["write"], err.params["fixed"], err.offset) == (found, write, fixed, offset)
    parse_condition(fixed, FACTS)  # the suggestion is itself valid
    zh, en = t(err.code, "zh", **err.params), t(err.code, "en", **err.params)
    assert f"“{found}” 应写成 “{write}”" in zh and fixed in zh
    assert f"write '{write}' instead of '{found}'" in en


def test_quoted_text_is_left_alone() -> None:
    assert suggest('impact == "涉邻避"', {"impact": "环境影响"}) is None
    assert normalize('"且" in domains 且 b', {}) == '"且" in domains and b'


def test_formula_label_is_answered_with_the_name() -> None:
    with pytest.raises(ConditionError) as info:
        parse_formula("35 * 反对率 / 100", {"opposition_rate"}, {"opposition_rate": "反对率"})
    assert info.value.params["fixed"] == "35 * opposition_rate / 100"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("(a > 1", "cond.unclosed"),
        ('impact == "nimby', "cond.unclosed_quote"),
        ("a > > 1", "cond.syntax"),
        ("a > 1 ¥ b", "cond.bad_char"),
    ],
)
def test_python_syntax_errors_are_catalogue_messages(text: str, code: str) -> None:
    err = _error(text)
    assert err.code == code
    assert t(err.code, "zh", **err.params) != err.code


def test_rule_file_condition_hint_points_at_the_label(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from riskeval.ruleset import validate_file

    valid = (Path(__file__).parent / "corpus" / "valid.yaml").read_text(encoding="utf-8")
    path = tmp_path / "r.yaml"
    path.write_text(valid.replace("when: opposition_rate > 50,", "when: 反对率＞50,"), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, x in enumerate(lines) if "反对率＞50" in x)
    problems = validate_file(path)
    assert [(p.code, p.line, p.column) for p in problems] == [("cond.write_instead", line + 1, lines[line].index("反对率＞") + 1)]
    assert "opposition_rate > 50" in problems[0].message("zh")
