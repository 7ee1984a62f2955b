"""批量 page in the browser: the example list uploads, the progress completes, the summary and charts show, and
the downloaded results have one row per input row."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl

from riskeval.io.tables import open_table
from tests.riskeval.web.conftest import ROOT, assert_cjk_glyphs
from tests.riskeval.web.pages_support import PagesServer, log_in, pages_server

__all__ = ["pages_server"]

EXAMPLE = ROOT / "examples" / "projects.csv"


def _input_rows() -> int:
    with open_table(EXAMPLE) as table:
        return sum(1 for _ in table)


def _download(page: Any, selector: str, target: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    info.value.save_as(target)
    return target


def test_the_example_list_runs_and_its_results_download(page: Any, pages_server: PagesServer, tmp_path: Path) -> None:
    log_in(page, pages_server, "assessor", "/batch")
    assert_cjk_glyphs(page)
    page.select_option("#ruleset", "guiyang")
    page.set_input_files("#file", str(EXAMPLE))  # a real upload of examples/projects.csv
    with page.expect_navigation():
        page.click("#start")
    assert "/batch/" in page.url
    page.wait_for_selector("#progress[data-status=done]", timeout=300_000)
    assert page.locator("progress.bar").get_attribute("value") == "100"
    rows = _input_rows()
    assert rows == 500
    summary = page.locator("#summary").inner_text()
    assert f"共 {rows} 行" in summary
    charts = page.locator("#charts figure svg")
    assert charts.count() >= 3
    assert "高风险" in page.locator("#charts").inner_text()

    results = _download(page, '[data-download="csv"]', tmp_path / "results.csv")
    data = list(csv.DictReader(io.StringIO(results.read_text(encoding="utf-8-sig"))))
    assert len(data) == rows
    assert [int(r["row"]) for r in data] == list(range(2, rows + 2))  # the input's line numbers (header: line 1)
    with EXAMPLE.open(encoding="utf-8") as handle:
        ids = [r["id"] for r in csv.DictReader(handle)]
    assert [r["id"] for r in data] == ids

    workbook = openpyxl.load_workbook(_download(page, '[data-download="xlsx"]', tmp_path / "results.xlsx"), read_only=True)
    sheet = workbook.worksheets[0]
    assert sum(1 for _ in sheet.iter_rows(min_row=2, values_only=True)) == rows
    workbook.close()

    report = _download(page, '[data-download="report"]', tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "社会稳定风险评估" in report


def test_an_upload_without_a_file_is_explained(page: Any, pages_server: PagesServer) -> None:
    log_in(page, pages_server, "assessor", "/batch")
    with page.expect_navigation():
        page.click("#start")
    assert "请选择项目清单文件" in page.locator("#batch-error").inner_text()


def test_the_batch_page_is_not_offered_to_auditors(page: Any, pages_server: PagesServer) -> None:
    log_in(page, pages_server, "auditor", "/")
    assert page.locator('nav a[data-page="batch"]').count() == 0
    assert page.locator('nav a[data-page="rules"]').count() == 1
