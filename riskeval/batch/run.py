"""One batch run from file to file: read → assess in workers → write rows in order → count for the report.

Rows are written as soon as their chunk completes (in input order) and the file is flushed after each chunk, so
that an interrupted run (``stop`` returning true, e.g. after Ctrl-C) leaves a valid partial output: every row
written is complete and rows ``1..n`` are all there.

Examples
--------
>>> import pathlib, tempfile
>>> from riskeval import load_ruleset
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> facts = rs.tests[0].project["facts"]
>>> _ = (d / "in.csv").write_text("id," + ",".join(facts) + "\\nP1," + ",".join(map(str, facts.values())) + "\\n")
>>> outcome = run_batch(d / "in.csv", rs, d / "out.jsonl", workers=0)
>>> outcome.stats.summary("en"), outcome.interrupted
('1 rows: 1 assessed, 0 out of scope, 0 failed', False)
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from .._startup import paused_gc
from ..ruleset.compiled import RuleSet
from .columns import ColumnResolver, peek_columns
from .readers import open_rows
from .rows import output_headers
from .runner import OUTPUT_COLUMNS, Job, remember, run_chunks
from .stats import BatchStats
from .writers import open_writer

__all__ = ["BatchOutcome", "run_batch", "VERIFY_MODES"]

VERIFY_MODES = ("sample", "full")


@dataclass
class BatchOutcome:
    """What a run did: its counters, whether it was interrupted, rows written, unknown columns (ignored when
    not strict) and standard-fact columns the rule set does not use (ignored)."""

    stats: BatchStats
    interrupted: bool
    written: int
    unknown_columns: set[str] = field(default_factory=set)
    estimate: int | None = None
    unused_columns: list[str] = field(default_factory=list)
    #: ``column`` (the column evaluator, its sample checked by the row path) or ``row`` (every row by the row path)
    path: str = "row"
    #: why that path: the constructs the column program cannot express, or ``--verify full``
    path_reason: str = ""
    #: rows checked by the row path against the column path
    sampled: int = 0
    #: how the input was read on the column path (``pyarrow`` or ``records``)
    reader: str = ""


def run_batch(
    input_path: str | Path,
    ruleset: RuleSet,
    output_path: str | Path,
    *,
    workers: int | None = None,
    lang: str = "zh",
    explain: Collection[str] = (),
    stop: Callable[[], bool] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    chunk_size: int = 256,
    recycle_rows: int = 50_000,
    max_details: int = 5000,
    strict: bool = True,
    headers: str = "code",
    verify: str = "sample",
    engine: str = "auto",
) -> BatchOutcome:
    """Assess every row of ``input_path`` under ``ruleset`` and write ``output_path`` (by its suffix).

    Parameters
    ----------
    input_path
        CSV, XLSX, JSONL or YAML project list.
    ruleset
        The loaded rule set (workers reload it from its file).
    output_path
        ``.csv``, ``.xlsx`` or ``.jsonl``; columns :data:`riskeval.batch.OUTPUT_COLUMNS`.
    workers
        Worker processes (``0``: this process; default every CPU).
    lang
        Language of error messages and explanations.
    explain
        Residual levels whose explanations the statistics keep (``{"high", "medium"}`` for a report).
    stop
        Polled while waiting for workers; true ends the run early with a valid partial output.
    progress
        Called after each chunk with (rows done, estimated total or ``None``).
    chunk_size, recycle_rows
        See :func:`riskeval.batch.runner.run_chunks`.
    max_details
        High/medium rows kept for the report.
    strict
        A column that names nothing known (neither a project field nor a declared or standard fact) raises
        :class:`ProjectError` before any row is evaluated or the output is created; ``False`` ignores it
        (``BatchOutcome.unknown_columns``).
    headers
        The output's header row: ``code`` (the column names), ``zh`` or ``en`` (see
        :func:`riskeval.batch.rows.output_headers`).
    verify
        ``sample`` (default): on the column path, a seeded sample of at least 1 % and 1,000 rows, plus rows
        covering every rule and condition constant, goes through the row path and must give identical rows;
        ``full``: every row does.
    engine
        ``auto`` (default): the column evaluator when the rule set compiles for it, else the row path;
        ``row``: the row path for every row.

    Returns
    -------
    BatchOutcome

    Raises
    ------
    InputError
        The input cannot be opened.
    ProjectError
        ``strict`` and a column names nothing known.
    ValueError
        The output suffix is not one of ``.csv``, ``.xlsx``, ``.jsonl``.
    ColumnMismatch
        On the column path, a checked row differs from the row path (the output file is not created).
    """
    if verify not in VERIFY_MODES:
        raise ValueError(verify)
    if engine != "row":
        with paused_gc():  # start-up: the column path's imports (numpy) and its program
            from .column.program import Unsupported, compile_program

            try:
                program = compile_program(ruleset)
            except Unsupported as exc:
                reason = str(exc)
                compiled = False
            else:
                from .column.driver import run_columns

                compiled = True
        if compiled:
            done = run_columns(
                input_path, ruleset, output_path, program, workers=workers, lang=lang, explain=explain,
                stop=stop, progress=progress, max_details=max_details, strict=strict, headers=headers,
                verify=verify,
            )
            return BatchOutcome(
                done.stats, done.interrupted, done.written, done.unknown, done.estimate, done.unused,
                path="column", path_reason=verify, sampled=done.sampled, reader=done.reader,
            )
    else:
        reason = "requested"
    outcome = _run_rows(
        input_path, ruleset, output_path, workers=workers, lang=lang, explain=explain, stop=stop,
        progress=progress, chunk_size=chunk_size, recycle_rows=recycle_rows, max_details=max_details,
        strict=strict, headers=headers,
    )
    outcome.path_reason = reason
    return outcome


def _run_rows(
    input_path: str | Path,
    ruleset: RuleSet,
    output_path: str | Path,
    *,
    workers: int | None,
    lang: str,
    explain: Collection[str],
    stop: Callable[[], bool] | None,
    progress: Callable[[int, int | None], None] | None,
    chunk_size: int,
    recycle_rows: int,
    max_details: int,
    strict: bool,
    headers: str,
) -> BatchOutcome:
    """Every row by the row path (durable-rules in worker processes)."""
    stop_fn = stop or (lambda: False)
    stats = BatchStats(ruleset, max_details=max_details)
    unknown: set[str] = set()
    remember(ruleset)
    job = Job.for_rulesets([ruleset], lang=lang, explain=frozenset(explain), strict=strict)
    interrupted = False
    with open_rows(input_path) as source:
        # The columns are checked before any row is evaluated and before the output is created.
        rows, columns = peek_columns(
            source, ColumnResolver(ruleset), strict=strict, source=str(input_path), headers=source.headers
        )
        with open_writer(output_path, OUTPUT_COLUMNS, headers=output_headers(headers)) as writer:
            if progress is not None:
                progress(0, source.estimate)
            for results in run_chunks(
                rows,
                job,
                workers=workers,
                chunk_size=chunk_size,
                recycle_rows=recycle_rows,
                stop=stop_fn,
                on_unknown=unknown.update,
            ):
                for row in results:
                    writer.write(row.as_row())
                    stats.add(row)
                writer.flush()
                if progress is not None:
                    progress(stats.total, source.estimate)
            interrupted = stop_fn()
            written = writer.count
    return BatchOutcome(stats, interrupted, written, unknown, source.estimate, columns.unused)
