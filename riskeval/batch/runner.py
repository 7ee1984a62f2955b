"""Assess many projects in worker processes, yielding results in input order with flat memory.

The durable-rules engine must not be used from threads and keeps per-process state (see
``shared/durable-rules.md``), so parallelism is by processes: a ``forkserver`` pool whose workers load the
rule set themselves (by its file path, checked against the content hash), assess one project per engine
session through :func:`riskeval.assess`, and return compact :class:`BatchRow` results.  Rows travel in
chunks (small at first so that short lists spread over the workers, up to ``chunk_size``); at most a few
chunks per worker are in flight, so memory does not grow with the length of the list.  Workers are
recycled after ``recycle_rows`` rows each (a fresh pool takes over while the old one drains), which bounds
whatever the engine keeps per process.  A worker that dies takes its chunk with it: the chunk is retried
once in a fresh pool, then its rows are reported as errors; the other rows go on.

The public entry points are in :mod:`riskeval.batch.api` (re-exported here).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from ..check import ProjectError
from ..engine import EngineError
from ..i18n import register_messages, t
from ..io.tables import TableRow
from ..model.assessment import Assessment, Evaluation
from ..model.explaining import decision_words
from ..model.project import Project
from ..model.vocabulary import KIND_OPTIONS
from ..model.wording import fmt_number
from ..pipeline import evaluate_project, project_from_data
from ..ruleset import load_ruleset
from ..ruleset.compiled import RuleSet
from .columns import ColumnResolver, RowError
from .readers import BadRow
from .rows import OUTPUT_COLUMNS, BatchRow

__all__ = ["BatchRow", "OUTPUT_COLUMNS", "assess_many", "assess_frame", "default_workers", "run_chunks", "Job"]

register_messages(
    {
        "batch.row.engine": {
            "zh": "规则引擎异常，拒绝给出结论：{detail}",
            "en": "rule engine anomaly, no conclusion: {detail}",
        },
        "batch.row.internal": {
            "zh": "内部错误（{kind}）：{detail}",
            "en": "internal error ({kind}): {detail}",
        },
        "batch.row.worker_died": {
            "zh": "工作进程异常退出，本行未能评估（已重试）",
            "en": "the worker process died; the row could not be assessed (retried)",
        },
        "batch.row.in_column": {"zh": "列“{field}”：{message}", "en": "column '{field}': {message}"},
        "batch.status.blank": {"zh": "空行", "en": "blank"},
        "batch.reason.before_only": {"zh": "{label}（仅措施前）", "en": "{label} (before measures only)"},
        "batch.reason.points": {"zh": "{label} {points} 分", "en": "{label} {points} pts"},
        "batch.rules.changed": {
            "zh": "工作进程读到的规则集 {path} 与给定的不一致（文件在运行期间被修改，或规则集在内存中改过：请先保存为文件，或用 workers=0）",
            "en": "the workers read a different rule set from {path} (the file changed during the run, or the rule set "
            "was modified in memory: save it to a file first, or use workers=0)",
        },
    }
)

TOP_ITEMS = 3
"""How many of the largest contributions the ``top_items`` column names."""


@dataclass(frozen=True)
class Job:
    """What the workers do with each row (picklable; the rule sets travel as path + content hash).

    Parameters
    ----------
    rulesets
        ``(path, content_hash)`` of each rule set; rows are assessed under each (two for impact analysis).
    lang
        Language of error messages and explanations.
    keep_assessment
        Return the full :class:`Assessment` with each row.
    explain
        Residual levels whose rows carry ``explanation`` (``Assessment.explain``).
    detail
        Fill ``points`` and ``triggers``.
    strict
        A fact or filled column that is neither declared nor standard makes its row an error (see
        :func:`riskeval.check.check_project`); otherwise it is ignored.
    """

    rulesets: tuple[tuple[str, str], ...]
    lang: str = "zh"
    keep_assessment: bool = False
    explain: frozenset[str] = frozenset()
    detail: bool = False
    strict: bool = False

    @classmethod
    def for_rulesets(cls, rulesets: Iterable[RuleSet], **kw: Any) -> Job:
        return cls(tuple((str(rs.path), rs.content_hash) for rs in rulesets), **kw)


# ---------------------------------------------------------------------------------------------------
# worker side

_LOADED: dict[tuple[str, str], tuple[RuleSet, ColumnResolver]] = {}
_KIND_CODES = {label: code for code, label in KIND_OPTIONS.items()}


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: the parent decides, the workers finish their chunk.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def remember(*rulesets: RuleSet) -> None:
    """Make ``rulesets`` available to chunks processed in this process (``workers=0``) as they are, even if
    they were modified in memory; worker processes still load each from its file and check its hash."""
    for rs in rulesets:
        _LOADED.setdefault((str(rs.path), rs.content_hash), (rs, ColumnResolver(rs)))


def _loaded(path: str, content_hash: str) -> tuple[RuleSet, ColumnResolver]:
    key = (path, content_hash)
    got = _LOADED.get(key)
    if got is None:
        rs = load_ruleset(path)
        if rs.content_hash != content_hash:
            raise RuntimeError(t("batch.rules.changed", "zh", path=path))
        got = (rs, ColumnResolver(rs))
        _LOADED[key] = got
    return got


def _level_and_findings(ev: Evaluation | None) -> tuple[str | None, float | None, list[str]]:
    if ev is None:
        return None, None, []
    return ev.level, ev.score, [f.item for f in ev.findings]


_ITEM_LABELS: dict[tuple[str, str], dict[str, str]] = {}


def _item_labels(ruleset: RuleSet) -> dict[str, str]:
    key = (ruleset.name, ruleset.content_hash)
    got = _ITEM_LABELS.get(key)
    if got is None:
        got = _ITEM_LABELS[key] = {i.id: i.label for i in ruleset.items}
    return got


_WORDS: dict[tuple[str, ...], str] = {}


def _word(key: str, *args: str) -> str:
    """Catalogue texts the why-columns repeat on every row, looked up once (``args``: the key's inputs)."""
    cache_key = (key, *args)
    got = _WORDS.get(cache_key)
    if got is None:
        if key == "level_zh":
            got = t(f"level.{args[0]}", "zh")
        elif key == "decision_zh":
            got = decision_words(args[0] or None, args[1] or None, "zh")
        else:  # a pattern with {label} and {points} left in place
            got = t(key, args[0], label="{label}", points="{points}")
        _WORDS[cache_key] = got
    return got


def _reasons(out: BatchRow, initial: Evaluation | None, residual: Evaluation, regime: str | None,
             ruleset: RuleSet, lang: str) -> None:
    """Fill the why-columns of ``out`` by label (see :data:`~riskeval.batch.rows.OUTPUT_COLUMNS`)."""
    fired = [h.label for h in residual.triggers]
    if initial is not None and initial is not residual and initial.triggers:
        seen = set(fired)
        for h in initial.triggers:
            if h.label not in seen:
                seen.add(h.label)
                fired.append(t("batch.reason.before_only", lang, label=h.label))
    out.trigger_labels = fired
    if residual.level != residual.score_level:
        out.decisive = [h.label for h in residual.triggers if h.level == residual.level]
    if residual.missing_procedures or residual.missing_panel_items:
        reasons = [t("incomplete.procedure", lang, label=g.label) for g in residual.missing_procedures]
        if residual.missing_panel_items:
            labels = _item_labels(ruleset)
            items = t("words.list_sep", lang).join(labels.get(i, i) for i in residual.missing_panel_items)
            reasons.append(t("incomplete.panel", lang, items=items))
        out.incomplete_reasons = reasons
    findings = residual.findings
    points = [f.contribution for f in findings]
    out.finding_points = points
    top = sorted(range(len(points)), key=points.__getitem__, reverse=True)[:TOP_ITEMS]
    pattern = _word("batch.reason.points", lang)
    out.top_items = [
        pattern.format(label=findings[k].label, points=fmt_number(round(points[k], 3))) for k in top if points[k] > 0
    ]
    out.level_zh = _word("level_zh", residual.level)
    out.decision_zh = _word("decision_zh", out.decision or "", regime or "")


def _raw_id(item: Any) -> str | None:
    if isinstance(item, Project):
        return item.id
    if isinstance(item, TableRow):
        item = item.values
    if isinstance(item, Mapping):
        for key in ("id", "编号", "项目编号", "事项编号"):
            value = item.get(key)
            if value is not None and str(value).strip():
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                return str(value).strip()
    return None


def assess_row(row: int, item: Any, ruleset: RuleSet, resolver: ColumnResolver, job: Job) -> BatchRow:
    """Assess one input item (a row mapping, a :class:`Project`, a :class:`BadRow` or a
    :class:`~riskeval.io.tables.TableRow`, whose own ``row`` then numbers the result); never raises.

    Rows are tabulated through :func:`riskeval.pipeline.evaluate_project`; the full :class:`Assessment` is built when the job keeps
    assessments or the row's level needs an explanation.

    Returns
    -------
    BatchRow
        ``status`` ``error`` with the reason when the row is bad or the engine refuses.
    """
    lang = job.lang
    ident = _raw_id(item)
    a: Assessment | None = None
    if isinstance(item, TableRow):
        row = item.row
        if item.blank:
            return BatchRow(row, None, "blank")
        if item.error is not None:
            return BatchRow(row, ident, "error", error=_row_error_text(item, lang))
        item = item.values
    try:
        if isinstance(item, BadRow):
            return BatchRow(row, ident, "error", error=t(item.code, lang, **item.params))
        if isinstance(item, Project):
            project = item
        else:
            project = project_from_data(resolver.project_data(item, strict=job.strict))
        ident = project.id
        outcome = evaluate_project(project, ruleset, strict=job.strict)
        explain = outcome.residual is not None and outcome.residual.level in job.explain
        if job.keep_assessment or explain:
            a = outcome.assessment(project, ruleset)
    except ProjectError as exc:
        return BatchRow(row, ident, "error", error=exc.short(lang))
    except RowError as exc:
        return BatchRow(row, ident, "error", error=t(exc.code, lang, **exc.params))
    except EngineError as exc:
        return BatchRow(row, ident, "error", error=t("batch.row.engine", lang, detail=str(exc)[:300]))
    except Exception as exc:  # noqa: BLE001 - a bad row never stops the others
        return BatchRow(
            row,
            ident,
            "error",
            error=t("batch.row.internal", lang, kind=type(exc).__name__, detail=str(exc)[:300]),
        )
    kind = _KIND_CODES.get(project.kind or "", project.kind)
    out = BatchRow(
        row,
        project.id,
        "ok" if outcome.in_scope else "out_of_scope",
        name=project.name,
        kind=kind,
        unit=project.unit,
    )
    if outcome.in_scope:
        out.initial_level, out.initial_score, out.initial_findings = _level_and_findings(outcome.initial)
        out.residual_level, out.residual_score, out.findings = _level_and_findings(outcome.residual)
        out.decision = outcome.decision
        out.incomplete = outcome.incomplete
        if outcome.residual is not None:
            _reasons(out, outcome.initial, outcome.residual, outcome.regime, ruleset, lang)
        if job.detail and outcome.residual is not None:
            out.points = {f.item: f.contribution for f in outcome.residual.findings}
            out.triggers = [h.trigger for h in outcome.residual.triggers]
        if a is not None and out.residual_level in job.explain:
            out.explanation = a.explain(lang)
    if job.keep_assessment:
        out.assessment = a
    return out


def _row_error_text(item: TableRow, lang: str) -> str:
    assert item.error is not None
    message = item.error.message(lang)
    location = item.error.location
    if location is not None and location.field:
        return t("batch.row.in_column", lang, field=location.field, message=message)
    return message


def _number(start: int, i: int, item: Any) -> int:
    """The row number of ``item``: its input line (a :class:`TableRow`) or its position from ``start``."""
    return item.row if isinstance(item, TableRow) else start + i


def process_chunk(job: Job, start: int, items: list[Any]) -> tuple[list[Any], set[str]]:
    """Assess a chunk of rows numbered from ``start`` under each of ``job.rulesets``.

    Returns
    -------
    tuple
        The results (a :class:`BatchRow` per row, or a tuple of them per row when there are several rule
        sets) and the column names that no rule set knows.
    """
    try:
        loaded = [_loaded(path, h) for path, h in job.rulesets]
    except Exception as exc:  # noqa: BLE001 - every row reports it
        message = t("batch.row.internal", job.lang, kind=type(exc).__name__, detail=str(exc)[:300])
        rows = [BatchRow(_number(start, i, item), _raw_id(item), "error", error=message) for i, item in enumerate(items)]
        return ([r if len(job.rulesets) == 1 else tuple(r for _ in job.rulesets) for r in rows], set())
    keys: set[str] = set()
    results: list[Any] = []
    for i, item in enumerate(items):
        if isinstance(item, TableRow):
            if item.error is None:
                keys.update(item.values)
        elif isinstance(item, Mapping):
            keys.update(k for k in item if isinstance(k, str))
        per = tuple(assess_row(start + i, item, rs, resolver, job) for rs, resolver in loaded)
        results.append(per[0] if len(per) == 1 else per)
    unknown = {k for k in keys if all(r.resolve(k).kind == "unknown" for _, r in loaded)}
    unknown.discard("facts")
    unknown.discard("measures")
    return results, unknown


# ---------------------------------------------------------------------------------------------------
# parent side


def default_workers() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _chunks(items: Iterable[Any], chunk_size: int) -> Iterator[tuple[int, list[Any]]]:
    size = max(1, min(chunk_size, 4))
    start = 1
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield start, chunk
            start += len(chunk)
            chunk = []
            size = min(chunk_size, size * 2)
    if chunk:
        yield start, chunk


def _context() -> Any:
    # Not fork: a parent that has used the engine has durable-rules' timer threads, which fork does not copy.
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["riskeval.batch.runner", "durable.engine"])
    return ctx


@dataclass
class _Pending:
    future: Future[Any]
    start: int
    items: list[Any]
    pool: ProcessPoolExecutor
    attempts: int = 1


class _Pools:
    """The current pool, replaced after ``recycle_rows`` rows per worker or when it breaks."""

    def __init__(self, workers: int, recycle_rows: int) -> None:
        self.workers = workers
        self.budget = max(1, recycle_rows) * workers
        self.ctx = _context()
        self.current: ProcessPoolExecutor | None = None
        self.used = 0
        self.old: list[ProcessPoolExecutor] = []

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self.ctx, initializer=_worker_init)

    def get(self, rows: int) -> ProcessPoolExecutor:
        if self.current is None or self.used >= self.budget:
            if self.current is not None:
                self.current.shutdown(wait=False)  # drains its chunks, then its workers exit
                self.old.append(self.current)
            self.current = self._new()
            self.used = 0
        self.used += rows
        return self.current

    def submit(self, job: Job, start: int, items: list[Any], attempts: int = 1) -> _Pending:
        """Send a chunk to the current pool; a pool found broken at submission is replaced once."""
        pool = self.get(len(items))
        try:
            future = pool.submit(process_chunk, job, start, items)
        except BrokenProcessPool:
            self.replace(pool)
            pool = self.get(len(items))
            future = pool.submit(process_chunk, job, start, items)
        return _Pending(future, start, items, pool, attempts)

    def replace(self, broken: ProcessPoolExecutor) -> None:
        if self.current is broken:
            self.current.shutdown(wait=False, cancel_futures=True)
            self.current = None

    def close(self, wait: bool) -> None:
        for pool in [*self.old, *([self.current] if self.current else [])]:
            pool.shutdown(wait=wait, cancel_futures=True)
        self.old = []
        self.current = None


def run_chunks(
    items: Iterable[Any],
    job: Job,
    *,
    workers: int | None = None,
    chunk_size: int = 256,
    recycle_rows: int = 50_000,
    stop: Callable[[], bool] | None = None,
    on_unknown: Callable[[set[str]], None] | None = None,
) -> Iterator[list[Any]]:
    """Process ``items`` and yield each chunk's results in input order.

    Parameters
    ----------
    items
        Row mappings, :class:`Project` objects, :class:`BadRow` markers or table rows (consumed lazily).
    job
        What to do with each row.
    workers
        Worker processes; ``0`` evaluates in this process; ``None`` uses every CPU.
    chunk_size
        Largest number of rows sent to a worker at once.
    recycle_rows
        Rows a worker handles before it is replaced by a fresh process.
    stop
        Polled while waiting; when it returns true the pool is shut down (running chunks finish, queued
        ones are dropped) and the iteration ends early.
    on_unknown
        Called with column names no rule set knows.

    Returns
    -------
    Iterator[list]
        Per chunk, the results of :func:`process_chunk`, in input order.
    """
    stop = stop or (lambda: False)
    n = default_workers() if workers is None else workers
    if n <= 0:
        for start, chunk in _chunks(items, chunk_size):
            if stop():
                return
            results, unknown = process_chunk(job, start, chunk)
            if unknown and on_unknown:
                on_unknown(unknown)
            yield results
        return
    pools = _Pools(n, recycle_rows)
    window = 3 * n
    pending: deque[_Pending] = deque()
    try:
        for start, chunk in _chunks(items, chunk_size):
            if stop():
                return
            pending.append(pools.submit(job, start, chunk))
            while len(pending) >= window:
                got = _collect(pending.popleft(), pools, job, stop)
                if got is None:
                    return
                if got[1] and on_unknown:
                    on_unknown(got[1])
                yield got[0]
        while pending:
            got = _collect(pending.popleft(), pools, job, stop)
            if got is None:
                return
            if got[1] and on_unknown:
                on_unknown(got[1])
            yield got[0]
    finally:
        for p in pending:
            p.future.cancel()
        pools.close(wait=True)


def _collect(
    p: _Pending, pools: _Pools, job: Job, stop: Callable[[], bool]
) -> tuple[list[Any], set[str]] | None:
    while True:
        done, _ = wait_futures([p.future], timeout=0.2)
        if not done:
            if stop():
                return None
            continue
        try:
            return p.future.result()
        except BrokenProcessPool:
            pools.replace(p.pool)
            if p.attempts >= 2:
                message = t("batch.row.worker_died", job.lang)
                rows = [
                    BatchRow(_number(p.start, i, item), _raw_id(item), "error", error=message)
                    for i, item in enumerate(p.items)
                ]
                results = [r if len(job.rulesets) == 1 else tuple(r for _ in job.rulesets) for r in rows]
                return results, set()
            p = pools.submit(job, p.start, p.items, p.attempts + 1)


from .api import assess_frame, assess_many  # noqa: E402  (the public entry points, re-exported)
