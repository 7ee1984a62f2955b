"""The batch report as one self-contained HTML page (Chinese by default): tables and inline SVG charts.

No script, no external stylesheet, font or image: the page opens offline and prints as it shows.  An A4
print stylesheet keeps the printout short: the high/medium-risk matters take one compact row each (levels
before and after, decision, the decisive reasons by label), with the full explanation folded in a
``<details>`` element (shown on screen when opened, left out of the printout while folded).

Examples
--------
>>> from riskeval.batch.runner import BatchRow
>>> from riskeval.batch.stats import BatchStats
>>> stats = BatchStats()
>>> stats.add(BatchRow(1, "A", "ok", "high", 40.0, "medium", 30.0, "reject", False, ["X"], explanation="说明"))
>>> page = render_html(stats, title="测试")
>>> page.startswith("<!DOCTYPE html>") and "<svg" in page and "中、高风险事项" in page
True
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..batch.stats import BatchStats, ReportTable
from ..i18n import normalize_lang, register_messages, t
from ..ruleset.compiled import RuleSet
from .charts import LEVEL_COLORS, PALETTE, STAGE_COLORS, bar_chart, grouped_bar_chart, stacked_bar_chart

__all__ = ["render_html", "write_html_report", "chart_for"]

register_messages(
    {
        "html.lang": {"zh": "zh-CN", "en": "en"},
        "report.title": {
            "zh": "社会稳定风险评估批量报告",
            "en": "Social-stability risk assessment: batch report",
        },
        "report.ruleset": {"zh": "规则集", "en": "Rule set"},
        "report.source": {"zh": "输入", "en": "Input"},
        "report.generated": {"zh": "生成时间", "en": "Generated"},
        "report.interrupted": {
            "zh": "注意：本次运行被中断，报告只包含已完成的 {count} 行。",
            "en": "Note: the run was interrupted; the report covers the {count} rows completed.",
        },
        "report.none": {"zh": "（无）", "en": "(none)"},
        "report.col.levels": {"zh": "等级（措施前→措施后）", "en": "level (before → after)"},
        "report.col.reasons": {"zh": "主要原因", "en": "decisive reasons"},
        "report.explanation": {"zh": "评估说明", "en": "explanation"},
        "report.levels_cell": {"zh": "{initial} → {residual}（{scores} 分）", "en": "{initial} → {residual} ({scores})"},
        "report.omitted": {
            "zh": "另有 {count} 个中、高风险事项未列出，见输出文件。",
            "en": "{count} more high/medium rows are not listed; see the output file.",
        },
    }
)

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ html_lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.5; padding: 0 1em; }
h1 { font-size: 1.6em; border-bottom: 3px solid #283593; padding-bottom: .3em; }
h2 { font-size: 1.2em; margin-top: 2em; color: #283593; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .92em; }
th, td { border: 1px solid #c5cae9; padding: .3em .6em; vertical-align: top; }
th { background: #e8eaf6; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.level-high td:first-child { border-left: 4px solid #c62828; }
tr.level-medium td:first-child { border-left: 4px solid #ef8f00; }
pre.explain { white-space: pre-wrap; margin: 0; font-size: .85em; max-width: 46em; font-family: inherit; }
table.details { width: 100%; }
table.details td.reasons { min-width: 18em; }
details > summary { cursor: pointer; color: #283593; font-size: .85em; }
.meta { color: #555; }
.warn { background: #fff3e0; border-left: 4px solid #ef8f00; padding: .5em 1em; }
figure { margin: .5em 0 1.5em; }
svg.chart { max-width: 100%; height: auto; }
@page { size: A4; margin: 14mm 12mm 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9pt; line-height: 1.35; }
  h1 { font-size: 15pt; margin: 0 0 .4em; }
  h2 { font-size: 11pt; margin: 1em 0 .3em; break-after: avoid; }
  table { width: 100%; font-size: 8.5pt; margin: .2em 0 .6em; }
  th, td { padding: .15em .35em; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  figure { margin: .2em 0 .5em; break-inside: avoid; }
  svg.chart { max-height: 70mm; width: auto; }
  details > summary { display: none; }
  details:not([open]) { display: none; }
}
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">
{% if ruleset %}{{ t('report.ruleset') }}：{{ ruleset }}<br>{% endif %}
{% if source %}{{ t('report.source') }}：{{ source }}<br>{% endif %}
{{ t('report.generated') }}：{{ generated }}
</p>
{% if interrupted %}<p class="warn">{{ t('report.interrupted', count=total) }}</p>{% endif %}
{% for table in tables %}
<section id="{{ table.key }}">
<h2>{{ table.title }}</h2>
{% if table.svg %}<figure>{{ table.svg }}</figure>{% endif %}
{% if table.rows %}
<table class="{{ table.key }}">
<thead><tr>{% for h in table.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in table.rows %}
<tr{% if table.row_classes %} class="{{ table.row_classes[loop.index0] }}"{% endif %}>
{% for cell in row %}
{% if table.key == 'details' and loop.last %}<td class="reasons">{{ cell.reasons }}{% if cell.explanation %}<details><summary>{{ t('report.explanation') }}</summary><pre class="explain">{{ cell.explanation }}</pre></details>{% endif %}</td>
{% elif cell is number %}<td class="num">{{ cell }}</td>
{% else %}<td>{{ cell }}</td>{% endif %}
{% endfor %}
</tr>
{% endfor %}
</tbody>
</table>
{% else %}<p>{{ t('report.none') }}</p>{% endif %}
{% if table.key == 'details' and omitted %}<p class="warn">{{ t('report.omitted', count=omitted) }}</p>{% endif %}
</section>
{% endfor %}
</body>
</html>
"""


def chart_for(table: ReportTable) -> str | None:
    """The inline SVG drawn for ``table`` (``None`` when it has no chart or no rows)."""
    if not table.chart or not table.rows:
        return None
    if table.key == "factors":
        labels = [f"{r[0]} {r[1]}" for r in table.rows]
        values = [[r[3], r[4]] for r in table.rows]
    else:
        labels = [str(r[0]) for r in table.rows]
        width = len(table.series) if table.series else 1
        values = [list(r[1 : 1 + width]) for r in table.rows]
    if table.chart == "bar":
        return bar_chart(labels, [v[0] for v in values], title=table.title, color=PALETTE[0])
    if table.chart == "stacked":
        return stacked_bar_chart(labels, table.series, values, title=table.title, colors=LEVEL_COLORS)
    return grouped_bar_chart(labels, table.series, values, title=table.title, colors=STAGE_COLORS)


def _compact_details(stats: BatchStats, table: ReportTable, lang: str) -> ReportTable:
    """The details table, one compact row per matter: row, id, name, levels, decision, reasons (+ folded
    explanation)."""
    order = {"high": 0, "medium": 1}
    details = sorted(stats.details, key=lambda r: (order.get(r.residual_level or "", 2), r.row))
    rows: list[list[Any]] = []
    for r in details:
        scores = f"{_num(r.initial_score)} → {_num(r.residual_score)}"
        levels = t(
            "report.levels_cell",
            lang,
            initial=t(f"level.{r.initial_level}", lang) if r.initial_level else "-",
            residual=t(f"level.{r.residual_level}", lang) if r.residual_level else "-",
            scores=scores,
        )
        rows.append(
            [
                r.row,
                r.id or "",
                r.name or "",
                levels,
                t(f"decision.{r.decision}", lang),
                {"reasons": stats.reasons(r, lang), "explanation": r.explanation or ""},
            ]
        )
    headers = [
        t("batch.col.row", lang),
        t("batch.col.id", lang),
        t("batch.col.name", lang),
        t("report.col.levels", lang),
        t("batch.col.decision", lang),
        t("report.col.reasons", lang),
    ]
    return ReportTable(
        table.key, table.title, headers, rows, row_classes=[f"level-{r.residual_level}" for r in details]
    )


def _num(x: float | None) -> str:
    return "-" if x is None else f"{round(x, 2):g}"


def render_html(
    stats: BatchStats,
    *,
    ruleset: RuleSet | None = None,
    source: str | None = None,
    lang: str = "zh",
    interrupted: bool = False,
    title: str | None = None,
) -> str:
    """Render the report page.

    Parameters
    ----------
    stats
        The run's counters.
    ruleset
        Named in the header.
    source
        The input file, named in the header.
    lang
        ``zh`` (default) or ``en``.
    interrupted
        Say that the run was interrupted and the figures are partial.
    title
        Page title (default: 社会稳定风险评估批量报告).

    Returns
    -------
    str
        A complete HTML document.
    """
    lang = normalize_lang(lang)
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals["t"] = lambda key, **kw: t(key, lang, **kw)
    tables: list[dict[str, Any]] = []
    for table in stats.tables(lang):
        if table.key == "details":
            table = _compact_details(stats, table, lang)
        svg = chart_for(table)
        entry: dict[str, Any] = {
            "key": table.key,
            "title": table.title,
            "headers": table.headers,
            "rows": table.rows,
            "svg": Markup(svg) if svg else None,  # our own SVG, every text in it escaped
            "row_classes": table.row_classes,
        }
        tables.append(entry)
    rs = f"{ruleset.title}（{ruleset.id} {ruleset.version}）" if ruleset is not None else None
    return env.from_string(_TEMPLATE).render(
        lang=lang,
        html_lang=t("html.lang", lang),
        title=title or t("report.title", lang),
        ruleset=rs,
        source=source,
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        interrupted=interrupted,
        total=stats.total,
        tables=tables,
        omitted=stats.details_omitted,
    )


def write_html_report(path: str | Path, stats: BatchStats, **kw: Any) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8); keyword arguments as there.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(stats, **kw), encoding="utf-8")
    return out
