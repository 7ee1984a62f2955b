"""The decision list of the audit is read by the one table reader: encodings, input lines, row errors."""

from __future__ import annotations

import pytest

from riskeval.gate import AuditInputError, read_decisions


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b"")])
def test_encodings_and_input_lines(tmp_path, encoding, bom):
    path = tmp_path / "decisions.csv"
    text = "项目编号,决策日期,决策结果\n甲-1,2024-05-01,批准\n\n乙-2,2024-05-02T10:00,不批准\n"
    path.write_bytes(bom + text.encode(encoding))
    rows = read_decisions(path)
    assert [(r.line, r.project_id, r.outcome) for r in rows] == [(2, "甲-1", "批准"), (4, "乙-2", "不批准")]


def test_a_line_that_cannot_be_read_names_its_line(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_bytes(b"project_id,date\nP1,2024-05-01\nP2,\xff\xfe\n")
    with pytest.raises(AuditInputError) as info:
        read_decisions(path)
    assert info.value.reason == "row" and info.value.params["line"] == 3
    assert "第 3 行" in info.value.message("zh")


def test_unreadable_file_and_missing_columns(tmp_path):
    with pytest.raises(AuditInputError) as info:
        read_decisions(tmp_path / "none.csv")
    assert info.value.reason == "file" and "none.csv" in info.value.message("en")
    path = tmp_path / "d.csv"
    path.write_text("id,when\nP1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(AuditInputError) as info:
        read_decisions(path)
    assert info.value.reason == "columns" and info.value.params["columns"] == "date"


def test_xlsx_decision_list_with_sheet_rows(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["project_id", "date"])
    ws.append(["P1", "2024-05-01"])
    ws.append([None, None])
    ws.append(["P2", "2024-05-03"])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    assert [(r.line, r.project_id) for r in read_decisions(path)] == [(2, "P1"), (4, "P2")]
