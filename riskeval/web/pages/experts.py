"""专家 (/experts): the expert pool by unit and expertise; an assignment or a random draw for a project list.

The pool is the file given to ``riskeval serve --pool``. An assignment is what ``riskeval assign`` does
(:func:`expert_pool.assign.files.assign_files`), run for an uploaded project list; its panels
(``project,expert,score``) and its summary (JSON, with the draw's seed for a random draw) are kept in
the jobs directory and offered for download.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from expert_pool.assign.files import assign_files, summary_rows
from expert_pool.assign.result import Assignment
from expert_pool.overview import PoolOverview, pool_overview
from expert_pool.pool import Pool
from expert_pool.reading import load_pool

from ...errors import RiskevalError
from ...i18n import register_messages, t
from ...service.deps import ANY, ASSESSORS
from ...service.state import ServiceState
from ..core import Page, Viewer, form_viewer, render, security_headers, service_state, viewer
from ..errors import WebError

__all__ = ["PAGE", "example_pool_projects", "router"]

PAGE = Page(name="experts", path="/experts", label="web.nav.experts", roles=ANY, order=50)
router = APIRouter(include_in_schema=False)

register_messages(
    {
        "web.nav.experts": {"zh": "专家", "en": "Experts"},
        "web.experts.title": {"zh": "专家库", "en": "Expert pool"},
        "web.experts.no_pool": {
            "zh": "服务未指定专家库（riskeval serve --pool examples/pool/pool.yaml）",
            "en": "the service has no expert pool (riskeval serve --pool examples/pool/pool.yaml)",
        },
        "web.experts.totals": {
            "zh": "{name}：{units} 个单位，专家 {total} 人（可用 {available} 人）",
            "en": "{name}: {units} units, {total} experts ({available} available)",
        },
        "web.experts.by_unit": {"zh": "按单位", "en": "By unit"},
        "web.experts.by_domain": {"zh": "按专业领域", "en": "By field of expertise"},
        "web.experts.col.unit": {"zh": "单位", "en": "Unit"},
        "web.experts.col.kind": {"zh": "单位类别", "en": "Kind"},
        "web.experts.col.experts": {"zh": "专家", "en": "Experts"},
        "web.experts.col.available": {"zh": "可用", "en": "Available"},
        "web.experts.col.domains": {"zh": "专业领域", "en": "Fields"},
        "web.experts.col.domain": {"zh": "专业领域", "en": "Field"},
        "web.experts.col.units": {"zh": "涉及单位", "en": "Units"},
        "web.experts.assign": {"zh": "组建专家组", "en": "Form panels"},
        "web.experts.assign_help": {
            "zh": "上传项目清单（CSV：project,unit[,panel_size,name,domains,…]），按回避本单位、专业匹配和评审量均衡分配专家；"
            "随机抽取时记录随机种子，可复核。",
            "en": "Upload a project list (CSV: project,unit[,panel_size,name,domains,...]); experts are assigned avoiding "
            "their own unit, matching expertise and balancing loads; a random draw records its seed for review.",
        },
        "web.experts.projects": {"zh": "项目清单", "en": "Project list"},
        "web.experts.example": {
            "zh": "或使用示例项目清单（examples/pool/projects.csv，{count} 项）",
            "en": "or use the example list (examples/pool/projects.csv, {count} rows)",
        },
        "web.experts.method": {"zh": "方式", "en": "Method"},
        "web.experts.method.optimal": {"zh": "最优分配", "en": "optimal assignment"},
        "web.experts.method.random": {"zh": "随机抽取", "en": "random draw"},
        "web.experts.seed": {"zh": "随机种子（随机抽取时）", "en": "Seed (random draw)"},
        "web.experts.max_per_unit": {"zh": "每组同一单位最多人数", "en": "At most per unit in a panel"},
        "web.experts.rules": {"zh": "专家组人数规则", "en": "Panel-size rule"},
        "web.experts.rules_default": {"zh": "默认规则", "en": "the default rule"},
        "web.experts.run": {"zh": "分配", "en": "Assign"},
        "web.experts.no_projects": {"zh": "请选择项目清单", "en": "choose a project list"},
        "web.experts.bad_number": {"zh": "{field} 须为非负整数", "en": "{field} must be a whole number ≥ 0"},
        "web.experts.result": {"zh": "分配结果", "en": "Result"},
        "web.experts.panels": {"zh": "各项目专家组", "en": "Panels"},
        "web.experts.col.project": {"zh": "项目", "en": "Project"},
        "web.experts.col.size": {"zh": "人数", "en": "Size"},
        "web.experts.col.members": {"zh": "专家", "en": "Experts"},
        "web.experts.col.affinity": {"zh": "匹配度", "en": "Affinity"},
        "web.experts.download_panels": {"zh": "下载专家组（CSV）", "en": "Download the panels (CSV)"},
        "web.experts.download_summary": {"zh": "下载汇总（JSON）", "en": "Download the summary (JSON)"},
        "web.experts.run_missing": {"zh": "没有分配结果 {run}", "en": "no assignment {run}"},
    }
)

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")
_FILES = {"panels.csv": "text/csv; charset=utf-8", "summary.json": "application/json"}


class ExpertsPageError(WebError):
    """A request of the 专家 page that cannot be served."""

    status: ClassVar[int] = 404


def example_pool_projects() -> Path | None:
    """``examples/pool/projects.csv`` of a checkout (not shipped in the wheel), if present."""
    path = Path(__file__).resolve().parents[3] / "examples" / "pool" / "projects.csv"
    return path if path.is_file() else None


def _runs_dir(state: ServiceState) -> Path:
    return state.settings.jobs_dir / "panels"


def _pool(state: ServiceState) -> Pool | None:
    return load_pool(state.settings.pool) if state.settings.pool is not None else None


def _rows(path: Path | None) -> int | None:
    if path is None:
        return None
    with path.open(encoding="utf-8") as handle:
        return max(0, sum(1 for line in handle if line.strip()) - 1)


async def _page_context(request: Request) -> dict[str, Any]:
    state = service_state(request)
    pool = await asyncio.to_thread(_pool, state)
    overview: PoolOverview | None = pool_overview(pool) if pool is not None else None
    seen: dict[str, Any] = {}
    for rs in state.rulesets.values():
        seen.setdefault(rs.id, rs)
    return {
        "overview": overview,
        "rulesets": [rs for rs in seen.values() if getattr(rs, "panel_size", None) is not None],
        "example_rows": _rows(example_pool_projects()),
        "form": {"method": "optimal", "seed": "", "max_per_unit": ""},
    }


@router.get("/experts")
async def experts_page(request: Request, who: Annotated[Viewer, Depends(viewer(*ANY))]) -> Response:
    return render(request, "experts/page.html", await _page_context(request), who=who)


def _number(form: Any, name: str, label_key: str, lang: str) -> int | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ExpertsPageError("web.experts.bad_number", field=t(label_key, lang))
    return int(raw)


def _assign(state: ServiceState, projects: Path, out: Path, options: dict[str, Any]) -> Assignment:
    return assign_files(
        projects=projects,
        pool=state.settings.pool,
        out=out / "panels.csv",
        json_path=out / "summary.json",
        **options,
    )


@router.post("/experts/assign")
async def run_assignment(request: Request, who: Annotated[Viewer, Depends(form_viewer(*ASSESSORS))]) -> Response:
    state = service_state(request)
    context = await _page_context(request)
    form = await request.form()
    method = "random" if form.get("method") == "random" else "optimal"
    context["form"] = {
        "method": method,
        "seed": str(form.get("seed") or ""),
        "max_per_unit": str(form.get("max_per_unit") or ""),
        "rules": str(form.get("rules") or ""),
    }
    if state.settings.pool is None:
        return render(request, "experts/page.html", context, who=who)
    run = uuid.uuid4().hex
    out = _runs_dir(state) / run
    try:
        options: dict[str, Any] = {"method": method}
        seed = _number(form, "seed", "web.experts.seed", who.lang)
        if method == "random" and seed is not None:
            options["seed"] = seed
        options["max_per_unit"] = _number(form, "max_per_unit", "web.experts.max_per_unit", who.lang)
        rules_id = context["form"]["rules"]
        rs = next((r for r in context["rulesets"] if r.id == rules_id), None)
        if rs is not None:
            options["rules"] = rs.path
        out.mkdir(parents=True)
        upload = form.get("projects")
        example = example_pool_projects()
        if isinstance(upload, UploadFile) and upload.filename:
            suffix = Path(upload.filename).suffix.lower() or ".csv"
            projects = out / f"projects{suffix if suffix in ('.csv', '.yaml', '.yml', '.json', '.jsonl') else '.csv'}"
            projects.write_bytes(await upload.read())
        elif form.get("example") == "1" and example is not None:
            projects = example
        else:
            raise ExpertsPageError("web.experts.no_projects")
        result = await asyncio.to_thread(_assign, state, projects, out, options)
    except RiskevalError as exc:
        context["error"] = exc.render(who.lang)
        return render(request, "experts/page.html", context, who=who)
    pool = await asyncio.to_thread(_pool, state) or Pool()
    context.update(
        run=run,
        result=result,
        summary=summary_rows(result, who.lang),
        names={e.id: e.name or e.id for e in pool.experts},
        unit_names={u.id: u.name for u in pool.units},
    )
    return render(request, "experts/page.html", context, who=who)


@router.get("/experts/runs/{run}/{name}")
async def run_file(request: Request, run: str, name: str, who: Annotated[Viewer, Depends(viewer(*ANY))]) -> Response:
    state = service_state(request)
    path = _runs_dir(state) / run / name
    if not _RUN_ID.match(run) or name not in _FILES or not path.is_file():
        raise ExpertsPageError("web.experts.run_missing", run=run[:40])
    response = FileResponse(path, media_type=_FILES[name], filename=f"riskeval-{run[:8]}-{name}")
    return security_headers(response)

