"""The HTML batch report prints on A4: the 500 example projects (guiyang) come to at most 30 pages in
headless Chromium's print-to-PDF, with one compact row per high/medium-risk matter and the full
explanation folded."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from riskeval import load_ruleset
from riskeval.batch.run import run_batch
from riskeval.report.html import write_html_report
from tests.riskeval.browser import chromium_or_skip

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "projects.csv"
MAX_PAGES = 30


def _pages(pdf: bytes) -> int:
    """Page objects (``/Type /Page``, not the ``/Pages`` tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("print")
    rs = load_ruleset("guiyang")
    outcome = run_batch(EXAMPLES, rs, tmp / "out.csv", workers=0, explain=("high", "medium"))
    assert outcome.stats.total == 500
    path = write_html_report(tmp / "report.html", outcome.stats, ruleset=rs, source=EXAMPLES.name)
    return path, outcome.stats


def test_page_counter_counts_pages_not_the_tree():
    pdf = b"<< /Type /Pages /Kids [3 0 R 4 0 R] >> << /Type /Page >> << /Type/Page /Parent 2 0 R >>"
    assert _pages(pdf) == 2


def test_details_are_compact_rows_with_the_explanation_folded(report):
    path, stats = report
    page = path.read_text(encoding="utf-8")
    assert "@page { size: A4" in page and "@media print" in page
    details = page.split('<section id="details">')[1].split("</section>")[0]
    assert details.count("<tr") == len(stats.details) + 1 > 10
    assert details.count("<details>") == len(stats.details)
    assert "<details open" not in details
    assert "主要原因" in details and "直接认定：" in details
    first = details.split("<tbody>")[1].split("</tr>")[0]
    assert first.count("<td") == 6
    for item in load_ruleset("guiyang").items:
        reasons = re.sub(r"<details>.*?</details>", "", details, flags=re.S)
        assert item.id not in reasons


def test_500_projects_print_to_at_most_30_a4_pages(report, tmp_path):
    path, _ = report
    exe = chromium_or_skip()
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            path.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = _pages(data)
    assert 1 < pages <= MAX_PAGES
    # A4 (595 × 842 pt), not Letter (612 × 792)
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box is not None
    assert abs(float(box.group(1)) - 595) < 2 and abs(float(box.group(2)) - 842) < 2
