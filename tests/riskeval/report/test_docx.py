"""The 稳评报告 in Word, read back with python-docx."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from typer.testing import CliRunner

import riskeval
from riskeval import assess, load_project, load_ruleset, write_report
from riskeval.cli import app
from riskeval.report.make_template import STYLES, TEMPLATE, build_template

ROOT = Path(__file__).parents[3]
XIDONG = ROOT / "examples" / "projects" / "xidong.yaml"
EXAMPLES = sorted((ROOT / "examples" / "projects").glob("*.yaml"))
CHAPTERS = [
    "一、评估依据",
    "二、项目概况",
    "三、风险调查",
    "四、风险识别",
    "五、风险估计",
    "六、风险防范和化解措施",
    "七、落实措施后的风险等级",
    "八、评估结论和建议",
]
RECEIPT = {
    "seq": 42,
    "record_hash": "a" * 64,
    "head": "b" * 64,
    "ruleset": {"id": "guiyang", "version": "2014.1", "hash": "c" * 64},
    "time": "2026-11-28T21:00:00+00:00",
}


def body_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def headings(doc, level: int = 1) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def table_after(doc, heading: str):
    """The first table after the paragraph ``heading`` in body order."""
    seen, count = False, 0
    for child in doc.element.body.iterchildren():
        if child.tag.endswith("}p") and "".join(r.text or "" for r in child.iter(qn("w:t"))).strip() == heading:
            seen = True
        elif child.tag.endswith("}tbl"):
            if seen:
                return doc.tables[count]
            count += 1
    raise AssertionError(f"no table after {heading}")


def rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def guiyang():
    return load_ruleset("guiyang")


@pytest.fixture(scope="module")
def xidong_doc(guiyang, tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "xidong.docx"
    write_report(assess(load_project(XIDONG), guiyang), path, receipt=RECEIPT)
    return Document(str(path))


def test_chapters_are_word_headings_in_order(xidong_doc):
    assert headings(xidong_doc) == [*CHAPTERS, "附件：台账凭证"]
    assert headings(xidong_doc, 2) == ["合法性", "合理性", "可行性", "可控性"]
    title = xidong_doc.paragraphs[0]
    assert title.style.name == "Title" and title.text == "锡东垃圾焚烧发电厂复工社会稳定风险评估报告"


def test_page_is_a4_with_page_numbers(xidong_doc):
    section = xidong_doc.sections[0]
    assert abs(section.page_width.mm - 210) < 0.5 and abs(section.page_height.mm - 297) < 0.5
    assert abs(section.left_margin.mm - 28) < 0.5 and abs(section.top_margin.mm - 37) < 0.5
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml


def test_styles_follow_gb_t_9704(xidong_doc):
    normal = xidong_doc.styles["Normal"]
    fonts = normal.element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"
    assert normal.font.size.pt == 16
    heading = xidong_doc.styles["Heading 1"].element.rPr.rFonts
    assert heading.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "黑体"


def test_identification_by_dimension_with_points_and_source(xidong_doc):
    table = rows(table_after(xidong_doc, "合理性"))
    assert table[0] == ["风险因素", "风险情况", "分值", "依据"]
    assert ["群众满意度", "30%（低于 70%）", "6 分", "DB32/T 4013-2021 评分表"] in table
    assert any(r[0] == "群众意见分析" and r[2] == "21.7 分" for r in rows(table_after(xidong_doc, "可控性")))


def test_estimation_has_subtotals_level_and_triggers(xidong_doc):
    dims = rows(table_after(xidong_doc, "五、风险估计"))
    assert dims[0] == ["维度", "满分", "小计"]
    assert ["可控性", "55", "30.7"] in dims and ["合计（综合得分）", "100", "47.7"] in dims and ["风险等级", "", "高风险"] in dims
    text = body_text(xidong_doc)
    assert "初始风险等级为高风险" in text
    triggers = rows(table_after(xidong_doc, "下列情形直接认定风险等级，不论得分："))
    assert ["超过 50% 的群众反对（62%）", "高风险", "DB32/T 4013-2021"] in triggers


def test_measures_table_has_owners_partners_due_and_changes(xidong_doc):
    table = rows(table_after(xidong_doc, "六、风险防范和化解措施"))
    assert table[0] == ["序号", "措施", "责任主体", "协助单位", "完成时限", "预期改变的情况"]
    first = table[1]
    assert first[2] == "锡山区人民政府" and "无锡市生态环境局锡山分局" in first[3] and first[4] == "复工前"
    assert first[5] == "恶意炒作：有 → 无；风险防范化解预案：基本详实 → 详实"
    assert len(table) == 5


def test_residual_level_and_conclusion(xidong_doc):
    compare = rows(table_after(xidong_doc, "七、落实措施后的风险等级"))
    assert compare[0] == ["维度", "满分", "措施前", "措施后"] and ["风险等级", "", "高风险", "低风险"] in compare
    text = body_text(xidong_doc)
    assert "落实上述措施后，风险等级为低风险" in text
    assert "据此，本事项可以审批（核准）。" in text  # the NDRC regime's words for a low-risk project


def test_receipt_annex_with_qr_code(xidong_doc):
    table = rows(table_after(xidong_doc, "附件：台账凭证"))
    assert ["台账序号", "42"] in table and ["记录哈希", "a" * 64] in table and ["台账链头哈希", "b" * 64] in table
    assert ["规则集编号", "guiyang"] in table and ["规则集版本", "2014.1"] in table and ["规则集哈希", "c" * 64] in table
    assert ["记录时间", "2026-11-28T21:00:00+00:00"] in table
    assert len(xidong_doc.inline_shapes) == 1
    images = [r for r in xidong_doc.part.rels.values() if "image" in r.reltype]
    assert images and images[0].target_part.blob[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_rule_file_identifier_in_the_body(xidong_doc, guiyang):
    text = body_text(xidong_doc)
    names = set(guiyang.facts) | {i.id for i in guiyang.items} | {t.id for t in guiyang.triggers} | {p.id for p in guiyang.procedures}
    leaked = {n for n in names if re.search(rf"(?<![A-Za-z0-9_-]){re.escape(n)}(?![A-Za-z0-9_])", text)}
    assert leaked == set()


@pytest.mark.parametrize("ruleset", riskeval.bundled_names())
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_reports_without_identifiers(ruleset, path, tmp_path):
    rs = load_ruleset(ruleset)
    out = write_report(assess(load_project(path), rs), tmp_path / "r.docx")
    doc = Document(str(out))
    assert headings(doc) == CHAPTERS
    names = set(rs.facts) | {i.id for i in rs.items} | {t.id for t in rs.triggers}
    text = body_text(doc)
    assert {n for n in names if re.search(rf"(?<![A-Za-z0-9_-]){re.escape(n)}(?![A-Za-z0-9_])", text)} == set()


def test_panel_annex_when_a_panel_signed(guiyang, tmp_path):
    project = load_project(XIDONG)
    project.panel_record = {"chair": "张三", "consolidated_opinion": "同意评估结论", "signature_lines": ["张三（组长）", "李四"]}
    doc = Document(str(write_report(assess(project, guiyang), tmp_path / "p.docx")))
    assert headings(doc)[-1] == "附件：专家评审意见"
    table = rows(table_after(doc, "附件：专家评审意见"))
    assert ["专家组组长", "张三"] in table and ["综合意见", "同意评估结论"] in table


def test_index_rule_set_shows_probability_and_impact(tmp_path):
    doc = Document(str(write_report(assess(load_project(XIDONG), load_ruleset("national")), tmp_path / "n.docx")))
    table = rows(table_after(doc, "可行性"))
    assert table[0][2] == "概率 × 影响 × 权重"
    assert any(r[0] == "生态环境影响（含邻避）" and r[2] == "概率 0.9 × 影响 0.9 × 权重 0.2941 = 0.2382" for r in table)
    assert "不适用的条目（本事项不涉及，不计权重，权重由同维度适用条目分摊）：征收补偿安置方案合理公平及时" in body_text(doc)
    assert rows(table_after(doc, "五、风险估计"))[0] == ["维度", "权重", "小计"]


def test_english_report(tmp_path):
    doc = Document(str(write_report(assess(load_project(XIDONG), load_ruleset("guiyang")), tmp_path / "e.docx", lang="en")))
    assert headings(doc)[0] == "1. Basis of the assessment" and "Hence: may be approved." in body_text(doc)


def test_user_template_styles_and_placeholder(tmp_path, guiyang):
    """A user's template keeps its letterhead and styles; the report goes where {{report}} stands."""
    from docx.shared import Pt

    template = tmp_path / "their.docx"
    doc = Document(str(TEMPLATE))
    doc.styles["Heading 1"].font.size = Pt(20)
    doc.add_paragraph("某某市社会稳定风险评估中心")
    doc.add_paragraph("{{report}}")
    doc.add_paragraph("（此页无正文）")
    doc.save(str(template))
    out = write_report(assess(load_project(XIDONG), guiyang), tmp_path / "t.docx", template=template)
    got = Document(str(out))
    texts = [p.text for p in got.paragraphs]
    assert texts[0] == "某某市社会稳定风险评估中心" and texts[-1] == "（此页无正文）" and "{{report}}" not in texts
    assert got.styles["Heading 1"].font.size.pt == 20 and headings(got)[0] == "一、评估依据"


def test_template_without_heading_styles_still_works(tmp_path, guiyang):
    template = tmp_path / "bare.docx"
    doc = Document()
    doc.save(str(template))
    out = write_report(assess(load_project(XIDONG), guiyang), tmp_path / "b.docx", template=template)
    assert headings(Document(str(out))) == CHAPTERS  # python-docx's own default has the heading styles


def test_bad_template_is_an_input_error(tmp_path, guiyang):
    bad = tmp_path / "bad.docx"
    bad.write_text("not a docx", encoding="utf-8")
    with pytest.raises(riskeval.InputError):
        write_report(assess(load_project(XIDONG), guiyang), tmp_path / "x.docx", template=bad)
    with pytest.raises(riskeval.InputError):
        write_report(assess(load_project(XIDONG), guiyang), tmp_path / "x.docx", template=tmp_path / "missing.docx")


def test_shipped_template_matches_its_script(tmp_path):
    from riskeval.report import docx as report_docx

    assert report_docx.TEMPLATE == TEMPLATE
    rebuilt = Document(str(build_template(tmp_path / "default.docx")))
    shipped = Document(str(TEMPLATE))
    for name in STYLES:
        assert shipped.styles[name].element.xml == rebuilt.styles[name].element.xml, name
    assert shipped.sections[0].footer._element.xml == rebuilt.sections[0].footer._element.xml


def test_cli_writes_a_report(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out" / "xidong.docx"
    result = runner.invoke(app, ["report", str(XIDONG), "--rules", "guiyang", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and headings(Document(str(out))) == CHAPTERS
    assert "已写出稳评报告" in result.stdout
    bad = runner.invoke(app, ["report", str(XIDONG), "--rules", "guiyang", "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2 and not (tmp_path / "x.pdf").exists()
    english = runner.invoke(app, ["report", str(XIDONG), "--rules", "guiyang", "--out", str(tmp_path / "en.docx"), "--lang", "en"])
    assert english.exit_code == 0 and headings(Document(str(tmp_path / "en.docx")))[-1] == "8. Conclusion and recommendations"


def test_receipt_from_a_record_object(guiyang, tmp_path):
    """A ledger record (attributes ``seq``, ``record_hash``, ``ruleset_id`` …, ``ts``) serves as well as a mapping."""
    from types import SimpleNamespace

    record = SimpleNamespace(seq=3, record_hash="d" * 64, ruleset_id="guiyang", ruleset_version="2014.1", ruleset_hash="e" * 64, ts="2026-11-28")
    doc = Document(str(write_report(assess(load_project(XIDONG), guiyang), tmp_path / "r.docx", receipt=record)))
    table = rows(table_after(doc, "附件：台账凭证"))
    assert ["台账序号", "3"] in table and ["记录时间", "2026-11-28"] in table and ["规则集哈希", "e" * 64] in table
    assert not any(r[0] == "台账链头哈希" for r in table)  # not given, not invented


def test_cli_report_with_panel(tmp_path):
    from riskeval.panel_scores import write_panel_rows

    rules = tmp_path / "r.yaml"
    rules.write_text(
        f"id: t\ntitle: 面板测试\nversion: '1'\nextends: {(ROOT / 'rules' / 'jiangsu-db32-4013-2021.yaml').as_posix()}\n"
        "items:\n  - {id: JS-RSN-4, panel: true}\n",
        encoding="utf-8",
    )
    assert any(i.panel for i in load_ruleset(rules).items)
    project = tmp_path / "p.yaml"
    import yaml

    project.write_text(
        yaml.safe_dump({"id": "P1", "name": "面板项目", "kind": "project", "facts": load_ruleset("jiangsu-db32-4013-2021").tests[0].project["facts"]}, allow_unicode=True),
        encoding="utf-8",
    )
    panel = tmp_path / "PANEL.csv"
    write_panel_rows(
        panel,
        [
            {"project": "P1", "kind": "value", "item": "JS-RSN-4", "part": "points", "round": 1, "final": 1, "value": 2},
            {"project": "P1", "kind": "chair", "expert": "E2", "name": "李四", "text": "可以实施，注意宣传"},
            {"project": "P1", "kind": "expert", "expert": "E1", "name": "张三", "text": "同意", "signed": 1, "signature": "张三 2024-05-01"},
        ],
    )
    out = tmp_path / "panel.docx"
    result = CliRunner().invoke(app, ["report", str(project), "--rules", str(rules), "--panel", str(panel), "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    assert headings(doc) == [*CHAPTERS, "附件：专家评审意见"]
    text = body_text(doc)
    assert "可以实施，注意宣传" in text and "引发攀比" in text and "JS-RSN-4" not in text


def test_out_of_scope_matter_still_gets_every_chapter(tmp_path):
    from tests.riskeval.test_scoring_paths import INDEX_RULES

    path = tmp_path / "idx.yaml"
    path.write_text(INDEX_RULES, encoding="utf-8")
    result = assess(riskeval.Project(id="D", kind="event", facts={"environmental_impact": "none"}), load_ruleset(path))
    assert not result.in_scope
    doc = Document(str(write_report(result, tmp_path / "d.docx")))
    assert headings(doc) == CHAPTERS and "本事项不在须评估范围内。" in body_text(doc)
