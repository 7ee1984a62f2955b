"""The result view: words for levels and decisions, what-if when an assessment offers it, out-of-scope matters."""

from __future__ import annotations

from typing import Any

from riskeval import load_ruleset
from riskeval.model.assessment import Assessment
from riskeval.pipeline import assess, project_from_data
from riskeval.web.results import assessment_view, what_if_view


def _assessment(facts: dict[str, Any] | None = None, kind: str = "project") -> Assessment:
    rs = load_ruleset("guiyang")
    base = dict(rs.tests[0].project["facts"])
    base.update(facts or {})
    return assess(project_from_data({"id": "P-1", "name": "示例工程", "kind": kind, "facts": base}), rs)


def test_levels_and_decision_in_words_and_no_ids() -> None:
    view = assessment_view(_assessment({"opposition_rate": 60}))
    assert view["level"] == "high" and view["level_words"] == "高风险"
    assert view["decision_words"].startswith("不予实施")
    assert any("反对" in phrase for phrase, _ in view["stages"][0]["triggers"])
    text = repr(view["stages"]) + repr(view["reasons"])
    rs = load_ruleset("guiyang")
    ids = [item.id for item in rs.items] + [trigger.id for trigger in rs.triggers] + list(rs.facts)
    assert [i for i in ids if i in text] == []


def test_out_of_scope_matter_has_no_level() -> None:
    rs = load_ruleset("guiyang")
    view = assessment_view(assess(project_from_data({"id": "P-2", "kind": "other", "facts": {}}), rs))
    assert view["in_scope"] is False and "level" not in view


def test_what_if_is_shown_when_the_assessment_offers_it() -> None:
    offered = _assessment({"opposition_rate": 30})
    assert offered.level != "low" and offered.what_if, "a medium or high assessment offers what-if"
    lines = what_if_view(offered)
    assert len(lines) == len(offered.what_if)
    first = offered.what_if[0]
    assert ("低风险" if first.level == "low" else "中风险") in lines[0]
    assert all("_" not in line for line in lines), "facts are named by their labels, never by ids"
    rs = load_ruleset("guiyang")
    plain = assess(project_from_data({"id": "P-1", "kind": "project", "facts": dict(rs.tests[0].project["facts"]) | {"opposition_rate": 30}}), rs, what_if=False)
    assert what_if_view(plain) == [] and assessment_view(plain)["what_if"] == []
