"""The batch report as an Excel workbook: one sheet per table of the HTML report, with native bar charts.

Every cell goes through :func:`riskeval.io.tables.xlsx_row`: text that a spreadsheet would run as a formula
is written as text with Excel's quote prefix, numbers as numbers; the workbook holds no formula.

Examples
--------
>>> import pathlib, tempfile
>>> from openpyxl import load_workbook
>>> from riskeval.batch.runner import BatchRow
>>> from riskeval.batch.stats import BatchStats
>>> stats = BatchStats()
>>> stats.add(BatchRow(1, "A", "ok", "low", 1.0, "low", 1.0, "proceed", False, []))
>>> path = write_xlsx_report(pathlib.Path(tempfile.mkdtemp()) / "r.xlsx", stats)
>>> load_workbook(path).sheetnames[:3]
['概览', '风险等级（措施前、措施后）', '决策结论']
"""

from __future__ import annotations

import re
from pathlib import Path

from ..batch.stats import BatchStats, ReportTable
from ..i18n import normalize_lang, register_messages, t
from ..io.tables import xlsx_row
from ..ruleset.compiled import RuleSet

register_messages(
    {
        "xlsx.overview.ruleset": {"zh": "规则集", "en": "rule set"},
        "xlsx.overview.input": {"zh": "输入", "en": "input"},
        "xlsx.overview.interrupted": {"zh": "已中断", "en": "interrupted"},
    }
)

__all__ = ["write_xlsx_report", "sheet_title"]

_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, used: set[str]) -> str:
    """A valid, unique worksheet title (at most 31 characters, no ``[]:*?/\\``).

    Examples
    --------
    >>> sheet_title("a/b" * 20, set())
    'a_ba_ba_ba_ba_ba_ba_ba_ba_ba_ba'
    """
    base = _BAD.sub("_", title)[:31] or "sheet"
    name, n = base, 2
    while name in used:
        suffix = f"_{n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def _chart(ws: object, table: ReportTable, rows: int, anchor: str) -> None:
    from openpyxl.chart import BarChart, Reference

    if not table.chart or rows == 0:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = table.title
    chart.height = max(6.0, 0.6 * rows + 3)
    chart.width = 18
    if table.key == "factors":
        first_col, width, label_col = 4, 2, 2
    else:
        first_col, width, label_col = 2, max(1, len(table.series)), 1
    if table.chart == "stacked":
        chart.grouping = "stacked"
        chart.overlap = 100
    data = Reference(ws, min_col=first_col, max_col=first_col + width - 1, min_row=1, max_row=rows + 1)
    cats = Reference(ws, min_col=label_col, min_row=2, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    ws.add_chart(chart, anchor)  # type: ignore[attr-defined]


def write_xlsx_report(
    path: str | Path,
    stats: BatchStats,
    *,
    ruleset: RuleSet | None = None,
    source: str | None = None,
    lang: str = "zh",
    interrupted: bool = False,
) -> Path:
    """Write the report tables to an ``.xlsx`` workbook (one sheet per table, charts beside them).

    Parameters
    ----------
    path
        The workbook to write.
    stats
        The run's counters.
    ruleset, source, lang, interrupted
        As for :func:`riskeval.report.html.render_html`.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    lang = normalize_lang(lang)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="E8EAF6")
    for table in stats.tables(lang):
        ws = wb.create_sheet(sheet_title(table.title, used))
        ws.append(xlsx_row(ws, table.headers))
        for cell in ws[1]:
            cell.font = head_font
            cell.fill = head_fill
        for row in table.rows:
            ws.append(xlsx_row(ws, list(row)))
        for i, header in enumerate(table.headers, start=1):
            letter = ws.cell(row=1, column=i).column_letter
            longest = max([len(str(header)), *(len(str(r[i - 1]).split("\n")[0]) for r in table.rows[:200])])
            ws.column_dimensions[letter].width = min(60, max(8, longest * 1.6))
        if table.key == "details":
            for (cell,) in ws.iter_rows(min_row=2, min_col=len(table.headers), max_col=len(table.headers)):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[ws.cell(row=1, column=len(table.headers)).column_letter].width = 100
        if table.key == "overview":
            extra = []
            if ruleset is not None:
                extra.append(
                    [
                        t("xlsx.overview.ruleset", lang),
                        f"{ruleset.title}（{ruleset.id} {ruleset.version}）",
                    ]
                )
            if source:
                extra.append([t("xlsx.overview.input", lang), source])
            if interrupted:
                extra.append([t("xlsx.overview.interrupted", lang), t("word.yes", lang)])
            for row in extra:
                ws.append(xlsx_row(ws, row))
        ws.freeze_panes = "A2"
        anchor = ws.cell(row=1, column=len(table.headers) + 2).coordinate
        _chart(ws, table, len(table.rows), anchor)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
