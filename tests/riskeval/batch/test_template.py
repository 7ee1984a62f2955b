"""``riskeval template``: Chinese headers, drop-downs, header notes, required columns, an example row that
``riskeval batch`` reads back unchanged and assesses."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from riskeval import load_ruleset
from riskeval.batch.template import OPTIONS_SHEET, TEMPLATE_SHEET, template_columns
from riskeval.cli import app

runner = CliRunner()


@pytest.mark.parametrize("rules", ["guiyang", "jiangsu-db32-4013-2021", "national"])
def test_template_then_batch_assesses_the_example_row(tmp_path, rules):
    template = tmp_path / "projects.xlsx"
    result = runner.invoke(app, ["template", "--rules", rules, "--out", str(template)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["batch", str(template), "--rules", rules, "--out", str(out), "--workers", "0"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    assert rows[0]["status"] == "ok" and rows[0]["row"] == 2 and rows[0]["id"] == "示例-001"
    assert rows[0]["level_zh"] and rows[0]["decision_zh"]


def test_template_layout(tmp_path):
    rs = load_ruleset("guiyang")
    template = tmp_path / "projects.xlsx"
    assert runner.invoke(app, ["template", "--rules", "guiyang", "--out", str(template)]).exit_code == 0
    wb = load_workbook(template)
    ws = wb[TEMPLATE_SHEET]
    assert wb[OPTIONS_SHEET].sheet_state == "hidden"
    header = [c.value for c in ws[1]]
    cols = template_columns(rs)
    assert header == [c["header"] for c in cols]
    # headers are labels, never fact names
    assert not set(header) & set(rs.facts)
    assert {rs.facts[n].label for n in rs.facts} <= set(header)
    # a drop-down for every option and yes/no fact, fed from the hidden sheet
    validated = {str(r).split(":")[0] for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    letters = {h: ws.cell(row=1, column=i + 1).column_letter for i, h in enumerate(header)}
    for name, decl in rs.facts.items():
        if decl.type in ("option", "bool"):
            assert f"{letters[decl.label]}2" in validated, name
    assert all(OPTIONS_SHEET in dv.formula1 for dv in ws.data_validations.dataValidation)
    # units and ranges in the header comments; required columns marked
    rate = next(n for n, d in rs.facts.items() if d.unit == "%" and d.max is not None)
    note = ws[f"{letters[rs.facts[rate].label]}1"].comment.text
    assert "单位：%" in note and "范围：0 ～ 100" in note and rate in note
    for name in rs.required_facts:
        cell = ws[f"{letters[rs.facts[name].label]}1"]
        assert "必填" in cell.comment.text and cell.font.b and cell.font.color.rgb.endswith("C00000")
    optional = [n for n in rs.facts if n not in rs.required_facts and not rs.facts[n].required_when]
    for name in optional:
        assert "选填" in ws[f"{letters[rs.facts[name].label]}1"].comment.text
    # one example row, option values as labels
    assert ws.max_row == 2
    kind = ws[f"{letters['事项类型']}2"].value
    assert kind == "重大工程项目"


def test_template_refuses_other_suffixes(tmp_path):
    result = runner.invoke(app, ["template", "--rules", "guiyang", "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and not (tmp_path / "t.csv").exists()


def test_template_without_example_has_only_headers(tmp_path):
    template = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["template", "--rules", "guiyang", "--out", str(template), "--no-example"]).exit_code == 0
    assert load_workbook(template)[TEMPLATE_SHEET].max_row == 1
