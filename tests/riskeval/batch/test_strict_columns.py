"""Strict columns in batch runs: an unknown column is an error before any row is evaluated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import riskeval
from riskeval.batch import assess_frame, assess_many
from riskeval.batch.columns import ColumnResolver, peek_columns
from riskeval.batch.run import run_batch
from riskeval.check import ProjectError
from riskeval.cli import app

from .conftest import labelled, read_output, write_csv

ROOT = Path(__file__).resolve().parents[3]
BUNDLED = ("guiyang", "jiangsu-db32-4013-2021", "national")


@pytest.fixture(scope="module")
def guiyang() -> riskeval.RuleSet:
    return riskeval.load_ruleset("guiyang")


@pytest.fixture()
def gy_rows(guiyang: riskeval.RuleSet) -> list[dict[str, Any]]:
    facts = guiyang.tests[0].project["facts"]
    return [{"id": f"G{i}", "kind": "policy", **facts} for i in range(3)]


class _Counting:
    """An iterable that counts how many rows were taken from it."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.taken = 0

    def __iter__(self):
        for row in self.rows:
            self.taken += 1
            yield row


def test_unknown_csv_column_fails_before_any_row_and_creates_no_output(tmp_path, guiyang, gy_rows):
    src = write_csv(tmp_path / "in.csv", [{**r, "petition_12m": 45} for r in gy_rows])
    out = tmp_path / "out.csv"
    with pytest.raises(ProjectError) as info:
        run_batch(src, guiyang, out, workers=0)
    [problem] = info.value.problems
    assert (problem.code, problem.field) == ("batch.unknown_column", "petition_12m")
    assert problem.params["suggestion"] == "petitions_12m"
    assert str(src) in info.value.render("en") and "petition_12m" in info.value.render("en")
    assert not out.exists()


def test_lenient_batch_ignores_the_column_and_reports_it(tmp_path, guiyang, gy_rows):
    src = write_csv(tmp_path / "in.csv", [{**r, "petition_12m": 45} for r in gy_rows])
    outcome = run_batch(src, guiyang, tmp_path / "out.csv", workers=0, strict=False)
    assert outcome.unknown_columns == {"petition_12m"}
    assert [r["residual_level"] for r in read_output(tmp_path / "out.csv")] == ["low"] * 3


def test_correct_column_fires_the_trigger(tmp_path, guiyang, gy_rows):
    src = write_csv(tmp_path / "in.csv", [{**r, "petitions_12m": 45} for r in gy_rows])
    run_batch(src, guiyang, tmp_path / "out.csv", workers=0)
    assert [r["residual_level"] for r in read_output(tmp_path / "out.csv")] == ["medium"] * 3


def test_chinese_labels_identity_measure_and_vocabulary_columns_are_allowed(tmp_path, jiangsu, good_facts):
    row = labelled(jiangsu, {"id": "J1", "项目名称": "道路", "kind": "project", **good_facts, "measure:opposition_rate": 3})
    row.update({"措施编号": "M9", "措施名称": "沟通", "序号": 1, "petitions_12m": 5, "measure:land_area_mu": 2})
    src = write_csv(tmp_path / "in.csv", [row])
    outcome = run_batch(src, jiangsu, tmp_path / "out.csv", workers=0)
    assert outcome.stats.error_rows == 0
    assert read_output(tmp_path / "out.csv")[0]["status"] == "ok"
    assert outcome.unused_columns == ["petitions_12m", "land_area_mu"]
    assert outcome.unknown_columns == set()


def test_did_you_mean_for_labels_and_measure_columns(jiangsu):
    r = ColumnResolver(jiangsu)
    check = r.check_columns(["编号", "反对率%", "measure:oposition_rate", "措施:反对强烈程", "colour"])
    suggestions = {p.field: p.params["suggestion"] for p in check.unknown}
    assert suggestions == {
        "反对率%": "反对率",
        "measure:oposition_rate": "measure:opposition_rate",
        "措施:反对强烈程": "措施:" + jiangsu.facts["opposition_intensity"].label,
        "colour": "",
    }
    assert r.check_columns(["反对率（%）", "措施:反对强烈程度"]).unknown == []  # label with a unit suffix


def test_every_unknown_column_is_named_at_once(tmp_path, guiyang, gy_rows):
    src = write_csv(tmp_path / "in.csv", [{**r, "colour": "red", "petition_12m": 45} for r in gy_rows])
    with pytest.raises(ProjectError) as info:
        run_batch(src, guiyang, tmp_path / "out.csv", workers=0)
    assert [p.field for p in info.value.problems] == ["colour", "petition_12m"]


def test_jsonl_row_with_an_unknown_key_is_an_error_row(tmp_path, guiyang, gy_rows):
    rows = [gy_rows[0], {**gy_rows[1], "petition_12m": 45}, {**gy_rows[2], "facts": {"petition_12m": 45}}]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    run_batch(src, guiyang, tmp_path / "out.jsonl", workers=0, lang="en")
    out = read_output(tmp_path / "out.jsonl")
    assert [r["status"] for r in out] == ["ok", "error", "error"]
    assert "unknown column 'petition_12m'" in out[1]["error"] and "petitions_12m" in out[1]["error"]
    assert "unknown fact 'petition_12m'" in out[2]["error"]


def test_assess_many_checks_the_first_row_before_evaluating(guiyang, gy_rows):
    rows = _Counting([{**r, "petition_12m": 45} for r in gy_rows])
    with pytest.raises(ProjectError):
        list(assess_many(rows, guiyang, workers=0))
    assert rows.taken == 1
    lenient = list(assess_many(rows, guiyang, workers=0, strict=False, assessments=False))
    assert [r.status for r in lenient] == ["ok"] * 3


def test_assess_many_projects_with_unknown_facts_are_error_rows(guiyang):
    facts = {**guiyang.tests[0].project["facts"], "petition_12m": 45}
    projects = [riskeval.Project(id="A", kind="policy", facts=facts)]
    [row] = assess_many(projects, guiyang, workers=0, lang="en")
    assert row.status == "error" and "petition_12m" in (row.error or "")
    [row] = assess_many(projects, guiyang, workers=0, strict=False)
    assert row.status == "ok"


def test_assess_frame_is_strict(guiyang, gy_rows):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([{**r, "petition_12m": 45} for r in gy_rows])
    with pytest.raises(ProjectError):
        assess_frame(frame, guiyang)
    assert list(assess_frame(frame, guiyang, strict=False)["status"]) == ["ok"] * 3


def test_peek_keeps_every_row(guiyang, gy_rows):
    rows, check = peek_columns(iter(gy_rows), ColumnResolver(guiyang))
    assert list(rows) == gy_rows and check.unknown == []
    rows, check = peek_columns(iter([]), ColumnResolver(guiyang))
    assert list(rows) == [] and check.unknown == []


@pytest.mark.parametrize("rules", BUNDLED)
@pytest.mark.parametrize("name", ["projects.csv", "projects.xlsx"])
def test_example_lists_have_no_unknown_column_under_any_bundled_rule_set(name, rules):
    from riskeval.batch import open_rows

    resolver = ColumnResolver(riskeval.load_ruleset(rules))
    with open_rows(ROOT / "examples" / name) as source:
        _, check = peek_columns(source, resolver)
    assert check.unknown == []


def test_cli_batch_strict_and_lenient(tmp_path, gy_rows):
    src = write_csv(tmp_path / "in.csv", [{**r, "petition_12m": 45} for r in gy_rows])
    out = tmp_path / "out.csv"
    strict = CliRunner().invoke(app, ["batch", str(src), "--rules", "guiyang", "--out", str(out), "--workers", "0", "--lang", "en"])
    assert strict.exit_code == 1
    assert "unknown column 'petition_12m'" in strict.stderr and "petitions_12m" in strict.stderr
    assert not out.exists()
    args = ["batch", str(src), "--rules", "guiyang", "--out", str(out), "--workers", "0", "--lenient"]
    lenient = CliRunner().invoke(app, args)
    assert lenient.exit_code == 0, lenient.output
    assert "petition_12m" in lenient.stderr and out.exists()


def test_cli_batch_notes_unused_standard_columns(tmp_path, good_facts):
    src = write_csv(tmp_path / "in.csv", [{"id": "J1", "kind": "project", **good_facts, "petitions_12m": 3}])
    args = ["batch", str(src), "--rules", "jiangsu-db32-4013-2021", "--out", str(tmp_path / "o.csv"), "--workers", "0"]
    result = CliRunner().invoke(app, [*args, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "standard-fact columns are not used by this rule set and are ignored: petitions_12m" in result.stderr
