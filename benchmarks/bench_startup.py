"""Benchmark: what a command pays before and after its work (interpreter start, imports, exit), beside baselines.

Each figure is a whole process, measured ``--repeat`` times in alternation (the machine's load then weighs on
every row alike); the table gives the median and the minimum of its wall time and of its CPU time (user + sys
of the process and the children it waited for):

* ``python -c pass``: the interpreter alone (the baseline every other row includes);
* ``plain_jiangsu.py`` on ``--rows`` rows: the hand-written baseline of ``bench_column.py``, on a list so short
  that it measures its start and exit;
* ``import riskeval``, ``import riskeval.cli``: the package and the command line;
* ``import`` of what ``riskeval batch`` loads before its first chunk (the CLI, the column path, pyarrow's
  CSV reader, a loaded rule set), ended normally and ended by ``os._exit`` (the difference is the
  interpreter's teardown, which ``riskeval batch`` skips: :func:`riskeval._startup.exit_now`);
* ``riskeval batch`` on ``--rows`` rows (CSV → CSV, ``--workers 2``): the start and exit of the command.

Prints a table and writes ``benchmarks/results/startup.json``.  No target: the issue's target is the whole
command on 100,000 rows (``bench_column.py``); this shows where its fixed cost goes.

Usage::

    python benchmarks/bench_startup.py [--repeat 7] [--rows 20]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RULES = "jiangsu-db32-4013-2021"
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "startup.json"
BATCH_IMPORTS = (
    "import riskeval.cli.batch_cmd, riskeval.batch.column.driver, pyarrow.csv; "
    f"from riskeval.ruleset import load_ruleset; load_ruleset({RULES!r})"
)


def once(cmd: list[str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rows", type=int, default=20)
    args = parser.parse_args()
    from riskeval.batch.synthetic import write_csv

    py = sys.executable
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "p.csv"
        write_csv(src, args.rows, seed=2021)
        commands: dict[str, list[str]] = {
            "python -c pass (baseline)": [py, "-c", "pass"],
            f"plain_jiangsu.py, {args.rows} rows (baseline)": [py, str(HERE / "plain_jiangsu.py"), str(src),
                                                                str(Path(tmp) / "plain.csv")],
            "import riskeval": [py, "-c", "import riskeval"],
            "import riskeval.cli": [py, "-c", "import riskeval.cli"],
            "import what batch loads, rule set loaded": [py, "-c", BATCH_IMPORTS],
            "the same, ended without teardown (os._exit)": [py, "-c", BATCH_IMPORTS + "; import os; os._exit(0)"],
            f"riskeval batch, {args.rows} rows": [py, "-m", "riskeval", "batch", str(src), "--rules", RULES, "--out",
                                                   str(Path(tmp) / "out.csv"), "--workers", "2"],
        }
        samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                samples[name].append(once(cmd))
    rows: list[dict[str, Any]] = []
    print(f"{'command':46s} {'wall ms':>8s} {'min':>7s} {'cpu ms':>8s} {'min':>7s} exit")
    for name, runs in samples.items():
        walls = [w for w, _, _ in runs]
        cpus = [c for _, c, _ in runs]
        row = {
            "command": name,
            "wall_ms_median": round(statistics.median(walls) * 1000, 1),
            "wall_ms_min": round(min(walls) * 1000, 1),
            "cpu_ms_median": round(statistics.median(cpus) * 1000, 1),
            "cpu_ms_min": round(min(cpus) * 1000, 1),
            "exit_status": sorted({code for _, _, code in runs}),
        }
        rows.append(row)
        print(f"{name:46s} {row['wall_ms_median']:8.1f} {row['wall_ms_min']:7.1f} {row['cpu_ms_median']:8.1f} "
              f"{row['cpu_ms_min']:7.1f} {row['exit_status']}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "repeat": args.repeat,
                "rows": args.rows,
                # the machine's 1-minute load average before and after (2 cores here: above 2 the figures wait)
                "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                "results": rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
