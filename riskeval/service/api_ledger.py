"""``/api/v1/ledger`` (auditor, admin) and ``/api/v1/batch`` (assessor, admin)."""

from __future__ import annotations

import asyncio
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from ..i18n import t
from ..ledger import make_receipt
from .deps import ASSESSORS, AUDITORS, ERROR_RESPONSES, caller, service_state
from .errors import BadBody, BodyTooLarge, RecordNotFound
from .jobs import JobStatus, JobStore
from .models import JobAccepted, LedgerHead, LedgerPage, RecordFull, VerifyResponse, record_brief, record_full
from .state import ServiceState
from .tokens import Principal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

State = Annotated[ServiceState, Depends(service_state)]
Auditor = Annotated[Principal, Depends(caller(*AUDITORS))]
Assessor = Annotated[Principal, Depends(caller(*ASSESSORS))]

MAX_PAGE = 500
_CHUNK = 1024 * 1024


def _page(state: ServiceState, offset: int, limit: int) -> LedgerPage:
    ledger = state.ledger()
    total = len(ledger)
    records = []
    for seq in range(offset + 1, min(total, offset + limit) + 1):
        record = ledger.get(seq)
        if record is not None:
            records.append(record_brief(record))
    return LedgerPage(offset=offset, limit=limit, total=total, records=records)


@router.get("/ledger", response_model=LedgerPage, tags=["ledger"])
async def ledger_list(
    state: State,
    who: Auditor,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> LedgerPage:
    """Brief records ``offset+1 .. offset+limit`` (in order)."""
    return await state.call(_page, state, offset, limit)


def _head(state: ServiceState) -> LedgerHead:
    ledger = state.ledger()
    record = ledger.head()
    return LedgerHead(
        records=len(ledger),
        head=record.record_hash if record else None,
        record=record_brief(record) if record else None,
    )


@router.get("/ledger/head", response_model=LedgerHead, tags=["ledger"])
async def ledger_head(state: State, who: Auditor) -> LedgerHead:
    """The head hash (anchor it in the decision document) and the number of records."""
    return await state.call(_head, state)


def _checkpoint(state: ServiceState) -> dict[str, Any]:
    ledger = state.ledger()
    ledger.ensure_verified()
    cp = ledger.checkpoint()
    if cp is None:
        raise RecordNotFound(seq=0)
    return cp.to_dict()


@router.get("/ledger/checkpoint", response_model=dict[str, Any], tags=["ledger"])
async def ledger_checkpoint(state: State, who: Auditor) -> dict[str, Any]:
    """The latest (signed) checkpoint: tree size, root hash, time; keep it elsewhere to detect any rewrite."""
    return await state.call(_checkpoint, state)


def _receipt(state: ServiceState, seq: int) -> dict[str, Any]:
    ledger = state.ledger()
    if ledger.get(seq) is None:
        raise RecordNotFound(seq=seq)
    return make_receipt(ledger, seq)


@router.get("/ledger/{seq}/receipt", response_model=dict[str, Any], tags=["ledger"])
async def ledger_receipt(seq: Annotated[int, PathParam(ge=1, le=2**62)], state: State, who: Auditor) -> dict[str, Any]:
    """The receipt of record ``seq`` (record, inclusion proof, signed checkpoint): verifiable offline with
    ``riskeval receipt verify``."""
    return await state.call(_receipt, state, seq)


def _show(state: ServiceState, seq: int) -> RecordFull:
    record = state.ledger().get(seq)
    if record is None:
        raise RecordNotFound(seq=seq)
    return record_full(record)


@router.get("/ledger/{seq}", response_model=RecordFull, tags=["ledger"])
async def ledger_show(seq: Annotated[int, PathParam(ge=1, le=2**62)], state: State, who: Auditor) -> RecordFull:
    """One record with its project and assessment."""
    return await state.call(_show, state, seq)


def _verify(state: ServiceState, head: str | None) -> VerifyResponse:
    report = state.ledger().verify(head=head, jobs=1)  # no process pool forked from a server thread
    return VerifyResponse(
        ok=report.ok,
        records=report.count,
        first_bad=report.bad_seq,
        reason=report.problem,
        head=report.head_hash,
        root=report.root,
        signed=report.signed,
        key_id=report.key_id,
        checkpoints=report.checkpoints,
        message={"zh": report.message("zh"), "en": report.message("en")},
    )


@router.post("/ledger/verify", response_model=VerifyResponse, tags=["ledger"])
async def ledger_verify(
    state: State,
    who: Auditor,
    head: Annotated[str | None, Query(pattern=r"^[0-9a-fA-F]{64}$", description="an anchored head hash")] = None,
) -> VerifyResponse:
    """Check every record and link (and an anchored head hash): ``ok``, ``records``, ``first_bad``, ``reason``."""
    return await state.call(_verify, state, head)


def _jobs(request: Request) -> JobStore:
    jobs: JobStore = request.app.state.jobs
    return jobs


Jobs = Annotated[JobStore, Depends(_jobs)]


@router.post("/batch", response_model=JobAccepted, status_code=202, tags=["batch"])
async def batch_submit(
    state: State,
    jobs: Jobs,
    who: Assessor,
    file: Annotated[UploadFile, File(description="CSV, TSV, XLSX or JSONL project list")],
    ruleset: Annotated[str, Form(min_length=1, max_length=200)],
) -> JobAccepted:
    """Start a batch job over the uploaded project list: 202 ``{"job": ID}``."""
    rs = state.ruleset(ruleset)
    job, target = jobs.new_job(Path(file.filename or "").suffix)
    limit = state.settings.max_upload_bytes
    try:
        size = 0
        with target.open("wb") as out:
            while chunk := await file.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(limit=limit)
                await asyncio.to_thread(out.write, chunk)
        if size == 0:
            raise BadBody(detail=t("service.empty_upload", "en"))
    except BaseException:
        jobs.discard(job)
        raise
    jobs.submit(job, target, rs)
    return JobAccepted(job=job)


@router.get("/batch/{job}", response_model=JobStatus, tags=["batch"])
async def batch_status(job: str, jobs: Jobs, who: Assessor) -> JobStatus:
    """Status, rows done and total."""
    return jobs.status(job)


class ResultFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"


_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson",
}


@router.get(
    "/batch/{job}/result",
    response_class=FileResponse,
    responses={200: {"content": {m.split(";")[0]: {} for m in _MEDIA.values()}, "description": "the result table"}},
    tags=["batch"],
)
async def batch_result(job: str, jobs: Jobs, who: Assessor, format: ResultFormat = ResultFormat.csv) -> FileResponse:
    """The result table of a finished job (409 while it runs)."""
    path = await asyncio.to_thread(jobs.result, job, format.value)
    return FileResponse(
        path, media_type=_MEDIA[format.value], filename=f"riskeval-{job}.{format.value}", stat_result=os.stat(path)
    )
