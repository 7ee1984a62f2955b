"""Benchmark of rule-set loading and of the hostile-file fuzz, with the pure-Python YAML parser as baseline.

Rows of the table (CPU seconds per call, ``time.process_time``, median of ``--repeat`` runs):

* ``load <name>`` -- :func:`riskeval.load_ruleset` of each bundled rule set with the reader's fast path
  (libyaml events when PyYAML has them) and with the pure-Python parser forced (the baseline, which is
  what every load used before ``riskeval.io.yaml``);
* ``fuzz`` -- the 320 seeded mutations of ``tests/riskeval/ruleset/test_fuzz.py``, total and worst file.

Usage::

    python benchmarks/bench_rules.py [--repeat 7]

Prints the table and writes ``benchmarks/results/rules.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rows = []
    fast = reader._FAST_LOADER
    for name in bundled_names():
        load_ruleset(name)  # warm imports
        new = _cpu(lambda name=name: load_ruleset(name), args.repeat)
        reader._FAST_LOADER = None
        try:
            base = _cpu(lambda name=name: load_ruleset(name), args.repeat)
        finally:
            reader._FAST_LOADER = fast
        rows.append({"row": f"load {name}", "seconds": new, "baseline_pure_python": base, "speedup": base / new})
    total, worst, errors = _fuzz()
    rows.append({"row": "fuzz (320 files)", "seconds": total, "worst_file": worst, "refused": errors})
    print(f"{'row':32} {'cpu s':>10} {'baseline s':>11} {'speed-up':>9}")
    for row in rows:
        if "baseline_pure_python" in row:
            print(f"{row['row']:32} {row['seconds']:10.4f} {row['baseline_pure_python']:11.4f} {row['speedup']:8.1f}x")
        else:
            print(f"{row['row']:32} {row['seconds']:10.4f}   worst file {row['worst_file']:.4f} s, {row['refused']} refused")
    out = ROOT / "benchmarks" / "results" / "rules.json"
    out.parent.mkdir(exist_ok=True)
    meta = {"python": platform.python_version(), "libyaml": fast is not None, "repeat": args.repeat}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
