"""The result view: words for levels and decisions, what-if when an assessment offers it, out-of-scope matters."""

from __future__ import annotations

from typing import Any

from riskeval import load_ruleset
from riskeval.assess import assess, project_from_data
from riskeval.model.assessment import Assessment
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


class _WithWhatIf(Assessment):
    what_if: list[dict[str, Any]] = []


def test_what_if_is_shown_when_the_assessment_offers_it() -> None:
    plain = _assessment({"opposition_rate": 30})
    assert what_if_view(plain) == [] and assessment_view(plain)["what_if"] == []
    offered = _WithWhatIf.model_validate(
        {**plain.model_dump(), "what_if": [{"changes": {"opposition_rate": 5, "malicious_hype": "none"}, "score": 12.5, "level": "low"}]}
    )
    (line,) = what_if_view(offered)
    assert "低风险" in line and "12.5" in line and "反对" in line and "opposition_rate" not in line
