"""Benchmark of rule-set loading, of the hostile-file fuzz and of the row path per project.

Rows of the table (CPU seconds, ``time.process_time``, median of ``--repeat`` runs):

* ``load <name>`` -- :func:`riskeval.load_ruleset` of each bundled rule set with the reader's fast path
  (libyaml events when PyYAML has them) and with the pure-Python parser forced (the baseline, which is
  what every load used before ``riskeval.io.yaml``);
* ``fuzz`` -- the 320 seeded mutations of ``tests/riskeval/ruleset/test_fuzz.py``, total and worst file;
* ``row path per project`` -- what one project costs on the row path (durable-rules checked against the
  reference evaluation, check, scoring): ``process_chunk`` per row of a seeded Jiangsu table (what the
  batch's sample worker and ``--verify full`` pay per row) and :func:`riskeval.assess` per project (what
  the gate and the service pay, what-if search included; and without the what-if search). The baseline is the same measurement of the
  code at ``--baseline`` (a git ref, default the commit before the row-path work), extracted with
  ``git archive`` and run in the same way, alternating with this tree; both must give identical results
  (a hash of every output row and assessment), or the script exits 1.

Usage::

    python benchmarks/bench_rules.py [--repeat 7]
    python benchmarks/bench_rules.py --only-row-path [--rows 2000] [--baseline f65e9b5]

Prints the table and writes ``benchmarks/results/rules.json`` (``rules_row_path.json`` with
``--only-row-path``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import riskeval.io.yaml as reader  # noqa: E402
from riskeval.errors import RiskevalError  # noqa: E402
from riskeval.ruleset import bundled_names, load_ruleset  # noqa: E402


def _cpu(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.process_time() - start)
    return statistics.median(times)


def _fuzz() -> tuple[float, float, int]:
    sys.path.insert(0, str(ROOT))
    from tests.riskeval.ruleset import test_fuzz as fuzz

    by_name = {m.__name__: m for m in fuzz.MUTATIONS}
    sources = {n: (fuzz.bundled_rules_dir() / f"{n}.yaml").read_text(encoding="utf-8") for n in bundled_names()}
    worst, total, errors = 0.0, 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, name, steps in fuzz._cases():
            rng = random.Random(fuzz.SEED * 1000 + i)
            directory = Path(tmp) / f"case{i}"
            (directory / "sub").mkdir(parents=True)
            text = sources[name]
            for step in steps:
                text = by_name[step](rng, text, f"{name}.yaml")
            path = directory / f"{name}.yaml"
            fuzz._write(path, text)
            start = time.process_time()
            try:
                load_ruleset(path)
            except RiskevalError:
                errors += 1
            spent = time.process_time() - start
            worst, total = max(worst, spent), total + spent
    return total, worst, errors


#: measures the row path in a child process whose ``riskeval`` comes from the tree on ``sys.path[0]``
_ROW_PATH_CHILD = r"""
import hashlib, json, sys, time, dataclasses
from riskeval import assess, load_ruleset
from riskeval.assess import project_from_data
from riskeval.batch.columns import ColumnResolver
from riskeval.batch.readers import open_rows
from riskeval.batch.runner import Job, process_chunk, remember

csv_path, rows, projects = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rs = load_ruleset("jiangsu-db32-4013-2021")
remember(rs)
job = Job.for_rulesets([rs], lang="zh", strict=True)
with open_rows(csv_path) as src:
    items = [r for _, r in zip(range(rows + 100), src)]
resolver = ColumnResolver(rs)
data = []
for item in items[100:]:
    if item.error is None and not item.blank and len(data) < projects:
        try:
            data.append(resolver.project_data(item.values, strict=True))
        except Exception:
            pass
process_chunk(job, 1, items[:100])  # warm: engine registration, caches
start = time.process_time()
results, _ = process_chunk(job, 101, items[100:])
chunk = time.process_time() - start
digest = hashlib.sha256()
for r in results:
    digest.update(repr({k: v for k, v in dataclasses.asdict(r).items() if k != "assessment"}).encode())
start = time.process_time()
outcomes = []
for d in data:
    try:
        outcomes.append(assess(project_from_data(d), rs).model_dump_json())
    except Exception as exc:
        outcomes.append(f"{type(exc).__name__}: {exc}")
spent = time.process_time() - start
start = time.process_time()
for d in data:
    try:
        outcomes.append(assess(project_from_data(d), rs, what_if=False).model_dump_json())
    except Exception as exc:
        outcomes.append(f"{type(exc).__name__}: {exc}")
plain = time.process_time() - start
for text in outcomes:
    digest.update(text.encode())
print(json.dumps({"chunk_ms": 1000 * chunk / len(items[100:]), "assess_ms": 1000 * spent / max(1, len(data)),
                  "plain_ms": 1000 * plain / max(1, len(data)),
                  "rows": len(items) - 100, "projects": len(data), "digest": digest.hexdigest()}))
"""


def _row_path_once(tree: Path, csv_path: Path, rows: int, projects: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", _ROW_PATH_CHILD, str(csv_path), str(rows), str(projects)],
        cwd=tree, env=env, capture_output=True, text=True, check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def row_path(baseline: str, rows: int, projects: int, repeat: int) -> tuple[list[dict[str, Any]], bool]:
    """The row path per project on this tree and on ``baseline`` (alternating runs; medians)."""
    with tempfile.TemporaryDirectory() as tmp:
        base_tree = Path(tmp) / "baseline"
        base_tree.mkdir()
        archive = subprocess.run(["git", "archive", baseline], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base_tree)], input=archive, check=True)
        from riskeval.batch.synthetic import write_csv

        csv_path = write_csv(Path(tmp) / "rows.csv", rows + 100, seed=2021, bad_fraction=0.002)
        runs: dict[str, list[dict[str, Any]]] = {"new": [], "base": []}
        for _ in range(repeat):
            runs["new"].append(_row_path_once(ROOT, csv_path, rows, projects))
            runs["base"].append(_row_path_once(base_tree, csv_path, rows, projects))
    identical = len({r["digest"] for r in runs["new"] + runs["base"]}) == 1
    out = []
    labels = (
        ("chunk_ms", "row path per project: process_chunk", "rows"),
        ("assess_ms", "row path per project: assess()", "projects"),
        ("plain_ms", "  the same, what_if=False", "projects"),
    )
    for key, label, count in labels:
        new = statistics.median(r[key] for r in runs["new"]) / 1000
        base = statistics.median(r[key] for r in runs["base"]) / 1000
        out.append({"row": label, "seconds": new, "baseline_" + baseline: base, "baseline": base, "speedup": base / new,
                    count: runs["new"][0][count], "identical": identical})
    return out, identical


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only-row-path", action="store_true", help="measure only the row path per project")
    parser.add_argument("--rows", type=int, default=2000, help="Jiangsu rows for the row path (process_chunk)")
    parser.add_argument("--projects", type=int, default=200, help="projects for assess() on the row path")
    parser.add_argument("--baseline", default="f65e9b5", help="git ref whose row path is the baseline")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    fast = reader._FAST_LOADER
    if not args.only_row_path:
        for name in bundled_names():
            load_ruleset(name)  # warm imports
            new = _cpu(lambda name=name: load_ruleset(name), args.repeat)
            reader._FAST_LOADER = None
            try:
                base = _cpu(lambda name=name: load_ruleset(name), args.repeat)
            finally:
                reader._FAST_LOADER = fast
            rows.append({"row": f"load {name}", "seconds": new, "baseline_pure_python": base, "baseline": base, "speedup": base / new})
        total, worst, errors = _fuzz()
        rows.append({"row": "fuzz (320 files)", "seconds": total, "worst_file": worst, "refused": errors})
    path_rows, identical = row_path(args.baseline, args.rows, args.projects, min(args.repeat, 5))
    rows += path_rows
    print(f"{'row':40} {'cpu s':>10} {'baseline s':>11} {'speed-up':>9}")
    for row in rows:
        if "baseline" in row:
            print(f"{row['row']:40} {row['seconds']:10.6f} {row['baseline']:11.6f} {row['speedup']:8.2f}x")
        else:
            print(f"{row['row']:40} {row['seconds']:10.4f}   worst file {row['worst_file']:.4f} s, {row['refused']} refused")
    print(f"row path results identical to the baseline's: {'yes' if identical else 'NO'}")
    name = "rules_row_path.json" if args.only_row_path else "rules.json"
    out = ROOT / "benchmarks" / "results" / name
    out.parent.mkdir(exist_ok=True)
    meta = {"python": platform.python_version(), "libyaml": fast is not None, "repeat": args.repeat, "baseline": args.baseline}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
