"""Benchmark of the what-if search (``riskeval.whatif``) that every ``assess`` now runs.

For each bundled rule set, ``--projects`` seeded random projects (every declared option and boolean
drawn at random, numbers drawn within their declared range) are assessed three ways (CPU seconds per
project, ``time.process_time``):

* ``assess, no what-if`` -- :func:`riskeval.assess` with ``what_if=False`` (the baseline: the cost of an
  assessment before this feature);
* ``assess + what-if`` -- :func:`riskeval.assess` as it is now (the search included);
* ``what-if, full evaluation per candidate`` -- the same search with every candidate evaluated by the full
  reference evaluation (``reference_fired`` + ``score_evaluation``) instead of the incremental evaluator.

The table also gives the candidates evaluated per project (median and maximum) and how many searches hit
the bound (``MAX_EVALUATIONS``).

Usage::

    python benchmarks/bench_whatif.py [--projects 200] [--seed 7]

Prints the table and writes ``benchmarks/results/whatif.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import riskeval.whatif as whatif  # noqa: E402
from riskeval import Project, assess, load_ruleset  # noqa: E402
from riskeval.check import check_project  # noqa: E402
from riskeval.engine import reference_fired  # noqa: E402
from riskeval.ruleset import bundled_names  # noqa: E402
from riskeval.scoring import score_evaluation  # noqa: E402


def _facts(rs: Any, rng: random.Random) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name, decl in rs.facts.items():
        if decl.type == "option":
            facts[name] = rng.choice([o.code for o in decl.options])
        elif decl.type == "bool":
            facts[name] = rng.random() < 0.3
        elif decl.type in ("number", "integer"):
            lo = decl.min if decl.min is not None else 0.0
            hi = decl.max if decl.max is not None else lo + 500
            value = rng.uniform(lo, hi) if rng.random() < 0.5 else rng.uniform(lo, lo + (hi - lo) * 0.2)
            facts[name] = int(value) if decl.type == "integer" else round(value, 1)
    return facts


class _Full:
    """The search's evaluator replaced by a full reference evaluation per candidate (the baseline)."""

    def __init__(self, ruleset: Any, values: Any, panel: Any) -> None:
        self.ruleset, self.values, self.panel = ruleset, dict(values), panel

    def evaluate(self, changes: dict[str, Any]) -> tuple[float, str]:
        values = {**self.values, **changes}
        ev = score_evaluation(self.ruleset, "residual", values, reference_fired(self.ruleset, values), self.panel)
        return ev.score, ev.level


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = []
    for name in bundled_names():
        rs = load_ruleset(name)
        rng = random.Random(args.seed)
        projects = []
        for i in range(args.projects):
            project = Project(id=f"B{i}", kind="project", facts=_facts(rs, rng))
            try:
                check_project(project, rs)
            except Exception:  # noqa: BLE001 - a drawn project that does not check is skipped
                continue
            projects.append(project)
        plain, with_search, full, evaluated, cut = [], [], [], [], 0
        for project in projects:
            start = time.process_time()
            assess(project, rs, what_if=False)
            plain.append(time.process_time() - start)
            start = time.process_time()
            result = assess(project, rs)
            with_search.append(time.process_time() - start)
            search = result.what_if_search
            if search is not None:
                evaluated.append(search.evaluated)
                cut += not search.complete
            residual = result.residual
            if residual is not None and residual.level != "low":
                values = check_project(project, rs).residual
                original = whatif._Evaluator
                whatif._Evaluator = _Full  # type: ignore[assignment,misc]
                try:
                    start = time.process_time()
                    whatif.what_if(rs, residual, values, project.panel)
                    full.append(time.process_time() - start)
                finally:
                    whatif._Evaluator = original  # type: ignore[misc]
        rows.append(
            {
                "ruleset": name,
                "projects": len(projects),
                "assess_no_whatif_ms": 1000 * statistics.mean(plain),
                "assess_with_whatif_ms": 1000 * statistics.mean(with_search),
                "whatif_full_eval_ms": 1000 * statistics.mean(full) if full else None,
                "evaluated_median": statistics.median(evaluated) if evaluated else 0,
                "evaluated_max": max(evaluated) if evaluated else 0,
                "searches_cut_off": cut,
            }
        )
    header = f"{'rule set':<26}{'n':>5}{'assess ms':>11}{'+what-if ms':>13}{'full-eval what-if ms':>22}{'cand. med/max':>15}{'cut':>5}"
    print(header)
    for r in rows:
        full_ms = "-" if r["whatif_full_eval_ms"] is None else f"{r['whatif_full_eval_ms']:.1f}"
        print(
            f"{r['ruleset']:<26}{r['projects']:>5}{r['assess_no_whatif_ms']:>11.1f}{r['assess_with_whatif_ms']:>13.1f}"
            f"{full_ms:>22}{str(r['evaluated_median']) + '/' + str(r['evaluated_max']):>15}{r['searches_cut_off']:>5}"
        )
    out = ROOT / "benchmarks" / "results" / "whatif.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "projects": args.projects, "seed": args.seed}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
