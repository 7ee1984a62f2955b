"""``/api/v1``: health, rule sets, ``assess`` and the gate (``gate/assess``, ``gate/require``, ``gate/decide``)."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends

from .. import __version__
from ..errors import jsonable
from ..gate import LedgerRecord
from ..model.assessment import Assessment
from ..pipeline import assess as run_assessment
from ..pipeline import project_from_data
from ..ruleset import Problem, RuleSetError, bundled_names, load_ruleset, validate_file
from ..ruleset.compiled import RuleSet
from .deps import ANY, ASSESSORS, DECIDERS, ERROR_RESPONSES, caller, service_state
from .models import (
    AssessRequest,
    DecideRequest,
    GateAssessRequest,
    GateAssessResponse,
    Health,
    RecordBrief,
    RequireResponse,
    RuleSetBrief,
    ValidateRequest,
    ValidateResponse,
    record_brief,
)
from .state import ServiceState, ledger_actor
from .tokens import Principal

__all__ = ["router", "ruleset_detail"]

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

State = Annotated[ServiceState, Depends(service_state)]
AnyCaller = Annotated[Principal, Depends(caller(*ANY))]
Assessor = Annotated[Principal, Depends(caller(*ASSESSORS))]
Decider = Annotated[Principal, Depends(caller(*DECIDERS))]

TEXT_FILE = "text"
"""How the ``file`` of a problem in a validated text is named."""


@router.get("/health", response_model=Health, responses={}, tags=["service"])
async def health(state: State) -> Health:
    """Status and version (no token needed)."""
    return Health(status="ok", version=__version__, rulesets=state.ruleset_ids())


def _brief(rs: RuleSet) -> RuleSetBrief:
    return RuleSetBrief(
        id=rs.id,
        version=rs.version,
        title=rs.title,
        effective=rs.effective,
        authority=rs.authority,
        content_hash=rs.content_hash,
        items=len(rs.items),
        triggers=len(rs.triggers),
    )


@router.get("/rulesets", response_model=list[RuleSetBrief], tags=["rulesets"])
async def rulesets(state: State, who: AnyCaller) -> list[RuleSetBrief]:
    """The rule sets this service assesses under."""
    return [_brief(state.ruleset(rid)) for rid in state.ruleset_ids()]


def ruleset_detail(rs: RuleSet) -> dict[str, Any]:
    """What a form needs: facts (labels, types, options), items, triggers, levels, dimensions, procedures."""

    def dump(value: Any) -> Any:
        if hasattr(value, "model_dump"):
            return value.model_dump(mode="json", exclude_none=True)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return jsonable(dataclasses.asdict(value))
        return jsonable(value)

    return {
        **_brief(rs).model_dump(),
        "description": rs.description,
        "sources": list(rs.sources),
        "regime": rs.regime,
        "decisions": rs.decisions,
        "scope": [text for text, _ in rs.scope] if rs.scope is not None else None,
        "facts": {name: dump(decl) for name, decl in rs.facts.items()},
        "required_facts": sorted(rs.required_facts),
        "dimensions": [dump(d) for d in rs.dimensions],
        "items": [dump(i) for i in rs.items],
        "triggers": [dump(t) for t in rs.triggers],
        "levels": jsonable(rs.level_bands),
        "procedures": [dump(p) for p in rs.procedures],
        "panel": dump(rs.panel) if rs.panel is not None else None,
        "lineage": jsonable(rs.lineage),
    }


@router.get("/rulesets/{ruleset_id}", response_model=dict[str, Any], tags=["rulesets"])
async def ruleset_show(ruleset_id: str, state: State, who: AnyCaller) -> dict[str, Any]:
    """One rule set: enough to build a form."""
    return ruleset_detail(state.ruleset(ruleset_id))


_EXTENDS_LINE = re.compile(r"^extends\s*:", re.MULTILINE)


def _validate_text(text: str) -> ValidateResponse:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None  # validate_file reports it with its position
    extends = data.get("extends") if isinstance(data, dict) else None
    if extends is not None and extends not in bundled_names():
        match = _EXTENDS_LINE.search(text)
        line = text.count("\n", 0, match.start()) + 1 if match else 1
        raise RuleSetError([Problem(TEXT_FILE, line, 1, "extends.missing", {"name": str(extends)})])
    with tempfile.TemporaryDirectory(prefix="riskeval-validate-") as tmp:
        path = Path(tmp) / "ruleset.yaml"
        path.write_text(text, encoding="utf-8")
        problems = [dataclasses.replace(p, file=TEXT_FILE) for p in validate_file(path)]
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise RuleSetError(errors)
        rs = load_ruleset(path)
    return ValidateResponse(
        ok=True,
        id=rs.id,
        version=rs.version,
        items=len(rs.items),
        triggers=len(rs.triggers),
        tests=len(rs.tests),
        warnings=[p.to_dict("zh") for p in problems],
    )


@router.post("/rulesets/validate", response_model=ValidateResponse, tags=["rulesets"])
async def ruleset_validate(body: ValidateRequest, state: State, who: AnyCaller) -> ValidateResponse:
    """Validate a rule file's text: 200 (with warnings) or 422 with every located problem."""
    return await state.call(_validate_text, body.text)


def _assess(rs: RuleSet, data: dict[str, Any]) -> dict[str, Any]:
    result: Assessment = run_assessment(project_from_data(data), rs)
    return result.model_dump(mode="json")


@router.post("/assess", response_model=dict[str, Any], tags=["assess"])
async def assess(body: AssessRequest, state: State, who: AnyCaller) -> dict[str, Any]:
    """The assessment of a project (nothing is recorded)."""
    rs = state.ruleset(body.ruleset)
    return await state.call(_assess, rs, body.project)


def _gate_assess(state: ServiceState, rs: RuleSet, data: dict[str, Any], actor: str) -> GateAssessResponse:
    gate = state.gate(rs)
    result = gate.assess(project_from_data(data), actor=actor)
    record = gate.last_record
    assert record is not None
    return GateAssessResponse(
        assessment=result.model_dump(mode="json"),
        seq=record.seq,
        record_hash=record.record_hash,
        head=record.record_hash,
        record=record_brief(record),
    )


@router.post("/gate/assess", response_model=GateAssessResponse, tags=["gate"])
async def gate_assess(body: GateAssessRequest, state: State, who: Assessor) -> GateAssessResponse:
    """Assess the project and record the assessment in the ledger (actor: the token's name)."""
    rs = state.ruleset(body.ruleset)
    actor = ledger_actor(who.name, body.on_behalf_of)
    return await state.call(_gate_assess, state, rs, body.project, actor)


def _require(state: ServiceState, rs: RuleSet, data: dict[str, Any], actor: str) -> LedgerRecord:
    return state.gate(rs).require(project_from_data(data), actor=actor)


@router.post("/gate/require", response_model=RequireResponse, tags=["gate"])
async def gate_require(body: GateAssessRequest, state: State, who: AnyCaller) -> RequireResponse:
    """200 with the valid assessment record, or 409 with the refusal (an out-of-scope project gets its record)."""
    rs = state.ruleset(body.ruleset)
    record = await state.call(_require, state, rs, body.project, ledger_actor(who.name, body.on_behalf_of))
    return RequireResponse(ok=True, record=record_brief(record))


def _decide(state: ServiceState, rs: RuleSet, data: dict[str, Any], outcome: str, actor: str) -> LedgerRecord:
    return state.gate(rs).record_decision(project_from_data(data), outcome, actor)


@router.post("/gate/decide", response_model=RecordBrief, tags=["gate"])
async def gate_decide(body: DecideRequest, state: State, who: Decider) -> RecordBrief:
    """Record the decision taken on the project; 409 when the gate refuses (nothing recorded)."""
    rs = state.ruleset(body.ruleset)
    actor = ledger_actor(who.name, body.on_behalf_of)
    record = await state.call(_decide, state, rs, body.project, body.outcome, actor)
    return record_brief(record)
