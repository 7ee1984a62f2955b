"""A rule set as the familiar 评估细则 table: dimension, item, bands, points, source."""

from __future__ import annotations

from pathlib import Path

from ..io.tables import xlsx_row
from ..ruleset.compiled import RuleSet

__all__ = ["HEADERS", "SHEET", "branch_text", "rule_rows", "rules_markdown", "rules_xlsx", "value_text"]

SHEET = "评估细则"
"""The worksheet of the rule table (``riskeval rules import`` reads it back)."""

HEADERS = ["维度", "编号", "评估条目", "适用条件", "分档与分值", "满分/权重", "风险类别", "依据", "可信度"]


def branch_text(label: str) -> str:
    """A branch as the table shows it: ``full（全部符合）`` or ``[70, 85)``."""
    return label.split(" ", 2)[-1]


def value_text(ruleset: RuleSet, item_id: str, field: str) -> str:
    """One value of an item (``points``, ``probability`` or ``impact``) as the table shows it."""
    compiled = ruleset.item_values.get(item_id, {}).get(field)
    if compiled is None:
        return ""
    if compiled.kind == "const":
        return f"{compiled.const:g}"
    if compiled.kind == "table":
        return "；".join(f"{branch_text(label)} → {value:g}" for _, value, label in compiled.branches)
    if compiled.kind == "formula":
        return compiled.formula_text or ""
    return "专家组评分"


def _value_text(ruleset: RuleSet, item_id: str) -> str:
    parts = []
    for field in ruleset.item_values.get(item_id, {}):
        prefix = "" if field == "points" else ("P: " if field == "probability" else "I: ")
        parts.append(prefix + value_text(ruleset, item_id, field))
    return " / ".join(dict.fromkeys(parts))


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def rule_rows(ruleset: RuleSet) -> list[list[str]]:
    """One row per item, in dimension order, plus rows for triggers and procedures."""
    rows: list[list[str]] = []
    for dim in ruleset.dimensions:
        for item in (i for i in ruleset.items if i.dimension == dim.id):
            size = item.max if ruleset.scoring.method == "points" else item.weight
            rows.append(
                [
                    f"{dim.label}（{_num(dim.max if dim.max is not None else dim.weight)}）",
                    item.id,
                    item.label,
                    item.when or "",
                    _value_text(ruleset, item.id),
                    "" if size is None else f"{size:g}",
                    item.category or "",
                    item.source,
                    item.confidence,
                ]
            )
    level_names = {"high": "高", "medium": "中", "low": "低"}
    for trig in ruleset.triggers:
        when = trig.when or ""
        if trig.factors:
            need = trig.min_factors or len(trig.factors)
            when = "；".join(filter(None, [when, f"{'、'.join(trig.factors)} 中至少 {need} 项命中"]))
        rows.append(["直接触发", trig.id, trig.label, when, f"至少{level_names[trig.level]}风险", "", "", trig.source, trig.confidence])
    for proc in ruleset.procedures:
        rows.append(["必经程序", proc.id, proc.label, proc.required_when or "总是", proc.satisfied, "", "", proc.source, proc.confidence])
    for level in ("low", "medium", "high"):
        band = ruleset.scoring.levels[level]
        rows.append(["等级划分", level, f"{level_names[level]}风险", "", band.range, "", "", ruleset.scoring.source or "", ruleset.scoring.confidence or ""])
    return rows


def rules_markdown(ruleset: RuleSet) -> str:
    """The rule table as Markdown."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"# {ruleset.title}", "", f"编号 {ruleset.id}，版本 {ruleset.version}，计分方法 {ruleset.scoring.method}", ""]
    lines.append("| " + " | ".join(HEADERS) + " |")
    lines.append("|" + "---|" * len(HEADERS))
    for row in rule_rows(ruleset):
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def rules_xlsx(ruleset: RuleSet, path: str | Path) -> None:
    """The rule table as an Excel workbook (text cells only, none of them a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(xlsx_row(ws, [ruleset.title]))
    ws.append(xlsx_row(ws, HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rule_rows(ruleset):
        ws.append(xlsx_row(ws, row))
    for col, width in zip("ABCDEFGHI", (14, 14, 30, 30, 40, 10, 18, 30, 8), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
