"""台账 page in the browser: browse and search, open a record, verify intact, then name a tampered record."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.riskeval.web.conftest import ROOT, assert_cjk_glyphs, htmx_idle
from tests.riskeval.web.server import WebServer, tamper_record

EXAMPLES = ("metro-line-2", "water-price-hearing", "large-event")


@pytest.fixture()
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """A server of its own (the test tampers with its ledger), with three Guiyang examples recorded."""
    server = WebServer(tmp_path_factory.mktemp("ledger-page"))
    server.add_tokens()
    server.start()
    try:
        headers = {"Authorization": f"Bearer {server.tokens['assessor']}"}
        for name in EXAMPLES:
            data = yaml.safe_load((ROOT / "examples" / "projects" / f"{name}.yaml").read_text(encoding="utf-8"))
            body = json.loads(json.dumps({"ruleset": "guiyang", "project": data}, default=str))
            response = httpx.post(server.url + "/api/v1/gate/assess", json=body, headers=headers, timeout=120)
            assert response.status_code == 200, response.text
        yield server
    finally:
        server.stop()


def _login(page: Any, server: WebServer, role: str) -> None:
    page.goto(f"{server.url}/login?next=/ledger")
    page.fill("#token", server.tokens[role])
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_ledger_lists_searches_verifies_and_names_a_tampered_record(page: Any, own_server: WebServer, shot: Any, tmp_path: Path) -> None:
    _login(page, own_server, "auditor")
    assert page.url.endswith("/ledger")
    rows = page.locator("#ledger-table tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).get_attribute("data-seq") for i in range(3)] == ["3", "2", "1"]  # newest first
    first = page.locator('#ledger-table tr[data-seq="1"]').inner_text()
    assert "gy-metro-line-2" in first and "贵阳市城市轨道交通集团有限公司" in first and "低风险" in first
    assert_cjk_glyphs(page)

    # search: by project name, by unit, by level, by date range
    page.fill("#q-project", "马拉松")
    page.click("#ledger-filters button[type=submit]")
    page.wait_for_url(re.compile(r"project="))
    assert page.locator("#ledger-table tbody tr").count() == 1
    assert page.locator("#ledger-count").get_attribute("data-total") == "1"
    page.goto(f"{own_server.url}/ledger?unit=发展和改革")
    assert page.locator("#ledger-table tbody tr").count() == 1
    page.goto(f"{own_server.url}/ledger?from=2000-01-01&to=2000-12-31")
    assert page.locator("#ledger-table").count() == 0 and page.locator("#ledger-count").get_attribute("data-total") == "0"
    page.goto(f"{own_server.url}/ledger")
    page.select_option("#q-level", "low")
    page.click("#ledger-filters button[type=submit]")
    page.wait_for_url(re.compile(r"level=low"))
    levels = page.locator("#ledger-table tbody .level")
    assert levels.count() >= 1 and all(levels.nth(i).inner_text() == "低风险" for i in range(levels.count()))

    # open a record: printable, with its hash and the assessment in words
    page.goto(f"{own_server.url}/ledger")
    page.click('#ledger-table tr[data-seq="1"] a')
    page.wait_for_url(re.compile(r"/ledger/1$"))
    assert page.locator("#ledger-record").get_attribute("data-hash-ok") == "true"
    assert re.fullmatch(r"[0-9a-f]{64}", page.locator("#record-hash").inner_text())
    assert page.locator("#assessment-result").get_attribute("data-level") == "low"
    assert page.locator("#decision").inner_text() == "可以实施"
    page.emulate_media(media="print")
    assert page.locator("header.topbar").is_hidden() and page.locator("#ledger-record button").is_hidden()
    page.emulate_media(media="screen")
    pdf = page.pdf(prefer_css_page_size=True)  # the page's @page rule: A4
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert pdf.startswith(b"%PDF") and 1 <= len(boxes) <= 4
    assert all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes), boxes  # A4 in points
    shot("record")

    # export: the library's JSONL, as a download
    page.goto(f"{own_server.url}/ledger")
    with page.expect_download() as download:
        page.click("#export-ledger")
    target = tmp_path / "export.jsonl"
    download.value.save_as(target)
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["seq"] for r in lines] == [1, 2, 3] and lines[0]["project_id"] == "gy-metro-line-2"

    # verify: intact
    page.click("#verify-ledger")
    outcome = page.locator("#verify-outcome")
    outcome.wait_for()
    assert outcome.get_attribute("data-ok") == "true" and outcome.get_attribute("data-records") == "3"
    assert "台账完好" in outcome.inner_text()
    shot("intact")

    # tamper with record 2 behind the server's back: verify names it
    tamper_record(own_server.ledger, 2, "王五")
    page.reload()
    page.click("#verify-ledger")
    htmx_idle(page)
    outcome = page.locator("#verify-outcome")
    outcome.wait_for()
    assert outcome.get_attribute("data-ok") == "false"
    assert outcome.get_attribute("data-bad-seq") == "2"
    assert page.locator("#first-bad").inner_text() == "第一条有问题的记录：第 2 号"
    shot("tampered")
    assert page.locator('#ledger-table tr[data-seq="2"]').get_attribute("class") == "bad"
    page.click("#first-bad")
    page.wait_for_url(re.compile(r"/ledger/2$"))
    assert page.locator("#ledger-record").get_attribute("data-hash-ok") == "false"
    assert page.locator("#integrity").inner_text() == "不符！"
