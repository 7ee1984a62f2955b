"""Benchmark: the timeline of the sample check in a column run, beside the plain-Python baseline.

Runs the whole ``riskeval batch`` command (interpreter start and imports included) on N Jiangsu rows with
``$RISKEVAL_PHASES`` set (:mod:`riskeval.batch.column.phases`), and prints, in seconds from the start of the
command: when the column run began, when the sample worker was ready, when each sample batch was sent and
checked (by a worker or by the main process), when the main process wrote its last row, when the check was
complete, and when the command exited; with the CPU seconds of the main process and of the workers.  The
sample check does not lengthen the command when "checked" follows "main written" closely.  The baseline in
the same run is ``benchmarks/plain_jiangsu.py`` on the same file.

Writes ``benchmarks/results/sample_phases.json``.

Usage::

    python benchmarks/bench_sample_phases.py [--rows 5000 100000] [--repeat 1] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RULES = "jiangsu-db32-4013-2021"
RESULTS = Path(__file__).resolve().parent / "results" / "sample_phases.json"


def run(cmd: list[str], phases: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, the start time (epoch seconds) and the exit status of ``cmd``."""
    env = dict(os.environ)
    if phases is not None:
        env["RISKEVAL_PHASES"] = str(phases)
    start = time.time()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0, start, proc.returncode


def timeline(src: Path, out: Path, workers: int, work: Path) -> dict[str, Any]:
    phases = work / f"phases-{os.getpid()}-{time.time_ns()}.jsonl"
    cmd = [sys.executable, "-m", "riskeval", "batch", str(src), "--rules", RULES, "--out", str(out),
           "--workers", str(workers)]
    wall, start, status = run(cmd, phases)
    events = [json.loads(line) for line in phases.read_text(encoding="utf-8").splitlines()] if phases.exists() else []
    main_pid = next((e["pid"] for e in events if e["event"] == "run_columns"), None)
    rows: list[dict[str, Any]] = []
    cpu: dict[str, float] = {}
    for e in events:
        who = "main" if e["pid"] == main_pid else f"worker {e['pid']}"
        rows.append({"t": round(e["t"] - start, 3), "who": who, "event": e["event"], "rows": e.get("rows")})
        cpu[who] = max(cpu.get(who, 0.0), round(e["cpu"], 3))

    def first(name: str) -> float | None:
        return next((r["t"] for r in rows if r["event"] == name), None)

    def last(name: str) -> float | None:
        return next((r["t"] for r in reversed(rows) if r["event"] == name), None)

    return {
        "wall_s": round(wall, 3),
        "exit_status": status,
        "run_columns_s": first("run_columns"),
        "worker_ready_s": first("worker_ready"),
        "first_batch_checked_s": first("worker_batch_done"),
        "main_written_s": first("main_written"),
        "last_worker_batch_s": last("worker_batch_done"),
        "checked_s": first("checked"),
        "batches_by_workers": sum(r["event"] == "worker_batch_done" for r in rows),
        "batches_by_main": sum(r["event"] == "sample_batch_here" for r in rows),
        "cpu_s": cpu,
        "events": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--events", action="store_true", help="print every event")
    args = parser.parse_args()
    from riskeval.batch.synthetic import write_csv

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_phases_"))
    work.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    results: dict[str, Any] = {"workers": args.workers, "cpus": os.cpu_count(), "runs": []}
    warm = write_csv(work / "warm.csv", 100, seed=2021)
    run([sys.executable, "-m", "riskeval", "batch", str(warm), "--rules", RULES, "--out", str(work / "w.csv")])
    header = (f"{'rows':>7} {'plain s':>8} {'wall s':>7} {'start':>6} {'ready':>6} {'1st chk':>7} {'written':>7}"
              f" {'checked':>7} {'w/m batches':>11}  cpu s")
    print(header)
    for n in args.rows:
        src = write_csv(work / f"p{n}.csv", n, seed=2021, bad_fraction=0.002)
        for _ in range(args.repeat):
            plain, _, _ = run([sys.executable, str(here / "plain_jiangsu.py"), str(src), str(work / "plain.csv")])
            got = timeline(src, work / "out.csv", args.workers, work)
            got.update(rows=n, plain_wall_s=round(plain, 3))
            results["runs"].append(got)
            cpu = ", ".join(f"{k} {v:.2f}" for k, v in got["cpu_s"].items())

            def f(x: float | None) -> str:
                return "-" if x is None else f"{x:.2f}"

            print(f"{n:>7} {plain:>8.2f} {got['wall_s']:>7.2f} {f(got['run_columns_s']):>6} {f(got['worker_ready_s']):>6}"
                  f" {f(got['first_batch_checked_s']):>7} {f(got['main_written_s']):>7} {f(got['checked_s']):>7}"
                  f" {got['batches_by_workers']:>5}/{got['batches_by_main']:<5}  {cpu}")
            if args.events:
                for r in got["events"]:
                    print(f"        {r['t']:7.3f} {r['who']:14} {r['event']} {r['rows'] or ''}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
