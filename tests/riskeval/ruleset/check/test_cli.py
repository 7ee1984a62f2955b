"""``riskeval check`` and ``riskeval test --coverage``: formats, languages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskeval.cli import app

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).parents[4]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def rel(name: str) -> str:
    return str((CORPUS / name).relative_to(ROOT))


def test_text_lines_are_file_line_column_severity_message_in_chinese() -> None:
    out = runner.invoke(app, ["check", rel("triggers.yaml")])
    assert out.exit_code == 1
    lines = [line for line in out.stdout.splitlines() if line.startswith(rel("triggers.yaml"))]
    assert lines[3] == f"{rel('triggers.yaml')}:22:33: 错误: 直接认定情形“超过全部”的条件在事实声明的取值范围内永远不成立"
    assert lines[2].startswith(f"{rel('triggers.yaml')}:21:33: 警告: 直接认定情形“六成反对”被“过半反对”涵盖")


def test_json_lists_every_finding_with_its_fields_in_english() -> None:
    out = runner.invoke(app, ["check", rel("facts_scope.yaml"), "--format", "json", "--lang", "en"])
    assert out.exit_code == 1
    rows = json.loads(out.stdout)
    assert rows[3] == {
        "file": rel("facts_scope.yaml"),
        "line": 11,
        "column": 5,
        "severity": "error",
        "code": "check.scope_never",
        "message": "scope entry 'x > 100' holds for no project",
    }
    assert [r["severity"] for r in rows] == ["warning", "warning", "warning", "error", "error"]


def test_warnings_alone_exit_zero() -> None:
    out = runner.invoke(app, ["check", rel("not_analysed.yaml"), "--format", "json"])
    assert out.exit_code == 0
    assert [r["code"] for r in json.loads(out.stdout)] == ["check.not_analysed"]


def test_a_file_that_does_not_load_gives_its_problems_in_the_same_format() -> None:
    out = runner.invoke(app, ["check", rel("does_not_load.yaml"), rel("not_analysed.yaml"), "--format", "json", "--lang", "en"])
    assert out.exit_code == 1
    rows = json.loads(out.stdout)
    assert rows[0] == {
        "file": rel("does_not_load.yaml"),
        "line": 18,
        "column": 31,
        "severity": "error",
        "code": "bands.overlap",
        "message": "bands of 'x' overlap: [0, 60] / [50, 100]",
    }
    assert rows[1]["file"] == rel("not_analysed.yaml")
    text = runner.invoke(app, ["check", rel("does_not_load.yaml")])
    assert text.exit_code == 1 and f"{rel('does_not_load.yaml')}:18:31: 错误: " in text.stdout


def test_a_missing_file_is_a_usage_error() -> None:
    out = runner.invoke(app, ["check", "no/such/file.yaml"])
    assert out.exit_code == 2


def test_coverage_json_per_rule_set_and_minimum(tmp_path: Path) -> None:
    out = runner.invoke(app, ["test", "jiangsu-db32-4013-2021", "--coverage", "--format", "json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    cov = report[0]["coverage"]
    assert cov["percent"] == 100.0 and cov["uncovered"] == []
    assert cov["kinds"]["items"] == {"covered": 21, "total": 21, "percent": 100.0}
    assert all(test["passed"] for test in report[0]["tests"])
    # a copy of the rule set with a single test covers less, and --min-coverage fails on it
    text = (ROOT / "rules" / "jiangsu-db32-4013-2021.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("  - name: 中风险-反对率恰为 20%")
    path = tmp_path / "one-test.yaml"
    path.write_text(head, encoding="utf-8")
    low = runner.invoke(app, ["test", str(path), "--min-coverage", "90", "--format", "json"])
    assert low.exit_code == 1
    data = json.loads(low.stdout)[0]["coverage"]
    assert data["percent"] < 90 and "JS-LEG-1" in data["uncovered"] and "JS-TRG-H1" in data["uncovered"]
    assert data["missing"]["JS-TRG-H1"] == ["hit"]
    assert "覆盖率" in low.stderr and "低于要求的 90%" in low.stderr


def test_coverage_text_table() -> None:
    out = runner.invoke(app, ["test", "guiyang", "--coverage", "--lang", "en"])
    assert out.exit_code == 0
    assert "rules/guiyang.yaml: coverage 100% (items 100%, triggers 100%, scope 100%, procedures 100%)" in out.stdout
    assert "  triggers   8/8" in out.stdout
