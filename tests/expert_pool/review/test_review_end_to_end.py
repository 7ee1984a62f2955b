"""End to end: assignment CSV -> score sheets -> filled scores -> PANEL.csv -> assessment -> gate decision."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

import riskeval
from expert_pool.review.scores import CHAIR_MARKER, CHAIR_OPINION_MARKER, GRID_MARKER, SIGNATURES_MARKER
from riskeval.cli import app
from riskeval.panel_scores import apply_panel

from ._helpers import write_csv

# (JS-RSN-4, JS-CTL-1, opinion) per expert and project; P2's panel sees a high risk
SCORES: dict[str, dict[str, tuple[int, int, str]]] = {
    "P1": {"E1": (2, 10, "风险较小"), "E2": (2, 11, "同意"), "E3": (0, 12, "可以实施")},
    "P2": {"E2": (4, 33, "反对强烈"), "E3": (4, 35, "风险高"), "E4": (2, 34, "暂缓")},
}


def fill(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    for project, scores in SCORES.items():
        ws = wb[project]
        col = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
        grid = col.index(GRID_MARKER) + 1
        for k, (a, b, text) in enumerate(scores.values()):
            ws.cell(grid + 1 + k, 3, a)
            ws.cell(grid + 1 + k, 4, b)
            ws.cell(grid + 1 + k, 5, text)
        chair = next(iter(scores))
        ws.cell(col.index(CHAIR_MARKER) + 1, 2, chair)
        ws.cell(col.index(CHAIR_OPINION_MARKER) + 1, 2, f"{project} 组长综合意见")
        sig = col.index(SIGNATURES_MARKER) + 1
        for k, expert in enumerate(scores):
            ws.cell(sig + 1 + k, 3, f"{expert} 签")
            ws.cell(sig + 1 + k, 4, "2024-05-01")
    wb.save(path)


def project_file(tmp: Path, project_id: str, facts: dict[str, Any]) -> Path:
    path = tmp / f"{project_id}.yaml"
    data = {"id": project_id, "name": f"项目 {project_id}", "kind": "project", "investment": 50000, "facts": facts}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_assignment_to_gate(panel_rules_path: Path, good_facts: dict[str, Any], tmp_path: Path) -> None:
    runner = CliRunner()
    assignment = write_csv(
        tmp_path / "OUT.csv",
        "project,expert,score",
        [f"{p},{e},0.5" for p, experts in SCORES.items() for e in experts],
    )
    sheets = tmp_path / "sheets.xlsx"
    made = runner.invoke(
        app, ["review", "template", "--assignment", str(assignment), "--rules", str(panel_rules_path), "--out", str(sheets)]
    )
    assert made.exit_code == 0, made.output
    assert "2 个专家组" in made.output
    fill(sheets)

    panel = tmp_path / "PANEL.csv"
    agg = runner.invoke(
        app,
        ["review", "aggregate", "--scores", str(sheets), "--rules", str(panel_rules_path), "--out", str(panel),
         "--assignment", str(assignment), "--delphi-out", str(tmp_path / "delphi.csv")],
    )
    assert agg.exit_code == 0, agg.output
    with open(tmp_path / "delphi.csv", encoding="utf-8-sig") as handle:
        flagged = [(r["project"], r["item"], r["value"]) for r in csv.DictReader(handle)]
    assert ("P1", "JS-RSN-4", "2.0") in flagged  # 0 vs 2: spread and the thirds boundary

    # second (Delphi) round: every panel member re-scores the flagged items at the first round's median
    round2 = write_csv(
        tmp_path / "round2.csv",
        "project,expert,item,score",
        [f"{p},{e},{item},{value}" for p, item, value in flagged for e in SCORES[p]],
    )
    agg = runner.invoke(
        app,
        ["review", "aggregate", "--scores", str(sheets), "--rules", str(panel_rules_path), "--out", str(panel),
         "--assignment", str(assignment), "--round2", str(round2)],
    )
    assert agg.exit_code == 0, agg.output
    assert "2 轮" in agg.output and "无分歧条目" in agg.output

    p1 = project_file(tmp_path, "P1", good_facts)
    p2 = project_file(tmp_path, "P2", good_facts)
    out = runner.invoke(app, ["assess", str(p1), "--rules", str(panel_rules_path), "--panel", str(panel), "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout if hasattr(out, "stdout") else out.output)
    assert result["initial"]["score"] == pytest.approx(13) and result["level"] == "low"
    assert result["decision"] == "proceed" and not result["incomplete"]
    # without the panel file the assessment is incomplete
    bare = json.loads(runner.invoke(app, ["assess", str(p1), "--rules", str(panel_rules_path), "--format", "json"]).output)
    assert bare["incomplete"]

    # the record: the chair's consolidated opinion and every signature line
    rules = riskeval.load_ruleset(panel_rules_path)
    project1 = apply_panel(riskeval.load_project(p1), panel)
    record = project1.panel_record
    assert record is not None
    assert record["chair"] == "E1" and record["consolidated_opinion"] == "P1 组长综合意见"
    assert record["signature_lines"] == ["E1：E1 签 2024-05-01（已签）", "E2：E2 签 2024-05-01（已签）",
                                         "E3：E3 签 2024-05-01（已签）"]
    assert [e["opinion"] for e in record["experts"]] == ["风险较小", "同意", "可以实施"]
    assessed = riskeval.assess(project1, rules)
    assert assessed.panel_record == record and assessed.decision == "proceed"

    # the gate decides on the assessment made with the panel's values
    import riskeval.gate as gate_mod
    gate = gate_mod.Gate(rules, ledger=tmp_path / "ledger.sqlite")
    project2 = apply_panel(riskeval.load_project(p2), panel)
    assert gate.assess(project1, actor="评估人").decision == "proceed"
    assert gate.require(project1).seq == 1
    second = gate.assess(project2, actor="评估人")
    assert second.level == "high" and second.initial is not None and second.initial.score == pytest.approx(38)
    with pytest.raises(gate_mod.GateBlocked):
        gate.require(project2)
    # a changed panel value makes the recorded assessment stale
    changed = project1.model_copy(update={"panel": {**(project1.panel or {}), "JS-CTL-1": 30.0}})
    with pytest.raises(gate_mod.AssessmentStale):
        gate.require(changed)
