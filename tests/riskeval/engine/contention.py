"""Harness for the contention test: engine evaluations in more processes than cores, beside a CPU hog.

Kept apart from the test so that worker processes (``spawn``) import only this small module. Run it
directly to compare riskeval's host with durable-rules' own timer-driven ``Host``::

    python -m tests.riskeval.engine.contention --evaluations 100000 --legacy
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
RULESETS = ("guiyang", "jiangsu-db32-4013-2021")


@dataclass
class Tally:
    """What the workers saw: evaluations run, refusals (EngineError text) and disagreements with the reference."""

    evaluations: int = 0
    refused: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.evaluations += other.evaluations
        self.refused += other.refused
        self.mismatched += other.mismatched


def _projects() -> Iterator[dict[str, Any]]:
    """Project data: the example project files and the Guiyang example list (examples/projects.csv)."""
    import yaml

    for path in sorted((ROOT / "examples" / "projects").glob("*.yaml")):
        yield yaml.safe_load(path.read_text(encoding="utf-8"))
    with (ROOT / "examples" / "projects.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    from riskeval import load_ruleset
    from riskeval.batch.columns import ColumnResolver

    resolver = ColumnResolver(load_ruleset("guiyang"))
    for row in rows[:120]:
        yield resolver.project_data(row)


def cases(ruleset_name: str) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """Checked fact values (before and after measures) of every example project under ``ruleset_name``,
    each with the rule ids the plain reference evaluator fires on them."""
    from riskeval import load_ruleset
    from riskeval.check import ProjectError, check_project
    from riskeval.engine import reference_fired
    from riskeval.pipeline import project_from_data

    rs = load_ruleset(ruleset_name)
    out: list[tuple[dict[str, Any], tuple[str, ...]]] = []
    for data in _projects():
        try:
            checked = check_project(project_from_data(data), rs, require=False)
        except ProjectError:
            continue
        for values in (checked.initial, checked.residual):
            out.append((values, tuple(sorted(reference_fired(rs, values)))))
    return out


def _worker(
    ruleset_name: str, work: list[tuple[dict[str, Any], tuple[str, ...]]], n: int, legacy: bool, switch: float | None
) -> Tally:
    import sys

    from riskeval import engine, load_ruleset

    if switch is not None:  # switch the GIL between threads more often than the default 5 ms
        sys.setswitchinterval(switch)

    if legacy:  # durable-rules' own host, whose dispatch timer runs every 0.2 s
        from durable.engine import Host

        engine._HOST = Host()
    compiled = engine.compile_ruleset(load_ruleset(ruleset_name))
    tally = Tally()
    for i in range(n):
        values, expected = work[i % len(work)]
        tally.evaluations += 1
        try:
            got = tuple(sorted(compiled.fired(values)))
        except engine.EngineError as exc:
            tally.refused.append(str(exc)[:200])
            continue
        if got != expected:
            tally.mismatched.append(f"{values.get('id', i)}: {got} != {expected}")
    return tally


def _hog(stop: Any) -> None:
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x = (x * 31 + 7) % 1_000_003


def run(
    evaluations: int, processes: int = 4, hogs: int = 1, legacy: bool = False, switch: float | None = None
) -> Tally:
    """Run ``evaluations`` engine evaluations split over ``processes`` spawned workers (alternating the
    Guiyang and Jiangsu rule sets) while ``hogs`` processes spin on the CPU."""
    ctx = multiprocessing.get_context("spawn")
    work = {name: cases(name) for name in RULESETS}
    stop = ctx.Event()
    hog_procs = [ctx.Process(target=_hog, args=(stop,), daemon=True) for _ in range(hogs)]
    for p in hog_procs:
        p.start()
    total = Tally()
    try:
        share = [evaluations // processes + (1 if i < evaluations % processes else 0) for i in range(processes)]
        with ctx.Pool(processes) as pool:
            jobs = [
                pool.apply_async(_worker, (RULESETS[i % 2], work[RULESETS[i % 2]], share[i], legacy, switch))
                for i in range(processes)
            ]
            for job in jobs:
                total.add(job.get())
    finally:
        stop.set()
        for p in hog_procs:
            p.join(5)
            if p.is_alive():
                p.terminate()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--evaluations", type=int, default=30_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--hogs", type=int, default=1)
    parser.add_argument("--legacy", action="store_true", help="use durable-rules' own timer-driven Host")
    parser.add_argument("--switch", type=float, default=None, help="sys.setswitchinterval in the workers")
    args = parser.parse_args()
    start = time.perf_counter()
    tally = run(args.evaluations, args.processes, args.hogs, args.legacy, args.switch)
    print(
        f"cores={os.cpu_count()} processes={args.processes} hogs={args.hogs} legacy={args.legacy} switch={args.switch} "
        f"evaluations={tally.evaluations} refused={len(tally.refused)} mismatched={len(tally.mismatched)} "
        f"seconds={time.perf_counter() - start:.1f}"
    )
    for line in (tally.refused + tally.mismatched)[:10]:
        print("  ", line)


if __name__ == "__main__":
    main()
