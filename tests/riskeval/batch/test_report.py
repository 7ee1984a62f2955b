"""The HTML report renders its tables and SVG charts in headless Chromium; the Excel report has the same tables."""

from __future__ import annotations

import re
import subprocess

import pytest
from openpyxl import load_workbook

from riskeval.batch import BatchStats, assess_many
from riskeval.batch.synthetic import generate_rows
from riskeval.report.charts import grouped_bar_chart, stacked_bar_chart
from riskeval.report.html import render_html, write_html_report
from riskeval.report.xlsx import write_xlsx_report
from tests.riskeval.browser import chromium_or_skip


@pytest.fixture(scope="module")
def stats(jiangsu) -> BatchStats:
    s = BatchStats(jiangsu)
    for row in assess_many(
        generate_rows(150, seed=11, bad_fraction=0.03),
        jiangsu,
        workers=0,
        assessments=False,
        explain={"high", "medium"},
    ):
        s.add(row)
    return s


def test_stats_count_every_row(stats):
    assert stats.total == 150
    assert sum(stats.residual_levels.values()) == stats.status["ok"]
    assert stats.error_rows == stats.status["error"] > 0
    assert len(stats.details) == stats.residual_levels["high"] + stats.residual_levels["medium"]
    assert all(d.explanation and "社会稳定风险评估" in d.explanation for d in stats.details)
    kinds = {k for k in stats.by_kind}
    assert kinds <= {"project", "policy", "reform", "event", "other"}


def test_html_report_in_headless_chromium(tmp_path, stats, jiangsu):
    path = write_html_report(tmp_path / "report.html", stats, ruleset=jiangsu, source="in.csv")
    exe = chromium_or_skip()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [exe, *flags, "--dump-dom", path.as_uri()], capture_output=True, timeout=120, check=True
    ).stdout.decode()
    for key in (
        "overview",
        "levels",
        "decisions",
        "kinds",
        "units",
        "categories",
        "factors",
        "details",
        "errors",
    ):
        assert f'<section id="{key}">' in dom
    assert dom.count("<table") == 9
    assert dom.count("<svg") == 6 and dom.count("<rect") > 20
    for key in ("levels", "decisions", "kinds", "units", "categories", "factors"):
        section = dom.split(f'<section id="{key}">')[1].split("</section>")[0]
        assert "<svg" in section and "<rect" in section and "<table" in section
    assert "中、高风险事项" in dom and "风险等级（措施前、措施后）" in dom
    details = dom.split('<section id="details">')[1].split("</section>")[0]
    assert details.count("<tr") == len(stats.details) + 1
    assert re.search(r'<tr class="level-high">', details)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [exe, *flags, "--window-size=1200,3000", f"--screenshot={shot}", path.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_html_is_self_contained_and_escaped(stats):
    page = render_html(stats, title="<b>批量</b>")
    assert "&lt;b&gt;批量&lt;/b&gt;" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert render_html(stats, lang="en").count("High- and medium-risk matters") >= 1


def test_xlsx_report_has_the_same_tables(tmp_path, stats, jiangsu):
    path = write_xlsx_report(tmp_path / "report.xlsx", stats, ruleset=jiangsu, interrupted=True)
    wb = load_workbook(path)
    tables = stats.tables()
    assert [ws.title for ws in wb.worksheets] == [t.title[:31] for t in tables]
    levels = wb.worksheets[1]
    assert [c.value for c in levels[1]] == tables[1].headers
    assert levels.cell(row=2, column=2).value == stats.initial_levels["high"]
    assert len(levels._charts) == 1
    details = wb[tables[7].title[:31]]
    assert details.max_row == len(stats.details) + 1


def test_charts_scale_and_escape():
    svg = grouped_bar_chart(["a&b", "c"], ["前", "后"], [[0, 0], [0, 0]], title="空")
    assert "a&amp;b" in svg and 'width="0.0"' in svg
    svg = stacked_bar_chart(["x", "y"], ["高", "中", "低"], [[1, 1, 2], [0, 0, 4]], title="t")
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)" height="16"', svg)]
    assert len(widths) == 4 and abs(sum(widths[:3]) - widths[3]) < 0.5
