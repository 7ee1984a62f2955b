"""Every input format in, every output format out; Chinese labels; measures; bad rows per row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskeval.batch import open_rows
from riskeval.batch.columns import ColumnResolver
from riskeval.batch.run import run_batch

from .conftest import EXPECTED, labelled, read_output, write_csv


def check(out: list[dict[str, Any]], first: int | list[int] = 2) -> None:
    """The five expected rows; ``row`` is the input line (CSV, the first after the header) or sheet row."""
    got = [(r["id"], r["status"], r["initial_level"] or None, r["residual_level"] or None) for r in out]
    assert got == EXPECTED
    lines = list(range(first, first + 5)) if isinstance(first, int) else first
    assert [int(r["row"]) for r in out] == lines
    errors = {r["id"]: r["error"] for r in out}
    assert "opposition_rate" in errors["P3"] and "应为数值" in errors["P3"]
    assert "legal_compliance" in errors["P5"] and "缺少必填事实" in errors["P5"]
    assert not errors["P1"]


def write_xlsx(path: Path, rows: list[dict[str, Any]], measures: list[list[Any]] | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    ws.append(columns)
    for row in rows:
        ws.append([row.get(c) for c in columns])
    if measures:
        ms = wb.create_sheet("措施")
        for line in measures:
            ms.append(line)
    wb.save(path)
    return path


@pytest.mark.parametrize("out_suffix", [".csv", ".xlsx", ".jsonl"])
def test_csv_in_every_format_out(tmp_path, jiangsu, rows, out_suffix):
    src = write_csv(tmp_path / "in.csv", rows)
    outcome = run_batch(src, jiangsu, tmp_path / f"out{out_suffix}", workers=0)
    out = read_output(tmp_path / f"out{out_suffix}")
    check(out)
    assert outcome.stats.error_rows == 2 and outcome.written == 5
    p1 = out[0]
    if out_suffix == ".jsonl":
        assert p1["findings"] == ["JS-CTL-1"] and p1["incomplete"] is False and p1["decision"] == "proceed"
        assert out[2]["findings"] == [] and out[2]["initial_score"] is None
    elif out_suffix == ".xlsx":
        # real booleans and numbers in Excel
        assert p1["findings"] == "JS-CTL-1" and p1["incomplete"] is False
        assert isinstance(p1["initial_score"], float) and isinstance(p1["row"], int)
    else:
        assert p1["findings"] == "JS-CTL-1" and p1["incomplete"] == "false"
    assert p1["level_zh"] == "低风险" and p1["decision_zh"]
    assert float(p1["initial_score"]) == pytest.approx(0.315)


def test_chinese_label_columns_and_gbk_csv(tmp_path, jiangsu, rows):
    src = write_csv(tmp_path / "in.csv", [labelled(jiangsu, r) for r in rows], encoding="gb18030")
    with open_rows(src) as source:
        first = next(iter(source))
    assert "反对率" in first.values and "措施:反对率" in first.values and first.row == 2
    run_batch(src, jiangsu, tmp_path / "out.csv", workers=0)
    check(read_output(tmp_path / "out.csv"))


def test_xlsx_in_with_measures_sheet(tmp_path, jiangsu, rows):
    plain = [{k: v for k, v in r.items() if not k.startswith("measure:")} for r in rows]
    measures = [["项目编号", "措施编号", "措施名称", "事实", "取值"], ["P4", "M-1", "入户走访", "反对率", 5]]
    src = write_xlsx(tmp_path / "in.xlsx", [labelled(jiangsu, r) for r in plain], measures)
    outcome = run_batch(src, jiangsu, tmp_path / "out.jsonl", workers=0)
    out = read_output(tmp_path / "out.jsonl")
    check(out)
    assert out[3]["initial_score"] > out[3]["residual_score"]
    assert outcome.stats.status["ok"] == 3


def test_xlsx_measures_sheet_wide_form_and_numeric_ids(tmp_path, jiangsu, good_facts):
    rows = [{"id": 1001, **good_facts, "opposition_rate": 30}]
    measures = [
        ["id", "measure_id", "label", "opposition_rate", "反对强烈程度"],
        [1001, "M1", "协商", 1, "一般"],
    ]
    src = write_xlsx(tmp_path / "in.xlsx", rows, measures)
    run_batch(src, jiangsu, tmp_path / "out.csv", workers=0)
    (row,) = read_output(tmp_path / "out.csv")
    assert row["id"] == "1001" and (row["initial_level"], row["residual_level"]) == ("medium", "low")


def test_jsonl_in_flat_nested_and_broken_lines(tmp_path, jiangsu, rows, good_facts):
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    nested = {
        "id": "P6",
        "kind": "project",
        "facts": {**good_facts, "反对率": 30},
        "measures": [{"id": "M1", "label": "协商", "sets": {"反对率": 5}}],
    }
    lines += [json.dumps(nested, ensure_ascii=False), "{not json", "", "[1, 2]"]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = run_batch(src, jiangsu, tmp_path / "out.jsonl", workers=0)
    out = read_output(tmp_path / "out.jsonl")
    check(out[:5], first=1)
    assert (out[5]["id"], out[5]["initial_level"], out[5]["residual_level"]) == ("P6", "medium", "low")
    assert out[6]["status"] == "error" and "JSON" in out[6]["error"]
    assert (out[7]["status"], out[7]["row"]) == ("blank", 8)  # the empty line keeps its place
    assert out[8]["status"] == "error" and out[8]["row"] == 9
    assert outcome.stats.total == 9


def test_yaml_list_and_projects_key(tmp_path, jiangsu, rows):
    src = tmp_path / "in.yaml"
    text = yaml.safe_dump({"projects": rows}, allow_unicode=True)
    src.write_text(text, encoding="utf-8")
    run_batch(src, jiangsu, tmp_path / "out.csv", workers=0)
    check(read_output(tmp_path / "out.csv"), [i for i, line in enumerate(text.splitlines(), 1) if line[:2] == "- "])
    multi = tmp_path / "multi.yml"
    text = "---\n".join(yaml.safe_dump(r, allow_unicode=True) for r in rows)
    multi.write_text(text, encoding="utf-8")
    run_batch(multi, jiangsu, tmp_path / "out2.csv", workers=0)
    starts = [1] + [i + 1 for i, line in enumerate(text.splitlines(), 1) if line == "---"]
    check(read_output(tmp_path / "out2.csv"), starts)


def test_english_errors_and_unknown_columns(tmp_path, jiangsu, rows):
    src = write_csv(tmp_path / "in.csv", [{**r, "colour": "red"} for r in rows])
    outcome = run_batch(src, jiangsu, tmp_path / "out.csv", workers=0, lang="en", strict=False)
    out = read_output(tmp_path / "out.csv")
    assert "expected a number" in out[2]["error"]
    assert outcome.unknown_columns == {"colour"}
    assert outcome.stats.summary("en") == "5 rows: 3 assessed, 0 out of scope, 2 failed (rows 4, 6)"
    assert outcome.stats.summary() == "共 5 行：评估 3 行，不在评估范围 0 行，出错 2 行（第 4、6 行）"


def test_column_resolution(jiangsu):
    r = ColumnResolver(jiangsu)
    assert r.resolve("反对率").name == "opposition_rate"
    assert r.resolve("反对率（%）").name == "opposition_rate"
    assert r.resolve("项目编号").kind == "identity"
    m = r.resolve("measure:M2:opposition_rate")
    assert (m.kind, m.name, m.measure) == ("measure", "opposition_rate", "M2")
    data = r.project_data(
        {
            "id": 7.0,
            "domains": "交通；土地",
            "investment": "1,200",
            "是否": None,
            "opposition_rate": float("nan"),
            "measure:反对率": "3",
            "措施": "协商",
        }
    )
    assert data["id"] == "7" and data["domains"] == ["交通", "土地"] and data["investment"] == "1200"
    assert data["facts"] == {} and data["measures"] == [
        {"id": "M1", "label": "协商", "sets": {"opposition_rate": "3"}}
    ]


def test_extra_csv_cells_are_a_row_error(tmp_path, jiangsu, good_facts):
    src = tmp_path / "in.csv"
    header = "id," + ",".join(good_facts)
    values = ",".join("是" if v is True else "否" if v is False else str(v) for v in good_facts.values())
    src.write_text(f"{header}\nA,{values}\nB,{values},surplus\n", encoding="utf-8")
    run_batch(src, jiangsu, tmp_path / "out.csv", workers=0)
    out = read_output(tmp_path / "out.csv")
    assert [r["status"] for r in out] == ["ok", "error"] and "多" in out[1]["error"]
