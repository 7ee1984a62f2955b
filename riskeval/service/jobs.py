"""Batch jobs of the service: an uploaded project list assessed beside the requests, results kept on disk.

Each job is a directory ``JOBS/<id>/`` next to the ledger with ``input.<ext>``, ``status.json``
(written atomically) and, once done, ``result.jsonl`` (CSV and XLSX are made from it on first
request). A job runs on a thread of the process that accepted it, with its own worker processes
(:func:`riskeval.batch.run.run_batch`), so requests are not blocked. A restart loses no finished
result; a job whose process died while running reads as ``interrupted``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from ..batch.run import run_batch
from ..batch.runner import OUTPUT_COLUMNS
from ..batch.writers import open_writer
from ..errors import RiskevalError
from ..i18n import t
from ..ruleset.compiled import RuleSet
from .errors import BadBody, BatchJobNotFound, ResultNotReady
from .job_reports import EXPLAIN_LEVELS, write_job_reports
from .metrics import Metrics

__all__ = ["INPUT_SUFFIXES", "JobStatus", "JobStore"]

INPUT_SUFFIXES = (".csv", ".tsv", ".xlsx", ".jsonl")
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")

Status = Literal["queued", "running", "done", "failed", "interrupted"]


class JobStatus(BaseModel):
    """What ``GET /api/v1/batch/{job}`` returns."""

    job: str
    status: Status
    ruleset: str
    rows_done: int = 0
    rows_total: int | None = None
    created: str
    finished: str | None = None
    summary: dict[str, str] | None = None
    error: dict[str, str] | None = None
    pid: int | None = None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class JobStore:
    """The jobs directory, and the thread that runs this process's jobs one after the other."""

    def __init__(self, root: Path, metrics: Metrics, workers: int = 1) -> None:
        self.root = root
        self.metrics = metrics
        self.workers = workers
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="riskeval-batch")
        self._lock = threading.Lock()

    # paths -----------------------------------------------------------------------------------------
    def _dir(self, job: str) -> Path:
        if not _JOB_ID.match(job):
            raise BatchJobNotFound(job=job[:64])
        path = self.root / job
        if not (path / "status.json").is_file():
            raise BatchJobNotFound(job=job)
        return path

    def new_job(self, suffix: str) -> tuple[str, Path]:
        """A fresh job id and the path its input goes to."""
        suffix = suffix.lower()
        if suffix not in INPUT_SUFFIXES:
            raise BadBody(detail=f"file type '{suffix or '?'}' (use {', '.join(INPUT_SUFFIXES)})")
        job = uuid.uuid4().hex
        path = self.root / job
        path.mkdir(parents=True, exist_ok=False)
        return job, path / f"input{suffix}"

    def discard(self, job: str) -> None:
        """Remove a job whose upload failed."""
        path = self.root / job
        if _JOB_ID.match(job) and path.is_dir():
            for child in path.iterdir():
                child.unlink(missing_ok=True)
            path.rmdir()

    # status --------------------------------------------------------------------------------------
    def _save(self, status: JobStatus) -> None:
        _write_atomic(self.root / status.job / "status.json", status.model_dump_json(indent=1))

    def status(self, job: str) -> JobStatus:
        """The status of ``job`` (``interrupted`` when its process is gone before it finished)."""
        path = self._dir(job) / "status.json"
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        status = JobStatus.model_validate(data)
        if status.status in ("queued", "running") and not _pid_alive(status.pid):
            status = status.model_copy(update={"status": "interrupted"})
        return status

    def submit(self, job: str, input_path: Path, ruleset: RuleSet) -> JobStatus:
        """Queue ``job`` (its input already at ``input_path``)."""
        status = JobStatus(job=job, status="queued", ruleset=ruleset.id, created=_now(), pid=os.getpid())
        self._save(status)
        self._executor.submit(self._run, status, input_path, ruleset)
        return status

    def _run(self, status: JobStatus, input_path: Path, ruleset: RuleSet) -> None:
        out = input_path.parent / "result.jsonl"
        partial = input_path.parent / ".result.partial.jsonl"
        state = status.model_copy(update={"status": "running"})
        self._save(state)
        last = [0.0]

        def progress(done: int, total: int | None) -> None:
            nonlocal state
            state = state.model_copy(update={"rows_done": done, "rows_total": total})
            now = time.monotonic()
            if now - last[0] > 0.5:
                last[0] = now
                self._save(state)

        try:
            outcome = run_batch(
                input_path, ruleset, partial, workers=self.workers, progress=progress, explain=EXPLAIN_LEVELS
            )
            os.replace(partial, out)
            write_job_reports(input_path.parent, outcome.stats, ruleset, input_path.name)
            state = state.model_copy(
                update={
                    "status": "done",
                    "rows_done": outcome.stats.total,
                    "rows_total": outcome.stats.total,
                    "finished": _now(),
                    "summary": {"zh": outcome.stats.summary("zh"), "en": outcome.stats.summary("en")},
                }
            )
        except Exception as exc:  # the job fails, the service goes on; the message says why
            state = state.model_copy(update={"status": "failed", "finished": _now(), "error": _error_text(exc)})
        self._save(state)
        self.metrics.count_job(state.status)

    # results -------------------------------------------------------------------------------------
    def result(self, job: str, fmt: str) -> Path:
        """The result file of a finished job in ``fmt`` (``jsonl``, ``csv`` or ``xlsx``)."""
        status = self.status(job)
        if status.status != "done":
            raise ResultNotReady(job=job, status=status.status)
        base = self._dir(job)
        jsonl = base / "result.jsonl"
        if fmt == "jsonl":
            return jsonl
        target = base / f"result.{fmt}"
        with self._lock:
            if not target.is_file():
                tmp = base / f".result.tmp.{fmt}"
                with open_writer(tmp, OUTPUT_COLUMNS) as writer, jsonl.open(encoding="utf-8") as source:
                    for line in source:
                        if line.strip():
                            writer.write(json.loads(line))
                os.replace(tmp, target)
        return target

    def directory(self, job: str) -> Path:
        """The directory of ``job`` (raises ``BatchJobNotFound``)."""
        return self._dir(job)

    def close(self) -> None:
        """Stop taking jobs (a running one finishes in the background)."""
        self._executor.shutdown(wait=False)


def _error_text(exc: Exception) -> dict[str, str]:
    if isinstance(exc, RiskevalError):
        return {"zh": exc.render("zh"), "en": exc.render("en")}
    code = getattr(exc, "code", None)
    params = getattr(exc, "params", None)
    if isinstance(code, str) and isinstance(params, dict):  # riskeval.batch.readers.InputError
        return {"zh": t(code, "zh", **params), "en": t(code, "en", **params)}
    text = f"{type(exc).__name__}: {str(exc)[:300]}"
    return {"zh": text, "en": text}
