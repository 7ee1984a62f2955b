"""``riskeval rules import``: the 评估细则 table edited in Excel, written back into the rule file's text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import riskeval
from riskeval.cli import app
from riskeval.report.ruletable import SHEET, rules_xlsx
from riskeval.report.ruletable_import import RuleTableError, import_rule_table

RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture()
def rules_dir(tmp_path: Path) -> Path:
    """Copies of the bundled files (guiyang extends jiangsu by name)."""
    for name in ("jiangsu-db32-4013-2021.yaml", "national.yaml", "guiyang.yaml"):
        shutil.copy(RULES / name, tmp_path / name)
    return tmp_path


def _table(rs: riskeval.RuleSet, path: Path) -> Path:
    rules_xlsx(rs, path)
    return path


def _row(ws, ident: str) -> int:
    for row in ws.iter_rows(min_row=3):
        if row[1].value == ident:
            return row[0].row
    raise AssertionError(ident)


def _edit(path: Path, edits: dict[tuple[str, str], object]) -> None:
    wb = load_workbook(path)
    ws = wb[SHEET]
    for (ident, column), value in edits.items():
        ws[f"{column}{_row(ws, ident)}"] = value
    wb.save(path)


@pytest.mark.parametrize("name", ["jiangsu-db32-4013-2021.yaml", "national.yaml", "guiyang.yaml"])
def test_round_trip_without_edits_keeps_the_file_and_its_hash(rules_dir, tmp_path, name):
    base = rules_dir / name
    rs = riskeval.load_ruleset(base)
    table = _table(rs, tmp_path / "t.xlsx")
    text = import_rule_table(table, base)
    assert text == base.read_text(encoding="utf-8")
    out = rules_dir / f"out-{name}"
    out.write_text(text, encoding="utf-8")
    again = riskeval.load_ruleset(out)
    assert again.content_hash == rs.content_hash


def test_edits_are_written_at_their_place_keeping_comments(rules_dir, tmp_path):
    base = rules_dir / "jiangsu-db32-4013-2021.yaml"
    rs = riskeval.load_ruleset(base)
    table = _table(rs, tmp_path / "t.xlsx")
    _edit(
        table,
        {
            ("JS-LEG-2", "C"): "内容合法、前置要件齐全",  # label
            ("JS-LEG-2", "E"): "full（全部符合） → 0；basic（基本符合） → 3；none（不符合） → 5",  # points
            ("JS-RSN-3", "E"): "[80, 100] → 0；[70, 80) → 4；[0, 70) → 6",  # band edges
            ("JS-TRG-M2", "D"): "possible_incident_size >= 80",  # trigger threshold
            ("JS-TRG-H2", "E"): "至少中风险",  # trigger level
            ("medium", "E"): "(20, 30]",  # cut-offs
            ("high", "E"): "(30, 100]",
            ("JS-CTL-1", "H"): "DB32/T 4013-2021 评分表（修改稿）",  # a folded block scalar before
        },
    )
    text = import_rule_table(table, base)
    old = base.read_text(encoding="utf-8")
    assert [line for line in old.splitlines() if line.lstrip().startswith("#")] == [
        line for line in text.splitlines() if line.lstrip().startswith("#")
    ]
    assert "label: 内容合法、前置要件齐全" in text and "map: {full: 0, basic: 3, none: 5}" in text
    assert 'bands: {"[80, 100]": 0, "[70, 80)": 4, "[0, 70)": 6}' in text
    assert "when: possible_incident_size >= 80, level: medium" in text
    assert "when: possible_incident_size >= 200, level: medium" in text
    assert 'medium: {range: "(20, 30]"' in text and 'high: {range: "(30, 100]"' in text
    out = rules_dir / "edited.yaml"
    out.write_text(text, encoding="utf-8")
    edited = riskeval.load_ruleset(out, strict_tests=False)
    assert edited.item("JS-LEG-2").label == "内容合法、前置要件齐全"
    assert edited.item("JS-CTL-1").source == "DB32/T 4013-2021 评分表（修改稿）"
    assert edited.item("JS-CTL-1").note == rs.item("JS-CTL-1").note  # the next key is intact
    assert edited.level_for(31) == "high" and edited.level_for(25) == "medium"
    assert next(t for t in edited.triggers if t.id == "JS-TRG-H2").level == "medium"
    assert edited.content_hash != rs.content_hash


def test_index_values_and_weights(rules_dir, tmp_path):
    base = rules_dir / "national.yaml"
    rs = riskeval.load_ruleset(base)
    table = _table(rs, tmp_path / "t.xlsx")
    _edit(
        table,
        {
            ("N-LEG-1", "E"): "P: full（全部符合） → 0.2；basic（基本符合） → 0.6；none（不符合） → 0.9 / I: 0.85",
            ("N-LEG-1", "F"): 0.35,
            ("N-LEG-2", "F"): "0.4",
        },
    )
    text = import_rule_table(table, base)
    out = rules_dir / "edited.yaml"
    out.write_text(text, encoding="utf-8")
    edited = riskeval.load_ruleset(out, strict_tests=False)
    item = edited.item("N-LEG-1")
    assert item.weight == 0.35 and item.impact == 0.85
    assert item.probability.map == {"full": 0.2, "basic": 0.6, "none": 0.9}  # type: ignore[union-attr]
    assert edited.item("N-LEG-2").weight == 0.4


def _errors(table: Path, base: Path) -> list[str]:
    with pytest.raises(RuleTableError) as info:
        import_rule_table(table, base)
    assert info.value.exit_code == 1
    return info.value.render("zh").splitlines()


def test_bad_cells_are_named_by_sheet_and_cell(rules_dir, tmp_path):
    base = rules_dir / "jiangsu-db32-4013-2021.yaml"
    rs = riskeval.load_ruleset(base)
    table = _table(rs, tmp_path / "t.xlsx")
    wb = load_workbook(table)
    ws = wb[SHEET]
    r_leg, r_rsn, r_trg, r_ctl = (_row(ws, i) for i in ("JS-LEG-1", "JS-RSN-3", "JS-TRG-H1", "JS-CTL-2"))
    wb.close()
    _edit(
        table,
        {
            ("JS-LEG-1", "F"): "三分",
            ("JS-RSN-3", "E"): "[85, 100] → 0；[70, 85) → 4",
            ("JS-TRG-H1", "E"): "很高",
            ("JS-CTL-2", "E"): "none（无） → 0；some（有） → 一分；serious（较大） → 3",
            ("JS-CTL-3", "I"): "X",
        },
    )
    lines = _errors(table, base)
    assert len(lines) == 5, lines
    assert f"{table}：评估细则!F{r_leg}：“三分” 不是数字" in lines
    assert any(f"评估细则!E{r_rsn}：分档数目不对：应有 3 档" in line for line in lines)
    assert f"{table}：评估细则!E{r_trg}：等级应写作“至少高风险”“至少中风险”或“至少低风险”，实际“很高”" in lines
    assert f"{table}：评估细则!E{r_ctl}：“一分” 不是数字" in lines
    assert any("评估细则!I" in line and "可信度只能是 V、S 或 U，实际“X”" in line for line in lines)


def test_edits_that_break_the_rule_file_point_at_the_cell(rules_dir, tmp_path):
    base = rules_dir / "jiangsu-db32-4013-2021.yaml"
    rs = riskeval.load_ruleset(base)
    table = _table(rs, tmp_path / "t.xlsx")
    _edit(table, {("JS-RSN-3", "E"): "[85, 100] → 0；[75, 85) → 4；[0, 70) → 6", ("JS-TRG-M2", "D"): "possible_incident_size ≥ 80"})
    lines = _errors(table, base)
    assert any("评估细则!E" in line and "空档" in line for line in lines), lines
    assert any("评估细则!D" in line and "“≥” 应写成 “>=”" in line for line in lines), lines


def test_unknown_rows_and_inherited_items(rules_dir, tmp_path):
    base = rules_dir / "guiyang.yaml"
    rs = riskeval.load_ruleset(base)
    table = _table(rs, tmp_path / "t.xlsx")
    _edit(table, {("JS-LEG-1", "C"): "实施主体合法", ("GY-TRG-M2", "D"): "petitions_12m >= 40"})
    wb = load_workbook(table)
    ws = wb[SHEET]
    ws.append(["直接触发", "GY-TRG-X9", "新增", "petitions_12m >= 1", "至少中风险", "", "", "x", "U"])
    wb.save(table)
    lines = _errors(table, base)
    assert any("评估细则!C" in line and "评估条目 JS-LEG-1 不在规则文件 guiyang.yaml 中" in line for line in lines), lines
    assert any("规则文件中没有编号为 “GY-TRG-X9” 的直接触发" in line for line in lines), lines
    assert not any("GY-TRG-M2" in line for line in lines)


def test_missing_sheet_is_an_error(rules_dir, tmp_path):
    from openpyxl import Workbook

    table = tmp_path / "other.xlsx"
    wb = Workbook()
    wb.active.title = "Sheet1"  # type: ignore[union-attr]
    wb.save(table)
    lines = _errors(table, rules_dir / "national.yaml")
    assert lines == [f"{table}：工作簿中没有“评估细则”工作表（现有：Sheet1）"]


def test_cli_rules_import(rules_dir, tmp_path):
    base = rules_dir / "jiangsu-db32-4013-2021.yaml"
    table = tmp_path / "t.xlsx"
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "show", str(base), "--format", "xlsx", "--out", str(table)])
    assert result.exit_code == 0, result.output
    _edit(table, {("JS-LEG-3", "E"): "true（是） → 0；false（否） → 1"})
    out = rules_dir / "new.yaml"
    result = runner.invoke(app, ["rules", "import", str(table), "--base", str(base), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "map: {true: 0, false: 1}" in out.read_text(encoding="utf-8")
    _edit(table, {("JS-LEG-3", "F"): "两分"})
    result = runner.invoke(app, ["rules", "import", str(table), "--base", str(base), "--out", str(rules_dir / "bad.yaml")])
    assert result.exit_code == 1 and "评估细则!F" in result.output and "不是数字" in result.output
    assert not (rules_dir / "bad.yaml").exists()
