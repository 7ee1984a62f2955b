"""The second (Delphi) round: replacement of flagged items, both rounds kept."""

from __future__ import annotations

import csv
from pathlib import Path

import riskeval
from expert_pool.review import Score, merge_rounds, review_panel
from riskeval.panel_scores import load_panel_values

from ._helpers import raw, rows_for


def first_round() -> list:
    return rows_for("P1", "JS-RSN-4", {"E1": 0, "E2": 4, "E3": 4}) + rows_for(
        "P1", "JS-CTL-1", {"E1": 10, "E2": 10, "E3": 10}, start=5
    )


def test_merge_replaces_per_expert_and_carries_the_rest() -> None:
    first = [Score("P1", "E1", "A", 0), Score("P1", "E2", "A", 4), Score("P1", "E3", "A", 4)]
    second = [Score("P1", "E1", "A", 4, round=2), Score("P1", "E4", "A", 3, round=2)]
    merged = merge_rounds(first, second)
    assert [(s.expert, s.value, s.round) for s in merged] == [
        ("E1", 4, 2), ("E2", 4, 1), ("E3", 4, 1), ("E4", 3, 2)
    ]


def test_second_round_replaces_flagged_item(panel_rules: riskeval.RuleSet) -> None:
    first = review_panel(first_round(), panel_rules)
    assert [(r.key, r.disagreement) for r in first.final] == [("JS-RSN-4", True), ("JS-CTL-1", False)]
    assert first.final[0].value == 4

    second = [raw("P1", "E1", "JS-RSN-4", 2, row=2), raw("P1", "E2", "JS-RSN-4", 2, row=3),
              raw("P1", "E3", "JS-RSN-4", 2, row=4)]
    review = review_panel(first_round(), panel_rules, round2=second)
    assert not review.errors
    table = [(r.key, r.round, r.final, r.value, r.disagreement) for r in review.results]
    assert table == [
        ("JS-RSN-4", 1, False, 4.0, True),
        ("JS-RSN-4", 2, True, 2.0, False),
        ("JS-CTL-1", 1, True, 10.0, False),
    ]
    assert review.panel_values("P1") == {"JS-RSN-4": 2.0, "JS-CTL-1": 10.0}
    assert review.delphi == []


def test_partial_second_round_keeps_first_round_scores(panel_rules: riskeval.RuleSet) -> None:
    second = [raw("P1", "E1", "JS-RSN-4", 4, row=2)]
    review = review_panel(first_round(), panel_rules, round2=second)
    final = next(r for r in review.final if r.key == "JS-RSN-4")
    assert final.round == 2 and final.scores == {"E1": 4.0, "E2": 4.0, "E3": 4.0}
    assert final.value == 4 and not final.disagreement


def test_second_round_still_disagreeing_stays_on_the_list(panel_rules: riskeval.RuleSet) -> None:
    second = [raw("P1", "E3", "JS-RSN-4", 0, row=2)]
    review = review_panel(first_round(), panel_rules, round2=second)
    assert [(r.key, r.round) for r in review.delphi] == [("JS-RSN-4", 2)]


def test_second_round_score_for_unflagged_item_is_an_error(panel_rules: riskeval.RuleSet) -> None:
    second = [raw("P1", "E1", "JS-CTL-1", 20, row=7)]
    review = review_panel(first_round(), panel_rules, round2=second)
    (err,) = review.errors
    assert err.row == 7 and err.field == "item"
    assert "第一轮没有分歧" in err.message("zh") and "was not flagged" in err.message("en")
    assert review.panel_values("P1")["JS-CTL-1"] == 10


def test_both_rounds_in_the_panel_file(panel_rules: riskeval.RuleSet, tmp_path: Path) -> None:
    second = [raw("P1", e, "JS-RSN-4", 2, row=i + 2) for i, e in enumerate(["E1", "E2", "E3"])]
    review = review_panel(first_round(), panel_rules, round2=second)
    path = tmp_path / "PANEL.csv"
    review.write(path)
    with open(path, encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == "value" and r["item"] == "JS-RSN-4"]
    assert [(r["round"], r["final"], r["value"], r["scores"]) for r in rows] == [
        ("1", "0", "4.0", "E1=0;E2=4;E3=4"),
        ("2", "1", "2.0", "E1=2;E2=2;E3=2"),
    ]
    assert rows[0]["flags"] == "spread;level" and rows[1]["disagreement"] == "0"
    assert load_panel_values(path, "P1") == {"JS-RSN-4": 2.0, "JS-CTL-1": 10.0}
