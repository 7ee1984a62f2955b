"""The 稳评报告 in Word, after the national outline (发改办投资〔2013〕428号).

:func:`write_report` writes one assessment as a ``.docx`` whose chapters are Word headings (the
navigation pane lists them): 一、评估依据 … 八、评估结论和建议, then 附件：专家评审意见 when a panel
scored or signed, and 附件：台账凭证 with a QR code when a ledger receipt is given. Every text comes
from the rule set's labels (carried by :attr:`Assessment.vocabulary`), never from fact or rule ids.

The default template (``templates/default.docx``, built by :mod:`riskeval.report.make_template`)
follows GB/T 9704; ``template=`` takes a user's ``.docx`` instead: its styles, headers and footers
(letterhead) are kept, and the report goes where a paragraph reads ``{{report}}``, or at the end.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..i18n import normalize_lang, t
from ..model.assessment import Assessment, Evaluation, Finding
from ..model.explaining import (
    decision_reason,
    finding_detail,
    finding_value,
    incomplete_phrases,
    measure_changes,
    regime_words,
    scope_phrases,
    trigger_phrase,
)
from ..model.wording import fmt_number
from . import docx_text  # noqa: F401  (registers the report's sentences)

__all__ = ["HEADINGS", "PLACEHOLDER", "write_report"]

PLACEHOLDER = "{{report}}"
# built by riskeval.report.make_template (not imported here, so that ``python -m`` runs it cleanly)
TEMPLATE = Path(__file__).with_name("templates") / "default.docx"

HEADINGS = (
    "basis",
    "overview",
    "survey",
    "identification",
    "estimation",
    "measures",
    "residual",
    "conclusion",
)



class _Writer:
    """Appends paragraphs and tables to a document with the template's named styles."""

    def __init__(self, doc: Any, lang: str) -> None:
        self.doc = doc
        self.lang = lang
        self.names = {s.name for s in doc.styles}

    def style(self, name: str, fallback: str | None = None) -> Any:
        for candidate in (name, fallback):
            if candidate and candidate in self.names:
                return self.doc.styles[candidate]
        return None

    def heading(self, key: str, level: int = 1) -> None:
        text = t(key, self.lang) if key.startswith("docx.") else key
        style = self.style(f"Heading {level}")
        if style is not None:
            self.doc.add_paragraph(text, style=style)
        else:  # a template without heading styles: still a visible heading
            self.doc.add_paragraph().add_run(text).bold = True

    def para(self, text: str, style: str | None = None) -> Any:
        return self.doc.add_paragraph(text, style=self.style(style) if style else None)

    def table(self, header: list[str], rows: list[list[str]], widths: Sequence[float] | None = None) -> Any:
        from docx.shared import Mm

        table = self.doc.add_table(rows=1, cols=len(header))
        grid = self.style("Table Grid")
        if grid is not None:
            table.style = grid
        head_style, cell_style = self.style("Table Heading", "Table Text"), self.style("Table Text")
        from docx.oxml import OxmlElement

        # the header row repeats at the top of every page the table runs onto
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, text, head_style, bold=head_style is None or head_style.name != "Table Heading")
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                self._cell(cell, text, cell_style)
        if widths:
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=False):
                    cell.width = Mm(width)
        self.doc.add_paragraph(style=self.style("Table Text"))  # a little room after the table
        return table

    @staticmethod
    def _cell(cell: Any, text: str, style: Any, bold: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        if style is not None:
            paragraph.style = style
        run = paragraph.add_run(text)
        if bold:
            run.bold = True


def _receipt_value(receipt: Any, *names: str) -> Any:
    for name in names:
        node: Any = receipt
        for part in name.split("."):
            if isinstance(node, Mapping):
                node = node.get(part)
            else:
                node = getattr(node, part, None)
            if node is None:
                break
        if node is not None:
            return node
    return None


def receipt_rows(receipt: Any) -> list[tuple[str, str]]:
    """The fields of a ledger receipt (a mapping or a record object), in report order."""
    fields = {
        "seq": ("seq",),
        "record_hash": ("record_hash", "hash"),
        "head": ("head", "head_hash"),
        "ruleset_id": ("ruleset.id", "ruleset_id"),
        "ruleset_version": ("ruleset.version", "ruleset_version"),
        "ruleset_hash": ("ruleset.hash", "ruleset_hash"),
        "time": ("time", "ts", "recorded_at"),
    }
    out = []
    for key, names in fields.items():
        value = _receipt_value(receipt, *names)
        if value is not None:
            out.append((key, str(value)))
    return out


def _qr_png(text: str) -> bytes:
    import qrcode
    import qrcode.image.pure

    image = qrcode.make(text, image_factory=qrcode.image.pure.PyPNGImage, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def _open(template: str | Path | None) -> Any:
    from docx import Document

    path = Path(template) if template is not None else TEMPLATE
    if not path.is_file():
        raise InputError("docx.template_missing", path=str(path))
    try:
        return Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        raise InputError("docx.template_bad", path=str(path), detail=str(exc)[:200]) from None


def _content(doc: Any) -> list[Any]:
    """The body's blocks (paragraphs, tables), without the section properties that end it."""
    return [c for c in doc.element.body.iterchildren() if not c.tag.endswith("}sectPr")]


def _move_to_placeholder(doc: Any, start: int) -> None:
    """Move the blocks appended after the first ``start`` to the ``{{report}}`` paragraph, if any."""
    body = doc.element.body
    marker = next((p for p in doc.paragraphs if p.text.strip() == PLACEHOLDER), None)
    if marker is None:
        return
    added = _content(doc)[start:]
    for element in added:
        marker._p.addprevious(element)
    body.remove(marker._p)


def _levels_text(ev: Evaluation, lang: str) -> str:
    return t(f"level.{ev.level}", lang)


def write_report(
    assessment: Assessment,
    path: str | Path,
    *,
    template: str | Path | None = None,
    receipt: Mapping[str, Any] | Any | None = None,
    lang: str = "zh",
) -> Path:
    """Write the 稳评报告 of ``assessment`` to ``path`` (``.docx``).

    Parameters
    ----------
    assessment
        From :func:`riskeval.assess` (or read back from a ledger record).
    path
        The ``.docx`` to write; its folder is created.
    template
        A user's ``.docx`` whose styles (``Heading 1``, ``Heading 2``, ``Normal``, ``Title``,
        ``Table Grid``, ``Table Text``), letterhead and page set-up are used; the default follows GB/T 9704.
    receipt
        A ledger receipt (mapping or record: ``seq``, ``record_hash``, ``head``, ``ruleset`` id /
        version / hash, ``time``); adds 附件：台账凭证 with a QR code of it.
    lang
        ``zh`` (default) or ``en`` for the report's own sentences; labels stay as the rule set has them.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        The template cannot be read, or the report cannot be written.
    """
    lang = normalize_lang(lang)
    doc = _open(template)
    start = len(_content(doc))
    w = _Writer(doc, lang)
    a = assessment
    name = a.project_name or a.project_id
    w.para(t("docx.title", lang, name=name), "Title")
    w.para(t("docx.subtitle", lang, title=a.ruleset.title), "Subtitle")
    _basis(w, a)
    _overview(w, a)
    _survey(w, a)
    _identification(w, a)
    _estimation(w, a)
    _measures(w, a)
    _residual(w, a)
    _conclusion(w, a)
    if a.panel_record or (a.initial is not None and any(f.panel for f in a.initial.findings)):
        _panel(w, a)
    if receipt is not None:
        _receipt(w, receipt)
    _move_to_placeholder(doc, start)
    doc.core_properties.title = t("docx.title", lang, name=name)
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(out))
    except OSError as exc:
        raise InputError("docx.write_failed", path=str(out), detail=exc.strerror or str(exc)) from None
    return out


def _basis(w: _Writer, a: Assessment) -> None:
    lang, ref, vocab = w.lang, a.ruleset, a.vocabulary
    w.heading("docx.h.basis")
    total = t("docx.method.total", lang, total=fmt_number(vocab.total)) if vocab.total else ""
    method = t(f"docx.method.{vocab.method}", lang, total=total) if vocab.method else "-"
    effective = t("docx.basis.effective", lang, date=ref.effective) if ref.effective else ""
    authority = t("docx.basis.authority", lang, name=ref.authority) if ref.authority else ""
    w.para(t("docx.basis.rules", lang, title=ref.title, version=ref.version, effective=effective, authority=authority, method=method))
    if ref.sources:
        w.para(t("docx.basis.sources", lang))
        for i, source in enumerate(ref.sources, 1):
            w.para(f"{i}. {source}")


def _overview(w: _Writer, a: Assessment) -> None:
    lang, vocab = w.lang, a.vocabulary
    w.heading("docx.h.overview")
    rows = [[t("docx.overview.name", lang), a.project_name or a.project_id], [t("docx.overview.id", lang), a.project_id]]
    for fact in ("kind", "unit", "location", "investment", "decision_level", "domains"):
        value = a.facts.get(fact)
        if value not in (None, [], ""):
            rows.append([vocab.label(fact, lang), vocab.value(fact, value, lang)])
    if a.in_scope:
        rows.append([t("docx.overview.scope", lang), t("plain.sep", lang).join(scope_phrases(a, lang))])
        rows.append([t("docx.overview.regime", lang), regime_words(a.regime, lang)])
    w.table([t("docx.col.item", lang), t("docx.col.value", lang)], rows, [40, 116])


def _survey(w: _Writer, a: Assessment) -> None:
    lang, vocab = w.lang, a.vocabulary
    w.heading("docx.h.survey")
    w.para(t("docx.survey.intro", lang))
    rows = [
        [vocab.label(fact, lang), vocab.value(fact, a.facts[fact], lang)]
        for fact, words in vocab.facts.items()
        if not words.identity and fact in a.facts
    ]
    if rows:
        w.table([t("docx.col.fact", lang), t("docx.col.finding", lang)], rows, [90, 66])
    if a.residual is not None:
        gaps = a.residual.missing_procedures
        if gaps:
            items = t("words.list_sep", lang).join(g.label for g in gaps)
            w.para(t("docx.survey.procedure_missing", lang, items=items))
        elif a.in_scope:
            w.para(t("docx.survey.procedures_ok", lang))


def _finding_row(f: Finding, a: Assessment, lang: str) -> list[str]:
    return [f.label, finding_detail(f, a.vocabulary, lang), finding_value(f, lang), f.source]


def _identification(w: _Writer, a: Assessment) -> None:
    lang = w.lang
    w.heading("docx.h.identification")
    if a.initial is None:
        w.para(t("docx.concl.out_of_scope", lang))
        return
    findings = a.initial.findings
    w.para(t("docx.ident.intro", lang, count=len(findings)))
    value_col = t("docx.col.points" if a.vocabulary.method != "index" else "docx.col.index", lang)
    header = [t("docx.col.factor", lang), t("docx.col.situation", lang), value_col, t("docx.col.source", lang)]
    for dim, label in a.dimension_labels.items():
        w.heading(label, 2)
        rows = [_finding_row(f, a, lang) for f in findings if f.dimension == dim]
        if rows:
            w.table(header, rows, [36, 48, 30, 42])
        else:
            w.para(t("docx.ident.none", lang))
    if a.initial.not_applicable:
        items = t("words.list_sep", lang).join(a.vocabulary.item(i) for i in a.initial.not_applicable)
        w.para(t("docx.ident.not_applicable", lang, items=items))


def _dimension_table(w: _Writer, a: Assessment, stages: list[Evaluation]) -> None:
    lang, vocab = w.lang, a.vocabulary
    index = vocab.method == "index"
    header = [t("docx.col.dimension", lang), t("docx.col.weight" if index else "docx.col.max", lang)]
    if len(stages) == 1:
        header.append(t("docx.col.subtotal", lang))
    else:
        header += [t("docx.col.before", lang), t("docx.col.after", lang)]
    rows = []
    for dim, label in a.dimension_labels.items():
        spec = vocab.dimensions.get(dim, {})
        bound = spec.get("weight" if index else "max")
        rows.append([label, fmt_number(bound) if bound is not None else "-", *(fmt_number(ev.dimensions.get(dim, 0.0)) for ev in stages)])
    total = fmt_number(vocab.total) if vocab.total and not index else "-"
    rows.append([t("docx.col.total", lang), total, *(fmt_number(ev.score) for ev in stages)])
    rows.append([t("docx.col.level", lang), "", *(_levels_text(ev, lang) for ev in stages)])
    w.table(header, rows)


def _trigger_table(w: _Writer, a: Assessment, ev: Evaluation) -> None:
    lang = w.lang
    rows = [[trigger_phrase(h, a.vocabulary, lang), t(f"level.{h.level}", lang), h.source] for h in ev.triggers]
    w.table([t("docx.col.trigger", lang), t("docx.col.at_least", lang), t("docx.col.source", lang)], rows, [70, 24, 62])


def _estimation(w: _Writer, a: Assessment) -> None:
    lang = w.lang
    w.heading("docx.h.estimation")
    ev = a.initial
    if ev is None:
        w.para(t("docx.concl.out_of_scope", lang))
        return
    _dimension_table(w, a, [ev])
    w.para(
        t(
            "docx.est.initial",
            lang,
            level=_levels_text(ev, lang),
            score=fmt_number(ev.score),
            score_level=t(f"level.{ev.score_level}", lang),
        )
    )
    if ev.triggers:
        w.para(t("docx.est.raised", lang))
        _trigger_table(w, a, ev)
    else:
        w.para(t("docx.est.no_trigger", lang))
    if a.vocabulary.levels:
        w.para(t("docx.est.criteria", lang))
        rows = [
            [t(f"level.{lvl}", lang), band.get("range") or "-", band.get("label") or ""]
            for lvl, band in sorted(a.vocabulary.levels.items(), key=lambda kv: ("high", "medium", "low").index(kv[0]))
        ]
        w.table([t("docx.col.level", lang), t("docx.col.range", lang), t("docx.col.definition", lang)], rows, [24, 30, 102])


def _measures(w: _Writer, a: Assessment) -> None:
    lang, vocab = w.lang, a.vocabulary
    w.heading("docx.h.measures")
    if not a.measures:
        w.para(t("docx.meas.none", lang))
        return
    people = [k for k in ("owner", "partners", "due") if any(m.get(k) for m in a.measures)]
    header = [t("docx.col.no", lang), t("docx.col.measure", lang)]
    header += [t(f"docx.col.{k}", lang) for k in people]
    header.append(t("docx.col.changes", lang))
    rows = []
    for i, m in enumerate(a.measures, 1):
        row = [str(i), str(m.get("label") or "")]
        for k in people:
            value = m.get(k)
            row.append(t("words.list_sep", lang).join(value) if isinstance(value, list) else str(value or ""))
        row.append(t("plain.sep", lang).join(measure_changes(m, vocab, lang)))
        rows.append(row)
    widths = [10, 40] + [22] * len(people) + [106 - 22 * len(people)]
    w.table(header, rows, widths)


def _residual(w: _Writer, a: Assessment) -> None:
    lang = w.lang
    w.heading("docx.h.residual")
    if a.initial is None or a.residual is None:
        w.para(t("docx.concl.out_of_scope", lang))
        return
    ev = a.residual
    if a.has_measures:
        _dimension_table(w, a, [a.initial, ev])
        w.para(t("docx.res.level", lang, level=_levels_text(ev, lang), score=fmt_number(ev.score), initial=_levels_text(a.initial, lang)))
    else:
        w.para(t("docx.res.same", lang, level=_levels_text(ev, lang), score=fmt_number(ev.score)))
    if a.has_measures and ev.findings:
        w.para(t("docx.res.remaining", lang))
        value_col = t("docx.col.points" if a.vocabulary.method != "index" else "docx.col.index", lang)
        header = [t("docx.col.factor", lang), t("docx.col.situation", lang), value_col, t("docx.col.source", lang)]
        w.table(header, [_finding_row(f, a, lang) for f in ev.findings], [36, 48, 30, 42])
    if a.has_measures and ev.triggers:
        w.para(t("docx.res.triggers", lang))
        _trigger_table(w, a, ev)


def _conclusion(w: _Writer, a: Assessment) -> None:
    lang = w.lang
    w.heading("docx.h.conclusion")
    if not a.in_scope:
        w.para(t("docx.concl.out_of_scope", lang))
        return
    for sentence in decision_reason(a, lang):
        w.para(sentence)
    w.para(t("docx.concl.suggestions", lang))
    for key in ("docx.concl.s1", "docx.concl.s2", "docx.concl.s3"):
        w.para(t(key, lang))
    if a.incomplete:
        w.para(t("docx.concl.incomplete", lang, items=t("plain.sep", lang).join(incomplete_phrases(a, lang))))


def _panel(w: _Writer, a: Assessment) -> None:
    lang = w.lang
    w.heading("docx.h.panel")
    record = a.panel_record or {}
    rows = []
    if record.get("chair"):
        rows.append([t("docx.panel.chair", lang), str(record["chair"])])
    if record.get("consolidated_opinion"):
        rows.append([t("docx.panel.opinion", lang), str(record["consolidated_opinion"])])
    signatures = record.get("signature_lines") or []
    if signatures:
        rows.append([t("docx.panel.signatures", lang), "\n".join(str(s) for s in signatures)])
    if rows:
        w.table([t("docx.col.item", lang), t("docx.col.value", lang)], rows, [40, 116])
    scored = [f for f in (a.initial.findings if a.initial else []) if f.panel]
    if scored:
        w.para(t("docx.panel.items", lang))
        w.table(
            [t("docx.col.factor", lang), t("docx.col.dimension", lang), t("docx.col.points", lang)],
            [[f.label, f.dimension_label, finding_value(f, lang)] for f in scored],
        )


def _receipt(w: _Writer, receipt: Any) -> None:
    from docx.shared import Mm

    lang = w.lang
    w.heading("docx.h.receipt")
    w.para(t("docx.receipt.intro", lang))
    rows = receipt_rows(receipt)
    w.table([t("docx.col.item", lang), t("docx.col.value", lang)], [[t(f"docx.receipt.{k}", lang), v] for k, v in rows], [40, 116])
    payload = json.dumps(dict(rows), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    w.doc.add_picture(io.BytesIO(_qr_png(payload)), width=Mm(40))
