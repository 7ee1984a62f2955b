"""The sample check of a column run: sample rows go through the full row path (durable-rules, the reference
evaluation, the project check, the scoring) and must equal the column path's rows.

Start.  The worker processes are started when the run begins, before the input is opened, so that they are
ready by the time the first chunk has been evaluated.  Where it is safe they are forked from the running
process (:func:`start_context`): the child already holds every module and the loaded rule set and is ready in
milliseconds.  Fork is used only when this process has no other Python thread and has not imported
durable-rules (whose timer threads and per-process state fork would not copy, see
``shared/durable-rules.md``); otherwise they are spawned (a fresh interpreter, which imports what it needs
while this process goes on: starting a forkserver would hold this process up until the server's imports
are done).  Each worker loads the rule set, compiles it for durable-rules, says it is ready and serves batches.

Pipelining.  Each chunk's seeded share is sent as soon as the chunk is read, before it is evaluated (its
column keys follow once it is); the rows covering rules and constants, and any top-up, follow with their keys.
Batches are pickled by the main process and written to each worker's task pipe, enlarged to
:data:`PIPE_BYTES`; the main process writes only what fits (at most :data:`WINDOW` batches a worker), so it
never waits for a busy worker and needs no thread.  A worker returns each row's
:func:`~riskeval.batch.column.rows.row_key` from the row path, and the main process compares it with the
column path's key (a drawn row the column path did not take is not compared).  While the main process is
evaluating, the workers check (``--workers`` processes for ``--verify full``, one fewer for a sample:
one core is the main process's); once the main process has written its last row it checks rows itself in small
batches beside the workers (unless ``workers=1``), so that the last result arrives soon after the last row
is written.

Failures.  A worker that dies has its batches retried once in a fresh worker; a batch whose second worker
dies too raises :class:`SampleCheckFailed`.  ``workers=0`` checks every batch in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
import warnings
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from ...errors import RiskevalError
from ...i18n import register_messages
from ...ruleset.compiled import RuleSet
from ..runner import Job, _context, default_workers, process_chunk
from .phases import mark
from .rows import row_key

__all__ = ["SampleChecker", "SampleCheckFailed", "row_keys", "start_context", "SAMPLE_BATCH", "PIPE_BYTES"]

register_messages(
    {
        "batch.column.worker": {
            "zh": "逐行核对的工作进程两次异常退出，核对未能完成，未写出结果文件：第 {rows} 行",
            "en": "the row-path check could not be completed (its worker process died twice); no output was "
            "written: rows {rows}",
        },
    }
)

#: Rows per batch while the main process evaluates (a chunk's sample rows leave at once when fewer).
SAMPLE_BATCH = 128
#: Rows per batch once the main process has written its last row (the workers and it share them).
TAIL_BATCH = 32
#: Batches a worker holds at once (one being checked, the others waiting in its pipe).
WINDOW = 3
#: The size asked for each task pipe (Linux ``F_SETPIPE_SZ``; the default 64 KiB elsewhere).
PIPE_BYTES = 1 << 20
#: Sample rows waiting in this process before it waits for the workers (``--verify full`` keeps memory flat).
BACKLOG_ROWS = 16 * SAMPLE_BATCH


class SampleCheckFailed(RiskevalError):
    """A worker of the row-path check died twice on the same rows: the check could not be completed and
    nothing is written (exit code 1)."""

    code = "batch.column.worker"


def row_keys(job: Job, items: list[Any]) -> list[tuple[int, tuple[Any, ...]]]:
    """The row path on ``items``: each row's number and :func:`~riskeval.batch.column.rows.row_key`."""
    results, _ = process_chunk(job, 1, items)
    return [(got.row, row_key(got)) for got in results]


def start_context(method: str | None = None) -> Any:
    """The multiprocessing context for the check's workers: ``fork`` when this process may fork (Linux, see
    the module docstring), else ``spawn`` (a fresh interpreter: its start does not hold up this process,
    unlike the forkserver's, which waits for the server's imports); ``method`` forces one (tests)."""
    if method is not None:
        return _context() if method == "forkserver" else multiprocessing.get_context(method)
    if sys.platform.startswith("linux") and threading.active_count() == 1 and "durable" not in sys.modules:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _serve(tasks: Connection, results: Connection, job: Job, close: list[int]) -> None:
    """A worker: warm up, then check batches until told to stop (or until the main process is gone)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's decision
    for fd in close:  # the main process's ends of the pipes, inherited by fork: EOF must reach us
        try:
            os.close(fd)
        except OSError:
            pass
    mark("worker_start")
    _warm(job)
    results.send(("ready",))
    mark("worker_ready")
    while True:
        try:
            message = pickle.loads(tasks.recv_bytes())
        except EOFError:
            return
        if message is None:
            return
        if message[0] == "rules":
            from .verify import check_intervals

            try:
                problems = check_intervals(message[1], message[2])
            except Exception as exc:  # noqa: BLE001 - reported as a failed rule check
                problems = [f"{type(exc).__name__}: {exc}"]
            results.send(("rules", problems))
        else:
            _, ident, items = message
            results.send(("rows", ident, row_keys(job, items)))
            mark("worker_batch_done", rows=len(items))


def _warm(job: Job) -> None:
    """Load and compile the rule sets before the first batch arrives (errors surface on every row later)."""
    from ...engine import compile_ruleset
    from ..runner import _loaded

    for path, content_hash in job.rulesets:
        try:
            compile_ruleset(_loaded(path, content_hash)[0])
        except Exception:  # noqa: BLE001 - process_chunk reports it on each row
            pass


def _pipe_size(conn: Connection) -> int:
    import fcntl

    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    getter = getattr(fcntl, "F_GETPIPE_SZ", None)
    if setter is None or getter is None:  # pragma: no cover - not Linux
        return 1 << 16
    try:
        fcntl.fcntl(conn.fileno(), setter, PIPE_BYTES)
    except OSError:  # pragma: no cover - over /proc/sys/fs/pipe-max-size
        pass
    try:
        return int(fcntl.fcntl(conn.fileno(), getter))
    except OSError:  # pragma: no cover
        return 1 << 16


@dataclass
class _Batch:
    ident: int
    items: list[Any]
    attempts: int = 0
    stale: bool = False
    data: bytes = b""


@dataclass
class _Worker:
    process: Any
    tasks: Connection
    results: Connection
    capacity: int
    batches: dict[int, _Batch] = field(default_factory=dict)
    in_flight: int = 0
    rules: bool = False
    alive: bool = True
    ready: bool = False

    def fits(self, size: int) -> bool:
        return len(self.batches) < WINDOW and (not self.batches or self.in_flight + size <= self.capacity * 3 // 4)


class SampleChecker:
    """Sends sample rows through the row path and compares each result with the column path's key: the
    numbers of rows that differ in ``differ``, the rule check's problems in ``rule_problems``.

    Rows reach the row path in two ways: :meth:`early` sends the seeded share of a chunk as soon as it is
    read (its keys follow through :meth:`add` once the chunk is evaluated; :meth:`settle` drops the rows the
    column path did not take), and :meth:`add` sends the other rows with their keys.  See the module
    docstring."""

    def __init__(self, job: Job, ruleset: RuleSet, workers: int | None, full: bool, method: str | None = None) -> None:
        n = default_workers() if workers is None else workers
        self.job = job
        self.ruleset = ruleset
        self.full = full
        # A sample: the main process takes one core (and checks rows itself once it has written its last row,
        # unless workers=1); every row (full): ``workers`` processes, the main process helping at the end.
        self.processes = 0 if n <= 0 else (n if full else max(1, n - 1))
        self.helps = n != 1
        self.method = method
        self.workers: list[_Worker] = []
        self.backlog: deque[_Batch] = deque()
        self.items: list[Any] = []
        self.want: dict[int, tuple[Any, ...]] = {}  # row -> the column path's key, awaiting the row path
        self.got: dict[int, tuple[Any, ...]] = {}  # row -> the row path's key, awaiting the column path
        self.sent: set[int] = set()  # rows sent early whose key is not known yet
        self.differ: list[int] = []
        self.count = 0
        self.rule_problems: list[str] | None = None
        self._next = 0

    # -- start and stop ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers and give the first the rule check (``workers=0``: the rule check here)."""
        if self.processes == 0:
            from .verify import check_intervals

            self.rule_problems = check_intervals(str(self.ruleset.path), self.ruleset.content_hash)
            return
        for _ in range(self.processes):
            self._spawn()
        first = self.workers[0]
        self._send(first, pickle.dumps(("rules", str(self.ruleset.path), self.ruleset.content_hash)))
        first.rules = True

    def _spawn(self, replacement: bool = False) -> _Worker:
        # A replacement starts mid-run, beside the reader's threads: never by fork.
        ctx = start_context(self.method or ("spawn" if replacement else None))
        task_r, task_w = ctx.Pipe(duplex=False)
        result_r, result_w = ctx.Pipe(duplex=False)
        capacity = _pipe_size(task_w)
        _pipe_size(result_r)  # a worker never waits for this process to read its results
        forked = ctx.get_start_method() == "fork"
        close = [c.fileno() for w in self.workers if w.alive for c in (w.tasks, w.results)]
        close += [task_w.fileno(), result_r.fileno()]
        process = ctx.Process(
            target=_serve, args=(task_r, result_w, self.job, close if forked else []), daemon=True,
            name="riskeval-sample-check",
        )
        with warnings.catch_warnings():  # Python 3.12 warns of fork beside native (BLAS, Arrow) threads
            warnings.simplefilter("ignore", DeprecationWarning)
            process.start()
        task_r.close()
        result_w.close()
        worker = _Worker(process, task_w, result_r, capacity)
        self.workers.append(worker)
        mark("worker_started", method=ctx.get_start_method())
        return worker

    def close(self) -> None:
        """Stop the workers (those still busy are terminated)."""
        for w in self.workers:
            if not w.alive:
                continue
            w.alive = False
            try:
                if w.batches or w.rules:
                    w.process.terminate()
                else:
                    w.tasks.send_bytes(pickle.dumps(None))
            except OSError:
                pass
        for w in self.workers:
            w.process.join(timeout=2)
            if w.process.is_alive():  # pragma: no cover - a worker stuck in the engine
                w.process.kill()
                w.process.join()
            w.tasks.close()
            w.results.close()
        self.workers = []

    def reset(self) -> None:
        """Forget the rows sent so far (the run starts again with another reader); the rule check stays."""
        self.items, self.differ, self.count = [], [], 0
        self.want, self.got, self.sent = {}, {}, set()
        self.backlog.clear()
        for w in self.workers:
            for batch in w.batches.values():
                batch.stale = True

    # -- rows -----------------------------------------------------------------------------------------

    def early(self, items: list[Any]) -> None:
        """Send rows (:class:`~riskeval.io.tables.TableRow`) before their keys are known (only to workers)."""
        if not self.workers or not items:
            return
        self.sent.update(item.row for item in items)
        self.items.extend(items)
        self.pump()

    def settle(self, rows: Any) -> None:
        """Rows sent early that the column path did not take: their results are not compared."""
        for row in rows:
            if row in self.sent:
                self.sent.discard(row)
                self.got.pop(row, None)

    def add_sent(self, row: int, key: tuple[Any, ...]) -> bool:
        """:meth:`add` for a row sent early (:meth:`early`), by its number; ``False`` if it was not sent."""
        if row not in self.sent:
            return False
        self.count += 1
        self.sent.discard(row)
        if row in self.got:
            self._compare(row, key, self.got.pop(row))
        else:
            self.want[row] = key
        return True

    def add(self, item: Any, key: tuple[Any, ...]) -> None:
        """Check one row (a :class:`~riskeval.io.tables.TableRow`) against the column path's ``key``."""
        if self.add_sent(item.row, key):
            return
        self.count += 1
        row = item.row
        self.want[row] = key
        self.items.append(item)
        if not self.workers and len(self.items) >= SAMPLE_BATCH:
            self._cut()
            self._here(self.backlog.popleft())

    def _compare(self, row: int, want: tuple[Any, ...], got: tuple[Any, ...]) -> None:
        if want != got:
            self.differ.append(row)

    def _results(self, pairs: list[tuple[int, tuple[Any, ...]]]) -> None:
        for row, got in pairs:
            want = self.want.pop(row, None)
            if want is not None:
                self._compare(row, want, got)
            elif row in self.sent:
                self.got[row] = got

    def _cut(self, size: int = SAMPLE_BATCH) -> None:
        items = self.items
        for start in range(0, len(items), size):
            self.backlog.append(_Batch(self._next, items[start:start + size]))
            self._next += 1
        self.items = []

    def pump(self) -> None:
        """Collect what the workers returned and send them what is waiting (after each chunk)."""
        if not self.workers:
            return
        self._cut()
        self._collect(0)
        self._dispatch()
        while sum(len(b.items) for b in self.backlog) > BACKLOG_ROWS:
            self._collect(None)
            self._dispatch()

    def finish(self) -> None:
        """The main process has written its last row: check the rest and wait for every result."""
        mark("main_written", rows=self.count)
        if not self.workers:
            self._cut()
            while self.backlog:
                self._here(self.backlog.popleft())
            self._lost()
            return
        self.items = [i for b in self.backlog for i in b.items] + self.items
        self.backlog.clear()
        self._cut(TAIL_BATCH)
        while True:
            self._collect(0)
            self._dispatch()
            if self.backlog and (self.helps or not self.workers):
                self._here(self.backlog.pop())
                continue
            if not self.backlog and not any(w.batches or w.rules for w in self.workers):
                break
            self._collect(None)
        self._lost()
        mark("checked", rows=self.count)

    def _lost(self) -> None:
        """Rows whose row-path result never came back count as differing (fails closed; not expected)."""
        self.differ.extend(self.want)
        self.want = {}

    def _here(self, batch: _Batch) -> None:
        self._results(row_keys(self.job, batch.items))
        mark("sample_batch_here", rows=len(batch.items))

    def _dispatch(self) -> None:
        for w in self.workers:
            while self.backlog and w.alive and w.ready:  # rows wait here while a worker starts (main may take them)
                batch = self.backlog[0]
                if not batch.data:
                    batch.data = pickle.dumps(("rows", batch.ident, batch.items), protocol=5)
                if not w.fits(len(batch.data)):
                    break
                self.backlog.popleft()
                w.batches[batch.ident] = batch
                self._send(w, batch.data)
                w.in_flight += len(batch.data)
                mark("sample_batch_sent", rows=len(batch.items))

    def _send(self, w: _Worker, data: bytes) -> None:
        try:
            w.tasks.send_bytes(data)
        except OSError:
            self._died(w)

    def _collect(self, timeout: float | None) -> None:
        """Handle every message the workers sent (waiting up to ``timeout`` for the first one)."""
        while True:
            live = {w.results: w for w in self.workers if w.alive}
            if not live:
                return
            ready = wait(list(live), timeout)
            if not ready:
                return
            for conn in ready:
                w = live[conn]  # type: ignore[index]
                try:
                    message = w.results.recv()
                except (EOFError, OSError):
                    self._died(w)
                    continue
                self._handle(w, message)
            timeout = 0

    def _handle(self, w: _Worker, message: tuple[Any, ...]) -> None:
        if message[0] == "ready":
            w.ready = True
        elif message[0] == "rules":
            self.rule_problems = message[1]
            w.rules = False
        elif message[0] == "rows":
            batch = w.batches.pop(message[1])
            w.in_flight -= len(batch.data)
            if not batch.stale:
                self._results(message[2])
            mark("sample_batch_done", rows=len(batch.items))

    def _died(self, w: _Worker) -> None:
        """Retry a dead worker's batches (and rule check) once in a fresh worker."""
        if not w.alive:
            return
        w.alive = False
        w.process.join(timeout=1)
        lost = sorted(w.batches.values(), key=lambda b: b.ident)
        w.batches = {}
        for batch in lost:
            batch.attempts += 1
            if batch.attempts >= 2:
                rows = ", ".join(str(getattr(i, "row", "?")) for i in batch.items[:20])
                raise SampleCheckFailed(rows=rows)
        self.backlog.extendleft(reversed([b for b in lost if not b.stale]))
        fresh = self._spawn(replacement=True)
        if w.rules:
            w.rules = False
            self._send(fresh, pickle.dumps(("rules", str(self.ruleset.path), self.ruleset.content_hash)))
            fresh.rules = True
        self._dispatch()
