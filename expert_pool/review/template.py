"""Score sheets (专家评分表): one Excel sheet per panel, to be filled by the experts and read back.

Each panel sheet holds, top to bottom:

1. the project id (``项目编号 project``) and the rule set;
2. the scored items (:func:`expert_pool.review.items.scored_items`): id, label, dimension, what is
   scored (分值 / 发生概率 / 影响程度), the allowed range with the usual values, and the step;
3. the score grid: one row per assigned expert (id, name), one column per scored item (Excel checks
   the range), and a column for the written opinion 书面意见;
4. the 组长 line (the chair's expert id) and the 组长综合意见 (consolidated opinion);
5. one signature line per expert (签名, 日期).

When the rule set declares no ``panel: true`` item, every item's points are offered (points method:
a value in ``[0, max]``; index method: probability and impact in ``[0, 1]``) and the sheet says so;
the assessment uses panel values only for ``panel: true`` items.

A filled workbook is read back by :func:`expert_pool.review.score_files.read_score_rows` (the markers in
column A locate each block), so ``riskeval review aggregate --scores sheets.xlsx`` works directly.

Examples
--------
>>> import riskeval, tempfile, os
>>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
>>> path = os.path.join(tempfile.mkdtemp(), "sheets.xlsx")
>>> write_template(path, {"P1": ["E1", "E2", "E3"]}, rs, names={"E1": "张三"})
['P1']
>>> from expert_pool.review.score_files import read_score_rows
>>> read_score_rows(path)
Traceback (most recent call last):
...
expert_pool.review.scores.ReviewFileError: ...没有找到评分：需要表头 project,expert,item,score 的工作表，或已填写的评分表
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from riskeval import RuleSet

from ..writing import safe_cell
from .items import ScoredItem, scored_items
from .scores import (
    CHAIR_MARKER,
    CHAIR_OPINION_MARKER,
    GRID_MARKER,
    NAME_HEADER,
    OPINION_HEADER,
    PROJECT_MARKER,
    SIGNATURES_MARKER,
)

__all__ = ["write_template", "sheet_title"]

_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def sheet_title(project: str, taken: set[str]) -> str:
    """An Excel sheet title for ``project``: forbidden characters replaced, at most 31 characters, unique.

    Parameters
    ----------
    project
        The project id.
    taken
        Titles already used (updated).

    Returns
    -------
    str

    Examples
    --------
    >>> taken = set()
    >>> sheet_title("A/B", taken), sheet_title("A:B", taken)
    ('A_B', 'A_B (2)')
    """
    base = _BAD_TITLE.sub("_", project).strip("'") or "project"
    base = base[:31]
    title, k = base, 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f" ({k})"
        title = base[: 31 - len(suffix)] + suffix
        k += 1
    taken.add(title)
    return title


def _cell(ws: Any, row: int, column: int, value: Any = None) -> Any:
    """The cell at ``(row, column)``, with ``value`` written through :func:`~expert_pool.writing.safe_cell`."""
    if value is None:
        return ws.cell(row, column)
    return ws.cell(row, column, safe_cell(value))


def _fmt(x: float) -> str | float:
    return int(x) if float(x).is_integer() else x


def write_template(
    path: str | Path,
    assignment: Mapping[str, list[str]],
    ruleset: RuleSet,
    *,
    names: Mapping[str, str] | None = None,
    items: list[ScoredItem] | None = None,
) -> list[str]:
    """Write the score sheets of every panel in ``assignment`` to the workbook ``path``.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write.
    assignment
        project id -> the panel's expert ids (:func:`expert_pool.review.score_files.load_assignment`).
    ruleset
        The rule set whose scored items are offered.
    names
        Optional expert id -> name, shown beside the ids.
    items
        The scored items (default: :func:`expert_pool.review.items.scored_items` of ``ruleset``).

    Returns
    -------
    list of str
        The sheet titles, one per project in ``assignment`` order.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    items = items if items is not None else scored_items(ruleset)
    all_offered = not any(i.panel for i in items)
    names = names or {}
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")

    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = "说明 README"
    notes = [
        "稳评专家评分表 / Expert score sheets",
        f"规则集 rules: {ruleset.title}（{ruleset.id}@{ruleset.version}）",
        "每个项目（专家组）一个工作表。每位专家在评分区自己的一行填写各条目分值（须在允许范围内）和书面意见；",
        "评审结束后组长填写组长专家编号与综合意见，全体专家在签名行签名并注明日期。",
        "填好后运行：riskeval review aggregate --scores 本文件.xlsx --rules 规则集 --out PANEL.csv",
        "One sheet per panel. Each expert fills one row of the grid (scores within the allowed range, written "
        "opinion); the chair (组长) enters their id and the consolidated opinion; every expert signs.",
    ]
    if all_offered:
        notes.append(
            "本规则集未指定专家评分条目（panel: true），故列出全部条目供专家评分；评估只采用 panel: true 条目的专家组分值。"
            " / The rule set marks no item panel: true, so every item is offered; the assessment uses panel "
            "values only for panel: true items."
        )
    for r, text in enumerate(notes, start=1):
        _cell(readme, r, 1, text).font = bold if r == 1 else Font()
    readme.column_dimensions["A"].width = 120

    taken: set[str] = {readme.title}
    titles: list[str] = []
    for project, experts in assignment.items():
        ws = wb.create_sheet(sheet_title(project, taken))
        titles.append(ws.title)
        _cell(ws, 1, 1, "稳评专家评分表 / Expert score sheet").font = Font(bold=True, size=14)
        _cell(ws, 2, 1, PROJECT_MARKER).font = bold
        _cell(ws, 2, 2, project)
        _cell(ws, 3, 1, "规则集 rules").font = bold
        _cell(ws, 3, 2, f"{ruleset.title}（{ruleset.id}@{ruleset.version}）")
        _cell(ws, 4, 1, "说明 notes").font = bold
        note = "分值越高风险越大；每行一位专家，分值须在允许范围内；书面意见必填。"
        if all_offered:
            note += "本规则集未指定专家评分条目，列出全部条目。"
        _cell(ws, 4, 2, note)

        r = 6
        heads = ["条目编号 item", "名称 label", "维度 dimension", "评分内容 part", "允许取值 allowed", "步长 step"]
        for c, text in enumerate(heads, start=1):
            cell = _cell(ws, r, c, text)
            cell.font, cell.fill = bold, head_fill
        for item in items:
            r += 1
            row = [item.key, item.label, item.dimension_label, item.part_label(), item.allowed(), _fmt(item.step)]
            for c, value in enumerate(row, start=1):
                _cell(ws, r, c, value).alignment = wrap

        r += 2
        _cell(ws, r, 1, "评分区 scores").font = bold
        for c, item in enumerate(items, start=3):
            _cell(ws, r, c, item.label if item.part == "points" else f"{item.label}·{item.part_label()}").alignment = wrap
        r += 1
        grid = [GRID_MARKER, NAME_HEADER, *[i.key for i in items], OPINION_HEADER]
        for c, text in enumerate(grid, start=1):
            cell = _cell(ws, r, c, text)
            cell.font, cell.fill = bold, head_fill
        first_row = r + 1
        for expert in experts:
            r += 1
            _cell(ws, r, 1, expert)
            _cell(ws, r, 2, names.get(expert, ""))
            for c in range(3, 3 + len(items) + 1):
                _cell(ws, r, c).fill = input_fill
        last_row = r
        for c, item in enumerate(items, start=3):
            if last_row < first_row:
                break
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1=str(item.low),
                formula2=str(item.high),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="分值超出范围 / out of range",
                error=f"{item.key}: {item.allowed()}",
            )
            ws.add_data_validation(dv)
            letter = _cell(ws, first_row, c).column_letter
            dv.add(f"{letter}{first_row}:{letter}{last_row}")

        r += 2
        _cell(ws, r, 1, CHAIR_MARKER).font = bold
        _cell(ws, r, 2).fill = input_fill
        _cell(ws, r, 3, "← 组长的专家编号 / the chair's expert id")
        r += 1
        _cell(ws, r, 1, CHAIR_OPINION_MARKER).font = bold
        _cell(ws, r, 2).fill = input_fill
        _cell(ws, r, 2).alignment = wrap
        ws.row_dimensions[r].height = 60
        r += 2
        _cell(ws, r, 1, SIGNATURES_MARKER).font = bold
        _cell(ws, r, 2, NAME_HEADER).font = bold
        _cell(ws, r, 3, "签名 signature").font = bold
        _cell(ws, r, 4, "日期 date").font = bold
        for expert in experts:
            r += 1
            _cell(ws, r, 1, expert)
            _cell(ws, r, 2, names.get(expert, ""))
            _cell(ws, r, 3).fill = input_fill
            _cell(ws, r, 4).fill = input_fill

        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 30
        for c in range(3, 3 + len(items) + 1):
            ws.column_dimensions[_cell(ws, 1, c).column_letter].width = 16
        ws.freeze_panes = None
    wb.save(path)
    return titles
