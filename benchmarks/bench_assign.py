"""Benchmark of reviewer assignment at city scale, with an LP baseline computed in the same run.

1000 projects x 500 experts from 27 units, 5 reviewers per project, no expert on a project of their own
unit, at most one expert per unit per project; affinities are seeded random floats in [-0.25, 1).

Rows of the table:

* ``flow``  -- :func:`expert_pool.assign` with the networkx min-cost flow (pruned network + reduced-cost
  proof of optimality on the full network);
* ``lp``    -- the same call with the scipy HiGHS backend on the full LP (the baseline optimum);
* ``random`` -- a seeded random draw under the same constraints (flow backend);
* ``cli``   -- the whole ``assign`` command in a fresh Python process (reading E.csv, P.csv and a 480 000-row
  A.csv, solving, writing OUT.csv and the metrics JSON), wall-clock.

Usage::

    python benchmarks/bench_assign.py [--projects 1000] [--experts 500] [--units 27] [--k 5] [--no-cli]

Prints the table and writes ``benchmarks/results/assign.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx
import numpy as np
import scipy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import expert_pool as ep  # noqa: E402

CLI_SNIPPET = """
import sys, typer
sys.path.insert(0, {root!r})
from expert_pool.cli import register
app = typer.Typer()
@app.callback()
def main() -> None:
    pass
register(app)
app()
"""


def make_instance(n_projects: int, n_experts: int, n_units: int, k: int, seed: int
                  ) -> tuple[list[ep.Expert], list[ep.ProjectNeed], np.ndarray]:
    rng = np.random.default_rng(seed)
    # loads 10..14 at the default size; larger instances scale them to about 1.2 x the seats per expert
    base = max(12, -(-6 * n_projects * k // (5 * n_experts)))
    experts = [ep.Expert(id=f"E{j:04d}", unit=f"U{int(rng.integers(n_units)):02d}",
                         max_load=int(rng.integers(base - 2, base + 3))) for j in range(n_experts)]
    projects = [ep.ProjectNeed(id=f"P{i:04d}", unit=f"U{int(rng.integers(n_units)):02d}", panel_size=k)
                for i in range(n_projects)]
    scores = rng.uniform(-0.25, 1.0, (n_projects, n_experts))
    return experts, projects, scores


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run_cli(experts: list[ep.Expert], projects: list[ep.ProjectNeed], scores: np.ndarray) -> tuple[float, float]:
    """Write the CSV inputs, run the command in a new process, return (seconds, total affinity)."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        with open(d / "E.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["expert", "unit", "max_load", "min_load"])
            w.writerows([e.id, e.unit, e.max_load, e.min_load] for e in experts)
        with open(d / "P.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["project", "unit", "panel_size"])
            w.writerows([p.id, p.unit, p.panel_size] for p in projects)
        with open(d / "A.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["project", "expert", "score"])
            for i, p in enumerate(projects):
                w.writerows([p.id, e.id, f"{scores[i, j]:.6f}"] for j, e in enumerate(experts))
        cmd = [sys.executable, "-c", CLI_SNIPPET.format(root=str(ROOT)), "assign", "--experts", str(d / "E.csv"),
               "--projects", str(d / "P.csv"), "--affinity", str(d / "A.csv"), "--max-per-unit", "1",
               "--out", str(d / "OUT.csv"), "--json", str(d / "M.json")]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"CLI failed ({proc.returncode}): {proc.stderr}")
        total = json.loads((d / "M.json").read_text(encoding="utf-8"))["metrics"]["total"]
    return seconds, float(total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--units", type=int, default=27)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end command")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "assign.json")
    args = parser.parse_args(argv)

    experts, projects, scores = make_instance(args.projects, args.experts, args.units, args.k, args.seed)
    affinity = ep.Affinity.from_matrix(scores, [p.id for p in projects], [e.id for e in experts])
    common = {"affinity": affinity, "max_per_unit": 1}
    rows: list[dict[str, object]] = []

    lp, t_lp = timed(lambda: ep.assign(experts, projects, backend="lp", **common))
    flow, t_flow = timed(lambda: ep.assign(experts, projects, backend="flow", **common))
    drawn, t_draw = timed(lambda: ep.assign(experts, projects, method="random", seed=1, **common))
    rows.append({"method": "flow (networkx, pruned + reduced-cost proof)", "seconds": t_flow,
                 "total": flow.metrics.total, "optimal": flow.optimal, "certificate": flow.certificate})
    rows.append({"method": "lp (scipy HiGHS, full LP) [baseline]", "seconds": t_lp, "total": lp.metrics.total,
                 "optimal": lp.optimal, "certificate": lp.certificate})
    rows.append({"method": "random draw (seed 1, flow)", "seconds": t_draw, "total": drawn.metrics.total,
                 "optimal": False, "certificate": drawn.certificate})
    if not args.no_cli:
        t_cli, total_cli = run_cli(experts, projects, scores)
        rows.append({"method": "cli: whole command, new process (CSV in/out)", "seconds": t_cli, "total": total_cli,
                     "optimal": None, "certificate": {"note": "A.csv scores rounded to 6 decimals"}})

    gap = abs(flow.metrics.total - lp.metrics.total)
    print(f"{args.projects} projects x {args.experts} experts, {args.units} units, {args.k} reviewers each, "
          f"no own unit, at most 1 per unit per project; {os.cpu_count()} cores")
    print(f"{'method':<50} {'seconds':>9} {'total affinity':>18}")
    for r in rows:
        print(f"{r['method']:<50} {r['seconds']:>9.2f} {r['total']:>18.6f}")
    print(f"|flow - lp| = {gap:.2e}  (flow certificate: {flow.certificate.get('rounds')} round(s), "
          f"{flow.certificate.get('pairs_in_network')} of {flow.certificate.get('pairs_total')} pairs in the network)")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "assign",
        "instance": {"projects": args.projects, "experts": args.experts, "units": args.units, "k": args.k,
                     "seed": args.seed, "max_per_unit": 1, "eligible_pairs": flow.certificate.get("pairs_total")},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "networkx": networkx.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
        "results": rows,
        "flow_minus_lp": flow.metrics.total - lp.metrics.total,
    }
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    if gap > 1e-6:
        print("ERROR: flow and LP optima differ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
