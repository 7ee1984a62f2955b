"""Build the default Word template of the 稳评报告 (``riskeval/report/templates/default.docx``).

Run ``python -m riskeval.report.make_template`` after changing this file and commit the result;
a test checks that the shipped template has the styles this script makes.

The layout follows GB/T 9704-2012 (党政机关公文格式) where a report can: A4 paper, margins 37 mm
(top) / 35 mm (bottom) / 28 mm (left) / 26 mm (right); body text 3号仿宋 (16 pt) with a fixed
28 pt line and a two-character first-line indent; the title 2号小标宋; first-level headings
3号黑体 and second-level headings 3号楷体; page numbers "— 1 —" in 4号宋体 at the foot. The
headings are Word's own ``Heading 1`` / ``Heading 2`` styles (outline levels 1 and 2), so the
navigation pane lists the chapters. A user's template (``--template``) brings its own styles of
the same names.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

__all__ = ["STYLES", "TEMPLATE", "build_template"]

TEMPLATE = Path(__file__).with_name("templates") / "default.docx"

# style name -> (east-Asian font, Latin font, size in pt, bold)
STYLES: dict[str, tuple[str, str, float, bool]] = {
    "Normal": ("仿宋", "Times New Roman", 16, False),
    "Title": ("方正小标宋简体", "Times New Roman", 22, False),
    "Subtitle": ("楷体", "Times New Roman", 16, False),
    "Heading 1": ("黑体", "Times New Roman", 16, False),
    "Heading 2": ("楷体", "Times New Roman", 16, False),
    "Table Text": ("仿宋", "Times New Roman", 12, False),
    "Table Heading": ("黑体", "Times New Roman", 12, False),
    "Footer": ("宋体", "Times New Roman", 14, False),
}


def _fonts(style: Any, east_asian: str, latin: str) -> None:
    """Set explicit fonts and drop the theme fonts that would override them."""
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:cs"), latin)


def _page_number(paragraph: Any) -> None:
    """"— PAGE —" as a Word field, centred."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    # one run per field part, as Word writes them: begin, instruction, separator, shown number, end
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            run.text = text or ""
    paragraph.add_run(" —")


def build_template(path: Path = TEMPLATE) -> Path:
    """Write the default template to ``path`` and return it."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(18)
    styles = doc.styles
    for name in ("Table Text", "Table Heading"):
        if name not in [s.name for s in styles]:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.quick_style = True
    for name, (east, latin, size, bold) in STYLES.items():
        style = styles[name]
        _fonts(style, east, latin)
        font = style.font
        font.size = Pt(size)
        font.bold = bold
        font.italic = False
        font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        if name in ("Table Text", "Table Heading", "Footer"):
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.first_line_indent = Pt(0)
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(28)
        if name == "Normal":
            fmt.first_line_indent = Pt(32)
            fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if name in ("Title", "Subtitle"):
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing = Pt(36 if name == "Title" else 28)
            fmt.space_after = Pt(14 if name == "Subtitle" else 0)
        if name.startswith("Heading"):
            fmt.first_line_indent = Pt(32)
            fmt.keep_with_next = True
        if name == "Table Heading":
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = styles["Title"].element
    # the default Title style draws a coloured rule under the paragraph
    from docx.oxml.ns import qn

    ppr = title.find(qn("w:pPr"))
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
    _page_number(section.footer.paragraphs[0])
    section.footer.paragraphs[0].style = styles["Footer"]
    props = doc.core_properties
    props.title = "社会稳定风险评估报告"
    props.author = "riskeval"
    props.created = props.modified = dt.datetime(2026, 1, 1)
    props.revision = 1
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":  # pragma: no cover
    print(build_template())
