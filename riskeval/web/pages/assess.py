"""评估 (/assess): choose a rule set, fill the form generated from its facts, add measures, assess, record.

Assessing needs any role (like ``POST /api/v1/assess``); recording in the ledger needs an assessor
or admin (like ``POST /api/v1/gate/assess``) and goes through the same library path (the gate).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...check import ProjectError
from ...errors import RiskevalError
from ...i18n import register_messages, t
from ...model.assessment import Assessment
from ...pipeline import assess as run_assessment
from ...pipeline import project_from_data
from ...ruleset.compiled import RuleSet
from ...service.deps import ANY, ASSESSORS, AUDITORS
from ...service.errors import RuleSetUnknown
from ...service.state import ServiceState
from ..core import Page, Viewer, form_viewer, is_htmx, render, service_state, viewer
from ..forms import ProjectForm, fact_fields, identity_fields, problem_field, read_project
from ..results import assessment_view

__all__ = ["PAGE", "router"]

register_messages(
    {
        "web.nav.assess": {"zh": "评估", "en": "Assess"},
        "web.assess.title": {"zh": "风险评估", "en": "Risk assessment"},
        "web.assess.ruleset": {"zh": "评估标准（规则集）", "en": "Rule set"},
        "web.assess.choose": {"zh": "选用", "en": "Use"},
        "web.assess.identity": {"zh": "评估事项", "en": "The matter"},
        "web.assess.facts": {"zh": "风险因素与事实", "en": "Risk factors and facts"},
        "web.assess.required_note": {"zh": "带 * 的为必填项；未填写的按规则集的默认值。", "en": "* marks required fields; empty fields take the rule set's defaults."},
        "web.assess.measures": {"zh": "防范化解措施", "en": "Measures"},
        "web.assess.measures_help": {
            "zh": "每项措施落实后改变哪些事实（例如满意度提高到 88%）；评估给出措施前后两个等级。",
            "en": "For each measure, the facts it changes once carried out (e.g. satisfaction up to 88%); "
            "the result gives the level before and after the measures.",
        },
        "web.assess.measure": {"zh": "措施", "en": "Measure"},
        "web.assess.measure_label": {"zh": "措施名称", "en": "Measure"},
        "web.assess.owner": {"zh": "责任主体", "en": "Responsible"},
        "web.assess.partners": {"zh": "协助单位", "en": "Assisting"},
        "web.assess.due": {"zh": "完成时限", "en": "Due"},
        "web.assess.changes": {"zh": "落实后改变的事实", "en": "Facts it changes"},
        "web.assess.change_fact": {"zh": "事项", "en": "Fact"},
        "web.assess.change_value": {"zh": "改变为", "en": "New value"},
        "web.assess.choose_fact": {"zh": "请选择", "en": "choose"},
        "web.assess.add_measure": {"zh": "添加措施", "en": "Add a measure"},
        "web.assess.add_change": {"zh": "添加改变的事实", "en": "Add a fact"},
        "web.assess.remove": {"zh": "删除", "en": "Remove"},
        "web.assess.run": {"zh": "评估", "en": "Assess"},
        "web.assess.record": {"zh": "评估并记入台账", "en": "Assess and record in the ledger"},
        "web.assess.working": {"zh": "正在评估…", "en": "assessing…"},
        "web.assess.fix": {"zh": "请先更正标出的问题", "en": "please correct the marked problems"},
        "web.assess.recorded": {
            "zh": "已记入台账：第 {seq} 号记录",
            "en": "Recorded in the ledger: record #{seq}",
        },
        "web.assess.record_hash": {"zh": "记录哈希", "en": "Record hash"},
        "web.assess.open_record": {"zh": "查看台账记录", "en": "open the ledger record"},
        "web.assess.not_recorded": {"zh": "未能记入台账", "en": "Not recorded"},
    }
)

PAGE = Page(name="assess", path="/assess", label="web.nav.assess", roles=ANY, order=20)

router = APIRouter(include_in_schema=False)

AnyViewer = Annotated[Viewer, Depends(viewer(*ANY))]
AnyPoster = Annotated[Viewer, Depends(form_viewer(*ANY))]
AssessorPoster = Annotated[Viewer, Depends(form_viewer(*ASSESSORS))]


def _choose(state: ServiceState, wanted: str | None) -> RuleSet:
    ids = state.ruleset_ids()
    return state.ruleset(wanted if wanted else ids[0])


def _key() -> str:
    return secrets.token_hex(4)


def _context(state: ServiceState, rs: RuleSet, who: Viewer, form: ProjectForm | None = None) -> dict[str, Any]:
    rulesets = [state.ruleset(rid) for rid in state.ruleset_ids()]
    facts = fact_fields(rs, who.lang)
    return {
        "rulesets": rulesets,
        "rs": rs,
        "identity": identity_fields(who.lang),
        "facts": facts,
        "fact_by_name": {f.name: f for f in facts},
        "values": form.values if form else {},
        "problems": form.problems if form else {},
        "measures": form.measures if form else [],
        "general": [],
        "result": None,
        "recorded": None,
        "record_error": None,
        "new_key": _key,
    }


@router.get("/assess")
async def assess_page(request: Request, who: AnyViewer, ruleset: str | None = None) -> Response:
    """The form for the chosen rule set (the first loaded one by default)."""
    state = service_state(request)
    try:
        rs = _choose(state, ruleset)
    except RuleSetUnknown as exc:
        return render(request, "error.html", {"message": exc.message(who.lang), "status": 404}, who=who, status=404)
    return render(request, "assess/page.html", _context(state, rs, who), who=who)


@router.get("/assess/measure")
async def measure_block(request: Request, who: AnyViewer, ruleset: str) -> Response:
    """A new, empty measure (htmx appends it to the measures)."""
    state = service_state(request)
    rs = state.ruleset(ruleset)
    context = _context(state, rs, who)
    context["measure"] = {"key": _key(), "changes": [{"key": _key()}]}
    return render(request, "assess/_measure.html", context, who=who)


@router.get("/assess/change")
async def change_row(request: Request, who: AnyViewer, ruleset: str, m: str) -> Response:
    """A new, empty "fact it changes" row of measure ``m``."""
    state = service_state(request)
    rs = state.ruleset(ruleset)
    context = _context(state, rs, who)
    context["measure"] = {"key": m[:32]}
    context["change"] = {"key": _key()}
    return render(request, "assess/_change.html", context, who=who)


@router.get("/assess/value")
async def change_value(request: Request, who: AnyViewer, ruleset: str, m: str, c: str) -> Response:
    """The value input for the fact chosen in a change row (a drop-down for options and yes/no)."""
    state = service_state(request)
    rs = state.ruleset(ruleset)
    context = _context(state, rs, who)
    context["measure"] = {"key": m[:32]}
    context["change"] = {"key": c[:32], "fact": request.query_params.get(f"m{m}:set{c}:fact", "")}
    return render(request, "assess/_value.html", context, who=who)


def _project_problems(exc: ProjectError, form: ProjectForm, rs: RuleSet, lang: str) -> list[str]:
    """Put each problem beside its input (a missing fact: "必填"); the others are listed above the result."""
    general = []
    for problem in exc.problems:
        name = problem_field(problem.field, rs.facts)
        if name and name not in form.problems:
            missing = problem.code.startswith("project.missing_fact")
            form.problems[name] = t("web.form.required", lang) if missing else problem.message(lang)
        else:
            general.append(problem.message(lang))
    return general


def _assess(rs: RuleSet, data: dict[str, Any]) -> Assessment:
    return run_assessment(project_from_data(data), rs)


def _record(state: ServiceState, rs: RuleSet, data: dict[str, Any], actor: str) -> tuple[Assessment, int, str]:
    gate = state.gate(rs)
    result = gate.assess(project_from_data(data), actor=actor)
    record = gate.last_record
    assert record is not None
    return result, record.seq, record.record_hash


async def _submit(request: Request, who: Viewer, record: bool) -> Response:
    state = service_state(request)
    raw = await request.form()
    rs = _choose(state, str(raw.get("ruleset") or ""))
    form = read_project(raw.multi_items(), rs, who.lang)
    context = _context(state, rs, who, form)
    if not form.problems:
        try:
            if record:
                result, seq, record_hash = await state.call(_record, state, rs, form.data, who.name)
                context["recorded"] = {"seq": seq, "hash": record_hash, "can_open": who.can(AUDITORS)}
            else:
                result = await state.call(_assess, rs, form.data)
            context["result"] = assessment_view(result, who.lang)
        except ProjectError as exc:
            context["general"] = _project_problems(exc, form, rs, who.lang)
        except RiskevalError as exc:  # a ledger that does not verify, a busy ledger: shown in place
            context["record_error"] = exc.render(who.lang)
    template = "assess/_workspace.html" if is_htmx(request) else "assess/page.html"
    return render(request, template, context, who=who)


@router.post("/assess")
async def assess_submit(request: Request, who: AnyPoster) -> Response:
    """Assess the form's project (nothing is recorded)."""
    return await _submit(request, who, record=False)


@router.post("/assess/record")
async def assess_record(request: Request, who: AssessorPoster) -> Response:
    """Assess the form's project and record it in the ledger (assessors and admins)."""
    return await _submit(request, who, record=True)

