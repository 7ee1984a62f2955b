"""Several processes appending at once lose nothing and keep the chain valid."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from typing import Any

WORKERS = 6
PER_WORKER = 25


def _worker(path: str, worker: int, barrier: Any, queue: Any) -> None:
    import riskeval
    from riskeval.gate import Gate

    rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    gate = Gate(rs, ledger=path)
    facts = rs.tests[0].project["facts"]
    projects = [riskeval.Project(id=f"W{worker}-{i}", kind="project", facts=facts) for i in range(PER_WORKER)]
    riskeval.assess(projects[0], rs)  # compile the engine before the start line
    barrier.wait(timeout=120)  # every writer starts at once
    seqs = []
    for project in projects:
        gate.assess(project, actor=f"worker-{worker}")
        assert gate.last_record is not None
        seqs.append(gate.last_record.seq)
    queue.put((worker, seqs))


def test_concurrent_appends_lose_nothing(tmp_path):
    path = str(tmp_path / "ledger.sqlite")  # created by the racing writers themselves
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    barrier = ctx.Barrier(WORKERS)
    procs = [ctx.Process(target=_worker, args=(path, w, barrier, queue)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    from riskeval.gate import Ledger

    ledger = Ledger(path)
    report = ledger.verify()
    assert report.ok, report.message("en")
    total = WORKERS * PER_WORKER
    assert report.count == total == len(ledger)
    records = list(ledger.records())
    assert [r.seq for r in records] == list(range(1, total + 1))
    assert Counter(r.actor for r in records) == {f"worker-{w}": PER_WORKER for w in range(WORKERS)}
    assert len({r.project_id for r in records}) == total
    returned = sorted(s for seqs in results.values() for s in seqs)
    assert returned == list(range(1, total + 1))
    # the writers really interleaved
    order = [r.actor for r in records]
    switches = sum(1 for a, b in zip(order, order[1:], strict=False) if a != b)
    assert switches > WORKERS
