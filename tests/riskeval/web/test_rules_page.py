"""规则集 page in the browser: the list and the rule table, editing with problems by line, the embedded tests,
the impact on the example list, saving a new version (never overwriting) and admin-only activation."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from riskeval.ledger import Ledger
from riskeval.ruleset.source import bundled_rules_dir
from riskeval.ruleset.versions import RuleDirectory
from tests.riskeval.web.conftest import ROOT, assert_cjk_glyphs, csrf_of, http_login
from tests.riskeval.web.pages_support import PagesServer, log_in, pages_server

__all__ = ["pages_server"]

GUIYANG = (bundled_rules_dir() / "guiyang.yaml").read_text(encoding="utf-8")
JIANGSU = (bundled_rules_dir() / "jiangsu-db32-4013-2021.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _set_text(page: Any, text: str) -> None:
    page.fill("#rule-text", text)


def _wait_check(page: Any, ok: bool) -> None:
    page.wait_for_selector(f"#check .check-result[data-ok={'true' if ok else 'false'}]")


def test_rule_sets_and_the_rule_table(page: Any, pages_server: PagesServer) -> None:
    log_in(page, pages_server, "auditor", "/rules")
    rows = page.locator("#rulesets tbody tr")
    assert rows.count() == 2
    assert page.locator('#rulesets tr[data-ruleset="guiyang"] .badge.on').count() == 1
    assert "贵阳市" in page.locator('#rulesets tr[data-ruleset="guiyang"]').inner_text()
    assert_cjk_glyphs(page)
    page.click('#rulesets tr[data-ruleset="guiyang"] a[href="/rules/guiyang/table"]')
    page.wait_for_selector("#rule-table")
    table = page.locator("#rule-table").inner_text()
    assert "评估条目" in table and "直接触发" in table and "等级划分" in table
    assert page.locator("#rule-table tbody tr").count() > 20


def test_an_error_shows_at_its_line_and_fixing_it_makes_the_tests_pass(
    page: Any, pages_server: PagesServer, shot: Callable[[str], Path]
) -> None:
    log_in(page, pages_server, "assessor", "/rules/guiyang/edit")
    _wait_check(page, ok=True)
    broken = GUIYANG.replace("authority:", "authorty:")
    line = _line_of(broken, "authorty:")
    _set_text(page, broken)
    _wait_check(page, ok=False)
    page.wait_for_selector(f'#gutter .ln.bad[data-line="{line}"]')
    mark = page.locator(f'#marks .mark[data-line="{line}"]')
    assert "未知的键" in mark.inner_text() and "authority" in mark.inner_text()
    item = page.locator("#check [data-problem-line]")
    assert item.count() == 1 and item.get_attribute("data-problem-line") == str(line)
    assert f"第 {line} 行" in item.inner_text()
    # clicking the problem shows its line; the mark sits beside it, at the line number's height
    item.click()
    editor = page.locator("#editor").bounding_box()
    number_box = page.locator(f'#gutter .ln[data-line="{line}"]').bounding_box()
    mark_box = mark.bounding_box()
    assert editor["y"] <= number_box["y"] <= editor["y"] + editor["height"]
    assert abs(number_box["y"] - mark_box["y"]) < 2
    shot("problem-beside-its-line")
    page.click("#run-tests")
    page.wait_for_selector("#tests .tests-result[data-ok=false]")
    assert "先改正" in page.locator("#tests").inner_text()
    # a problem far down: clicking it scrolls the editor there, and its mark stays beside the line
    far = GUIYANG.replace("expect: {incomplete: true, missing_procedures: [GY-PRC-5]}", "expct: {incomplete: true}")
    far_line = _line_of(far, "expct:")
    assert far_line > 100
    _set_text(page, far)
    page.wait_for_selector(f'#check [data-problem-line="{far_line}"]')
    page.click(f'#check [data-problem-line="{far_line}"]')
    assert page.locator("#rule-text").evaluate("(el) => el.scrollTop") > 0
    editor = page.locator("#editor").bounding_box()
    number_box = page.locator(f'#gutter .ln[data-line="{far_line}"]').bounding_box()
    mark_box = page.locator(f'#marks .mark[data-line="{far_line}"]').bounding_box()
    assert editor["y"] <= number_box["y"] <= editor["y"] + editor["height"]
    assert abs(number_box["y"] - mark_box["y"]) < 2
    # an expectation that no longer holds: the test fails and says why
    old = "expect: {in_scope: true, level: low, initial_level: low"
    _set_text(page, GUIYANG.replace(old, old.replace("level: low, initial", "level: high, initial")))
    _wait_check(page, ok=True)
    assert page.locator("#gutter .ln.bad").count() == 0 and page.locator("#marks .mark").count() == 0
    page.click("#run-tests")
    page.wait_for_selector("#tests .failure")
    failure = page.locator("#tests .failure").inner_text()
    assert "低风险-各项良好" in failure and "high" in failure
    _set_text(page, GUIYANG)
    _wait_check(page, ok=True)
    page.click("#run-tests")
    page.wait_for_selector("#tests .tests-result[data-ok=true]")
    assert "全部通过" in page.locator("#tests").inner_text()


def test_the_impact_of_an_edit_on_the_example_list(page: Any, pages_server: PagesServer, tmp_path: Path) -> None:
    log_in(page, pages_server, "assessor", "/rules/jiangsu-db32-4013-2021/edit")
    _wait_check(page, ok=True)
    edited = JIANGSU.replace('range: "[0, 20]"', 'range: "[0, 10]"').replace('range: "(20, 35]"', 'range: "(10, 35]"')
    _set_text(page, edited)
    _wait_check(page, ok=True)
    assert page.locator("#example").is_checked()
    page.click("#run-impact")
    summary = page.wait_for_selector("#impact-summary")
    assert summary.get_attribute("data-total") == "500"
    changed = int(summary.get_attribute("data-changed") or 0)
    assert changed > 0
    assert "低风险" in page.locator("#impact table").inner_text() and "中风险" in page.locator("#impact table").inner_text()
    # an uploaded list instead of the example
    lines = (ROOT / "examples" / "projects.csv").read_text(encoding="utf-8").splitlines()[:21]
    upload = tmp_path / "twenty.csv"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.uncheck("#example")
    page.set_input_files("#projects", str(upload))
    page.click("#run-impact")
    page.wait_for_selector('#impact-summary[data-total="20"]')


def test_save_a_new_version_never_overwriting(page: Any, pages_server: PagesServer) -> None:
    log_in(page, pages_server, "assessor", "/rules/guiyang/edit")
    _wait_check(page, ok=True)
    _set_text(page, GUIYANG.replace('version: "2014.1"', 'version: "2014.2"'))
    _wait_check(page, ok=True)
    page.click("#save")
    saved = page.wait_for_selector("#saved")
    name = saved.get_attribute("data-file")
    assert name == "guiyang@2014.2.yaml"
    path = pages_server.rules_dir / name
    before = path.read_bytes()
    assert b'version: "2014.2"' in before
    _set_text(page, GUIYANG.replace('version: "2014.1"', 'version: "2014.2"').replace("# 贵阳", "# 改过的 贵阳", 1))
    _wait_check(page, ok=True)
    page.click("#save")
    page.wait_for_selector("#save-result .alert.bad")
    assert "已存在" in page.locator("#save-result").inner_text() and "不覆盖" in page.locator("#save-result").inner_text()
    assert path.read_bytes() == before
    assert sorted(p.name for p in pages_server.rules_dir.iterdir()) == [name]


def test_activation_is_for_admins_and_recorded_in_the_ledger(page: Any, pages_server: PagesServer) -> None:
    kept = RuleDirectory(pages_server.rules_dir).save(GUIYANG.replace('version: "2014.1"', 'version: "2014.9"'))
    with httpx.Client(base_url=pages_server.url, timeout=60, follow_redirects=False) as http:
        http_login(http, pages_server.tokens["assessor"])
        listing = http.get("/rules")
        assert listing.status_code == 200 and "data-activate" not in listing.text
        refused = http.post(
            "/rules/activate",
            data={"csrf_token": csrf_of(listing.text), "ruleset": "guiyang", "version": "2014.9"},
            headers={"Accept": "text/html"},
        )
        assert refused.status_code == 403
    assert _activations(pages_server) == []
    log_in(page, pages_server, "admin", "/rules")
    button = page.locator('[data-activate="guiyang@2014.9"]')
    with page.expect_navigation():
        button.click()
    notice = page.locator("#activated").inner_text()
    seq = int(re.search(r"第 (\d+) 号记录", notice).group(1))  # type: ignore[union-attr]
    [record] = _activations(pages_server)
    assert (record.seq, record.ruleset_id, record.ruleset_version, record.ruleset_hash) == (
        seq, "guiyang", "2014.9", kept.hash,
    )
    assert record.actor == "admin-组"
    assert page.locator('#rulesets tr[data-ruleset="guiyang"]').inner_text().count("2014.9") == 1
    assert page.locator('#versions tr[data-version="guiyang@2014.9"] .badge.on').count() == 1
    assert page.locator('[data-activate="guiyang@2014.9"]').count() == 0


def _activations(server: PagesServer) -> list[Any]:
    ledger = Ledger(server.ledger, read_only=True, create=False)
    try:
        return list(ledger.records(kind="activation"))
    finally:
        ledger.close()


def test_forms_need_the_session_csrf_token_and_the_role(pages_server: PagesServer) -> None:
    with httpx.Client(base_url=pages_server.url, timeout=60, follow_redirects=False) as http:
        assert http.post("/rules/check", data={"text": GUIYANG}).status_code == 401
        http_login(http, pages_server.tokens["auditor"])
        page = http.get("/rules/guiyang/edit")
        assert page.status_code == 200 and 'id="save"' not in page.text  # not offered to auditors
        token = csrf_of(page.text)
        assert http.post("/rules/check", data={"text": GUIYANG}).status_code == 403  # no CSRF token
        checked = http.post("/rules/check", data={"text": GUIYANG}, headers={"X-CSRF-Token": token})
        assert checked.status_code == 200 and 'data-ok="true"' in checked.text
        refused = http.post("/rules/save", data={"text": GUIYANG}, headers={"X-CSRF-Token": token})
        assert refused.status_code == 403
        english = http.get("/rules?lang=en")
        assert english.status_code == 200 and "Loaded rule sets" in english.text
        assert http.get("/rules/nope/table", headers={"Accept": "text/html"}).status_code == 404
