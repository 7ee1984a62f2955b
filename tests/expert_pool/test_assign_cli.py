"""The ``assign`` command through typer's CliRunner on riskeval's real app (errors mapped by its group)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import riskeval
from riskeval.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pool"

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["assign", *map(str, args)])


def _rows(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_pool_optimal(tmp_path):
    out, metrics = tmp_path / "out.csv", tmp_path / "m.json"
    res = _run("--experts", EXAMPLES / "experts.csv", "--projects", EXAMPLES / "projects.csv", "--out", out,
               "--json", metrics)
    assert res.exit_code == 0, res.output
    assert "专家分配结果" in res.stdout and "总亲和度" in res.stdout
    rows = _rows(out)
    assert list(rows[0]) == ["project", "expert", "score"]
    data = json.loads(metrics.read_text(encoding="utf-8"))
    assert data["metrics"]["seats"] == len(rows) and data["certificate"]["optimal"] is True
    assert len(data["panels"]) == 40


def test_all_options(tmp_path):
    e = _write(tmp_path, "E.csv", "expert,unit,max_load,min_load\n" + "".join(
        f"E{j},U{j % 4},2,{1 if j == 0 else 0}\n" for j in range(12)))
    p = _write(tmp_path, "P.csv", "project,unit,reviewers\nP1,U0,3\nP2,U1,3\nP3,U2,2\n")
    a = _write(tmp_path, "A.csv", "project,expert,score\n" + "".join(
        f"P{i},E{j},{(i * 7 + j * 3) % 10 / 10 - 0.3}\n" for i in (1, 2, 3) for j in range(12)))
    c = _write(tmp_path, "C.csv", "project,expert\nP2,E2\n")
    out = tmp_path / "o.csv"
    for extra in ([], ["--method", "random", "--seed", "5"], ["--method", "random", "--seed", "5", "--prob-cap", "0.6"]):
        res = _run("--experts", e, "--projects", p, "--affinity", a, "--conflicts", c, "--max-per-unit", 1,
                   "--unit-max-load", 3, "--out", out, "--lang", "en", *extra)
        assert res.exit_code == 0, res.output
        rows = _rows(out)
        assert len(rows) == 8
        assert ("P2", "E2") not in {(r["project"], r["expert"]) for r in rows}
        assert all(not (r["project"] == "P1" and int(r["expert"][1:]) % 4 == 0) for r in rows)  # own unit U0
        assert "E0" in {r["expert"] for r in rows}  # min load
        units = {}
        for r in rows:
            units[int(r["expert"][1:]) % 4] = units.get(int(r["expert"][1:]) % 4, 0) + 1
        assert max(units.values()) <= 3
        if extra:
            assert "Seed" in res.stdout and "5" in res.stdout
    first = out.read_text(encoding="utf-8")
    _run("--experts", e, "--projects", p, "--affinity", a, "--out", out, "--method", "random", "--seed", "5",
         "--prob-cap", "0.6", "--conflicts", c, "--max-per-unit", 1, "--unit-max-load", 3)
    assert out.read_text(encoding="utf-8") == first  # reproducible


def test_infeasible_exit_1_with_explanation(tmp_path):
    e = _write(tmp_path, "E.csv", "expert,unit,max_load,domains\nE1,U1,1,法律\nE2,U2,1,交通\n")
    p = _write(tmp_path, "P.csv", "project,unit,panel_size,domains\nP1,U9,2,法律\n")
    res = _run("--experts", e, "--projects", p, "--out", tmp_path / "o.csv")
    assert res.exit_code == 1
    assert "无法完成分配" in res.stderr and "P1" in res.stderr and "法律" in res.stderr
    assert "Traceback" not in res.output
    res = _run("--experts", e, "--projects", p, "--out", tmp_path / "o.csv", "--lang", "en")
    assert res.exit_code == 1 and "No feasible assignment" in res.stderr and "only 1 expert(s)" in res.stderr


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["--projects", "{P}", "--out", "{O}"], "--experts 或 --pool", "exactly one of"),
        (["--experts", "{E}", "--pool", "{Y}", "--projects", "{P}", "--out", "{O}"], "二者之一", "exactly one"),
        (["--experts", "{E}", "--projects", "{P}", "--out", "{O}", "--method", "best"], "用法错误", "usage error"),
        (["--experts", "{E}", "--projects", "{P}", "--out", "{O}", "--prob-cap", "0.5"], "仅适用于", "requires"),
        (["--experts", "{E}", "--projects", "{P}", "--out", "{O}", "--seed", "1"], "仅适用于", "requires"),
        (["--experts", "{MISSING}", "--projects", "{P}", "--out", "{O}"], "文件不存在", "file not found"),
        (["--experts", "{E}", "--projects", "{P}", "--out", "{O}", "--max-per-unit", "0"], "max-per-unit",
         "max-per-unit"),
        (["--experts", "{E}", "--projects", "{P}", "--out", "{DIR}"], "无法写入", "cannot write"),
    ],
)
def test_input_errors_exit_2(tmp_path, args, zh, en):
    names = {
        "E": _write(tmp_path, "E.csv", "expert,unit,max_load\nE1,U1,2\nE2,U2,2\n"),
        "BAD": _write(tmp_path, "bad.csv", "expert,unit,max_load\nE1,U1,2\nE2,U2,lots\n"),
        "P": _write(tmp_path, "P.csv", "project,unit,panel_size\nP1,U3,1\n"),
        "C": _write(tmp_path, "C.csv", "project,expert\nP1,E9\n"),
        "Y": tmp_path / "pool.yaml",
        "O": tmp_path / "o.csv",
        "MISSING": tmp_path / "missing.csv",
        "DIR": tmp_path,
    }
    filled = [a.format(**names) for a in args]
    for lang, text in (("zh", zh), ("en", en)):
        res = _run(*filled, "--lang", lang)
        assert res.exit_code == 2, res.output
        assert text in res.stderr, res.stderr
        assert "Traceback" not in res.output


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["--experts", "{BAD}", "--projects", "{P}", "--out", "{O}"], "第 3 行，列“max_load”", "row 3, column 'max_load'"),
        (["--experts", "{E}", "--projects", "{P}", "--out", "{O}", "--conflicts", "{C}"], "未知的专家“E9”",
         "unknown expert 'E9'"),
    ],
)
def test_bad_rows_exit_1(tmp_path, args, zh, en):
    names = {
        "E": _write(tmp_path, "E.csv", "expert,unit,max_load\nE1,U1,2\nE2,U2,2\n"),
        "BAD": _write(tmp_path, "bad.csv", "expert,unit,max_load\nE1,U1,2\nE2,U2,lots\n"),
        "P": _write(tmp_path, "P.csv", "project,unit,panel_size\nP1,U3,1\n"),
        "C": _write(tmp_path, "C.csv", "project,expert\nP1,E9\n"),
        "O": tmp_path / "o.csv",
    }
    filled = [a.format(**names) for a in args]
    for lang, text in (("zh", zh), ("en", en)):
        res = _run(*filled, "--lang", lang)
        assert res.exit_code == 1, res.output
        assert text in res.stderr, res.stderr
        assert "Traceback" not in res.output


def test_several_bad_rows_reported_together(tmp_path):
    e = _write(tmp_path, "E.csv", "expert,unit,max_load,available\nE1,U1,lots,是\nE2,,1,是\nE3,U3,1,maybe\nE4,U4,1,是\n")
    p = _write(tmp_path, "P.csv", "project,unit,panel_size\nP1,U3,1\n")
    res = _run("--experts", e, "--projects", p, "--out", tmp_path / "o.csv", "--lang", "en")
    assert res.exit_code == 1
    assert "3 problems" in res.stderr
    for text in ("row 2, column 'max_load'", "row 3, column 'unit'", "row 4, column 'available'"):
        assert text in res.stderr, res.stderr
    assert not (tmp_path / "o.csv").exists()


def test_bad_lang(tmp_path):
    res = _run("--experts", "x.csv", "--projects", "p.csv", "--out", tmp_path / "o.csv", "--lang", "fr")
    assert res.exit_code == 2 and "--lang" in res.stderr


def test_pool_with_rules(tmp_path, monkeypatch):
    calls = []

    class RuleSet:
        def panel_size(self, project):
            calls.append(project)
            return 3 if project.get("kind") == "project" else None

    monkeypatch.setattr(riskeval, "load_ruleset", lambda name: RuleSet())
    out = tmp_path / "o.csv"
    res = _run("--pool", EXAMPLES / "pool.yaml", "--projects", EXAMPLES / "projects.csv", "--rules", "any",
               "--out", out)
    assert res.exit_code == 0, res.output
    assert len(calls) == 40 and all("investment" in c for c in calls)
    sizes = {}
    for r in _rows(out):
        sizes[r["project"]] = sizes.get(r["project"], 0) + 1
    assert sizes["P001"] == 3  # a 28.5 亿 project: 5 by default, 3 by this rule set
    assert sizes["P004"] == 5  # policy at city level: rule returns None, default applies


def test_rules_errors(tmp_path):
    res = _run("--pool", EXAMPLES / "pool.yaml", "--projects", EXAMPLES / "projects.csv", "--rules", "nope",
               "--out", tmp_path / "o.csv")
    assert res.exit_code == 2 and "nope" in res.stderr and "Traceback" not in res.output
