"""Scoring's per-rule-set lists follow a rule set changed in memory, and keep every item's score."""

from __future__ import annotations

import riskeval
from riskeval.check import check_project
from riskeval.engine import reference_fired
from riskeval.scoring import ItemScore, _plan, item_scores, score_evaluation


def test_item_scores_list_every_item_and_the_plan_follows_changed_rules() -> None:
    rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    values = check_project(riskeval.Project(id="T", facts=dict(rs.tests[0].project["facts"], opposition_rate=60)), rs).initial
    fired = reference_fired(rs, values)
    scores = item_scores(rs, values, fired, None)
    assert [s.item.id for s in scores] == [i.id for i in rs.items]
    assert all(isinstance(s, ItemScore) for s in scores)
    assert {s.status for s in scores} == {"scored", "not_applicable"}
    before = score_evaluation(rs, "initial", values, fired)
    plan = _plan(rs)
    scored = next(f for f in before.findings if f.contribution > 0)
    rs.rules = [r for r in rs.rules if r.ref != scored.item]  # the item can no longer fire
    after = score_evaluation(rs, "initial", values, fired)
    assert _plan(rs) is not plan
    assert scored.item not in [f.item for f in after.findings]
    assert after.score < before.score
