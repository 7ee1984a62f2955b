"""Impact analysis: rule items added/removed/changed, and projects whose level or decision changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import riskeval
from riskeval.batch import diff_rulesets, impact
from riskeval.cli import app

from .conftest import JIANGSU, read_output, write_csv


@pytest.fixture()
def edited(tmp_path: Path, jiangsu) -> riskeval.RuleSet:
    """JS-CTL-3 removed, JS-FEA-2 scores 'some' 2 → 12, JS-NEW-1 added, the medium band lowered to (15, 35]."""
    path = tmp_path / "edited.yaml"
    path.write_text(
        f"""id: jiangsu-edit
title: 江苏细则修改稿
version: "2"
extends: {jiangsu.path}
remove:
  items: [JS-CTL-3]
items:
  - {{id: JS-FEA-2, label: 环境影响, dimension: feasibility, category: 生态环境影响, max: 4,
     points: {{fact: environmental_impact, map: {{none: 0, some: 4, nimby: 4}}}}, source: 修改稿, confidence: U}}
  - {{id: JS-NEW-1, label: 涉及较多搬迁户, dimension: controllability, category: 土地房屋征收（征用）方案,
     max: 3, when: possible_incident_size >= 50, points: 3, source: 修改稿, confidence: U}}
""",
        encoding="utf-8",
    )
    return riskeval.load_ruleset(path)


def test_rule_diff(jiangsu, edited):
    diff = diff_rulesets(jiangsu, edited)
    assert [c.id for c in diff.of("item", "removed")] == ["JS-CTL-3"]
    assert [c.id for c in diff.of("item", "added")] == ["JS-NEW-1"]
    (changed,) = diff.of("item", "changed")
    assert changed.id == "JS-FEA-2" and "points" in changed.fields
    assert "条目新增 1、删除 1、修改 1" in diff.text()
    assert "items 1 added, 1 removed, 1 changed" in diff.text("en")
    json.dumps(diff.as_dict(), ensure_ascii=False)


def project_rows(good_facts):
    return [
        {"id": "same", **good_facts},
        {
            "id": "env",
            **good_facts,
            "opposition_rate": 15,
            "opposition_intensity": "fairly_strong",
            "environmental_impact": "some",
            "legal_compliance": "none",
            "subject_authority": "none",
            "comparison_risk": "high",
            "stakeholders_defined": "unclear",
        },
        {
            "id": "hype",
            **good_facts,
            "opposition_rate": 19,
            "malicious_hype": "serious",
            "information_disclosed": False,
            "legal_compliance": "none",
            "subject_authority": "none",
            "satisfaction_rate": 60,
        },
        {
            "id": "crowd",
            **good_facts,
            "possible_incident_size": 60,
            "legal_compliance": "none",
            "subject_authority": "none",
            "satisfaction_rate": 60,
            "local_support": "oppose",
        },
        {"id": "bad", **good_facts, "opposition_rate": "x"},
    ]


def test_impact_names_changed_projects_and_items(jiangsu, edited, good_facts):
    results = list(impact(jiangsu, edited, project_rows(good_facts), workers=0))
    assert [old.id for old, _, _ in results] == ["same", "env", "hype", "crowd", "bad"]
    changes = {c.id: c for _, _, c in results if c is not None}
    assert "same" not in changes and "bad" not in changes
    assert set(changes) == {"env", "hype", "crowd"}
    levels = {
        k: (c.old.residual_level, c.new.residual_level, c.old.decision, c.new.decision)
        for k, c in changes.items()
    }
    assert levels == {
        "env": ("low", "medium", "proceed", "reject"),
        "hype": ("medium", "low", "reject", "proceed"),
        "crowd": ("low", "medium", "proceed", "reject"),
    }
    assert (
        changes["env"].items_changed == {"JS-FEA-2": (2.0, 4.0)}
        and changes["env"].items_text() == "~JS-FEA-2(2→4)"
    )
    assert changes["hype"].items_removed == ["JS-CTL-3"] and changes["hype"].responsible == ["JS-CTL-3"]
    assert changes["crowd"].items_added == ["JS-NEW-1"]
    assert "JS-NEW-1" in changes["crowd"].text() and "低风险" in changes["crowd"].text()


def test_impact_with_workers_and_cli(tmp_path, jiangsu, edited, good_facts):
    rows = project_rows(good_facts) * 3
    serial = [
        (a.id, a.residual_level, b.residual_level, c is not None)
        for a, b, c in impact(jiangsu, edited, rows, workers=0)
    ]
    parallel = [
        (a.id, a.residual_level, b.residual_level, c is not None)
        for a, b, c in impact(jiangsu, edited, rows, workers=2)
    ]
    assert parallel == serial
    src = write_csv(tmp_path / "p.csv", rows)
    runner = CliRunner()
    out = tmp_path / "changes.csv"
    result = runner.invoke(
        app, ["diff", JIANGSU, str(edited.path), "--projects", str(src), "--out", str(out), "--workers", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "删除评估条目 JS-CTL-3" in result.output and "项目：共 15 个" in result.output
    changed = sum(c for *_, c in serial)
    assert f"变化的 {changed} 个" in result.output
    import csv

    with out.open(encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == changed and all(r["items"] or r["triggers"] for r in table)
    doc_path = tmp_path / "changes.json"
    result = runner.invoke(
        app,
        [
            "diff",
            JIANGSU,
            str(edited.path),
            "--projects",
            str(src),
            "--out",
            str(doc_path),
            "--workers",
            "0",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    assert doc["projects"] == {"total": 15, "changed": changed} and len(doc["changes"]) == changed
    assert {c["id"] for c in doc["rules"]["changes"]} >= {"JS-CTL-3", "JS-NEW-1", "JS-FEA-2"}


def test_no_change_diff(tmp_path, jiangsu, good_facts):
    src = write_csv(tmp_path / "p.csv", project_rows(good_facts))
    result = CliRunner().invoke(app, ["diff", JIANGSU, JIANGSU, "--projects", str(src), "--workers", "0"])
    assert (
        result.exit_code == 0 and "两个规则集的定义相同" in result.output and "变化的 0 个" in result.output
    )
    assert read_output  # imported helper stays available for other tests


def test_run_diff_is_the_library_behind_the_command(tmp_path):
    """The diff's JSON document is built by the library (riskeval.batch.run_diff), not by the CLI."""
    import json

    from riskeval import load_ruleset
    from riskeval.batch import run_diff
    from riskeval.batch.synthetic import write_csv as write_synthetic

    old = load_ruleset("jiangsu-db32-4013-2021")
    edited = tmp_path / "edited.yaml"
    text = (old.path.read_text(encoding="utf-8") if old.path else "")
    edited.write_text(text.replace("when: opposition_rate > 50,", "when: opposition_rate > 5,", 1), encoding="utf-8")
    new = load_ruleset(edited)
    src = write_synthetic(tmp_path / "in.csv", 200, seed=5)
    out = tmp_path / "changes.json"
    outcome = run_diff(old, new, src, out=out, workers=0)
    assert outcome.total == 200 and 0 < outcome.changed == len(outcome.changes)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(outcome.to_dict(), ensure_ascii=False, default=str))
    assert doc["projects"] == {"total": 200, "changed": outcome.changed}
    kept = run_diff(old, new, src, keep=1, workers=0)
    assert kept.changed == outcome.changed and len(kept.changes) == min(1, outcome.changed)
