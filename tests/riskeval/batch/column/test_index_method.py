"""Index-method rule sets (generated): weights renormalised over the items that apply, or kept (``zero``).

Items carry conditions so that some do not apply; dimensions may lose every item; dimension weights are
drawn so that the order in which dimensions enter the score matters to the last bit.  The column path must
write the row path's bytes, and its scores must equal :func:`riskeval.pipeline.evaluate_facts` exactly.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.batch.column.program import compile_program
from riskeval.batch.run import run_batch
from riskeval.pipeline import evaluate_facts
from tests.riskeval.test_property import conditions, projects

from .test_differential import _checked, _stage

weights = st.sampled_from([0.1, 0.2, 0.3, 0.15, 0.35, 1 / 3, 0.7])


@st.composite
def index_rulesets(draw: Any) -> str:
    dims = ["d0", "d1", "d2"][: draw(st.integers(1, 3))]
    dim_weights = [draw(weights) for _ in dims]
    total = sum(dim_weights)
    dim_weights = [w / total for w in dim_weights]
    dim_weights[-1] = 1 - sum(dim_weights[:-1])
    items = []
    for d in dims:
        count = draw(st.integers(1, 3))
        ws = [draw(weights) for _ in range(count)]
        s = sum(ws)
        ws = [w / s for w in ws]
        ws[-1] = 1 - sum(ws[:-1])
        for k, w in enumerate(ws):
            item: dict[str, Any] = {
                "id": f"{d}-{k}", "label": f"{d}-{k}", "dimension": d, "weight": w, "source": "t", "confidence": "U",
                "probability": draw(st.sampled_from([
                    {"fact": "o0", "map": {"a": 0.1, "b": 0.5, "c": 0.9}},
                    {"fact": "x0", "bands": {"[0, 20]": 0.2, "(20, 100]": 0.7}},
                    0.4,
                ])),
                "impact": draw(st.sampled_from([0.3, 0.9, {"fact": "o1", "map": {"p": 0.25, "q": 0.75}}])),
            }
            when = draw(st.none() | conditions)
            if when is not None:
                item["when"] = when.text()
            items.append(item)
    doc = {
        "id": f"idx{draw(st.integers(0, 10**6))}", "title": "index", "version": "1", "regime": "major_decision",
        "facts": {
            "x0": {"type": "number", "label": "x0", "min": 0, "max": 100, "required": True},
            "x1": {"type": "number", "label": "x1", "min": 0, "max": 100, "required": True},
            "opt": {"type": "number", "label": "opt", "min": 0, "max": 100},
            "o0": {"type": "option", "label": "o0", "required": True, "options": {k: f"选项{k}" for k in "abc"}},
            "o1": {"type": "option", "label": "o1", "required": True, "options": {k: f"选项{k}" for k in "pq"}},
            "b0": {"type": "bool", "label": "b0", "required": True},
        },
        "dimensions": [{"id": d, "label": d, "weight": w} for d, w in zip(dims, dim_weights, strict=True)],
        "scoring": {
            "method": "index",
            "not_applicable": draw(st.sampled_from(["renormalise", "zero"])),
            "levels": {"low": "[0, 0.2)", "medium": "[0.2, 0.4)", "high": "[0.4, 1]"},
        },
        "items": items,
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=index_rulesets(), facts=st.lists(projects, min_size=1, max_size=12))
def test_index_scores_and_bytes(tmp_path_factory: Any, text: str, facts: list[dict[str, Any]]) -> None:
    d: Path = tmp_path_factory.mktemp("idx")
    (d / "rs.yaml").write_text(text, encoding="utf-8")
    ruleset = riskeval.load_ruleset(d / "rs.yaml")
    program = compile_program(ruleset)
    checked = [_checked(ruleset, f) for f in facts]
    result = program.evaluate(_stage(checked))
    for i, values in enumerate(checked):
        ev = evaluate_facts(ruleset, values)
        assert result.score[i] == ev.score
        assert [program.items[k].id for k in np.flatnonzero(result.finding[:, i])] == [f.item for f in ev.findings]
    headers = ["id", "x0", "x1", "opt", "o0", "o1", "b0"]
    with (d / "in.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for i, f in enumerate(facts):
            w.writerow([f"P{i}", *(str(f.get(h, "")) for h in headers[1:])])
    column = run_batch(d / "in.csv", ruleset, d / "c.csv", workers=0)
    run_batch(d / "in.csv", ruleset, d / "r.csv", workers=0, engine="row")
    assert column.path == "column"
    assert (d / "c.csv").read_bytes() == (d / "r.csv").read_bytes()
