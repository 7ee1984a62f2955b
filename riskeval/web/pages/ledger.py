"""台账 (/ledger): browse and search the records, open one (printable), verify the chain, export.

Auditors and admins only, like ``/api/v1/ledger``.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from ...errors import RiskevalError
from ...i18n import register_messages, t
from ...ledger import Ledger, LedgerRecord
from ...ledger.views import export_jsonl, record_summary
from ...model.explaining import decision_words
from ...service.deps import AUDITORS
from ...service.errors import RecordNotFound
from ...service.state import ServiceState, split_actor
from ..core import Page, Viewer, form_viewer, render, security_headers, service_state, viewer
from ..ledger_query import DECISIONS, LEVELS, PAGE_SIZE, LedgerFilter, search
from ..results import assessment_view

__all__ = ["PAGE", "router"]

register_messages(
    {
        "web.nav.ledger": {"zh": "台账", "en": "Ledger"},
        "web.ledger.title": {"zh": "评估台账", "en": "Assessment ledger"},
        "web.ledger.project": {"zh": "项目（编号或名称）", "en": "Project (id or name)"},
        "web.ledger.unit": {"zh": "单位", "en": "Unit"},
        "web.ledger.from": {"zh": "起始日期", "en": "From"},
        "web.ledger.to": {"zh": "截止日期", "en": "To"},
        "web.ledger.level": {"zh": "风险等级", "en": "Risk level"},
        "web.ledger.decision": {"zh": "决策", "en": "Decision"},
        "web.ledger.any": {"zh": "全部", "en": "any"},
        "web.ledger.search": {"zh": "查询", "en": "Search"},
        "web.ledger.reset": {"zh": "清除条件", "en": "Clear"},
        "web.ledger.count": {"zh": "共 {total} 条记录（台账共 {all} 条）", "en": "{total} records ({all} in the ledger)"},
        "web.ledger.empty": {"zh": "没有符合条件的记录", "en": "no record matches"},
        "web.ledger.page": {"zh": "第 {page} / {pages} 页", "en": "page {page} of {pages}"},
        "web.ledger.prev": {"zh": "上一页", "en": "Previous"},
        "web.ledger.next": {"zh": "下一页", "en": "Next"},
        "web.ledger.col.seq": {"zh": "序号", "en": "#"},
        "web.ledger.col.ts": {"zh": "时间（UTC）", "en": "Time (UTC)"},
        "web.ledger.col.kind": {"zh": "类型", "en": "Kind"},
        "web.ledger.col.project": {"zh": "项目", "en": "Project"},
        "web.ledger.col.unit": {"zh": "单位", "en": "Unit"},
        "web.ledger.col.level": {"zh": "等级", "en": "Level"},
        "web.ledger.col.summary": {"zh": "结论", "en": "Summary"},
        "web.ledger.col.actor": {"zh": "记录人", "en": "Recorded by"},
        "web.ledger.col.hash": {"zh": "记录哈希", "en": "Record hash"},
        "web.ledger.verify": {"zh": "校验台账", "en": "Verify the ledger"},
        "web.ledger.verify_help": {
            "zh": "逐条重算哈希、核对链接与签名检查点；如有记录被改动，指出第一条有问题的记录。",
            "en": "Recomputes every hash and checks every link and signed checkpoint; names the first bad record.",
        },
        "web.ledger.verifying": {"zh": "正在校验…", "en": "verifying…"},
        "web.ledger.intact": {"zh": "台账完好", "en": "The ledger is intact"},
        "web.ledger.broken": {"zh": "台账已被改动！", "en": "The ledger has been tampered with!"},
        "web.ledger.first_bad": {"zh": "第一条有问题的记录：第 {seq} 号", "en": "First bad record: #{seq}"},
        "web.ledger.export": {"zh": "导出台账（JSONL）", "en": "Export the ledger (JSONL)"},
        "web.ledger.record": {"zh": "台账记录 第 {seq} 号", "en": "Ledger record #{seq}"},
        "web.ledger.back": {"zh": "返回台账", "en": "Back to the ledger"},
        "web.ledger.on_behalf": {"zh": "{name}（代 {other}）", "en": "{name} (for {other})"},
        "web.ledger.basis": {"zh": "所依据的评估记录", "en": "Assessment it rests on"},
        "web.ledger.integrity_bad": {
            "zh": "本条记录与其哈希不符，或与已校验的台账不一致",
            "en": "this record does not match its hash, or differs from the verified ledger",
        },
        "web.ledger.unreadable": {"zh": "无法读取存储的评估：{detail}", "en": "the stored assessment cannot be read: {detail}"},
    }
)

PAGE = Page(name="ledger", path="/ledger", label="web.nav.ledger", roles=AUDITORS, order=40)

router = APIRouter(include_in_schema=False)

AuditViewer = Annotated[Viewer, Depends(viewer(*AUDITORS))]
AuditPoster = Annotated[Viewer, Depends(form_viewer(*AUDITORS))]


def _list(state: ServiceState, flt: LedgerFilter, lang: str) -> tuple[list[Any], int, int]:
    ledger = state.ledger()
    rows, total = search(ledger, flt, lang)
    return rows, total, len(ledger)


@router.get("/ledger")
async def ledger_page(request: Request, who: AuditViewer) -> Response:
    """The records that match the filters, newest first, :data:`PAGE_SIZE` a page."""
    state = service_state(request)
    flt = LedgerFilter.from_query(request.query_params)
    rows, total, count = await state.call(_list, state, flt, who.lang)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    context = {
        "flt": flt,
        "rows": rows,
        "total": total,
        "count": count,
        "pages": pages,
        "levels": [(code, t(f"level.{code}", who.lang)) for code in LEVELS],
        "decisions": [(code, decision_words(code, None, who.lang)) for code in DECISIONS],
        "prev_url": "/ledger?" + urlencode(flt.query(page=flt.page - 1)) if flt.page > 1 else None,
        "next_url": "/ledger?" + urlencode(flt.query(page=flt.page + 1)) if flt.page < pages else None,
    }
    return render(request, "ledger/list.html", context, who=who)


def _integrity(ledger: Ledger, record: LedgerRecord) -> bool:
    try:
        return ledger.check(record)
    except RiskevalError:
        return False


def _summary(record: LedgerRecord, lang: str) -> str:
    try:
        return record_summary(record, lang)
    except ValueError:
        return "-"


def _show(state: ServiceState, seq: int, lang: str) -> dict[str, Any]:
    ledger = state.ledger()
    record = ledger.get(seq)
    if record is None:
        raise RecordNotFound(seq=seq)
    name, other = split_actor(record.actor)
    view: dict[str, Any] = {
        "record": record,
        "summary": _summary(record, lang),
        "kind": t(f"ledger.view.kind.{record.kind}", lang),
        "actor": t("web.ledger.on_behalf", lang, name=name, other=other) if other else name,
        "ts": record.ts.replace("T", " ")[:19],
        "hash_ok": _integrity(ledger, record),
        "result": None,
        "unreadable": None,
        "project": record.project_data if record.project_json else {},
    }
    try:
        assessment = record.assessment
        if assessment is not None:
            view["result"] = assessment_view(assessment, lang)
    except ValueError as exc:
        view["unreadable"] = t("web.ledger.unreadable", lang, detail=str(exc).splitlines()[0])
    return view


@router.get("/ledger/export")
async def ledger_export(request: Request, who: AuditViewer) -> Response:
    """Every record as JSON lines (the library's export), as a download."""
    state = service_state(request)
    fd, name = tempfile.mkstemp(prefix="riskeval-ledger-", suffix=".jsonl")
    os.close(fd)
    path = Path(name)
    try:
        await state.call(lambda: export_jsonl(state.ledger(), path))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    response = FileResponse(
        path,
        media_type="application/x-ndjson",
        filename=f"{state.settings.ledger.stem}-export.jsonl",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
    security_headers(response)
    return response


@router.get("/ledger/{seq}")
async def ledger_record(request: Request, who: AuditViewer, seq: int) -> Response:
    """One record, printable: its fields, integrity, and the assessment in words."""
    state = service_state(request)
    if not 1 <= seq <= 2**62:
        raise RecordNotFound(seq=seq)
    try:
        view = await state.call(_show, state, seq, who.lang)
    except RecordNotFound as exc:
        return render(request, "error.html", {"message": exc.message(who.lang), "status": 404}, who=who, status=404)
    return render(request, "ledger/record.html", view, who=who)


def _verify(state: ServiceState) -> Any:
    return state.ledger().verify(jobs=1)  # no process pool forked from a server thread


@router.post("/ledger/verify")
async def ledger_verify(request: Request, who: AuditPoster) -> Response:
    """Verify the whole chain; the result names the first bad record."""
    state = service_state(request)
    try:
        report = await state.call(_verify, state)
        context: dict[str, Any] = {"report": report, "message": report.message(who.lang), "error": None}
    except RiskevalError as exc:
        context = {"report": None, "message": None, "error": exc.render(who.lang)}
    return render(request, "ledger/_verify.html", context, who=who)
