"""The worked examples: project files, quickstart, and the generated project list."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import riskeval
from riskeval.check import check_project
from riskeval.model.project import Project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
IDENTITY = ["id", "name", "kind", "regime", "unit", "domains", "decision_level", "investment", "location"]

# file -> (initial level, residual level, decision) under guiyang
EXPECTED = {
    "xidong.yaml": ("high", "low", "proceed"),
    # 14% fairly strong opposition scores 35 × 0.14 × 0.7 = 3.43 under the transcribed formula (a × b × 35)
    "metro-line-2.yaml": ("low", "low", "proceed"),
    "street-office-reform.yaml": ("medium", "low", "proceed"),
    "water-price-hearing.yaml": ("medium", "medium", "proceed_after_measures"),
    "large-event.yaml": ("medium", "low", "proceed"),
}


@pytest.fixture(scope="module")
def guiyang() -> riskeval.RuleSet:
    return riskeval.load_ruleset("guiyang")


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_projects", EXAMPLES / "make_projects.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_projects"] = module
    spec.loader.exec_module(module)
    return module


def test_every_example_file_is_listed() -> None:
    assert {p.name for p in (EXAMPLES / "projects").glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_under_guiyang(name: str, guiyang: riskeval.RuleSet) -> None:
    result = riskeval.assess(riskeval.load_project(EXAMPLES / "projects" / name), guiyang)
    assert result.in_scope and not result.incomplete, result.incomplete_reasons
    assert result.warnings == []
    assert result.initial is not None
    assert (result.initial.level, result.level, result.decision) == EXPECTED[name]


@pytest.mark.parametrize("rules", ["jiangsu-db32-4013-2021", "national"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_under_other_rule_sets(name: str, rules: str) -> None:
    result = riskeval.assess(riskeval.load_project(EXAMPLES / "projects" / name), riskeval.load_ruleset(rules))
    assert result.in_scope and not result.incomplete
    assert result.level is not None and result.decision is not None


def test_xidong_story(guiyang: riskeval.RuleSet) -> None:
    result = riskeval.assess(riskeval.load_project(EXAMPLES / "projects" / "xidong.yaml"), guiyang)
    assert result.initial is not None
    triggers = {h.trigger for h in result.initial.triggers}
    assert {"JS-TRG-H1", "JS-TRG-H2", "GY-TRG-M1"} <= triggers
    changes = {k: c["to"] for m in result.measures for k, c in m["changes"].items()}
    assert changes["opposition_rate"] == pytest.approx(0.3)
    assert changes["satisfaction_rate"] == pytest.approx(99.7)


def test_quickstart_runs() -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd="/",
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "锡东垃圾焚烧发电厂复工" in proc.stdout
    assert "措施前 high → 措施后 low" in proc.stdout


def test_generator_is_deterministic(generator: ModuleType) -> None:
    first = generator.to_csv(generator.generate(60, seed=3))
    assert first == generator.to_csv(generator.generate(60, seed=3))
    assert first != generator.to_csv(generator.generate(60, seed=4))


def test_committed_csv_is_the_default_output(generator: ModuleType) -> None:
    text = (EXAMPLES / "projects.csv").read_text(encoding="utf-8")
    assert text == generator.to_csv(generator.generate())


def _rows() -> list[dict[str, str]]:
    with open(EXAMPLES / "projects.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_shape(generator: ModuleType) -> None:
    rows = _rows()
    assert len(rows) >= 484
    header = list(rows[0])
    assert header[:9] == IDENTITY
    assert header == generator.columns()
    assert any(c.startswith("measure:") for c in header)
    assert len({r["id"] for r in rows}) == len(rows)
    kinds = {r["kind"] for r in rows}
    assert kinds == {"project", "policy", "reform", "event", "other"}
    assert {r[c] for r in rows for c in header if r[c] in ("true", "false", "True", "False")} <= {"true", "false"}
    # realistic, not uniform: most matters are low-opposition, a tail is high
    opposition = sorted(float(r["opposition_rate"]) for r in rows)
    assert opposition[len(opposition) // 2] < 15 and opposition[-10] > 50
    nimby = [float(r["opposition_rate"]) for r in rows if r["environmental_impact"] == "nimby"]
    other = [float(r["opposition_rate"]) for r in rows if r["environmental_impact"] == "none"]
    assert sum(nimby) / len(nimby) > 2 * sum(other) / len(other)


def row_to_project(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row in the project-file format (blank cells are absent; ``measure:<fact>`` → one measure)."""
    data: dict[str, Any] = {k: row[k] for k in IDENTITY if row.get(k)}
    if "domains" in data:
        data["domains"] = data["domains"].split(";")
    if "investment" in data:
        data["investment"] = float(data["investment"])
    data["facts"] = {
        k: v for k, v in row.items() if k not in IDENTITY and not k.startswith("measure") and v != ""
    }
    sets = {k.split(":", 1)[1]: v for k, v in row.items() if k.startswith("measure:") and v != ""}
    if sets:
        data["measures"] = [{"id": "M1", "label": row.get("measure_label") or "防范化解措施", "sets": sets}]
    return data


def test_every_csv_row_checks_under_guiyang(guiyang: riskeval.RuleSet) -> None:
    problems = {}
    for row in _rows():
        project = Project.model_validate(row_to_project(row))
        try:
            checked = check_project(project, guiyang)
        except riskeval.ProjectError as exc:
            problems[row["id"]] = exc.short("zh")
            continue
        if checked.warnings:
            problems[row["id"]] = "; ".join(w.message("zh") for w in checked.warnings)
    assert problems == {}


def test_xlsx_matches_csv() -> None:
    from openpyxl import load_workbook

    wb = load_workbook(EXAMPLES / "projects.xlsx", read_only=True)
    ws = wb["projects"]
    table = list(ws.iter_rows(values_only=True))
    rows = _rows()
    assert list(table[0]) == list(rows[0])
    assert len(table) == len(rows) + 1
    assert table[1][0] == rows[0]["id"]
    wb.close()
