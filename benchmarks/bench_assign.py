"""Benchmark of reviewer assignment, each backend beside its baseline in the same run.

Instances: ``P`` projects x ``E`` experts from 27 units, 5 reviewers per project, no expert on a project of
their own unit, at most one expert per unit per project; affinities are seeded random floats in
[-0.25, 1); expert loads 10..14 at the default size, scaled to about 1.2 x the seats per expert above it.

Three modes:

* default (1000 x 500): ``networkx``, ``ortools`` and ``highs`` (the full LP: the baseline optimum) through
  :func:`expert_pool.assign` (each result certified), the certificate alone, a seeded random draw, and
  the whole ``riskeval assign`` command in a fresh process (CSV in and out).
  Writes ``benchmarks/results/assign.json``.
* ``--sweep``: networkx against OR-Tools (solver call only, same instance) over growing sizes: the
  measurements behind ``--backend auto``'s threshold.  Writes ``benchmarks/results/assign_sweep.json``.
* ``--large`` (5000 x 2000, a 10-million-row affinity CSV written by pyarrow in a temporary directory):
  the whole ``riskeval assign`` command (``--backend auto``) in a fresh process, wall-clock and peak RSS
  (``os.wait4``), beside the same command with ``--backend networkx`` as the baseline (``--no-baseline``
  skips it).  Target: at most 15 s.  Writes ``benchmarks/results/assign_large.json``.

Usage::

    python benchmarks/bench_assign.py [--projects 1000] [--experts 500] [--units 27] [--k 5] [--no-cli]
    python benchmarks/bench_assign.py --sweep
    python benchmarks/bench_assign.py --large [--no-baseline] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx
import numpy as np
import scipy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import expert_pool as ep  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CLI = "from riskeval.cli import main; main()"
LARGE_TARGET_SECONDS = 15.0


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


def machine() -> dict[str, Any]:
    import ortools
    import pyarrow

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "networkx": networkx.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
            "ortools": ortools.__version__, "pyarrow": pyarrow.__version__,
            "load_average": os.getloadavg()}


def write_inputs(d: Path, experts: list[ep.Expert], projects: list[ep.ProjectNeed], scores: np.ndarray) -> None:
    """E.csv, P.csv and the full A.csv (one row per pair, scores to 6 decimals), written by pyarrow."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    pacsv.write_csv(pa.table({"expert": [e.id for e in experts], "unit": [e.unit for e in experts],
                              "max_load": [e.max_load for e in experts]}), d / "E.csv")
    pacsv.write_csv(pa.table({"project": [p.id for p in projects], "unit": [p.unit for p in projects],
                              "panel_size": [p.panel_size for p in projects]}), d / "P.csv")
    n_p, n_e = scores.shape
    p_ids = pa.array([p.id for p in projects]).take(pa.array(np.repeat(np.arange(n_p), n_e)))
    e_ids = pa.array([e.id for e in experts]).take(pa.array(np.tile(np.arange(n_e), n_p)))
    table = pa.table({"project": p_ids, "expert": e_ids, "score": pa.array(np.round(scores.reshape(-1), 6))})
    pacsv.write_csv(table, d / "A.csv", write_options=pacsv.WriteOptions(quoting_style="none"))


def run_command(d: Path, backend: str, tag: str) -> dict[str, Any]:
    """The whole ``riskeval assign`` command in a new process: wall seconds, peak RSS (MB), total, status."""
    cmd = [sys.executable, "-c", CLI, "assign", "--experts", str(d / "E.csv"), "--projects", str(d / "P.csv"),
           "--affinity", str(d / "A.csv"), "--max-per-unit", "1", "--backend", backend,
           "--out", str(d / f"OUT-{tag}.csv"), "--json", str(d / f"M-{tag}.json")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(d / f"log-{tag}.txt", "wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {(d / f'log-{tag}.txt').read_text()[-2000:]}")
    data = json.loads((d / f"M-{tag}.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "total": data["metrics"]["total"], "backend": data["backend"], "optimal": data["optimal"],
            "certificate": {k: data["certificate"].get(k) for k in
                            ("verdict", "checked_arcs", "arcs_in_subgraph", "rounds", "gap_bound",
                             "potentials_sha256")}}


def default_run(args: argparse.Namespace) -> int:
    experts, projects, scores = make_instance(args.projects, args.experts, args.units, args.k, args.seed)
    affinity = ep.Affinity.from_matrix(scores, [p.id for p in projects], [e.id for e in experts])
    common = {"affinity": affinity, "max_per_unit": 1}
    rows: list[dict[str, object]] = []
    results = {}
    for backend, label in (("highs", "highs (scipy HiGHS, full LP) [baseline]"),
                           ("networkx", "networkx (pruned min-cost flow)"),
                           ("ortools", "ortools (pruned min-cost flow)")):
        res, seconds = timed(lambda b=backend: ep.assign(experts, projects, backend=b, **common))
        results[backend] = res
        rows.append({"method": label, "seconds": seconds, "total": res.metrics.total, "optimal": res.optimal,
                     "certificate": res.certificate})
    from expert_pool.assign.certificate import certify
    from expert_pool.assign.instance import build_instance

    inst = build_instance(experts, projects, **common)
    pair_of = {(inst.projects[i].id, inst.experts[j].id): n
               for n, (i, j) in enumerate(zip(inst.pair_p.tolist(), inst.pair_e.tolist(), strict=True))}
    chosen = np.array(sorted(pair_of[(p.project, p.expert)] for p in results["ortools"].pairs))
    cert, t_cert = timed(lambda: certify(inst, chosen))
    rows.append({"method": "certificate alone (cold start)", "seconds": t_cert, "total": cert.objective,
                 "optimal": cert.ok, "certificate": cert.model_dump()})
    drawn, t_draw = timed(lambda: ep.assign(experts, projects, method="random", seed=1, **common))
    rows.append({"method": "random draw (seed 1)", "seconds": t_draw, "total": drawn.metrics.total,
                 "optimal": False, "certificate": drawn.certificate})
    if not args.no_cli:
        with tempfile.TemporaryDirectory() as tmp:
            write_inputs(Path(tmp), experts, projects, scores)
            cli = run_command(Path(tmp), "auto", "auto")
        rows.append({"method": f"cli: whole command, new process (--backend auto = {cli['backend']})",
                     "seconds": cli["seconds"], "total": cli["total"], "optimal": cli["optimal"],
                     "certificate": {**cli["certificate"], "peak_rss_mb": cli["peak_rss_mb"],
                                     "note": "A.csv scores rounded to 6 decimals"}})
    print(f"{args.projects} projects x {args.experts} experts, {args.units} units, {args.k} reviewers each, "
          f"no own unit, at most 1 per unit per project; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'method':<62} {'seconds':>9} {'total affinity':>18}")
    for r in rows:
        print(f"{r['method']:<62} {r['seconds']:>9.2f} {r['total']:>18.6f}")
    totals = [results[b].metrics.total for b in ("networkx", "ortools", "highs")]
    gap = max(totals) - min(totals)
    print(f"max difference between backends = {gap:.2e}")
    payload = {
        "benchmark": "assign",
        "instance": {"projects": args.projects, "experts": args.experts, "units": args.units, "k": args.k,
                     "seed": args.seed, "max_per_unit": 1, "eligible_pairs": inst.n_pairs},
        "machine": machine(), "results": rows, "max_backend_difference": gap,
    }
    out = args.out or RESULTS / "assign.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    if gap > 1e-6:
        print("ERROR: backends' optima differ", file=sys.stderr)
        return 1
    return 0


SWEEP = ((20, 100), (50, 200), (100, 300), (200, 400), (500, 500), (1000, 500), (2000, 1000))


def sweep_run(args: argparse.Namespace) -> int:
    from expert_pool.assign.flow import solve_flow
    from expert_pool.assign.instance import build_instance
    from expert_pool.assign.ortools_flow import solve_ortools

    rows = []
    print(f"networkx vs OR-Tools, solver call only; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'projects':>8} {'experts':>8} {'pairs':>10} {'networkx s':>11} {'ortools s':>10} {'ratio':>7}")
    for n_p, n_e in SWEEP:
        experts, projects, scores = make_instance(n_p, n_e, args.units, args.k, args.seed)
        aff = ep.Affinity.from_matrix(scores, [p.id for p in projects], [e.id for e in experts])
        inst = build_instance(experts, projects, affinity=aff, max_per_unit=1)
        nx_res, t_nx = timed(lambda i=inst: solve_flow(i))
        or_res, t_or = timed(lambda i=inst: solve_ortools(i))
        assert abs(nx_res.objective - or_res.objective) < 1e-6
        rows.append({"projects": n_p, "experts": n_e, "pairs": inst.n_pairs, "networkx_seconds": t_nx,
                     "ortools_seconds": t_or})
        print(f"{n_p:>8} {n_e:>8} {inst.n_pairs:>10} {t_nx:>11.3f} {t_or:>10.3f} {t_nx / max(t_or, 1e-9):>7.1f}")
    out = args.out or RESULTS / "assign_sweep.json"
    out.write_text(json.dumps({"benchmark": "assign_sweep", "machine": machine(), "results": rows}, indent=2)
                   + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


def large_run(args: argparse.Namespace) -> int:
    n_p, n_e = 5000, 2000
    experts, projects, scores = make_instance(n_p, n_e, args.units, args.k, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(args.keep) if args.keep else Path(tmp)
        d.mkdir(parents=True, exist_ok=True)
        _, t_write = timed(lambda: write_inputs(d, experts, projects, scores))
        size_mb = (d / "A.csv").stat().st_size / 2**20
        rows = [{"method": "riskeval assign --backend auto (whole command)", **run_command(d, "auto", "auto")}]
        if not args.no_baseline:
            rows.append({"method": "riskeval assign --backend networkx (whole command) [baseline]",
                         **run_command(d, "networkx", "networkx")})
    print(f"{n_p} projects x {n_e} experts x {args.k} each, A.csv {n_p * n_e} rows ({size_mb:.0f} MB, "
          f"written in {t_write:.1f} s); {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'method':<64} {'seconds':>8} {'cpu s':>7} {'peak MB':>8} {'total affinity':>16}")
    for r in rows:
        print(f"{r['method']:<64} {r['seconds']:>8.2f} {r['cpu_seconds']:>7.2f} {r['peak_rss_mb']:>8.0f} "
              f"{r['total']:>16.6f}")
    payload = {"benchmark": "assign_large", "instance": {"projects": n_p, "experts": n_e, "k": args.k,
                                                         "units": args.units, "seed": args.seed,
                                                         "affinity_rows": n_p * n_e},
               "target_seconds": LARGE_TARGET_SECONDS, "machine": machine(), "results": rows}
    out = args.out or RESULTS / "assign_large.json"
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    ok = rows[0]["certificate"]["verdict"] == "optimal"
    if len(rows) > 1 and abs(rows[0]["total"] - rows[1]["total"]) > 1e-6:
        print("ERROR: auto and networkx optima differ", file=sys.stderr)
        ok = False
    if rows[0]["seconds"] > LARGE_TARGET_SECONDS:
        print(f"NOTE: above the {LARGE_TARGET_SECONDS:.0f} s target on this machine (load matters)", file=sys.stderr)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--units", type=int, default=27)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end command")
    parser.add_argument("--sweep", action="store_true", help="networkx vs OR-Tools over growing sizes")
    parser.add_argument("--large", action="store_true", help="5000 x 2000 end to end (10-million-row A.csv)")
    parser.add_argument("--no-baseline", action="store_true", help="--large: skip the networkx command")
    parser.add_argument("--keep", help="--large: write the inputs to this directory and keep them")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.sweep:
        return sweep_run(args)
    if args.large:
        return large_run(args)
    return default_run(args)


if __name__ == "__main__":
    raise SystemExit(main())
