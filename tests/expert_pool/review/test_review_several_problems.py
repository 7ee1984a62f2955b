"""A score file with several bad rows: every one is reported, with its code and location (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

import expert_pool as ep
import riskeval
from expert_pool.review import read_score_rows, review_panel


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_review_scores_three_bad_rows(panel_rules_path: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "project,expert,item,score\n"
                  "P1,E1,JS-RSN-4,2\nP1,E2,JS-RSN-4,9\nP1,E3,JS-RSN-9,1\nP1,,JS-RSN-4,1\nP1,E4,JS-RSN-4,2\n")
    review = review_panel(read_score_rows(path), riskeval.load_ruleset(panel_rules_path))
    assert [(e.code, e.row, e.field) for e in review.errors] == [
        ("pool.score_row.out_of_range", 3, "score"),
        ("pool.score_row.unknown_item_hint", 4, "item"),
        ("pool.score_row.empty", 5, "expert"),
    ]
    with pytest.raises(ep.PoolInputError) as info:
        review.raise_for_errors()
    assert len(info.value.problems) == 3 and info.value.message("en").startswith("3 rows have errors")


def test_unreadable_score_row_is_reported_and_the_rest_aggregated(panel_rules: riskeval.RuleSet, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"project,expert,item,score\nP1,E1,JS-RSN-4,2\nP1,\xff\xfe,JS-RSN-4,1\nP1,E3,JS-RSN-4,2\n")
    review = review_panel(read_score_rows(path), panel_rules)
    assert [(e.code, e.row) for e in review.errors] == [("pool.score_row.unreadable", 3)]
    assert review.final[0].scores == {"E1": 2.0, "E3": 2.0}
