"""评估 page in the browser: the form for the bundled Guiyang set gives what ``riskeval assess`` gives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from riskeval import load_ruleset
from riskeval.cli import app
from tests.riskeval.web.conftest import ROOT, assert_cjk_glyphs, htmx_idle
from tests.riskeval.web.server import WebServer

EXAMPLE = ROOT / "examples" / "projects" / "large-event.yaml"


def cli_assessment(path: Path, ruleset: str) -> dict[str, Any]:
    """What ``riskeval assess PATH --rules RULESET --format json`` prints (the CLI run in-process)."""
    out = CliRunner().invoke(app, ["assess", str(path), "--rules", ruleset, "--format", "json"])
    assert out.exit_code == 0, out.output
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def _field(page: Any, name: str) -> Any:
    return page.locator(f'[name="{name}"]')


def set_value(page: Any, name: str, value: Any) -> None:
    """Fill an input or choose in a drop-down, as a user would."""
    field = _field(page, name)
    tag = field.evaluate("(el) => el.tagName")
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    if tag == "SELECT":
        field.select_option(str(value))
    else:
        field.fill(str(value))


def fill_project(page: Any, project: dict[str, Any]) -> None:
    for key in ("id", "name", "kind", "unit", "decision_level", "investment", "location", "domains", "regime"):
        if project.get(key) is not None:
            set_value(page, f"p:{key}", project[key])
    for fact, value in project["facts"].items():
        if _field(page, f"f:{fact}").count():
            set_value(page, f"f:{fact}", value)
    for n, measure in enumerate(project.get("measures") or [], 1):
        page.click("#add-measure")
        htmx_idle(page)
        block = page.locator("fieldset.measure").nth(n - 1)
        block.wait_for()
        block.locator('input[name$=":label"]').fill(measure["label"])
        for i, (fact, value) in enumerate(measure["sets"].items()):
            if i:
                block.locator("button.add-change").click()
                htmx_idle(page)
            row = block.locator(".change").nth(i)
            row.wait_for()
            row.locator('select[name$=":fact"]').select_option(fact)
            htmx_idle(page)
            value_input = row.locator('[name$=":value"]:not([disabled])')
            value_input.wait_for()
            set_value(page, value_input.get_attribute("name"), value)


def test_guiyang_form_gives_the_cli_result_and_records_it(page: Any, login: Any, web_server: WebServer, shot: Any) -> None:
    project = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    expected = cli_assessment(EXAMPLE, "guiyang")
    login("assessor", "/assess")
    # choose the rule set by its title (switching away and back)
    page.select_option("#ruleset", "jiangsu-db32-4013-2021")
    page.wait_for_url(re.compile(r"ruleset=jiangsu"))
    guiyang = load_ruleset("guiyang")
    page.select_option("#ruleset", label=f"{guiyang.title}（{guiyang.version}）")
    page.wait_for_url(re.compile(r"ruleset=guiyang"))
    # the form speaks in the rule file's labels, units, ranges and options
    assert page.locator('label[for="f:satisfaction_rate"]').inner_text().startswith("群众满意度")
    assert _field(page, "f:satisfaction_rate").get_attribute("max") == "100.0"
    assert page.locator('[data-field="f:price_change_pct"] .help').first.inner_text() == "上调为正、下调为负，不调整为 0"
    assert page.locator('label[for="f:subject_authority"] .req').count() == 1
    assert "全部符合" in _field(page, "f:subject_authority").inner_text()
    assert_cjk_glyphs(page)

    fill_project(page, project)
    page.click("#run-assess")
    result = page.locator("#assessment-result")
    result.wait_for()
    assert result.get_attribute("data-level") == expected["level"] == "low"
    assert result.get_attribute("data-initial-level") == expected["initial"]["level"] == "medium"
    assert result.get_attribute("data-decision") == expected["decision"]
    assert float(result.get_attribute("data-score")) == round(expected["residual"]["score"], 2)
    assert float(result.get_attribute("data-initial-score")) == round(expected["initial"]["score"], 2)
    assert page.locator("#level-initial").inner_text() == "中风险"
    assert page.locator("#level-residual").inner_text() == "低风险"
    assert page.locator("#decision").inner_text() == "可以实施"
    findings = page.locator("table.findings").first.inner_text()
    assert "群众满意度" in findings and "opposition_rate" not in findings  # labels, never ids
    shot("result")
    # printed, only the result remains (the form is not printed), on A4
    page.emulate_media(media="print")
    assert page.locator("#assess-form").is_hidden() and page.locator("#assessment-result").is_visible()
    page.emulate_media(media="screen")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", page.pdf(prefer_css_page_size=True))
    assert 1 <= len(boxes) <= 4 and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)

    page.click("#record-assess")
    info = page.locator("#record-info")
    info.wait_for()
    seq = int(info.get_attribute("data-seq"))
    record_hash = info.get_attribute("data-hash")
    assert seq >= 1 and re.fullmatch(r"[0-9a-f]{64}", record_hash)
    assert page.locator("#record-hash").inner_text() == record_hash
    assert page.locator("#assessment-result").get_attribute("data-level") == "low"
