"""One batch run on the column path: read in chunks, evaluate by columns, check a sample by the row path.

The output is written under a temporary name beside the target and renamed only when the sample check and
the rule check have passed; on any difference the temporary file is removed and :class:`ColumnMismatch` names
the differing rows.  Rows the program does not take (bad cells, missing facts, rows whose explanation is
wanted) are assessed by the row path in this process, in place, so every input row appears once, in order.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import RiskevalError
from ...i18n import register_messages
from ...ruleset.compiled import RuleSet
from ..columns import ColumnResolver, peek_columns
from ..readers import open_rows
from ..rows import OUTPUT_COLUMNS, output_headers
from ..runner import Job, _Pending, _Pools, assess_row, default_workers, process_chunk, remember
from ..stats import BatchStats
from ..writers import open_writer
from .frame import Converter, FramePlan, build_frame
from .program import LEVELS, ColumnProgram
from .rows import ColumnBlock, row_key
from .sample import RESERVE, Sampler
from .source import Chunk, FallBack, arrow_chunks, plain_csv, record_chunks
from .verify import check_intervals

__all__ = ["ColumnMismatch", "ColumnRun", "run_columns"]

register_messages(
    {
        "batch.column.mismatch": {
            "zh": "列式评估与逐行评估（durable-rules）的结果不一致，未写出结果文件：第 {rows} 行",
            "en": "the column evaluation differs from the row path (durable-rules); no output was written: rows {rows}",
        },
        "batch.column.rules": {
            "zh": "列式评估程序与 durable-rules 在规则检查中不一致，未写出结果文件：{detail}",
            "en": "the column program and durable-rules disagree on the rule check; no output was written: {detail}",
        },
    }
)

SAMPLE_BATCH = 256


class ColumnMismatch(RiskevalError):
    """The row path and the column path disagree on sample rows (``rows``) or on the rule check; nothing is
    written (exit code 1)."""

    code = "batch.column.mismatch"


@dataclass
class ColumnRun:
    """What the column path did: counters, rows written, sampled rows, how the input was read."""

    stats: BatchStats
    interrupted: bool
    written: int
    unknown: set[str] = field(default_factory=set)
    estimate: int | None = None
    unused: list[str] = field(default_factory=list)
    sampled: int = 0
    reader: str = "records"
    row_path_rows: int = 0


class _Checker:
    """Sends sample rows through the row path (worker processes, or this process for ``workers=0``) and
    compares each result with the column path's."""

    def __init__(self, job: Job, ruleset: RuleSet, workers: int | None, full: bool) -> None:
        self.job = job
        self.ruleset = ruleset
        n = default_workers() if workers is None else workers
        self.pools: _Pools | None = None
        self.starting: threading.Thread | None = None
        if n > 0:
            self.pools = _Pools(n if full else 1, 1 << 40)
        self.pending: list[tuple[_Pending, list[tuple[Any, ...]]]] = []
        self.items: list[Any] = []
        self.keys: list[tuple[Any, ...]] = []
        self.differ: list[int] = []
        self.count = 0
        self.rule_future: Any = None
        self.rule_problems: list[str] | None = None

    def start_rule_check(self) -> None:
        """Start the worker (in a thread: its start-up does not hold up the column work) with the rule check."""
        if self.pools is not None:
            pools = self.pools

            def start() -> None:
                pool = pools.get(0)
                self.rule_future = pool.submit(check_intervals, str(self.ruleset.path), self.ruleset.content_hash)

            self.starting = threading.Thread(target=start, daemon=True)
            self.starting.start()
        else:
            self.rule_problems = check_intervals(str(self.ruleset.path), self.ruleset.content_hash)

    def _started(self, wait: bool) -> bool:
        if self.starting is None:
            return True
        if wait:
            self.starting.join()
        if self.starting.is_alive():
            return False
        self.starting = None
        return True

    def add(self, item: Any, key: tuple[Any, ...]) -> None:
        self.items.append(item)
        self.keys.append(key)
        self.count += 1
        if len(self.items) >= SAMPLE_BATCH:
            self.flush()

    def flush(self, wait: bool = False) -> None:
        if not self.items or not self._started(wait):
            return
        items, keys = self.items, self.keys
        self.items, self.keys = [], []
        if self.pools is None:
            results, _ = process_chunk(self.job, 1, items)
            self._compare(results, keys)
        else:
            self.pending.append((self.pools.submit(self.job, 1, items), keys))

    def _compare(self, results: list[Any], keys: list[tuple[Any, ...]]) -> None:
        for got, want in zip(results, keys, strict=True):
            if row_key(got) != want:
                self.differ.append(got.row)

    def finish(self) -> None:
        from ..runner import _collect

        self.flush(wait=True)
        if self.pools is not None:
            try:
                for pending, keys in self.pending:
                    got = _collect(pending, self.pools, self.job, lambda: False)
                    assert got is not None
                    self._compare(got[0], keys)
                if self.rule_future is not None:
                    self.rule_problems = self.rule_future.result()
            finally:
                self.close()

    def close(self) -> None:
        self._started(True)
        if self.pools is not None:
            self.pools.close(wait=True)
            self.pools = None


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")


def run_columns(
    input_path: str | Path,
    ruleset: RuleSet,
    output_path: str | Path,
    program: ColumnProgram,
    *,
    workers: int | None = None,
    lang: str = "zh",
    explain: Collection[str] = (),
    stop: Callable[[], bool] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    max_details: int = 5000,
    strict: bool = True,
    headers: str = "code",
    verify: str = "sample",
    seed: int = 20_240_601,
) -> ColumnRun:
    """Assess every row of ``input_path`` on the column path (see :func:`riskeval.batch.run.run_batch`).

    Raises
    ------
    ColumnMismatch
        A sample row differs between the row path and the column path, or the rule check failed; the output
        file is not created.
    """
    target = Path(output_path)
    # The rows are many small objects that live until their chunk is written: the collector's frequent
    # young-generation passes would cost more than the evaluation (the objects are acyclic).
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 200_000), *threshold[1:])
    try:
        return _attempt(input_path, ruleset, target, program, workers=workers, lang=lang, explain=explain,
                        stop=stop, progress=progress, max_details=max_details, strict=strict, headers=headers,
                        verify=verify, seed=seed, fast=True)
    except FallBack:
        return _attempt(input_path, ruleset, target, program, workers=workers, lang=lang, explain=explain,
                        stop=stop, progress=progress, max_details=max_details, strict=strict, headers=headers,
                        verify=verify, seed=seed, fast=False)
    finally:
        gc.set_threshold(*threshold)


def _attempt(
    input_path: str | Path,
    ruleset: RuleSet,
    target: Path,
    program: ColumnProgram,
    *,
    workers: int | None,
    lang: str,
    explain: Collection[str],
    stop: Callable[[], bool] | None,
    progress: Callable[[int, int | None], None] | None,
    max_details: int,
    strict: bool,
    headers: str,
    verify: str,
    seed: int,
    fast: bool,
) -> ColumnRun:
    stop_fn = stop or (lambda: False)
    remember(ruleset)
    job = Job.for_rulesets([ruleset], lang=lang, explain=frozenset(explain), strict=strict)
    resolver = ColumnResolver(ruleset)
    stats = BatchStats(ruleset, max_details=max_details)
    explain_levels = np.asarray([LEVELS.index(x) for x in explain if x in LEVELS], dtype=int)
    converter = Converter(ruleset)
    unknown: set[str] = set()
    plans: dict[tuple[str, ...], FramePlan] = {}
    routed = 0
    interrupted = False
    with open_rows(input_path) as source:
        rows, columns = peek_columns(
            source, resolver, strict=strict, source=str(input_path), headers=source.headers
        )
        estimate = source.estimate
        use_arrow = fast and plain_csv(Path(input_path), source.headers)
        chunks = arrow_chunks(Path(input_path), list(source.headers or [])) if use_arrow else record_chunks(rows)
        checker = _Checker(job, ruleset, workers, verify == "full")
        sampler = Sampler(program, estimate, seed=seed, full=verify == "full")
        partial = _partial(target)
        done = False
        try:
            checker.start_rule_check()
            with open_writer(partial, OUTPUT_COLUMNS, headers=output_headers(headers)) as writer:
                if progress is not None:
                    progress(0, estimate)
                for chunk in chunks:
                    if stop_fn():
                        interrupted = True
                        break
                    routed += _chunk(chunk, program, ruleset, resolver, job, converter, plans, strict, lang,
                                     explain_levels, sampler, checker, writer, stats, unknown)
                    writer.flush()
                    if progress is not None:
                        progress(stats.total, estimate)
                for item, row in sampler.top_up():
                    checker.add(item, row_key(row))
                checker.finish()
                written = writer.count
            if checker.differ:
                shown = ", ".join(str(r) for r in sorted(checker.differ)[:20])
                more = "" if len(checker.differ) <= 20 else f" … ({len(checker.differ)})"
                raise ColumnMismatch(rows=shown + more, differing=sorted(checker.differ))
            if checker.rule_problems:
                raise ColumnMismatch(
                    "batch.column.rules", detail="; ".join(checker.rule_problems[:5]), problems_found=checker.rule_problems
                )
            os.replace(partial, target)
            done = True
        finally:
            checker.close()
            if not done:
                partial.unlink(missing_ok=True)
    return ColumnRun(stats, interrupted, written, unknown, estimate, columns.unused, checker.count,
                     "pyarrow" if use_arrow else "records", routed)


def _chunk(
    chunk: Chunk,
    program: ColumnProgram,
    ruleset: RuleSet,
    resolver: ColumnResolver,
    job: Job,
    converter: Converter,
    plans: dict[tuple[str, ...], FramePlan],
    strict: bool,
    lang: str,
    explain_levels: np.ndarray,
    sampler: Sampler,
    checker: _Checker,
    writer: Any,
    stats: BatchStats,
    unknown: set[str],
) -> int:
    """Evaluate, write and count one chunk; returns the number of rows the row path took."""
    n = len(chunk)
    key = tuple(chunk.columns)
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = FramePlan.of(list(key), resolver, ruleset, strict)
    unknown.update(h for h in plan.unknown if h not in ("facts", "measures"))
    if plan.problem is not None:
        ok = np.zeros(n, dtype=bool)
        chosen = np.zeros(n, dtype=bool)
        block = None
    else:
        frame = build_frame(program, plan, converter, chunk)
        initial = program.evaluate(frame.initial)
        residual = program.evaluate(frame.residual) if frame.residual is not frame.initial else initial
        ok = frame.ok & ~initial.bad & ~residual.bad & (initial.score_level >= 0) & (residual.score_level >= 0)
        if explain_levels.size:
            ok &= ~(np.isin(residual.level, explain_levels) & initial.in_scope)
        block = ColumnBlock(program, frame, chunk.rows, initial, residual, np.flatnonzero(ok), lang)
        chosen = sampler.pick(n, ok, frame.initial, initial)
    routed_rows = np.flatnonzero(~ok).tolist()
    routed = [assess_row(0, chunk.table_row(r), ruleset, resolver, job) for r in routed_rows]
    # When none of the row path's rows is assessed (errors, blank or out-of-scope rows count only rows, statuses
    # and errors), the column path's counters are taken over the whole chunk at once; else range by range.
    at_once = block is not None and all(row.status != "ok" for row in routed)
    start = 0
    for stop_at, row in zip([*routed_rows, n], [*routed, None], strict=True):
        if block is not None and stop_at > start:  # consecutive rows of the column path
            if writer.kind == "csv":
                writer.write_bytes(block.csv_bytes(start, stop_at), stop_at - start)
            else:
                for i in range(start, stop_at):
                    writer.write(block.row(i).as_row())
            if at_once:
                block.count_status(stats, start, stop_at)
            else:
                block.count(stats, start, stop_at)
        if row is not None:
            writer.write(row.as_row())
            stats.add(row)
        start = stop_at + 1
    if block is not None and at_once:
        block.count_rows(stats, block.take[block.in_scope[block.take]])
    if block is not None:
        for i in np.flatnonzero(chosen).tolist():
            checker.add(chunk.table_row(i), row_key(block.row(i)))
        _reserve(sampler, chunk, np.flatnonzero(ok & ~chosen), block)
    return len(routed_rows)


def _reserve(sampler: Sampler, chunk: Chunk, candidates: np.ndarray, block: ColumnBlock) -> None:
    """Reservoir sampling over the rows not picked (only rows that enter the reservoir are built)."""
    k = len(candidates)
    if not k:
        return
    position = sampler.reserve_seen + 1 + np.arange(k)
    slot = np.where(position <= RESERVE, position - 1, sampler.rng.integers(0, position))
    sampler.reserve_seen += k
    for i, s in zip(candidates[slot < RESERVE].tolist(), slot[slot < RESERVE].tolist(), strict=True):
        entry = (chunk.table_row(i), block.row(i))  # its key is made only if it ends up checked
        if s >= len(sampler.reserve):
            sampler.reserve.append(entry)
        else:
            sampler.reserve[s] = entry
