"""One batch run on the column path: read in chunks, evaluate by columns, check a sample by the row path.

The output is written under a temporary name beside the target and renamed only when the sample check and
the rule check have passed; on any difference the temporary file is removed and :class:`ColumnMismatch` names
the differing rows.  Rows the program does not take (bad cells, missing facts, rows whose explanation is
wanted) are assessed by the row path in this process, in place, so every input row appears once, in order.

The sample check (:mod:`.checker`) starts its workers before the input is opened; each chunk's seeded share
(:meth:`.sample.Sampler.draw`) goes to them as soon as the chunk is read, the rows covering rules and
constants once it is evaluated, and the rows topping up a short sample (:func:`_top_up`) at the end.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import RiskevalError
from ...i18n import register_messages
from ...io.tables import TableRow
from ...ruleset.compiled import RuleSet
from ..columns import ColumnResolver, peek_columns
from ..readers import open_rows
from ..rows import OUTPUT_COLUMNS, output_headers
from ..runner import Job, assess_row, remember
from ..stats import BatchStats
from ..writers import open_writer
from .checker import SampleChecker, SampleCheckFailed
from .frame import Converter, Frame, FramePlan, build_frame
from .phases import mark
from .program import LEVELS, ColumnProgram, StageResult
from .rows import ColumnBlock, row_key
from .sample import Sampler
from .source import Chunk, FallBack, arrow_chunks, plain_csv, record_chunks

__all__ = ["ColumnMismatch", "ColumnRun", "SampleCheckFailed", "run_columns"]

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
    start_method: str | None = None,
) -> ColumnRun:
    """Assess every row of ``input_path`` on the column path (see :func:`riskeval.batch.run.run_batch`).

    ``start_method`` forces how the check's workers start (``fork``, ``forkserver``; by default fork where
    safe, see :func:`riskeval.batch.column.checker.start_context`).

    Raises
    ------
    ColumnMismatch
        A sample row differs between the row path and the column path, or the rule check failed; the output
        file is not created.
    SampleCheckFailed
        The row-path check could not be completed (a worker died twice on the same rows).
    """
    mark("run_columns")
    target = Path(output_path)
    # The check's workers start first, before the input is opened: they are ready by the first sample rows.
    remember(ruleset)
    job = Job.for_rulesets([ruleset], lang=lang, explain=frozenset(explain), strict=strict)
    checker = SampleChecker(job, ruleset, workers, verify == "full", method=start_method)
    # The rows are many small objects that live until their chunk is written: the collector's frequent
    # young-generation passes would cost more than the evaluation (the objects are acyclic).
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 200_000), *threshold[1:])
    try:
        checker.start()
        try:
            return _attempt(input_path, ruleset, target, program, job, checker, lang=lang, stop=stop,
                            progress=progress, max_details=max_details, strict=strict, headers=headers,
                            explain=explain, verify=verify, seed=seed, fast=True)
        except FallBack:
            checker.reset()
            return _attempt(input_path, ruleset, target, program, job, checker, lang=lang, stop=stop,
                            progress=progress, max_details=max_details, strict=strict, headers=headers,
                            explain=explain, verify=verify, seed=seed, fast=False)
    finally:
        checker.close()
        gc.set_threshold(*threshold)
        mark("closed")


def _attempt(
    input_path: str | Path,
    ruleset: RuleSet,
    target: Path,
    program: ColumnProgram,
    job: Job,
    checker: SampleChecker,
    *,
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
    mark("attempt", fast=fast)
    stop_fn = stop or (lambda: False)
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
        sampler = Sampler(program, estimate, seed=seed, full=verify == "full")
        partial = _partial(target)
        done = False
        try:
            with open_writer(partial, OUTPUT_COLUMNS, headers=output_headers(headers)) as writer:
                if progress is not None:
                    progress(0, estimate)
                for chunk in chunks:
                    if stop_fn():
                        interrupted = True
                        break
                    drawn = _draw(sampler, checker, chunk)
                    routed += _chunk(chunk, program, ruleset, resolver, job, converter, plans, strict, lang,
                                     explain_levels, sampler, checker, writer, stats, unknown)
                    writer.flush()
                    _settle(sampler, checker, chunk, drawn)
                    if progress is not None:
                        progress(stats.total, estimate)
                wanted = sampler.top_up()
                if wanted:
                    _top_up(Path(input_path), use_arrow, list(source.headers or []), wanted, program, ruleset,
                            resolver, converter, plans, strict, lang, explain_levels, checker)
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
            if not done:
                partial.unlink(missing_ok=True)
    return ColumnRun(stats, interrupted, written, unknown, estimate, columns.unused, checker.count,
                     "pyarrow" if use_arrow else "records", routed)


def _evaluate(
    chunk: Chunk,
    plan: FramePlan,
    program: ColumnProgram,
    converter: Converter,
    explain_levels: np.ndarray,
    lang: str,
) -> tuple[Frame, StageResult, np.ndarray, ColumnBlock]:
    """Check and evaluate a chunk by columns: (frame, initial result, the rows the column path takes, block).
    A row is left to the row path when a cell is bad, a formula needs a missing fact, a score is in no band,
    or its explanation is wanted."""
    frame = build_frame(program, plan, converter, chunk)
    initial = program.evaluate(frame.initial)
    residual = program.evaluate(frame.residual) if frame.residual is not frame.initial else initial
    ok = frame.ok & ~initial.bad & ~residual.bad & (initial.score_level >= 0) & (residual.score_level >= 0)
    if explain_levels.size:
        ok &= ~(np.isin(residual.level, explain_levels) & initial.in_scope)
    block = ColumnBlock(program, frame, chunk.rows, initial, residual, np.flatnonzero(ok), lang)
    return frame, initial, ok, block


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
    checker: SampleChecker,
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
        frame, initial, ok, block = _evaluate(chunk, plan, program, converter, explain_levels, lang)
        chosen = sampler.pick(n, ok, frame.initial, initial)
    routed_rows = np.flatnonzero(~ok).tolist()
    routed = [assess_row(0, item, ruleset, resolver, job) for item in chunk.table_rows(routed_rows)]
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
        later: list[tuple[int, tuple[Any, ...]]] = []
        for i in np.flatnonzero(chosen).tolist():
            key = row_key(block.row(i))
            if not checker.add_sent(int(chunk.rows[i]), key):  # not sent early: its record goes now
                later.append((i, key))
        for item, (_i, key) in zip(chunk.table_rows([i for i, _k in later]), later, strict=True):
            checker.add(item, key)
        _reserve(sampler, chunk, np.flatnonzero(ok & ~chosen), block)
    return len(routed_rows)


def _draw(sampler: Sampler, checker: SampleChecker, chunk: Chunk) -> np.ndarray:
    """Draw the chunk's seeded share before it is evaluated and send those rows to the check at once."""
    drawn = sampler.draw(len(chunk))
    sampler.chosen = None
    if checker.workers:
        checker.early(chunk.table_rows(np.flatnonzero(drawn & ~chunk.forced).tolist()))
    return drawn


def _settle(sampler: Sampler, checker: SampleChecker, chunk: Chunk, drawn: np.ndarray) -> None:
    """Drop the drawn rows the column path did not take (their row-path results are not compared)."""
    chosen = sampler.chosen if sampler.chosen is not None else np.zeros(len(chunk), dtype=bool)
    sampler.drawn = sampler.chosen = None
    checker.settle(chunk.rows[drawn & ~chosen].tolist())
    checker.pump()


def _reserve(sampler: Sampler, chunk: Chunk, candidates: np.ndarray, block: ColumnBlock) -> None:
    """Offer the evaluable rows not picked to the sampler's reservoir (by row number only)."""
    sampler.keep(chunk.rows[candidates])


def _top_up(
    path: Path,
    use_arrow: bool,
    headers: list[str],
    wanted: list[int],
    program: ColumnProgram,
    ruleset: RuleSet,
    resolver: ColumnResolver,
    converter: Converter,
    plans: dict[tuple[str, ...], FramePlan],
    strict: bool,
    lang: str,
    explain_levels: np.ndarray,
    checker: SampleChecker,
) -> None:
    """Read the rows numbered ``wanted`` again, evaluate them by columns as one chunk of records and send them
    to the check (a row the column path no longer takes counts as differing)."""
    mark("top_up", rows=len(wanted))
    numbers = np.asarray(wanted, dtype=np.int64)
    found: list[TableRow] = []
    if use_arrow:
        for chunk in arrow_chunks(path, headers):
            for i in np.flatnonzero(np.isin(chunk.rows, numbers)).tolist():
                found.append(chunk.table_row(i))
    else:
        keep = set(wanted)
        with open_rows(path) as source:
            found = [row for row in source if row.row in keep]
    for chunk in record_chunks(iter(found), size=max(1, len(found))):
        key = tuple(chunk.columns)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = FramePlan.of(list(key), resolver, ruleset, strict)
        if plan.problem is not None:
            checker.differ.extend(int(r) for r in chunk.rows)
            continue
        _frame, _initial, ok, block = _evaluate(chunk, plan, program, converter, explain_levels, lang)
        for i in range(len(chunk)):
            if ok[i]:
                checker.add(chunk.table_row(i), row_key(block.row(i)))
            else:
                checker.differ.append(int(chunk.rows[i]))
    missing = set(wanted) - {row.row for row in found}
    checker.differ.extend(sorted(missing))
