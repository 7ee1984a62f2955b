"""Benchmark: the column evaluator, end to end, beside its baselines measured in the same run.

Each figure is a whole command in a subprocess (interpreter start and imports included), with the peak
resident memory of its process tree sampled every 0.1 s (``bench_batch.TreeSampler``):

* ``riskeval batch`` on N Jiangsu rows, CSV → CSV, on the column path (sample checked by durable-rules);
* the hand-written plain-Python baseline ``benchmarks/plain_jiangsu.py`` on the same file (id, score, level);
* the same list with ``--verify full`` (every row through the row path as well): its output must be
  byte-identical to the sample run's;
* the row path alone (``--engine row``) on the first ``--row-rows`` rows (it is ~100x slower);
* ``--million``: 1,000,000 rows on the column path (time and peak memory of the process tree, target ≤ 500 MB);
* durable-rules per project (what the gate pays): ``CompiledRuleSet.fired`` on checked projects, in process.

Targets: ≥ 50,000 rows/s for 100,000 rows on 2 cores, and no slower than the plain script (the median of
``--repeat`` alternated runs of each).
Prints a table and writes ``benchmarks/results/column.json``.

Usage::

    python benchmarks/bench_column.py [--rows 100000] [--row-rows 5000] [--million] [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import TreeSampler  # noqa: E402

RULES = "jiangsu-db32-4013-2021"
TARGET_ROWS_PER_S = 50_000
TARGET_MILLION_MB = 500.0
RESULTS = Path(__file__).resolve().parent / "results" / "column.json"


def timed(cmd: list[str]) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "command": " ".join(Path(c).name if c == sys.executable else c for c in cmd),
        "exit_status": proc.returncode,
        "wall_s": round(wall, 3),
        "peak_tree_rss_mb": round(sampler.peak, 1),
        # CPU seconds (user + sys): of the command and the children it waited for, and of every process
        # of its tree as last sampled (a pool worker started by a fork server is not waited for).
        "cpu_s": round(waited, 2),
        "tree_cpu_s": round(max(waited, sum(sampler.cpu.values())), 2),
        "stdout_tail": stdout.decode("utf-8", "replace").splitlines()[-2:],
        "stderr_tail": stderr.decode("utf-8", "replace")[-300:],
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda r: r["wall_s"])[(len(runs) - 1) // 2]


def batch(src: Path, out: Path, *extra: str) -> dict[str, Any]:
    return timed([sys.executable, "-m", "riskeval", "batch", str(src), "--rules", RULES, "--out", str(out), *extra])


def head(src: Path, dst: Path, rows: int) -> Path:
    with src.open("rb") as fin, dst.open("wb") as fout:
        for i, line in enumerate(fin):
            if i > rows:
                break
            fout.write(line)
    return dst


def durable_per_project(src: Path, n: int = 300) -> dict[str, Any]:
    """durable-rules alone, per checked project (the gate's cost), in this process."""
    import riskeval
    from riskeval.batch.columns import ColumnResolver
    from riskeval.batch.readers import open_rows
    from riskeval.check import check_project
    from riskeval.engine import compile_ruleset
    from riskeval.pipeline import project_from_data

    rs = riskeval.load_ruleset(RULES)
    resolver = ColumnResolver(rs)
    values = []
    with open_rows(src) as source:
        for row in source:
            try:
                values.append(check_project(project_from_data(resolver.project_data(row.values)), rs).initial)
            except Exception:  # noqa: BLE001 - planted bad rows
                continue
            if len(values) >= n:
                break
    engine = compile_ruleset(rs)
    engine.fired(values[0])
    t0 = time.perf_counter()
    for v in values:
        engine.fired(v)
    per = (time.perf_counter() - t0) / len(values)
    return {"projects": len(values), "ms_per_project": round(per * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--row-rows", type=int, default=5_000, help="rows for the row-path (old) figure")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 rows (time and memory)")
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of the plain script and the column command, alternated (medians)"
    )
    args = parser.parse_args()
    from riskeval.batch.synthetic import write_csv

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_column_"))
    work.mkdir(parents=True, exist_ok=True)
    src = write_csv(work / "projects.csv", args.rows, seed=2021, bad_fraction=0.002)
    here = Path(__file__).resolve().parent
    results: dict[str, Any] = {"rows": args.rows, "python": platform.python_version(), "cpus": os.cpu_count()}
    batch(head(src, work / "warm.csv", 100), work / "warm_out.csv")  # the rule check's cache, disk cache
    plains, columns = [], []
    for _ in range(max(1, args.repeat)):  # alternated, so that a busy moment hurts both alike
        plains.append(timed([sys.executable, str(here / "plain_jiangsu.py"), str(src), str(work / "plain.csv")]))
        columns.append(batch(src, work / "column.csv", "--workers", "2"))
    results["plain"] = median_run(plains)
    results["column"] = median_run(columns)
    results["plain_walls_s"] = [r["wall_s"] for r in plains]
    results["column_walls_s"] = [r["wall_s"] for r in columns]
    results["column_full"] = batch(src, work / "full.csv", "--workers", "2", "--verify", "full")
    same = (work / "column.csv").read_bytes() == (work / "full.csv").read_bytes()
    results["column_equals_verify_full"] = same
    small = head(src, work / "small.csv", args.row_rows)
    results["row_path"] = batch(small, work / "row.csv", "--workers", "2", "--engine", "row")
    results["row_path"]["rows"] = args.row_rows
    results["column_small"] = batch(small, work / "column_small.csv", "--workers", "2")
    results["durable_rules"] = durable_per_project(src)
    if args.million:
        big = write_csv(work / "million.csv", 1_000_000, seed=7, bad_fraction=0.002)
        results["million"] = batch(big, work / "million_out.csv", "--workers", "2")
    col, plain = results["column"], results["plain"]
    rate = args.rows / col["wall_s"]
    results["column_rows_per_s"] = round(rate)
    results["targets"] = {
        "rows_per_s_at_least_50000": rate >= TARGET_ROWS_PER_S,
        "no_slower_than_plain": col["wall_s"] <= plain["wall_s"],
        "identical_to_verify_full": same,
    }
    if "million" in results:
        results["targets"]["million_peak_mb_at_most_500"] = results["million"]["peak_tree_rss_mb"] <= TARGET_MILLION_MB
    rows = [
        ("plain_jiangsu.py (baseline)", args.rows, plain),
        ("riskeval batch (column, sample)", args.rows, col),
        ("riskeval batch --verify full", args.rows, results["column_full"]),
        ("riskeval batch --engine row (old)", args.row_rows, results["row_path"]),
        ("riskeval batch (column, sample)", args.row_rows, results["column_small"]),
    ]
    if "million" in results:
        rows.append(("riskeval batch (column), 1M rows", 1_000_000, results["million"]))
    print(f"{'command':38} {'rows':>9} {'wall s':>8} {'cpu s':>7} {'tree cpu':>8} {'rows/s':>9} {'peak MB':>8} exit")
    for name, n, r in rows:
        print(
            f"{name:38} {n:>9} {r['wall_s']:>8.2f} {r['cpu_s']:>7.2f} {r['tree_cpu_s']:>8.2f} {n / r['wall_s']:>9.0f}"
            f" {r['peak_tree_rss_mb']:>8.1f} {r['exit_status']}"
        )
    print(f"100k wall times, alternated: plain {results['plain_walls_s']}, column {results['column_walls_s']} (medians above)")
    print(f"durable-rules per project: {results['durable_rules']['ms_per_project']} ms")
    print(f"column output == --verify full output: {same}")
    print("targets:", json.dumps(results["targets"]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
