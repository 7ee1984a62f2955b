"""Differential: on generated rule sets and projects, column program = reference = durable-rules.

The rule sets and projects come from the hypothesis strategies of ``tests/riskeval/test_property.py`` (option
tables, numeric bands with edges, guarded items, direct and compound triggers, an optional fact sometimes
missing).  For each project the column program's findings, score (exactly), level, decision and triggers
must equal those of the row path, whose fired rules come from durable-rules and are checked against the
reference evaluation; and the whole batch must write the same bytes on both paths.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.batch.column.program import LEVELS, Stage, compile_program
from riskeval.batch.column.verify import check_ruleset
from riskeval.batch.run import run_batch
from riskeval.engine import compile_ruleset, reference_fired
from riskeval.pipeline import evaluate_facts
from riskeval.scoring import score_evaluation
from tests.riskeval.test_property import projects, rulesets, to_yaml


def _stage(facts: list[dict[str, Any]]) -> Stage:
    names = sorted({k for f in facts for k in f})
    laid = {}
    for name in names:
        uniq: list[Any] = []
        codes = []
        for f in facts:
            if name not in f:
                codes.append(-1)
                continue
            value = f[name]
            k = next((j for j, u in enumerate(uniq) if type(u) is type(value) and u == value), None)
            if k is None:
                k = len(uniq)
                uniq.append(value)
            codes.append(k)
        arr = np.asarray(codes)
        laid[name] = (np.where(arr < 0, len(uniq), arr), uniq)
    return Stage(len(facts), laid)


def _checked(ruleset: riskeval.RuleSet, values: dict[str, Any]) -> dict[str, Any]:
    from riskeval.check import check_project

    return check_project(riskeval.Project(id="p", facts=values), ruleset).initial


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rs=rulesets(), facts=st.lists(projects, min_size=1, max_size=8))
def test_column_equals_reference_equals_durable_rules(tmp_path_factory: Any, rs: dict[str, Any], facts: list[dict[str, Any]]) -> None:
    path: Path = tmp_path_factory.mktemp("diff") / "rs.yaml"
    path.write_text(to_yaml(rs), encoding="utf-8")
    ruleset = riskeval.load_ruleset(path)
    program = compile_program(ruleset)
    checked = [_checked(ruleset, f) for f in facts]
    result = program.evaluate(_stage(checked))
    engine = compile_ruleset(ruleset)
    for i, values in enumerate(checked):
        durable = engine.fired(values)  # raises if durable-rules and the reference disagree
        assert durable == reference_fired(ruleset, values)
        assert {rid for rid, mask in result.fired.items() if mask[i]} == durable
        ev = score_evaluation(ruleset, "initial", values, durable)
        assert ev == evaluate_facts(ruleset, values)
        assert [program.items[k].id for k in np.flatnonzero(result.finding[:, i])] == [f.item for f in ev.findings]
        assert result.score[i] == ev.score  # exactly
        assert LEVELS[result.score_level[i]] == ev.score_level
        assert LEVELS[result.level[i]] == ev.level
        assert ruleset.decision_for(LEVELS[result.level[i]], None) == ruleset.decision_for(ev.level, None)
        hits = [ruleset.triggers[k].id for k in np.flatnonzero(result.triggers[:, i])]
        assert hits == [h.trigger for h in ev.triggers]
    assert check_ruleset(ruleset) == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rs=rulesets(), facts=st.lists(projects, min_size=1, max_size=30))
def test_generated_batches_write_the_same_bytes(tmp_path_factory: Any, rs: dict[str, Any], facts: list[dict[str, Any]]) -> None:
    d: Path = tmp_path_factory.mktemp("batch")
    (d / "rs.yaml").write_text(to_yaml(rs), encoding="utf-8")
    ruleset = riskeval.load_ruleset(d / "rs.yaml")
    headers = ["id", "x0", "x1", "opt", "o0", "o1", "b0", "measure:x0"]
    with (d / "in.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for i, f in enumerate(facts):
            measure = "" if i % 3 else str(f["x1"])  # every third project has a measure on x0
            w.writerow([f"P{i}", *(str(f.get(h, "")) for h in headers[1:-1]), measure])
    column = run_batch(d / "in.csv", ruleset, d / "c.csv", workers=0)
    run_batch(d / "in.csv", ruleset, d / "r.csv", workers=0, engine="row")
    assert column.path == "column"
    assert (d / "c.csv").read_bytes() == (d / "r.csv").read_bytes()
