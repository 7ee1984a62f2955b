"""The bulletin laid out: sections of tables (shared), then an HTML page, a Word document, or text lines.

The HTML page is self-contained (inline SVG chart, A4 print stylesheet, CJK fonts) like the batch report;
the Word document uses the report template (:mod:`riskeval.report.docx`: GB/T 9704 styles, A4) with the
trend chart as a PNG drawn without Pillow (:mod:`riskeval.bulletin.chart`) above its table. Neither
carries the time it was made: the same bulletin gives the same content.

Examples
--------
>>> from datetime import date
>>> from riskeval.bulletin.model import Bulletin, Count
>>> b = Bulletin(month="2026-11", start=date(2026, 11, 1), end=date(2026, 11, 30), lang="zh", head_seq=0,
...              head_hash=None, new_total=0, new_by_level=[Count(key="high", count=0)], new_by_kind=[],
...              new_by_unit=[], new_by_location=[], escalated=[], awaiting=[], decisions=[], overdue=[],
...              trend=[], watch=[])
>>> page = render_html(b)
>>> page.startswith("<!DOCTYPE html>") and "社会稳定风险预警参考" in page and "2026年11月" in page
True
>>> "Early-warning" in render_html(b, "en")
True
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..errors import InputError
from ..i18n import normalize_lang, t
from . import messages  # noqa: F401  (registers the bulletin's words)
from .chart import trend_png, trend_svg
from .model import Bulletin, Count

__all__ = ["Section", "bulletin_text", "check_suffix", "render_docx", "render_html", "sections", "write_bulletin"]


@dataclass
class Section:
    """One numbered part of the bulletin: a title, lead sentences, tables (header + rows), maybe the chart."""

    key: str
    title: str
    lead: list[str] = field(default_factory=list)
    tables: list[tuple[str | None, list[str], list[list[str]]]] = field(default_factory=list)
    chart: bool = False


def _level(level: str | None, lang: str) -> str:
    return t(f"level.{level}", lang) if level in ("high", "medium", "low") else t("bulletin.level.out_of_scope", lang)


def _kind(kind: str, lang: str) -> str:
    if kind in ("project", "policy", "reform", "event", "other"):
        return t(f"identity.kind.{kind}", lang)
    return kind or t("bulletin.unknown", lang)


def _name(value: str | None, lang: str) -> str:
    return value or t("bulletin.unknown", lang)


def _decision(code: str | None, lang: str) -> str:
    return t(f"decision.{code}", lang) if code else ""


def _count_rows(counts: list[Count], label: Any) -> list[list[str]]:
    return [[label(c.key), str(c.count)] for c in counts]


def title(b: Bulletin, lang: str = "zh") -> str:
    """``社会稳定风险预警参考（2026年11月）``."""
    return t("bulletin.title", normalize_lang(lang), year=b.month[:4], month=int(b.month[5:]))


def sections(b: Bulletin, lang: str = "zh") -> list[Section]:
    """The bulletin's sections in ``lang``, in order."""
    lang = normalize_lang(lang)
    h = lambda key: t(f"bulletin.col.{key}", lang)  # noqa: E731
    out = []
    new = Section("new", t("bulletin.s.new", lang), [t("bulletin.lead.new", lang, total=b.new_total)])
    new.tables = [
        (t("bulletin.by.level", lang), [h("level"), h("count")], _count_rows(b.new_by_level, lambda k: _level(k, lang))),
        (t("bulletin.by.kind", lang), [h("kind"), h("count")], _count_rows(b.new_by_kind, lambda k: _kind(k, lang))),
        (t("bulletin.by.unit", lang), [h("unit"), h("count")], _count_rows(b.new_by_unit, lambda k: _name(k, lang))),
        (t("bulletin.by.location", lang), [h("location"), h("count")], _count_rows(b.new_by_location, lambda k: _name(k, lang))),
    ]
    out.append(new)
    out.append(
        Section(
            "escalated",
            t("bulletin.s.escalated", lang),
            [t("bulletin.lead.escalated", lang, count=len(b.escalated))],
            [(None, [h("id"), h("name"), h("unit"), h("previous"), h("level"), h("record"), h("date"), h("note")],
              [[e.project_id, _name(e.name, lang), _name(e.unit, lang), _level(e.previous_level, lang), _level(e.level, lang),
                f"#{e.seq}", e.date.isoformat(), e.note or ""] for e in b.escalated])],
        )
    )  # fmt: skip
    out.append(
        Section(
            "awaiting",
            t("bulletin.s.awaiting", lang),
            [t("bulletin.lead.awaiting", lang, count=len(b.awaiting), end=b.end.isoformat())],
            [(None, [h("id"), h("name"), h("unit"), h("level"), h("conclusion"), h("assessed"), h("waiting")],
              [[m.project_id, _name(m.name, lang), _name(m.unit, lang), _level(m.level, lang), _decision(m.decision, lang),
                f"{m.assessed.isoformat()} (#{m.seq})", str(m.days_waiting)] for m in b.awaiting])],
        )
    )  # fmt: skip
    out.append(
        Section(
            "decisions",
            t("bulletin.s.decisions", lang),
            [t("bulletin.lead.decisions", lang, count=len(b.decisions))],
            [(None, [h("id"), h("name"), h("unit"), h("outcome"), h("basis"), h("date"), h("record")],
              [[d.project_id, _name(d.name, lang), _name(d.unit, lang), d.outcome, f"{_level(d.level, lang)} (#{d.basis_seq})",
                d.date.isoformat(), f"#{d.seq}"] for d in b.decisions])],
        )
    )  # fmt: skip
    out.append(
        Section(
            "overdue",
            t("bulletin.s.overdue", lang),
            [t("bulletin.lead.overdue", lang, count=len(b.overdue), end=b.end.isoformat())],
            [(None, [h("id"), h("name"), h("measure"), h("owner"), h("due"), h("status"), h("days")],
              [[m.project_id, _name(m.name, lang), f"{m.measure_id} {m.label}", _name(m.owner, lang), m.due,
                t(f"ledger.view.status.{m.status}", lang), str(m.days_overdue)] for m in b.overdue])],
        )
    )  # fmt: skip
    trend = Section("trend", t("bulletin.s.trend", lang), [t("bulletin.lead.trend", lang)], chart=True)
    trend.tables = [
        (None, [h("month"), h("assessed"), _level("high", lang), _level("medium", lang), _level("low", lang),
                _level(None, lang), h("escalations"), h("decisions")],
         [[p.month, str(p.assessed), str(p.high), str(p.medium), str(p.low), str(p.out_of_scope), str(p.escalated),
           str(p.decisions)] for p in b.trend])
    ]  # fmt: skip
    out.append(trend)
    sep = t("punct.list", lang)
    out.append(
        Section(
            "watch",
            t("bulletin.s.watch", lang),
            [t("bulletin.lead.watch", lang)],
            [(None, [h("id"), h("name"), h("unit"), h("level"), h("grounds"), h("why")],
              [[w.project_id, _name(w.name, lang), _name(w.unit, lang), _level(w.level, lang),
                t("punct.enum", lang).join(t(f"bulletin.ground.{g}", lang) for g in w.grounds), sep.join(w.reasons)]
               for w in b.watch])],
        )
    )  # fmt: skip
    return out


def _meta(b: Bulletin, lang: str) -> list[str]:
    head = b.head_hash or t("bulletin.unknown", lang)
    lines = [t("bulletin.meta.head", lang, seq=b.head_seq, head=head)]
    lines.append(t("bulletin.meta.period", lang, start=b.start.isoformat(), end=b.end.isoformat()))
    if b.ruleset:
        lines.append(t("bulletin.meta.ruleset", lang, ruleset=", ".join(b.ruleset)))
    return lines


def _trend_names(lang: str) -> dict[str, str]:
    return {k: _level(k if k != "out_of_scope" else None, lang) for k in ("high", "medium", "low", "out_of_scope")}


_PAGE = """<!DOCTYPE html>
<html lang="{{ html_lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.5; padding: 0 1em; }
h1 { font-size: 1.6em; border-bottom: 3px solid #c62828; padding-bottom: .3em; }
h2 { font-size: 1.2em; margin-top: 1.6em; color: #283593; }
h3 { font-size: 1em; margin: .8em 0 .2em; }
table { border-collapse: collapse; margin: .4em 0 1em; font-size: .92em; }
th, td { border: 1px solid #c5cae9; padding: .3em .6em; vertical-align: top; }
th { background: #e8eaf6; text-align: left; }
.meta { color: #555; font-size: .9em; word-break: break-all; }
figure { margin: .5em 0 1em; }
svg.chart { max-width: 100%; height: auto; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9pt; line-height: 1.35; }
  h2 { font-size: 11pt; break-after: avoid; }
  table { width: 100%; font-size: 8.5pt; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  figure { break-inside: avoid; }
  svg.chart { max-height: 70mm; width: auto; }
}
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">{% for line in meta %}{{ line }}<br>{% endfor %}</p>
{% for s in sections %}
<section id="{{ s.key }}">
<h2>{{ s.title }}</h2>
{% for line in s.lead %}<p>{{ line }}</p>{% endfor %}
{% if s.chart %}<figure>{{ svg }}</figure>{% endif %}
{% for caption, header, rows in s.tables %}
{% if caption %}<h3>{{ caption }}</h3>{% endif %}
{% if rows %}<table><thead><tr>{% for c in header %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</tbody></table>
{% else %}<p>{{ none }}</p>{% endif %}
{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""


def render_html(b: Bulletin, lang: str | None = None) -> str:
    """The bulletin as one self-contained HTML page (``lang`` defaults to the bulletin's)."""
    lang = normalize_lang(lang or b.lang)
    env = Environment(autoescape=True)
    svg = trend_svg(b.trend, _trend_names(lang), t("bulletin.s.trend", lang), t("bulletin.col.escalations", lang))
    return env.from_string(_PAGE).render(
        html_lang=t("bulletin.html_lang", lang),
        title=title(b, lang),
        meta=_meta(b, lang),
        sections=sections(b, lang),
        svg=Markup(svg),
        none=t("bulletin.none", lang),
    )


def render_docx(b: Bulletin, out: str | Path, lang: str | None = None, template: str | Path | None = None) -> Path:
    """Write the bulletin as a Word document (report template, A4), the trend chart as a PNG."""
    from docx.shared import Mm

    from ..report.docx import _open, _Writer

    lang = normalize_lang(lang or b.lang)
    doc = _open(template)
    w = _Writer(doc, lang)
    w.para(title(b, lang), "Title")
    for line in _meta(b, lang):
        w.para(line)
    for s in sections(b, lang):
        w.heading(s.title, 1)
        for line in s.lead:
            w.para(line)
        if s.chart:
            doc.add_picture(io.BytesIO(trend_png(b.trend)), width=Mm(160))
            legend = t("punct.enum", lang).join(
                t("bulletin.legend_item", lang, name=name, color=t(f"bulletin.color.{key}", lang))
                for key, name in _trend_names(lang).items()
            )
            w.para(t("bulletin.legend", lang, legend=legend))
        for caption, header, rows in s.tables:
            if caption:
                w.heading(caption, 2)
            if rows:
                _table(w, header, rows)
            else:
                w.para(t("bulletin.none", lang))
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    doc.save(str(partial))
    os.replace(partial, target)
    return target


def _table(w: Any, header: list[str], rows: list[list[str]]) -> None:
    """A table in the report's table styles (as ``_Writer.table``), styles set by id: long tables stay fast."""
    from docx.oxml import OxmlElement

    doc = w.doc
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    grid = w.style("Table Grid")
    if grid is not None:
        table.style = grid
    head, text = w.style("Table Heading", "Table Text"), w.style("Table Text")
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat the header on each page
    for r, values in enumerate([header, *rows]):
        style = head if r == 0 else text
        for cell, value in zip(table.rows[r].cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            if style is not None:
                paragraph._p.style = style.style_id
            run = paragraph.add_run(value)
            if r == 0 and (head is None or head.name != "Table Heading"):
                run.bold = True
    w.para("", "Table Text")


def bulletin_text(b: Bulletin, lang: str | None = None) -> list[str]:
    """A short text summary (what ``riskeval bulletin`` prints)."""
    lang = normalize_lang(lang or b.lang)
    levels = {c.key: c.count for c in b.new_by_level}
    lines = [title(b, lang), *_meta(b, lang)]
    lines.append(
        t("bulletin.text.summary", lang, total=b.new_total, high=levels.get("high", 0), medium=levels.get("medium", 0),
          low=levels.get("low", 0), escalated=len(b.escalated), awaiting=len(b.awaiting), decisions=len(b.decisions),
          overdue=len(b.overdue), watch=len(b.watch))
    )  # fmt: skip
    for e in b.escalated:
        lines.append(t("bulletin.text.escalated", lang, id=e.project_id, name=_name(e.name, lang),
                       previous=_level(e.previous_level, lang), level=_level(e.level, lang), seq=e.seq))  # fmt: skip
    return lines


def check_suffix(out: str | Path) -> str:
    """``"html"`` or ``"docx"`` by the suffix of ``out``.

    Raises
    ------
    InputError
        Another suffix (``bulletin.bad_suffix``, exit 2).
    """
    suffix = Path(out).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".docx":
        return "docx"
    raise InputError("bulletin.bad_suffix", path=str(out))


def write_bulletin(b: Bulletin, out: str | Path, lang: str | None = None) -> Path:
    """Write ``b`` as ``.html`` / ``.htm`` or ``.docx`` by the suffix of ``out`` (the file appears whole).

    Raises
    ------
    InputError
        Another suffix (``bulletin.bad_suffix``, exit 2).
    """
    target = Path(out)
    if check_suffix(target) == "html":
        partial = target.with_name(target.name + ".partial")
        partial.write_text(render_html(b, lang), encoding="utf-8")
        os.replace(partial, target)
        return target
    return render_docx(b, target, lang)
