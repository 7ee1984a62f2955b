"""Score sheets: one per panel, the scored items, a row per expert, opinions, the chair and signatures."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import riskeval
from expert_pool.review import read_score_rows, review_panel, write_template
from expert_pool.review.scores import CHAIR_MARKER, CHAIR_OPINION_MARKER, GRID_MARKER, SIGNATURES_MARKER
from expert_pool.review.template import sheet_title

ASSIGNMENT = {"P1": ["E1", "E2", "E3"], "P/2": ["E2", "E3", "E4", "E5", "E6"]}


def column(ws, c: int) -> list:  # type: ignore[no-untyped-def]
    return [ws.cell(r, c).value for r in range(1, ws.max_row + 1)]


def find_row(ws, text: str) -> int:  # type: ignore[no-untyped-def]
    return column(ws, 1).index(text) + 1


@pytest.fixture()
def sheets(panel_rules: riskeval.RuleSet, tmp_path: Path) -> Path:
    path = tmp_path / "sheets.xlsx"
    titles = write_template(path, ASSIGNMENT, panel_rules, names={"E1": "张三"})
    assert titles == ["P1", "P_2"]
    return path


def test_one_sheet_per_panel_with_items(sheets: Path) -> None:
    wb = openpyxl.load_workbook(sheets)
    assert wb.sheetnames == ["说明 README", "P1", "P_2"]
    ws = wb["P1"]
    assert ws.cell(2, 2).value == "P1"
    items = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 7)] for r in (7, 8)}
    assert items["JS-RSN-4"] == ["引发攀比", "合理性", "分值", "0–4（较小 0 / 有可能 2 / 较大 4）", 2]
    assert items["JS-CTL-1"][:4] == ["群众意见分析", "可控性", "分值", "0–35"]
    grid = find_row(ws, GRID_MARKER)
    header = [ws.cell(grid, c).value for c in range(1, 6)]
    assert header == [GRID_MARKER, "姓名 name", "JS-RSN-4", "JS-CTL-1", "书面意见 opinion"]
    assert column(ws, 1)[grid : grid + 3] == ["E1", "E2", "E3"]
    assert ws.cell(grid + 1, 2).value == "张三"
    assert len(wb["P_2"].data_validations.dataValidation) == 2
    dv = ws.data_validations.dataValidation[0]
    assert (dv.formula1, dv.formula2) == ("0.0", "4.0")


def test_chair_and_signature_lines(sheets: Path) -> None:
    ws = openpyxl.load_workbook(sheets)["P_2"]
    assert find_row(ws, CHAIR_MARKER) < find_row(ws, CHAIR_OPINION_MARKER) < find_row(ws, SIGNATURES_MARKER)
    sig = find_row(ws, SIGNATURES_MARKER)
    assert column(ws, 1)[sig : sig + 5] == ["E2", "E3", "E4", "E5", "E6"]
    assert ws.cell(sig, 3).value == "签名 signature" and ws.cell(sig, 4).value == "日期 date"


def test_no_panel_items_offers_every_item(jiangsu: riskeval.RuleSet, tmp_path: Path) -> None:
    path = tmp_path / "all.xlsx"
    write_template(path, {"P1": ["E1"]}, jiangsu)
    wb = openpyxl.load_workbook(path)
    ws = wb["P1"]
    grid = find_row(ws, GRID_MARKER)
    keys = [ws.cell(grid, c).value for c in range(3, 3 + len(jiangsu.items))]
    assert keys == [i.id for i in jiangsu.items]
    assert "列出全部条目" in ws.cell(4, 2).value
    assert any("panel: true" in (c.value or "") for c in wb["说明 README"]["A"])


def test_filled_sheet_reads_back(panel_rules: riskeval.RuleSet, sheets: Path) -> None:
    wb = openpyxl.load_workbook(sheets)
    ws = wb["P1"]
    grid = find_row(ws, GRID_MARKER)
    for k, (a, b, text) in enumerate([(0, 10, "风险可控"), (2, 12, ""), (2, 11, "同意")]):
        ws.cell(grid + 1 + k, 3, a)
        ws.cell(grid + 1 + k, 4, b)
        if text:
            ws.cell(grid + 1 + k, 5, text)
    ws.cell(find_row(ws, CHAIR_MARKER), 2, "E2")
    ws.cell(find_row(ws, CHAIR_OPINION_MARKER), 2, "综合意见：可以实施")
    sig = find_row(ws, SIGNATURES_MARKER)
    ws.cell(sig + 1, 3, "张三")
    ws.cell(sig + 1, 4, "2024-05-01")
    wb.save(sheets)
    rows = read_score_rows(sheets)
    review = review_panel(rows, panel_rules, assignment=ASSIGNMENT)
    assert not review.errors
    assert review.panel_values("P1") == {"JS-RSN-4": 2.0, "JS-CTL-1": 11.0}
    assert review.first.chairs["P1"] == ("E2", "综合意见：可以实施")
    assert review.first.notes[("P1", "E1")].signature == "张三 2024-05-01"
    assert review.first.notes[("P1", "E1")].opinion == "风险可控"
    assert str(rows[0].file).endswith("[P1]") and rows[0].row == grid + 1


def test_sheet_titles_are_valid_and_unique() -> None:
    taken: set[str] = set()
    long = "x" * 40
    assert sheet_title(long, taken) == "x" * 31
    assert sheet_title(long, taken) == "x" * 27 + " (2)"
    assert sheet_title("a[b]*?", taken) == "a_b___"
