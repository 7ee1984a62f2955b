"""Benchmark: ``riskeval batch`` over 100,000 projects of the standard vocabulary under DB32/T 4013.

Generates a seeded, realistic project list (CSV, ~0.2 % deliberately bad rows, ~20 % with measures), runs the
whole command in a subprocess with ``--workers 2``, samples the memory of its whole process tree, checks that
every row came back in order, and in the same run times a plain Python evaluation of the same compiled rules
(``riskeval.engine.reference_fired`` + ``riskeval.scoring.score_evaluation``) on the same rows, and the
durable-rules engine alone on a sample.  Prints a table and writes ``benchmarks/results/batch.json``.

Targets: under 30 s and under 1 GB peak memory; no row lost.

Usage::

    python benchmarks/bench_batch.py [--rows 100000] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

RULES = "jiangsu-db32-4013-2021"
TARGET_SECONDS = 30.0
TARGET_MB = 1024.0
RESULTS = Path(__file__).resolve().parent / "results" / "batch.json"


def _tree(root: int) -> tuple[float, dict[int, float]]:
    """Total resident memory (MB) of ``root`` and all its descendants, and each one's CPU seconds (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * page
            cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack, seen = 0, [root], {}
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        seen[pid] = cpu.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return total / 2**20, seen


class TreeSampler(threading.Thread):
    """Samples the process tree every ``interval`` seconds: peak total RSS, and CPU seconds per process.

    The CPU of a process is its last sample (a worker that exits between samples loses at most ``interval``).
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.samples = pid, interval, 0.0, 0
        self.cpu: dict[int, float] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss, cpu = _tree(self.pid)
            self.peak = max(self.peak, rss)
            self.cpu.update(cpu)
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_batch(src: Path, out: Path, workers: int) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [
        sys.executable,
        "-m",
        "riskeval",
        "batch",
        str(src),
        "--rules",
        RULES,
        "--out",
        str(out),
        "--workers",
        str(workers),
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    main_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "command": " ".join(["riskeval", *cmd[3:]]),
        "exit_status": proc.returncode,
        "wall_s": wall,
        "cpu_s": sum(v for pid, v in sampler.cpu.items() if pid != proc.pid) + main_cpu,
        "processes_seen": len(sampler.cpu),
        "cpu_main_process_s": sampler.cpu.get(proc.pid, 0.0),
        "peak_tree_rss_mb": sampler.peak,
        "max_single_process_rss_mb": after.ru_maxrss / 1024,
        "summary": stdout.decode("utf-8", "replace").splitlines()[:2],
        "stderr_tail": stderr.decode("utf-8", "replace")[-500:],
    }


def planted_errors(n: int, seed: int) -> set[str]:
    """Ids of the rows the generator made invalid on purpose."""
    from riskeval.batch.synthetic import generate_rows

    return {
        r["id"]
        for r in generate_rows(n, seed, bad_fraction=0.002)
        if r["opposition_rate"] == "约三成" or not r["legal_compliance"]
    }


def check_output(out: Path, n: int, planted: set[str]) -> dict[str, Any]:
    unexpected: list[tuple[str, str]] = []
    missed = set(planted)
    statuses: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    in_order = True
    count = 0
    offset: int | None = None  # row is the input line: the header is line 1
    with out.open(encoding="utf-8-sig", newline="") as fh:
        for count, row in enumerate(csv.DictReader(fh), start=1):
            offset = int(row["row"]) - count if offset is None else offset
            in_order &= int(row["row"]) == count + offset and row["id"] == f"JS-{count:06d}"
            statuses[row["status"]] += 1
            if row["status"] == "error":
                if row["id"] in missed:
                    missed.discard(row["id"])
                else:
                    unexpected.append((row["id"], row["error"]))
            if row["residual_level"]:
                levels[row["residual_level"]] += 1
    return {
        "rows_out": count,
        "rows_lost": n - count,
        "in_order": in_order,
        "row_of_first_record": 1 + (offset or 0),
        "status": dict(statuses),
        "residual_levels": dict(levels),
        "planted_errors": len(planted),
        "planted_errors_not_reported": len(missed),
        "unexpected_errors": unexpected[:20],
        "unexpected_error_count": len(unexpected),
    }


def reference(src: Path, engine_sample: int) -> dict[str, Any]:
    """Plain Python evaluation of the same compiled rules on the same rows (one process)."""
    import riskeval
    from riskeval.batch.columns import ColumnResolver
    from riskeval.batch.readers import open_rows
    from riskeval.check import check_project
    from riskeval.engine import compile_ruleset, reference_fired
    from riskeval.errors import RiskevalError
    from riskeval.pipeline import project_from_data
    from riskeval.scoring import score_evaluation

    rs = riskeval.load_ruleset(RULES)
    resolver = ColumnResolver(rs)
    values: list[tuple[str, dict[str, Any]]] = []
    t0 = time.perf_counter()
    with open_rows(src) as source:
        for row in source:
            data = row if isinstance(row, dict) else row.values  # a TableRow (the one table reader) or a mapping
            try:
                checked = check_project(project_from_data(resolver.project_data(data)), rs)
            except (ValueError, RiskevalError):
                continue
            values.append(("initial", checked.initial))
            if checked.project.measures:
                values.append(("residual", checked.residual))
    convert = time.perf_counter() - t0
    t0 = time.perf_counter()
    for stage, v in values:
        score_evaluation(rs, stage, v, reference_fired(rs, v))
    plain = time.perf_counter() - t0
    compiled = compile_ruleset(rs)
    sample = values[:engine_sample]
    t0 = time.perf_counter()
    for _, v in sample:
        compiled.fired(v)
    engine = time.perf_counter() - t0
    return {
        "evaluations": len(values),
        "read_check_s": convert,
        "plain_python_eval_s": plain,
        "plain_python_evals_per_s": len(values) / plain,
        "durable_engine_sample": len(sample),
        "durable_engine_evals_per_s": len(sample) / engine,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--engine-sample", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the input and output files here")
    args = parser.parse_args()

    from riskeval.batch.synthetic import write_csv

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_batch_"))
    work.mkdir(parents=True, exist_ok=True)
    src, out = work / "projects.csv", work / "results.csv"
    t0 = time.perf_counter()
    write_csv(src, args.rows, seed=args.seed, bad_fraction=0.002)
    generate_s = time.perf_counter() - t0
    load_before = os.getloadavg()

    batch = run_batch(src, out, args.workers)
    check = check_output(out, args.rows, planted_errors(args.rows, args.seed))
    ref = reference(src, args.engine_sample)

    ratio = batch["wall_s"] / ref["plain_python_eval_s"]
    ok_time = batch["wall_s"] < TARGET_SECONDS
    ok_mem = batch["peak_tree_rss_mb"] < TARGET_MB
    ok_rows = check["rows_lost"] == 0 and check["in_order"]
    ok_errors = check["unexpected_error_count"] == 0 and check["planted_errors_not_reported"] == 0
    result = {
        "benchmark": "bench_batch",
        "rules": RULES,
        "rows": args.rows,
        "workers": args.workers,
        "seed": args.seed,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_before": load_before,
        },
        "generate_s": generate_s,
        "batch": batch,
        "output": check,
        "reference": ref,
        "ratio_batch_to_plain_python": ratio,
        "targets": {"wall_s": TARGET_SECONDS, "peak_mb": TARGET_MB},
        "passed": {"time": ok_time, "memory": ok_mem, "rows": ok_rows, "errors_as_planted": ok_errors},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")

    rows = [
        ("projects (CSV, seeded)", f"{args.rows:,}", "", ""),
        (
            f"riskeval batch --workers {args.workers}: wall",
            f"{batch['wall_s']:.1f} s",
            f"< {TARGET_SECONDS:.0f} s",
            _ok(ok_time),
        ),
        ("  throughput", f"{args.rows / batch['wall_s']:,.0f} rows/s", "", ""),
        ("  CPU (all processes)", f"{batch['cpu_s']:.1f} s", "", ""),
        (
            "  peak memory, whole process tree",
            f"{batch['peak_tree_rss_mb']:.0f} MB",
            f"< {TARGET_MB:.0f} MB",
            _ok(ok_mem),
        ),
        ("  largest single process", f"{batch['max_single_process_rss_mb']:.0f} MB", "", ""),
        (
            "  rows out / lost / in order",
            f"{check['rows_out']:,} / {check['rows_lost']} / {check['in_order']}",
            "0 lost",
            _ok(ok_rows),
        ),
        ("  CPU of the main (reading/writing) process", f"{batch['cpu_main_process_s']:.1f} s", "", ""),
        (
            "  error rows: planted / unexpected",
            f"{check['planted_errors']} / {check['unexpected_error_count']}",
            "0 unexpected",
            _ok(ok_errors),
        ),
        (
            "  status ok / error / out_of_scope",
            " / ".join(str(check["status"].get(s, 0)) for s in ("ok", "error", "out_of_scope")),
            "",
            "",
        ),
        (
            "  residual high / medium / low",
            " / ".join(str(check["residual_levels"].get(s, 0)) for s in ("high", "medium", "low")),
            "",
            "",
        ),
        ("plain Python evaluation (same rules)", f"{ref['plain_python_eval_s']:.2f} s", "", ""),
        ("  evaluations (initial + residual)", f"{ref['evaluations']:,}", "", ""),
        ("  rate, one process", f"{ref['plain_python_evals_per_s']:,.0f} /s", "", ""),
        ("durable-rules engine alone, one process", f"{ref['durable_engine_evals_per_s']:,.0f} /s", "", ""),
        ("read + check rows, one process", f"{ref['read_check_s']:.1f} s", "", ""),
        ("ratio batch wall / plain Python eval", f"{ratio:.1f}x", "", ""),
        ("load average before the run", " ".join(f"{x:.2f}" for x in load_before), "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'metric':<{width}}  {'value':>24}  {'target':>10}  ok")
    for name, value, target, ok in rows:
        print(f"{name:<{width}}  {value:>24}  {target:>10}  {ok}")
    print(f"\nwritten {RESULTS}")
    if batch["exit_status"] not in (0, 1):
        print(batch["stderr_tail"], file=sys.stderr)
    for ident, error in check["unexpected_errors"]:
        print(f"unexpected error: {ident}: {error}", file=sys.stderr)
    return 0 if (ok_time and ok_mem and ok_rows and ok_errors) else 1


def _ok(flag: bool) -> str:
    return "yes" if flag else "NO"


if __name__ == "__main__":
    sys.exit(main())
