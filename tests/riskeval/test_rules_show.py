from __future__ import annotations

from openpyxl import load_workbook
from typer.testing import CliRunner

from riskeval.cli import app


def test_rules_show_markdown_is_the_scoring_table():
    result = CliRunner().invoke(app, ["rules", "show", "jiangsu-db32-4013-2021"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[4].startswith("| 维度 | 编号 | 评估条目 |")
    row = next(line for line in lines if "| JS-RSN-3 |" in line)
    assert "合理性（25）" in row and "[70, 85) → 4；[0, 70) → 6" in row and "| 6 |" in row
    assert any("JS-TRG-H1" in line and "至少高风险" in line for line in lines)


def test_rules_show_xlsx(tmp_path):
    out = tmp_path / "rules.xlsx"
    result = CliRunner().invoke(app, ["rules", "show", "national", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet.cell(2, 1).value == "维度"
    ids = {sheet.cell(r, 2).value for r in range(3, sheet.max_row + 1)}
    assert len(ids) > 30


def test_rules_show_rejects_unknown_format():
    result = CliRunner().invoke(app, ["rules", "show", "guiyang", "--format", "pdf", "--lang", "en"])
    assert result.exit_code == 2 and "usage error" in result.stderr and "markdown" in result.stderr
