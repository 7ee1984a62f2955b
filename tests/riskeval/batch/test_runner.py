"""assess_many / assess_frame: order with workers, equality with assess(), scope, stop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import Project, assess
from riskeval.batch import assess_frame, assess_many
from riskeval.batch.runner import Job, process_chunk
from riskeval.batch.synthetic import generate_rows

from .conftest import EXPECTED


def test_order_preserved_with_two_workers(jiangsu):
    rows = list(generate_rows(120, seed=7, bad_fraction=0.05))
    serial = [
        (r.row, r.id, r.status, r.residual_level, r.findings, r.error)
        for r in assess_many(rows, jiangsu, workers=0, assessments=False)
    ]
    parallel = [
        (r.row, r.id, r.status, r.residual_level, r.findings, r.error)
        for r in assess_many(iter(rows), jiangsu, workers=2, chunk_size=3, assessments=False)
    ]
    assert parallel == serial
    assert [r[0] for r in parallel] == list(range(1, 121))
    assert [r[1] for r in parallel] == [row["id"] for row in rows]
    assert any(r[2] == "error" for r in parallel) and any(r[3] == "high" for r in parallel)


def test_assessments_equal_single_assess(jiangsu, rows):
    got = list(assess_many(rows, jiangsu, workers=0))
    assert [(r.id, r.status, r.initial_level, r.residual_level) for r in got] == EXPECTED
    project = Project(
        id="P4",
        kind="project",
        unit="乙局",
        facts={
            k: v for k, v in rows[3].items() if k not in ("id", "kind", "unit", "measure:opposition_rate")
        },
        measures=[{"id": "M1", "label": "防范化解措施", "sets": {"opposition_rate": 5}}],
    )
    direct = assess(project, jiangsu, what_if=False)  # batch assessments leave the what-if search out
    a = got[3].assessment
    assert a is not None
    assert a.model_dump() == direct.model_dump()
    assert got[3].findings == [f.item for f in direct.residual.findings]
    assert got[3].initial_findings == [f.item for f in direct.initial.findings]


def test_projects_and_explanations(jiangsu, good_facts):
    projects = [
        Project(id=f"X{i}", kind="project", facts={**good_facts, "opposition_rate": rate})
        for i, rate in enumerate((3, 30, 60))
    ]
    got = list(assess_many(projects, jiangsu, workers=0, assessments=False, explain={"high", "medium"}))
    assert [r.residual_level for r in got] == ["low", "medium", "high"]
    assert got[0].explanation is None and "高风险" in (got[2].explanation or "")
    assert all(r.assessment is None for r in got)


def scoped_rules(tmp_path: Path) -> riskeval.RuleSet:
    path = tmp_path / "scoped.yaml"
    base = Path(riskeval.load_ruleset("jiangsu-db32-4013-2021").path)
    path.write_text(
        f'id: scoped-test\ntitle: 仅重大工程\nversion: "1"\nextends: {base}\nscope:\n  - kind == "project"\n',
        encoding="utf-8",
    )
    return riskeval.load_ruleset(path)


def test_out_of_scope_status(tmp_path, good_facts):
    rs = scoped_rules(tmp_path)
    rows = [
        {"id": "A", "kind": "project", **good_facts},
        {"id": "B", "kind": "policy", **good_facts},
        {"id": "C", "kind": "重大政策", **good_facts},
    ]
    got = list(assess_many(rows, rs, workers=0))
    assert [r.status for r in got] == ["ok", "out_of_scope", "out_of_scope"]
    assert got[1].as_row()["residual_level"] is None and got[1].as_row()["error"] is None


def test_ruleset_by_name_and_workers_load_it_themselves(jiangsu, good_facts):
    got = list(assess_many([{"id": "A", **good_facts}], "jiangsu-db32-4013-2021", workers=1))
    assert got[0].status == "ok" and got[0].assessment is not None and got[0].assessment.decision == "proceed"


def test_changed_rule_file_is_reported_per_row(tmp_path, good_facts):
    rs = scoped_rules(tmp_path)
    job = Job(((str(rs.path), "0" * 64),))
    results, _ = process_chunk(job, 1, [{"id": "A", **good_facts}])
    assert results[0].status == "error" and "修改" in results[0].error


def test_stop_ends_early(jiangsu):
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    got = list(
        assess_many(
            generate_rows(500, seed=1), jiangsu, workers=0, chunk_size=8, assessments=False, stop=stop
        )
    )
    assert 0 < len(got) < 500 and [r.row for r in got] == list(range(1, len(got) + 1))


def test_assess_frame(jiangsu, rows):
    import pandas as pd
    df = pd.DataFrame(rows, index=[f"r{i}" for i in range(5)])
    out = assess_frame(df, jiangsu)
    assert list(out.index) == list(df.index)
    assert list(out["status"]) == [e[1] for e in EXPECTED]
    assert out.loc["r0", "findings"] == ["JS-CTL-1"]
    assert pd.isna(out.loc["r2", "residual_level"]) or out.loc["r2", "residual_level"] is None


def test_assess_frame_without_pandas(monkeypatch, jiangsu):
    import builtins

    real = builtins.__import__

    def fake(name: str, *args: Any, **kw: Any) -> Any:
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError):
        assess_frame(object(), jiangsu)


class _KillsTheWorker:
    """Unpickling this in a worker ends the worker process abruptly (as a crash in the C engine would)."""

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        import os

        return (os._exit, (3,))


def test_recycled_workers_keep_order(jiangsu):
    rows = list(generate_rows(40, seed=9))
    serial = [(r.id, r.residual_level) for r in assess_many(rows, jiangsu, workers=0, assessments=False)]
    recycled = [
        (r.id, r.residual_level)
        for r in assess_many(rows, jiangsu, workers=2, chunk_size=4, recycle_rows=6, assessments=False)
    ]
    assert recycled == serial


def test_a_dying_worker_costs_only_its_chunk(jiangsu, good_facts):
    rows: list[Any] = [{"id": f"R{i}", **good_facts} for i in range(12)]
    rows[5] = _KillsTheWorker()
    got = list(assess_many(rows, jiangsu, workers=2, chunk_size=1, assessments=False))
    assert [r.row for r in got] == list(range(1, 13))
    assert [r.status for r in got] == ["ok"] * 5 + ["error"] + ["ok"] * 6
    assert "工作进程异常退出" in (got[5].error or "")


def test_lean_path_builds_the_same_assessment_as_assess(tmp_path, jiangsu):
    """Row for row, the batch's assessment equals riskeval.assess (scope, measures, procedures, regime)."""
    from riskeval.batch.columns import ColumnResolver
    from riskeval.pipeline import project_from_data

    path = tmp_path / "proc.yaml"
    path.write_text(
        f"""id: proc-test
title: 带程序与范围
version: "1"
extends: {jiangsu.path}
scope:
  - kind == "project"
  - investment >= 1000
facts:
  public_notice_days: {{type: integer, label: 公示天数, min: 0}}
procedures:
  - {{id: PUB, label: 社会公示, required_when: 'kind == "project"', satisfied: public_notice_days >= 10,
     source: 测试, confidence: U}}
""",
        encoding="utf-8",
    )
    rs = riskeval.load_ruleset(path)
    rows = list(generate_rows(80, seed=21, bad_fraction=0.05))
    # out of scope with a required fact missing; in scope with it missing
    rows[1] = {**rows[1], "kind": "policy", "investment": "", "legal_compliance": ""}
    rows[2] = {**rows[2], "kind": "project", "legal_compliance": ""}
    for i, row in enumerate(rows):
        if i % 3 == 0:
            row["public_notice_days"] = str(i % 20)
        if i % 5 == 0:
            row["regime"] = "major_decision"
    resolver = ColumnResolver(rs)
    got = list(assess_many(rows, rs, workers=0))
    statuses = {r.status for r in got}
    assert statuses == {"ok", "out_of_scope", "error"}
    assert any(r.incomplete for r in got)
    assert (got[1].status, got[2].status) == ("out_of_scope", "error")
    for result, row in zip(got, rows, strict=True):
        if result.status == "error":
            with pytest.raises(riskeval.ProjectError):
                assess(project_from_data(resolver.project_data(row)), rs)
            continue
        expected = assess(project_from_data(resolver.project_data(row)), rs, what_if=False)
        assert result.assessment is not None
        assert result.assessment.model_dump() == expected.model_dump()
        assert result.assessment.explain() == expected.explain()
