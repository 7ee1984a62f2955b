"""Benchmark: the one table reader (``riskeval.io.tables``) against a plain ``csv.DictReader`` in the same run.

Reads the same seeded project list (``riskeval.batch.synthetic``, CSV, UTF-8) three ways, alternating, each
``--repeat`` times, and keeps the best time of each:

* baseline: ``csv.DictReader`` over a text file (what batch used before the one reader; no per-row decoding,
  no locations, blank records skipped, one bad byte aborts);
* ``riskeval.io.tables.open_table``: per-line decoding, row numbers, per-record errors;
* ``riskeval.batch.readers.open_rows``: the same plus what batch adds (nothing for CSV).

Also writes result rows with ``riskeval.batch.writers`` (CSV) with and without ``safe_cell``.  Prints a table and writes ``benchmarks/results/tables.json``.

Usage::

    python benchmarks/bench_tables.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "tables.json"


def read_dictreader(path: Path) -> int:
    n = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for _ in csv.DictReader(fh):
            n += 1
    return n


def read_table(path: Path) -> int:
    from riskeval.io.tables import open_table

    n = 0
    with open_table(path) as table:
        for _ in table:
            n += 1
    return n


def read_open_rows(path: Path) -> int:
    from riskeval.batch.readers import open_rows

    n = 0
    with open_rows(path) as source:
        for _ in source:
            n += 1
    return n


def _unchanged(value: Any) -> Any:
    return value


def write_plain(rows: list[list[Any]], out: Path) -> int:
    """The batch writer with ``safe_cell`` switched off (what it was before)."""
    from riskeval.batch import writers

    real = writers.safe_cell
    writers.safe_cell = _unchanged
    try:
        return write_safe(rows, out)
    finally:
        writers.safe_cell = real


def write_safe(rows: list[list[Any]], out: Path) -> int:
    from riskeval.batch.runner import OUTPUT_COLUMNS
    from riskeval.batch.writers import open_writer

    with open_writer(out, OUTPUT_COLUMNS) as writer:
        for row in rows:
            writer.write(dict(zip(OUTPUT_COLUMNS, row, strict=True)))
    return len(rows)


def best(fn: Callable[[], int], times: list[float]) -> int:
    t0 = time.process_time()
    n = fn()
    times.append(time.process_time() - t0)
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()

    from riskeval.batch.synthetic import write_csv

    work = Path(tempfile.mkdtemp(prefix="bench_tables_"))
    src = work / "projects.csv"
    write_csv(src, args.rows, seed=args.seed, bad_fraction=0.002)
    quoted = work / "quoted.csv"  # the same rows with every field quoted (as some exports write them)
    with src.open(encoding="utf-8", newline="") as fin, quoted.open("w", encoding="utf-8", newline="") as fout:
        csv.writer(fout, quoting=csv.QUOTE_ALL).writerows(csv.reader(fin))
    out_rows = [
        [i + 2, f"JS-{i:06d}", "ok", "low", 0.5, "low", 0.4, "proceed", False, "JS-CTL-1;JS-RSN-2", ""]
        for i in range(args.rows)
    ]
    readers = {"csv.DictReader (baseline)": (read_dictreader, src), "io.tables.open_table": (read_table, src),
               "batch.open_rows": (read_open_rows, src),
               "quoted: csv.DictReader (baseline)": (read_dictreader, quoted),
               "quoted: io.tables.open_table": (read_table, quoted)}
    writers = {"TableWriter, no safe_cell (baseline)": write_plain, "TableWriter with safe_cell": write_safe}
    cpu: dict[str, list[float]] = {name: [] for name in [*readers, *writers]}
    counts: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, (read, path) in readers.items():
            counts[name] = best(partial(read, path), cpu[name])
        for name, write in writers.items():
            counts[name] = best(partial(write, out_rows, work / "out.csv"), cpu[name])
    fastest = {name: min(values) for name, values in cpu.items()}
    base_read = fastest["csv.DictReader (baseline)"]
    base_write = fastest["TableWriter, no safe_cell (baseline)"]
    base_quoted = fastest["quoted: csv.DictReader (baseline)"]
    ratios = {
        name: fastest[name] / (base_write if name in writers else base_quoted if name.startswith("quoted") else base_read)
        for name in fastest
    }
    result = {
        "benchmark": "bench_tables",
        "rows": args.rows,
        "repeat": args.repeat,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "loadavg": os.getloadavg()},
        "cpu_s_best": fastest,
        "rows_seen": counts,
        "ratio_to_baseline": ratios,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    width = max(len(n) for n in fastest)
    print(f"{'reader / writer':<{width}}  {'rows':>9}  {'CPU s (best)':>12}  {'rows/s':>10}  {'vs baseline':>11}")
    for name in fastest:
        rate = counts[name] / fastest[name] if fastest[name] else float("inf")
        print(f"{name:<{width}}  {counts[name]:>9,}  {fastest[name]:>12.3f}  {rate:>10,.0f}  {ratios[name]:>10.2f}x")
    print(f"\nwritten {RESULTS}")
    return 0 if all(counts[name] == args.rows for name in counts) else 1


if __name__ == "__main__":
    sys.exit(main())
