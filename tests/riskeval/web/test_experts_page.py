"""专家 page in the browser: the pool by unit and expertise; an assignment and a random draw whose downloaded
panels are what ``expert_pool`` computes for the same input."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from expert_pool.assign.files import assign_files
from expert_pool.reading import load_pool
from tests.riskeval.web.conftest import ROOT, assert_cjk_glyphs
from tests.riskeval.web.pages_support import POOL, PagesServer, log_in, pages_server

__all__ = ["pages_server"]

PROJECTS = ROOT / "examples" / "pool" / "projects.csv"


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _download_panels(page: Any, target: Path) -> Path:
    with page.expect_download() as info:
        page.click("#download-panels")
    info.value.save_as(target)
    return target


def test_the_pool_by_unit_and_expertise(page: Any, pages_server: PagesServer) -> None:
    log_in(page, pages_server, "auditor", "/experts")
    assert_cjk_glyphs(page)
    pool = load_pool(POOL)
    assert page.locator("#by-unit tbody tr").count() == len(pool.units)
    totals = page.locator("#pool-totals").inner_text()
    available = sum(e.available for e in pool.experts)
    assert f"专家 {len(pool.experts)} 人" in totals and f"可用 {available} 人" in totals
    first = pool.units[0]
    row = page.locator(f'#by-unit tr[data-unit="{first.id}"]').inner_text()
    assert first.name in row and str(len(pool.members(first.id))) in row
    assert "法律" in page.locator("#by-domain").inner_text()
    assert page.locator("#assign-form").count() == 0  # auditors may look, not assign


def test_an_assignment_downloads_what_expert_pool_computes(page: Any, pages_server: PagesServer, tmp_path: Path) -> None:
    log_in(page, pages_server, "assessor", "/experts")
    page.set_input_files("#projects", str(PROJECTS))
    page.fill("#max_per_unit", "1")
    with page.expect_navigation():
        page.click("#assign")
    page.wait_for_selector("#panels")
    downloaded = _download_panels(page, tmp_path / "panels.csv")
    expected = assign_files(projects=PROJECTS, pool=POOL, max_per_unit=1, out=tmp_path / "expected.csv")
    assert _rows(downloaded) == _rows(tmp_path / "expected.csv")
    assert page.locator("#panels tbody tr").count() == len(expected.panels)
    first = expected.panels[0]
    assert all(e in page.locator(f'#panels tr[data-project="{first.project}"]').inner_text() for e in first.experts)


def test_a_random_draw_with_a_seed_is_reproduced(page: Any, pages_server: PagesServer, tmp_path: Path) -> None:
    log_in(page, pages_server, "assessor", "/experts")
    page.set_input_files("#projects", str(PROJECTS))
    page.select_option("#method", "random")
    page.fill("#seed", "7")
    with page.expect_navigation():
        page.click("#assign")
    page.wait_for_selector("#panels")
    assert "7" in page.locator("#assign-summary").inner_text()
    downloaded = _download_panels(page, tmp_path / "draw.csv")
    assign_files(projects=PROJECTS, pool=POOL, method="random", seed=7, out=tmp_path / "expected.csv")
    assert _rows(downloaded) == _rows(tmp_path / "expected.csv")


def test_a_bad_seed_is_explained(page: Any, pages_server: PagesServer) -> None:
    log_in(page, pages_server, "assessor", "/experts")
    page.set_input_files("#projects", str(PROJECTS))
    page.select_option("#method", "random")
    page.fill("#seed", "")
    page.locator("#seed").evaluate("(el) => { el.type = 'text'; el.value = 'abc'; }")
    with page.expect_navigation():
        page.click("#assign")
    assert "非负整数" in page.locator("#assign-error").inner_text()
