"""Row validation: a clear error per row (row, field, reason), zh by default and en; nothing dropped silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import riskeval
from expert_pool.review import ReviewFileError, read_score_rows, review_panel, validate_rows
from expert_pool.review.score_files import load_assignment
from riskeval.cli import app
from riskeval.panel_scores import load_panel_values

from ._helpers import raw, write_csv

ASSIGNMENT = {"P1": ["E1", "E2", "E3"], "P2": ["E2", "E3", "E4"]}


def one_error(panel_rules: riskeval.RuleSet, row, **kw):  # type: ignore[no-untyped-def]
    from expert_pool.review import scored_items

    batch = validate_rows([row], panel_rules, scored_items(panel_rules), assignment=ASSIGNMENT, **kw)
    assert not batch.scores
    (err,) = batch.errors
    return err


@pytest.mark.parametrize(
    ("row", "field", "zh", "en"),
    [
        (raw("P1", "E1", "JS-RSN-9", 1), "item", "未知条目“JS-RSN-9”（是否为", "unknown item 'JS-RSN-9' (did you mean"),
        (raw("P1", "E1", "JS-LEG-1", 1), "item", "不由专家组评分", "is not scored by the panel"),
        (raw("P1", "E1", "JS-RSN-4", 5), "score", "超出允许范围 0–4", "outside the allowed range 0–4"),
        (raw("P1", "E1", "JS-RSN-4", -1), "score", "超出允许范围", "outside the allowed range"),
        (raw("P1", "E1", "JS-RSN-4", "高"), "score", "不是数值", "is not a number"),
        (raw("P1", "E1", "JS-RSN-4", "nan"), "score", "不是数值", "is not a number"),
        (raw("P1", "E1", "JS-RSN-4", ""), "score", "缺少分值", "missing"),
        (raw("P1", "E4", "JS-RSN-4", 1), "expert", "未被分配评审项目“P1”", "is not assigned to project 'P1'"),
        (raw("P1", "E9", "JS-RSN-4", 1), "expert", "也不在分配结果的任何项目中", "nor to any project"),
        (raw("P9", "E1", "JS-RSN-4", 1), "project", "不在分配结果中", "is not in the assignment"),
        (raw("", "E1", "JS-RSN-4", 1), "project", "不能为空", "must not be empty"),
        (raw("P1", "E1", "_chair", 1), "score", "不应有分值", "takes no score"),
    ],
)
def test_each_row_error(panel_rules: riskeval.RuleSet, row, field: str, zh: str, en: str) -> None:  # type: ignore[no-untyped-def]
    err = one_error(panel_rules, row)
    assert err.row == row.row and err.field == field and err.file == "s.csv"
    assert zh in err.message("zh") and err.render("zh").startswith("s.csv：第 2 行")
    assert en in err.message("en") and err.render("en").startswith("s.csv: row 2")
    assert err.code.startswith("pool.score_row.") and err.to_dict("en")["location"]["row"] == 2


def test_unknown_expert_against_experts_file(panel_rules: riskeval.RuleSet) -> None:
    from expert_pool.review import scored_items

    batch = validate_rows([raw("P1", "E7", "JS-RSN-4", 1)], panel_rules, scored_items(panel_rules), experts=["E1"])
    assert "未知专家“E7”" in batch.errors[0].message("zh")


def test_duplicate_and_second_chair(panel_rules: riskeval.RuleSet) -> None:
    rows = [
        raw("P1", "E1", "JS-RSN-4", 1, row=2),
        raw("P1", "E1", "JS-RSN-4", 2, row=3),
        raw("P1", "E1", "组长", opinion="同意", row=4),
        raw("P1", "E2", "_chair", opinion="也同意", row=5),
    ]
    review = review_panel(rows, panel_rules, assignment=ASSIGNMENT)
    dup, chair = review.errors
    assert dup.row == 3 and "已在第 2 行评过" in dup.message("zh") and "already in row 2" in dup.message("en")
    assert chair.row == 5 and "已有组长“E1”" in chair.message("zh")
    assert review.final[0].scores == {"E1": 1.0}  # the first row counts
    assert review.first.chairs["P1"] == ("E1", "同意")


def test_index_key_needs_part(index_rules: riskeval.RuleSet) -> None:
    review = review_panel([raw("P1", "E1", "N-LEG-1", 0.5)], index_rules)
    assert "N-LEG-1.probability" in review.errors[0].message("en")


def test_file_errors(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", "project,expert,points", ["P1,E1,2"])
    with pytest.raises(ReviewFileError) as info:
        read_score_rows(bad)
    assert "item, score" in info.value.message("en") and info.value.row == 1
    with pytest.raises(ReviewFileError):
        read_score_rows(tmp_path / "missing.csv")
    with pytest.raises(ReviewFileError):
        read_score_rows(tmp_path / "missing.xlsx")
    with pytest.raises(ReviewFileError):
        load_assignment(write_csv(tmp_path / "a.csv", "project,who", ["P1,E1"]))


def test_xlsx_long_rows(panel_rules: riskeval.RuleSet, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Project", "Expert", "Item", "Score", "Opinion"])
    ws.append(["P1", "E1", "JS-RSN-4", 2, "ok"])
    ws.append(["P1", "E2", "JS-RSN-4", 7, ""])
    wb.save(tmp_path / "s.xlsx")
    rows = read_score_rows(tmp_path / "s.xlsx")
    review = review_panel(rows, panel_rules)
    assert review.final[0].scores == {"E1": 2.0}
    (err,) = review.errors
    assert err.row == 3 and "[Sheet]" in (err.file or "")


def test_cli_lists_errors_and_still_writes(panel_rules_path: Path, tmp_path: Path) -> None:
    assignment = write_csv(tmp_path / "OUT.csv", "project,expert,score", ["P1,E1,1", "P1,E2,1", "P1,E3,1"])
    scores = write_csv(
        tmp_path / "scores.csv",
        "project,expert,item,score,opinion",
        ["P1,E1,JS-RSN-4,2,", "P1,E2,JS-RSN-4,2,", "P1,E3,JS-RSN-4,9,", "P1,E4,JS-RSN-4,2,", "P1,E3,JS-CTL-1,3,"],
    )
    out = tmp_path / "PANEL.csv"
    args = ["review", "aggregate", "--scores", str(scores), "--rules", str(panel_rules_path), "--out", str(out),
            "--assignment", str(assignment)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "2 行有错误" in result.output
    assert "第 4 行，列“score”：分值 9 超出允许范围 0–4" in result.output
    assert "第 5 行，列“expert”" in result.output
    assert load_panel_values(out, "P1") == {"JS-RSN-4": 2.0, "JS-CTL-1": 3.0}
    english = CliRunner().invoke(app, [*args, "--lang", "en"])
    assert english.exit_code == 1 and "row 4, column 'score': score 9 is outside the allowed range 0–4" in english.output


def test_cli_usage_errors(panel_rules_path: Path, tmp_path: Path) -> None:
    scores = write_csv(tmp_path / "scores.csv", "project,expert,item,score", ["P1,E1,JS-RSN-4,2"])
    base = ["review", "aggregate", "--scores", str(scores), "--rules", str(panel_rules_path), "--out", str(tmp_path / "o.csv")]
    assert CliRunner().invoke(app, [*base, "--method", "mode"]).exit_code == 2
    assert CliRunner().invoke(app, [*base, "--spread", "3"]).exit_code == 2
    missing = CliRunner().invoke(app, [*base, "--assignment", str(tmp_path / "none.csv")])
    assert missing.exit_code == 2 and "none.csv" in missing.output
    ok = CliRunner().invoke(app, base)
    assert ok.exit_code == 0, ok.output


def test_cli_template_errors_map_to_exit_codes(panel_rules_path: Path, tmp_path: Path) -> None:
    assignment = write_csv(tmp_path / "OUT.csv", "project,expert,score", ["P1,E1,1"])
    empty = write_csv(tmp_path / "EMPTY.csv", "project,expert,score", [])
    base = ["review", "template", "--rules", str(panel_rules_path), "--lang", "en"]
    not_xlsx = CliRunner().invoke(app, [*base, "--assignment", str(assignment), "--out", str(tmp_path / "s.csv")])
    assert not_xlsx.exit_code == 2 and "Excel workbook" in not_xlsx.output
    no_panel = CliRunner().invoke(app, [*base, "--assignment", str(empty), "--out", str(tmp_path / "s.xlsx")])
    assert no_panel.exit_code == 2 and "has no panel" in no_panel.output
    ok = CliRunner().invoke(app, [*base, "--assignment", str(assignment), "--out", str(tmp_path / "s.xlsx")])
    assert ok.exit_code == 0 and "wrote score sheets" in ok.output and (tmp_path / "s.xlsx").exists()
