"""The sample check: shortfall top-up, worker start methods, early rows, dead workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import riskeval
from riskeval.batch.column import checker as checker_mod
from riskeval.batch.column import driver, sample
from riskeval.batch.column.driver import ColumnMismatch, run_columns
from riskeval.batch.column.program import compile_program
from riskeval.batch.column.sample import Sampler, required_sample
from riskeval.batch.run import run_batch
from riskeval.batch.synthetic import write_csv

JIANGSU = "jiangsu-db32-4013-2021"


@pytest.fixture(scope="module")
def listing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("in") / "in.csv", 2500, seed=19, bad_fraction=0.004)


@pytest.fixture(scope="module")
def reference(listing: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The output of an ordinary run (in-process check)."""
    out = tmp_path_factory.mktemp("ref") / "ref.csv"
    run_batch(listing, riskeval.load_ruleset(JIANGSU), out, workers=0)
    return out.read_bytes()


def _quoted_copy(src: Path, dst: Path) -> Path:
    """The same list with a quoted header cell: not plain for pyarrow, read by the table reader."""
    head, rest = src.read_text(encoding="utf-8").split("\n", 1)
    first, others = head.split(",", 1)
    dst.write_text(f'"{first}",{others}\n{rest}', encoding="utf-8")
    return dst


class _Spy:
    """Records the rows :meth:`Sampler.top_up` names."""

    def __init__(self, mp: pytest.MonkeyPatch) -> None:
        self.rows: list[int] = []
        real = Sampler.top_up

        def top_up(sampler: Sampler) -> list[int]:
            got = real(sampler)
            self.rows.extend(got)
            return got

        mp.setattr(Sampler, "top_up", top_up)


@pytest.mark.parametrize("quoted", [False, True], ids=["pyarrow", "records"])
def test_a_shortfall_is_topped_up_from_the_reservoir_and_checked(
    tmp_path: Path, listing: Path, reference: bytes, monkeypatch: pytest.MonkeyPatch, quoted: bool
) -> None:
    src = _quoted_copy(listing, tmp_path / "q.csv") if quoted else listing
    monkeypatch.setattr(sample, "sample_rate", lambda estimate: 0.0)  # only the covering rows are drawn
    spy = _Spy(monkeypatch)
    outcome = run_batch(src, riskeval.load_ruleset(JIANGSU), tmp_path / "o.csv", workers=0)
    assert outcome.reader == ("records" if quoted else "pyarrow")
    evaluable = outcome.stats.total - outcome.stats.error_rows
    assert outcome.sampled >= required_sample(evaluable) == 1000
    assert len(spy.rows) >= 900 and len(set(spy.rows)) == len(spy.rows)  # the reservoir made up the share
    assert (tmp_path / "o.csv").read_bytes() == reference


def test_top_up_rows_are_compared_with_the_row_path(
    tmp_path: Path, listing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sample, "sample_rate", lambda estimate: 0.0)
    spy = _Spy(monkeypatch)
    real = driver.row_key

    def wrong_for_one_top_up_row(row: Any) -> tuple[Any, ...]:  # the column path's key of one top-up row
        key = real(row)
        return ("wrong", *key) if spy.rows and row.row == spy.rows[-1] else key

    monkeypatch.setattr(driver, "row_key", wrong_for_one_top_up_row)
    with pytest.raises(ColumnMismatch) as info:
        run_batch(listing, riskeval.load_ruleset(JIANGSU), tmp_path / "o.csv", workers=0)
    assert info.value.params["differing"] == [spy.rows[-1]]
    assert not (tmp_path / "o.csv").exists()


def test_the_draw_keeps_its_margin() -> None:
    program = compile_program(riskeval.load_ruleset(JIANGSU))
    assert Sampler(program, 100_000).rate > 1.1 * required_sample(100_000) / 100_000
    assert Sampler(program, 500).rate == 1.0 and Sampler(program, None).rate == 1.0
    drawn = Sampler(program, 100_000).draw(100_000).sum()
    assert drawn == Sampler(program, 100_000).draw(100_000).sum() >= 1000  # seeded


def test_the_reservoir_keeps_row_numbers_uniformly() -> None:
    program = compile_program(riskeval.load_ruleset(JIANGSU))
    sampler = Sampler(program, 100_000)
    for start in range(2, 50_002, 5000):
        sampler.keep(np.arange(start, start + 5000, dtype=np.int64))
    assert len(sampler.reserve) == sample.RESERVE and len(set(sampler.reserve)) == sample.RESERVE
    assert all(isinstance(r, int) for r in sampler.reserve)
    assert 15_000 < float(np.mean(sampler.reserve)) < 35_000  # spread over the list, not its first rows
    sampler.seen, sampler.picked = 50_000, 900
    assert len(sampler.top_up()) == 100 and sampler.picked == 1000


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_workers_started_either_way_check_the_same_rows(
    tmp_path: Path, listing: Path, reference: bytes, method: str
) -> None:
    rs = riskeval.load_ruleset(JIANGSU)
    done = run_columns(listing, rs, tmp_path / "o.csv", compile_program(rs), workers=2, start_method=method)
    assert (tmp_path / "o.csv").read_bytes() == reference
    assert done.sampled >= 1000


def test_a_difference_found_in_a_worker_is_reported(
    tmp_path: Path, listing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rs = riskeval.load_ruleset(JIANGSU)
    real = driver.row_key
    monkeypatch.setattr(driver, "row_key", lambda row: ("x", *real(row)) if row.row % 7 == 0 else real(row))
    with pytest.raises(ColumnMismatch) as info:
        run_columns(listing, rs, tmp_path / "o.csv", compile_program(rs), workers=1, start_method="fork")
    differing = info.value.params["differing"]
    assert differing and all(r % 7 == 0 for r in differing)
    assert not (tmp_path / "o.csv").exists() and not list(tmp_path.glob(".*partial*"))


def test_fork_only_when_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    import durable.engine  # noqa: F401 - durable-rules imported: never fork

    assert checker_mod.start_context().get_start_method() == "spawn"
    monkeypatch.delitem(sys.modules, "durable")
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert checker_mod.start_context().get_start_method() == "fork"
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # another Python thread: never fork
    assert checker_mod.start_context().get_start_method() == "spawn"


_DYING = """
import os, sys
from pathlib import Path
import riskeval
from riskeval.batch.column import checker

real = checker.row_keys

def row_keys(job, items):
    marker = Path(os.environ["DYING_MARKER"])
    if os.environ["DYING_HOW"] == "always" or not marker.exists():
        marker.touch()
        os._exit(9)  # the worker dies in the middle of a batch
    return real(job, items)

checker.row_keys = row_keys  # also in a spawned replacement, which imports this file as __mp_main__

if __name__ == "__main__":
    from riskeval.batch.column.driver import run_columns
    from riskeval.batch.column.program import compile_program

    rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    try:
        done = run_columns(sys.argv[1], rs, sys.argv[2], compile_program(rs), workers=1)
    except checker.SampleCheckFailed as exc:
        print("failed", exc.code)
    else:
        print("sampled", done.sampled)
"""


@pytest.mark.parametrize("how", ["once", "always"])
def test_a_dead_worker_is_replaced_once(tmp_path: Path, listing: Path, reference: bytes, how: str) -> None:
    script = tmp_path / "dying.py"
    script.write_text(textwrap.dedent(_DYING), encoding="utf-8")
    out = tmp_path / "o.csv"
    env = {**os.environ, "DYING_MARKER": str(tmp_path / "died"), "DYING_HOW": how}
    proc = subprocess.run(
        [sys.executable, str(script), str(listing), str(out)], capture_output=True, text=True, timeout=300,
        check=False, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "died").exists()
    if how == "once":
        assert proc.stdout.startswith("sampled") and out.read_bytes() == reference
    else:
        assert proc.stdout.strip() == "failed batch.column.worker" and not out.exists()


def test_rows_sent_before_a_fall_back_are_forgotten(
    tmp_path: Path, listing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskeval.batch.column import phases, source

    lines = listing.read_text(encoding="utf-8").split("\n")
    lines[2000] = ",".join(lines[2000].split(",")[:-1])  # one cell short: pyarrow gives up at its block
    src = tmp_path / "short.csv"
    src.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(source, "BLOCK_BYTES", 1 << 15)  # several chunks before that record
    monkeypatch.setattr(source, "CHUNK_MIN_ROWS", 100)
    monkeypatch.setenv(phases.ENV, str(tmp_path / "phases.jsonl"))
    rs = riskeval.load_ruleset(JIANGSU)
    done = run_columns(src, rs, tmp_path / "o.csv", compile_program(rs), workers=1, start_method="fork")
    events = [json.loads(line)["event"] for line in (tmp_path / "phases.jsonl").read_text().splitlines()]
    monkeypatch.delenv(phases.ENV)
    run_batch(src, rs, tmp_path / "r.csv", workers=0, engine="row")
    assert done.reader == "records"
    first, second = (i for i, e in enumerate(events) if e == "attempt")
    assert "sample_batch_sent" in events[first:second]  # rows had gone to the worker before the fall-back
    assert (tmp_path / "o.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()
    assert done.sampled >= 1000


def test_a_sample_uses_one_worker_fewer_than_allowed(
    tmp_path: Path, listing: Path, reference: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskeval.batch.column import phases

    monkeypatch.setenv(phases.ENV, str(tmp_path / "phases.jsonl"))
    rs = riskeval.load_ruleset(JIANGSU)
    run_columns(listing, rs, tmp_path / "o.csv", compile_program(rs), workers=3, start_method="fork")
    events = [json.loads(line) for line in (tmp_path / "phases.jsonl").read_text().splitlines()]
    assert sum(e["event"] == "worker_started" for e in events) == 2  # the main process has the third core
    assert len({e["pid"] for e in events if e["event"] == "worker_ready"}) == 2
    assert (tmp_path / "o.csv").read_bytes() == reference
