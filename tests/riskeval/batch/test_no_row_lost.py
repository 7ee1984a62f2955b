"""Issue 13, "no row lost": every input record gives exactly one output row, in order, at its input line.

Each test reproduces one finding of the audit (on the old reader the run aborted, merged rows or skipped them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from riskeval.batch.run import run_batch
from riskeval.io.tables import MAX_CELL

from .conftest import read_output


def cells(good_facts: dict[str, Any]) -> tuple[str, str]:
    header = ",".join(good_facts)
    values = ",".join("是" if v is True else "否" if v is False else str(v) for v in good_facts.values())
    return header, values


def run(tmp_path: Path, jiangsu: Any, src: Path, suffix: str = ".csv") -> tuple[Any, list[dict[str, Any]]]:
    out = tmp_path / f"out{suffix}"
    outcome = run_batch(src, jiangsu, out, workers=0)
    return outcome, read_output(out)


def test_non_utf8_row_after_the_first_64k_is_one_error_row(tmp_path, jiangsu, good_facts):
    header, values = cells(good_facts)
    pad = "路" * 300  # about 0.9 KiB a line: 100 lines put the bad one past the 64 KiB detection window
    good = [f"P{i},{pad},{values}".encode() for i in range(100)]
    bad = b"P-bad," + "反对路".encode("gb18030") + b"," + values.encode()
    tail = [f"Q{i},{pad},{values}".encode() for i in range(3)]
    src = tmp_path / "in.csv"
    src.write_bytes(b"\n".join([f"id,name,{header}".encode(), *good, bad, *tail]) + b"\n")
    assert len(b"\n".join(good)) > 65536
    outcome, out = run(tmp_path, jiangsu, src)
    assert len(out) == 104 and outcome.written == 104
    assert [int(r["row"]) for r in out] == list(range(2, 106))
    errors = [r for r in out if r["status"] == "error"]
    assert [(r["row"], r["id"]) for r in errors] == [("102", "P-bad")] and "utf-8" in errors[0]["error"]
    assert out[-1]["id"] == "Q2" and out[-1]["status"] == "ok"


def test_oversized_cell_is_a_row_error(tmp_path, jiangsu, good_facts):
    header, values = cells(good_facts)
    src = tmp_path / "in.csv"
    lines = [f"id,name,{header}", f"P1,a,{values}", f"P2,{'x' * (MAX_CELL + 1)},{values}", f"P3,c,{values}"]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, out = run(tmp_path, jiangsu, src)
    assert [(r["row"], r["id"], r["status"]) for r in out] == [("2", "P1", "ok"), ("3", "P2", "error"), ("4", "P3", "ok")]
    assert "name" in out[1]["error"] and str(MAX_CELL) in out[1]["error"]


def test_deeply_nested_jsonl_line_is_a_row_error(tmp_path, jiangsu, good_facts):
    deep = '{"a":' * 50_000 + "1" + "}" * 50_000
    lines = [json.dumps({"id": "P1", **good_facts}), deep, json.dumps({"id": "P3", **good_facts})]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, out = run(tmp_path, jiangsu, src, ".jsonl")
    assert [(r["row"], r["status"]) for r in out] == [(1, "ok"), (2, "error"), (3, "ok")]
    assert "嵌套" in out[1]["error"]


def test_unterminated_quote_makes_only_its_row_an_error(tmp_path, jiangsu, good_facts):
    header, values = cells(good_facts)
    lines = [f"id,name,{header}"] + [f"P{i},n{i},{values}" for i in range(1, 181)]
    lines[3] = f'P3,"never closed,{values}'
    src = tmp_path / "in.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome, out = run(tmp_path, jiangsu, src)
    assert len(out) == 180 and [int(r["row"]) for r in out] == list(range(2, 182))
    assert [(r["row"], r["id"]) for r in out if r["status"] == "error"] == [("4", "P3")]
    assert "引号" in out[2]["error"] and outcome.stats.status["ok"] == 179


def test_yaml_list_with_one_syntax_error_keeps_the_other_items(tmp_path, jiangsu, good_facts):
    import yaml

    items = [yaml.safe_dump([{"id": f"P{i}", **good_facts}], allow_unicode=True) for i in range(1, 5)]
    items[1] = items[1].replace("id: P2", 'id: "P2', 1)  # an unclosed quote in the second item
    src = tmp_path / "in.yaml"
    text = "projects:\n" + "".join(items)
    src.write_text(text, encoding="utf-8")
    _, out = run(tmp_path, jiangsu, src)
    starts = [i for i, line in enumerate(text.splitlines(), 1) if line.startswith("- ")]
    assert [int(r["row"]) for r in out] == starts and len(out) == 4
    assert [r["status"] for r in out] == ["ok", "error", "ok", "ok"]
    assert [r["id"] for r in out if r["status"] == "ok"] == ["P1", "P3", "P4"]
    assert "YAML" in out[1]["error"]


@pytest.mark.parametrize("broken", ["id: P2\n  : :bad", "id: [P2\n", "\tid: P2\n"])
def test_yaml_top_level_list_other_syntax_errors(tmp_path, jiangsu, good_facts, broken):
    import yaml

    items = [yaml.safe_dump([{"id": f"P{i}", **good_facts}], allow_unicode=True) for i in range(1, 4)]
    items[1] = "- " + broken + "\n"
    src = tmp_path / "in.yml"
    src.write_text("".join(items), encoding="utf-8")
    _, out = run(tmp_path, jiangsu, src)
    assert [r["status"] for r in out] == ["ok", "error", "ok"]
    assert [r["id"] for r in out][::2] == ["P1", "P3"]


def test_blank_records_are_reported_and_rows_match_lines(tmp_path, jiangsu, good_facts):
    header, values = cells(good_facts)
    empty = "," * (len(good_facts) + 1)
    lines = [f"id,name,{header}", f"P1,a,{values}", "", empty, f"P2,b,{values}", "", ""]
    src = tmp_path / "in.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome, out = run(tmp_path, jiangsu, src)
    assert [(r["row"], r["status"]) for r in out] == [("2", "ok"), ("3", "blank"), ("4", "blank"), ("5", "ok")]
    assert outcome.stats.error_rows == 0
    assert outcome.stats.summary("en") == "4 rows: 2 assessed, 0 out of scope, 0 failed; 2 blank"


def test_xlsx_rows_are_sheet_rows(tmp_path, jiangsu, good_facts):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(["id", *good_facts])
    ws.append(["P1", *good_facts.values()])
    ws.append([None])
    ws.append(["P2", *good_facts.values()])
    src = tmp_path / "in.xlsx"
    wb.save(src)
    _, out = run(tmp_path, jiangsu, src, ".jsonl")
    assert [(r["row"], r["id"], r["status"]) for r in out] == [(2, "P1", "ok"), (3, None, "blank"), (4, "P2", "ok")]
