"""Batch results that say why: trigger, incomplete and top-item columns by label, Chinese headers, a
formatted Excel sheet, and a summary that names triggers and items by label, never by id."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from riskeval import load_ruleset
from riskeval.batch import OUTPUT_COLUMNS
from riskeval.batch.rows import output_headers
from riskeval.batch.run import run_batch
from riskeval.cli import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "projects.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def guiyang():
    return load_ruleset("guiyang")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The first 120 example projects (they include high-risk rows raised by a trigger)."""
    path = tmp_path_factory.mktemp("why") / "projects.csv"
    lines = EXAMPLES.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(lines[:121]) + "\n", encoding="utf-8")
    return path


def test_new_columns_come_after_the_old_ones():
    assert OUTPUT_COLUMNS[:11] == (
        "row", "id", "status", "initial_level", "initial_score", "residual_level", "residual_score",
        "decision", "incomplete", "findings", "error",
    )  # fmt: skip
    assert OUTPUT_COLUMNS[11:] == ("triggers", "incomplete_reasons", "top_items", "level_zh", "decision_zh")
    zh = output_headers("zh")
    assert len(zh) == len(OUTPUT_COLUMNS) and len(set(zh)) == len(zh)
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in zh)


def test_why_columns_speak_in_labels(tmp_path, guiyang, sample):
    out = tmp_path / "out.csv"
    run_batch(sample, guiyang, out, workers=0)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ok = [r for r in rows if r["status"] == "ok"]
    assert ok
    trigger_labels = {tr.label for tr in guiyang.triggers}
    item_labels = {i.label for i in guiyang.items}
    item_ids = {i.id for i in guiyang.items}
    for r in ok:
        assert r["level_zh"] in ("高风险", "中风险", "低风险")
        assert r["decision_zh"]
        tops = [x for x in r["top_items"].split(";") if x]
        assert len(tops) <= 3
        for top in tops:
            label, points = top.rsplit(" ", 2)[0], top.rsplit(" ", 2)[1]
            assert label in item_labels and float(points) > 0
        for fired in filter(None, r["triggers"].split(";")):
            assert fired.removesuffix("（仅措施前）") in trigger_labels
        assert not any(i in r["triggers"] + r["top_items"] for i in item_ids)
    # a high level raised by a trigger shows that trigger; a row whose measures removed one marks it
    assert any(r["residual_level"] == "high" and r["triggers"] for r in ok)
    assert any("（仅措施前）" in r["triggers"] for r in ok)
    # the top items are the largest contributions, in order
    firsts = [float(r["top_items"].split(";")[0].rsplit(" ", 2)[1]) for r in ok if r["top_items"]]
    seconds = [float(r["top_items"].split(";")[1].rsplit(" ", 2)[1]) for r in ok if r["top_items"].count(";") >= 1]
    assert firsts and seconds and max(seconds) <= max(firsts)


def test_incomplete_reasons_by_label(tmp_path, guiyang, sample):
    out = tmp_path / "out.jsonl"
    run_batch(sample, guiyang, out, workers=0, lang="en")
    import json

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        if r["status"] == "ok":
            assert bool(r["incomplete_reasons"]) == bool(r["incomplete"])
            assert isinstance(r["triggers"], list) and isinstance(r["top_items"], list)
            assert all(x.endswith(" pts") for x in r["top_items"])


def test_chinese_headers_and_formatted_xlsx(tmp_path, sample):
    out = tmp_path / "out.xlsx"
    result = runner.invoke(
        app,
        ["batch", str(sample), "--rules", "guiyang", "--out", str(out), "--workers", "0", "--headers", "zh"],
    )
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == output_headers("zh")
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:P{ws.max_row}" and ws.max_row == 121
    assert ws.column_dimensions["L"].width >= 30  # 直接认定情形
    second = [c for c in ws[2]]
    types = {h: c.data_type for h, c in zip(header, second, strict=False)}
    assert types["行号"] == "n"
    ok_row = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "ok")
    assert ok_row[8].data_type == "b" and isinstance(ok_row[4].value, float)
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for r in ws.iter_rows() for c in r)


def test_unknown_headers_value_is_a_usage_error(tmp_path, sample):
    result = runner.invoke(
        app,
        ["batch", str(sample), "--rules", "guiyang", "--out", str(tmp_path / "o.csv"), "--headers", "fr"],
    )
    assert result.exit_code == 2
    assert not (tmp_path / "o.csv").exists()


def test_summary_names_triggers_and_items_by_label_not_id(tmp_path, guiyang, sample):
    result = runner.invoke(
        app, ["batch", str(sample), "--rules", "guiyang", "--out", str(tmp_path / "o.csv"), "--workers", "0"]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert "决定等级的直接认定情形：" in text and "合计分值最高的风险因素" in text
    assert "主要因素：" in text
    for item in guiyang.items:
        assert item.id not in text
    assert any(tr.label in text for tr in guiyang.triggers)
