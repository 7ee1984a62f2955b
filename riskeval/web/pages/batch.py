"""批量 (/batch): upload a project list, watch its progress, read the summary and charts, download the results.

The list runs as a batch job of the service (:mod:`riskeval.service.jobs`, the same as ``POST
/api/v1/batch``); the job page polls its progress with htmx until it is done, then shows the summary,
the report's charts (server-rendered SVG) and the downloads: results as CSV or XLSX (one row per input
row) and the HTML report. Assessors and admins, like the API.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from ...errors import RiskevalError
from ...i18n import register_messages
from ...service.deps import ASSESSORS
from ...service.errors import BadBody, BodyTooLarge
from ...service.job_reports import job_charts, job_report_path
from ...service.jobs import INPUT_SUFFIXES, JobStatus, JobStore
from ..core import Page, Viewer, form_viewer, render, security_headers, service_state, viewer
from ..errors import WebError
from ..examples import example_projects

__all__ = ["PAGE", "router"]

PAGE = Page(name="batch", path="/batch", label="web.nav.batch", roles=ASSESSORS, order=30)
router = APIRouter(include_in_schema=False)

register_messages(
    {
        "web.nav.batch": {"zh": "批量", "en": "Batch"},
        "web.batch.title": {"zh": "批量评估", "en": "Batch assessment"},
        "web.batch.help": {
            "zh": "上传项目清单（CSV、XLSX 或 JSONL，每行一个事项），按所选规则集逐项评估。",
            "en": "Upload a project list (CSV, XLSX or JSONL, one matter per row); each row is assessed under the "
            "chosen rule set.",
        },
        "web.batch.file": {"zh": "项目清单文件", "en": "Project list"},
        "web.batch.ruleset": {"zh": "规则集", "en": "Rule set"},
        "web.batch.example": {
            "zh": "或使用示例清单（examples/projects.csv，{count} 项）",
            "en": "or use the example list (examples/projects.csv, {count} rows)",
        },
        "web.batch.start": {"zh": "开始评估", "en": "Start"},
        "web.batch.no_file": {"zh": "请选择项目清单文件", "en": "choose a project list"},
        "web.batch.job": {"zh": "批量任务 {job}", "en": "Batch job {job}"},
        "web.batch.status.queued": {"zh": "排队中", "en": "queued"},
        "web.batch.status.running": {"zh": "评估中", "en": "running"},
        "web.batch.status.done": {"zh": "已完成", "en": "done"},
        "web.batch.status.failed": {"zh": "失败", "en": "failed"},
        "web.batch.status.interrupted": {"zh": "已中断", "en": "interrupted"},
        "web.batch.progress": {"zh": "已评估 {done} 行{total}", "en": "{done} rows assessed{total}"},
        "web.batch.of_total": {"zh": "（约 {total} 行）", "en": " (of about {total})"},
        "web.batch.summary": {"zh": "汇总", "en": "Summary"},
        "web.batch.charts": {"zh": "图表", "en": "Charts"},
        "web.batch.downloads": {"zh": "下载", "en": "Downloads"},
        "web.batch.download_csv": {"zh": "评估结果（CSV）", "en": "Results (CSV)"},
        "web.batch.download_xlsx": {"zh": "评估结果（Excel）", "en": "Results (Excel)"},
        "web.batch.download_report": {"zh": "批量报告（HTML）", "en": "Report (HTML)"},
        "web.batch.new": {"zh": "评估另一份清单", "en": "Assess another list"},
        "web.batch.ruleset_of_job": {"zh": "规则集：{ruleset}", "en": "Rule set: {ruleset}"},
        "web.batch.unknown_ruleset": {"zh": "服务未加载规则集 {ruleset}", "en": "the service has no rule set {ruleset}"},
        "web.batch.bad_format": {"zh": "不支持的下载格式 {fmt}", "en": "no download in format {fmt}"},
    }
)

_CHUNK = 1024 * 1024
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class BatchPageError(WebError):
    """A request of the 批量 page that cannot be served (unknown rule set, download format)."""

    status: ClassVar[int] = 404


def _jobs(request: Request) -> JobStore:
    jobs: JobStore = request.app.state.jobs
    return jobs


def _choices(request: Request) -> list[Any]:
    state = service_state(request)
    seen: dict[str, Any] = {}
    for rs in state.rulesets.values():
        seen.setdefault(rs.id, rs)
    return list(seen.values())


def _example_rows() -> int | None:
    path = example_projects()
    if path is None:
        return None
    with path.open(encoding="utf-8") as handle:
        return max(0, sum(1 for line in handle if line.strip()) - 1)


@router.get("/batch")
async def batch_page(request: Request, who: Annotated[Viewer, Depends(viewer(*ASSESSORS))]) -> Response:
    context = {"rulesets": _choices(request), "example_rows": _example_rows(), "suffixes": INPUT_SUFFIXES}
    return render(request, "batch/page.html", context, who=who)


async def _store_upload(upload: UploadFile, target: Path, limit: int) -> None:
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(limit=limit)
            await asyncio.to_thread(out.write, chunk)
    if size == 0:
        raise BadBody(detail="empty upload")


@router.post("/batch")
async def batch_submit(request: Request, who: Annotated[Viewer, Depends(form_viewer(*ASSESSORS))]) -> Response:
    state = service_state(request)
    jobs = _jobs(request)
    form = await request.form()
    upload = form.get("file")
    ruleset_id = str(form.get("ruleset") or "")
    rs = next((r for r in _choices(request) if r.id == ruleset_id), None)
    context: dict[str, Any] = {"rulesets": _choices(request), "example_rows": _example_rows(), "suffixes": INPUT_SUFFIXES}
    if rs is None:
        context["error"] = BatchPageError("web.batch.unknown_ruleset", ruleset=ruleset_id[:80]).message(who.lang)
        return render(request, "batch/page.html", context, who=who)
    example = example_projects()
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            job, target = jobs.new_job(Path(upload.filename).suffix)
            try:
                await _store_upload(upload, target, state.settings.max_upload_bytes)
            except BaseException:
                jobs.discard(job)
                raise
        elif form.get("example") == "1" and example is not None:
            job, target = jobs.new_job(example.suffix)
            await asyncio.to_thread(target.write_bytes, example.read_bytes())
        else:
            context["error"] = BatchPageError("web.batch.no_file").message(who.lang)
            return render(request, "batch/page.html", context, who=who)
    except RiskevalError as exc:
        context["error"] = exc.message(who.lang)
        return render(request, "batch/page.html", context, who=who)
    jobs.submit(job, target, rs)
    return security_headers(RedirectResponse(f"/batch/{job}", status_code=303))


def _job_context(request: Request, job: str, lang: str) -> dict[str, Any]:
    jobs = _jobs(request)
    status: JobStatus = jobs.status(job)
    directory = jobs.directory(job)
    total = status.rows_total
    percent = None
    if status.status == "done":
        percent = 100
    elif total:
        percent = min(99, int(100 * status.rows_done / total))
    rs = next((r for r in _choices(request) if r.id == status.ruleset), None)
    return {
        "job": status,
        "ruleset_title": rs.title if rs is not None else status.ruleset,
        "percent": percent,
        "charts": job_charts(directory, lang) if status.status == "done" else [],
        "has_report": status.status == "done" and job_report_path(directory, lang) is not None,
        "summary": (status.summary or {}).get(lang) if status.summary else None,
        "error": (status.error or {}).get(lang) if status.error else None,
        "running": status.status in ("queued", "running"),
    }


@router.get("/batch/{job}")
async def job_page(request: Request, job: str, who: Annotated[Viewer, Depends(viewer(*ASSESSORS))]) -> Response:
    return render(request, "batch/job.html", _job_context(request, job, who.lang), who=who)


@router.get("/batch/{job}/progress")
async def job_progress(request: Request, job: str, who: Annotated[Viewer, Depends(viewer(*ASSESSORS))]) -> Response:
    return render(request, "batch/_progress.html", _job_context(request, job, who.lang), who=who)


@router.get("/batch/{job}/download/{fmt}")
async def job_download(
    request: Request, job: str, fmt: str, who: Annotated[Viewer, Depends(viewer(*ASSESSORS))]
) -> Response:
    jobs = _jobs(request)
    if fmt == "report":
        path = job_report_path(jobs.directory(job), who.lang)
        if path is None:
            raise BatchPageError("web.batch.bad_format", fmt=fmt)
        response = FileResponse(path, media_type="text/html; charset=utf-8", filename=f"riskeval-{job}-report.html")
        return security_headers(response)
    if fmt not in _MEDIA:
        raise BatchPageError("web.batch.bad_format", fmt=fmt[:20])
    path = await asyncio.to_thread(jobs.result, job, fmt)
    response = FileResponse(path, media_type=_MEDIA[fmt], filename=f"riskeval-{job}.{fmt}", stat_result=os.stat(path))
    return security_headers(response)
