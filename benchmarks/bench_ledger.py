"""Speed of trust: `ledger verify` beside `sha256sum` of the same file, and `Gate.assess` + record.

Builds a signed ledger of N records (default 10,000; one signed checkpoint per record, as appends
make them), then measures in the same run:

* ``sha256sum`` of the database file (the baseline) and hashlib over the same bytes;
* ``Ledger.verify`` (every leaf re-hashed from stored bytes, every root recomputed, every
  checkpoint signature checked) with 1 process and with all usable cores; the same with only the
  latest signature checked (``--signatures latest``, what a gate does on open); and the
  ``riskeval ledger verify`` command end to end (with the interpreter's start-up, also measured);
* ``Gate.assess`` plus its record (p50/p95 over ``--samples`` appends to the N-record ledger), and
  ``Gate.require`` (p50/p95), beside ``riskeval.assess`` alone and one fsync'd SQLite WAL commit of a
  5 KB row on the same disk (the floor under any durable append).

Usage::

    python benchmarks/bench_ledger.py [--records 10000] [--samples 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import riskeval  # noqa: E402
from riskeval.gate import Gate  # noqa: E402
from riskeval.ledger import (  # noqa: E402
    Checkpoint,
    Ledger,
    SigningKey,
    canonical_project,
    generate_keys,
    load_signing_key,
)
from riskeval.ledger.merkle import Frontier  # noqa: E402
from riskeval.ledger.records import ALL_COLUMNS, GENESIS, HASHED_COLUMNS, record_leaf, utcnow  # noqa: E402
from riskeval.ledger.verify import default_jobs  # noqa: E402

RULES = "jiangsu-db32-4013-2021"


def build(path: Path, key: SigningKey, n: int) -> None:
    """A signed ledger of ``n`` assessment records, one signed checkpoint per record."""
    rs = riskeval.load_ruleset(RULES)
    facts = rs.tests[0].project["facts"]
    template = riskeval.Project(id="BENCH-0", kind="project", facts=facts)
    assessment = riskeval.assess(template, rs)
    base_json = assessment.to_json(indent=None)
    ledger = Ledger(path, signing_key=key)
    ledger._create_file()
    state = ledger.ensure_verified()
    conn = ledger._connection()
    insert = f"INSERT INTO records ({', '.join(ALL_COLUMNS)}) VALUES ({', '.join('?' * len(ALL_COLUMNS))})"
    front, prev = Frontier(), GENESIS
    conn.execute("BEGIN IMMEDIATE")
    for seq in range(1, n + 1):
        project = template.model_copy(update={"id": f"BENCH-{seq}"})
        project_json = canonical_project(project)
        digest = hashlib.sha256(project_json.encode()).hexdigest()
        text = base_json.replace(assessment.project_hash, digest).replace('"BENCH-0"', json.dumps(project.id))
        ts = utcnow()
        row = {
            "seq": seq, "kind": "assessment", "project_id": project.id, "project_json": project_json,
            "project_hash": digest, "ruleset_id": rs.id, "ruleset_version": rs.version,
            "ruleset_hash": assessment.ruleset.hash, "assessment_json": text, "outcome": None, "ref_seq": None,
            "ref_hash": None, "actor": "bench", "ts": ts, "prev_hash": prev,
        }
        hashed = tuple(row[c] for c in HASHED_COLUMNS)
        leaf = record_leaf(hashed)
        conn.execute(insert, (*hashed, leaf.hex()))
        front.append(leaf)
        cp = Checkpoint(size=seq, root=front.root().hex(), ts=ts, meta=state.meta_hash).sign(key)
        ledger._insert_checkpoint(conn, cp)
        prev = leaf.hex()
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    ledger.close()


def timed(func: Any, repeat: int = 3) -> float:
    """The best of ``repeat`` wall times (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    key_path, pub_path = generate_keys(tmp / "keys")
    key = load_signing_key(key_path)
    db = tmp / "ledger.sqlite"
    start = time.perf_counter()
    build(db, key, args.records)
    build_s = time.perf_counter() - start
    size = db.stat().st_size
    cores = default_jobs()

    sha256sum = timed(lambda: subprocess.run(["sha256sum", str(db)], check=True, capture_output=True))
    hashlib_s = timed(lambda: hashlib.sha256(db.read_bytes()).hexdigest())

    def verify(jobs: int, every_signature: bool = True) -> None:
        report = Ledger(db, read_only=True).verify(public_key=pub_path, jobs=jobs, every_signature=every_signature)
        assert report.ok and report.count == args.records, report.message("en")

    verify_1 = timed(lambda: verify(1))
    verify_n = timed(lambda: verify(cores))
    verify_latest_1 = timed(lambda: verify(1, False))
    verify_latest_n = timed(lambda: verify(cores, False))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "riskeval", "ledger", "verify", str(db), "--public-key", str(pub_path)]
    verify_cli = timed(lambda: subprocess.run(cli, check=True, capture_output=True, env=env), repeat=2)
    startup = timed(lambda: subprocess.run([sys.executable, "-m", "riskeval", "--help"], check=True, capture_output=True, env=env), repeat=2)

    # the floor under any durable append on this disk: one fsync'd WAL commit of a 5 KB row
    import sqlite3

    probe = sqlite3.connect(tmp / "fsync.sqlite", isolation_level=None)
    probe.execute("PRAGMA journal_mode = WAL").fetchone()
    probe.execute("PRAGMA synchronous = FULL")
    probe.execute("CREATE TABLE t (x BLOB)")
    fsync_ms = []
    for _ in range(min(args.samples, 100)):
        t0 = time.perf_counter()
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("INSERT INTO t VALUES (randomblob(5000))")
        probe.execute("COMMIT")
        fsync_ms.append((time.perf_counter() - t0) * 1000)
    probe.close()

    rs = riskeval.load_ruleset(RULES)
    facts = rs.tests[0].project["facts"]
    gate = Gate(rs, ledger=db, signing_key=key_path)
    open_start = time.perf_counter()
    gate.ledger.ensure_verified()  # the full verification on open
    open_s = time.perf_counter() - open_start
    assess_ms, require_ms = [], []
    for i in range(args.samples):
        project = riskeval.Project(id=f"G-{i}", kind="project", facts=facts)
        t0 = time.perf_counter()
        gate.assess(project, actor="bench")
        t1 = time.perf_counter()
        gate.require(project)
        t2 = time.perf_counter()
        assess_ms.append((t1 - t0) * 1000)
        require_ms.append((t2 - t1) * 1000)
    engine_ms = []
    for i in range(min(args.samples, 100)):
        project = riskeval.Project(id=f"E-{i}", kind="project", facts=facts)
        t0 = time.perf_counter()
        riskeval.assess(project, rs)
        engine_ms.append((time.perf_counter() - t0) * 1000)
    gate.ledger.close()

    result = {
        "records": args.records,
        "db_bytes": size,
        "cores": cores,
        "build_s": round(build_s, 3),
        "sha256sum_s": round(sha256sum, 4),
        "hashlib_s": round(hashlib_s, 4),
        "verify_1_process_s": round(verify_1, 4),
        f"verify_{cores}_processes_s": round(verify_n, 4),
        "verify_vs_sha256sum": round(verify_n / sha256sum, 2),
        "verify_latest_signature_1_process_s": round(verify_latest_1, 4),
        f"verify_latest_signature_{cores}_processes_s": round(verify_latest_n, 4),
        "verify_latest_signature_vs_sha256sum": round(verify_latest_n / sha256sum, 2),
        "verify_cli_s": round(verify_cli, 3),
        "cli_startup_s": round(startup, 3),
        "gate_open_full_verify_s": round(open_s, 4),
        "assess_record_p50_ms": round(statistics.median(assess_ms), 3),
        "assess_record_p95_ms": round(pct(assess_ms, 0.95), 3),
        "assess_only_p50_ms": round(statistics.median(engine_ms), 3),
        "fsync_commit_p50_ms": round(statistics.median(fsync_ms), 3),
        "require_p50_ms": round(statistics.median(require_ms), 3),
        "require_p95_ms": round(pct(require_ms, 0.95), 3),
        "samples": args.samples,
    }
    width = max(len(k) for k in result)
    print(f"ledger benchmark ({args.records} records, {size / 1e6:.1f} MB, {cores} cores)")
    for k, v in result.items():
        print(f"  {k:<{width}}  {v}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
