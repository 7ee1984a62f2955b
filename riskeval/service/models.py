"""Request and response bodies of the API (pydantic), and ledger records as the API shows them."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..gate import LedgerRecord
from .state import split_actor

__all__ = [
    "AssessRequest",
    "DecideRequest",
    "GateAssessRequest",
    "GateAssessResponse",
    "Health",
    "JobAccepted",
    "LedgerHead",
    "LedgerPage",
    "RecordBrief",
    "RecordFull",
    "RequireResponse",
    "RuleSetBrief",
    "ValidateRequest",
    "ValidateResponse",
    "VerifyResponse",
    "record_brief",
    "record_full",
]


def _text_problem(value: Any) -> str | None:
    """The first string in ``value`` that is not valid Unicode text (a lone surrogate), if any."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item.encode("utf-8", "backslashreplace").decode("ascii")[:80]
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _valid_text(cls, data: Any) -> Any:
        bad = _text_problem(data)
        if bad is not None:
            raise ValueError(f"text that is not valid Unicode (a lone surrogate): {bad}")
        return data


def _one_line(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value or any(ch in value for ch in "\r\n|"):
        raise ValueError("must be one non-empty line without '|'")
    return value


class AssessRequest(_Body):
    """``{"ruleset": ID, "project": {...}}``: the project in the project-file format."""

    ruleset: str = Field(min_length=1, max_length=200)
    project: dict[str, Any]


class GateAssessRequest(AssessRequest):
    """As :class:`AssessRequest`, plus whom the token's holder acts for (recorded beside its name)."""

    on_behalf_of: str | None = Field(default=None, max_length=200)

    @field_validator("on_behalf_of")
    @classmethod
    def _obo(cls, value: str | None) -> str | None:
        return _one_line(value)


class DecideRequest(GateAssessRequest):
    """The decision taken on the project (free text, e.g. ``批准实施``)."""

    outcome: str = Field(min_length=1, max_length=1000)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("outcome must not be blank")
        return value.strip()


class ValidateRequest(_Body):
    """A rule file's YAML text."""

    text: str


class Health(BaseModel):
    status: str
    version: str
    rulesets: list[str]


class RuleSetBrief(BaseModel):
    id: str
    version: str
    title: str
    effective: str | None = None
    authority: str | None = None
    content_hash: str
    items: int
    triggers: int


class ValidateResponse(BaseModel):
    ok: bool
    id: str
    version: str
    items: int
    triggers: int
    tests: int
    warnings: list[dict[str, Any]]


class RecordBrief(BaseModel):
    """A ledger record without its project and assessment texts."""

    seq: int
    kind: str
    project_id: str
    ruleset_id: str
    ruleset_version: str
    actor: str = Field(description="the recording token's name")
    on_behalf_of: str | None = None
    ts: str
    outcome: str | None = None
    ref_seq: int | None = None
    level: str | None = None
    decision: str | None = None
    in_scope: bool | None = None
    record_hash: str
    prev_hash: str


class RecordFull(RecordBrief):
    """A ledger record with every stored column (texts parsed)."""

    project_hash: str
    ruleset_hash: str
    ref_hash: str | None = None
    project: dict[str, Any]
    assessment: dict[str, Any] | None = None


class GateAssessResponse(BaseModel):
    assessment: dict[str, Any]
    seq: int
    record_hash: str
    head: str
    record: RecordBrief


class RequireResponse(BaseModel):
    ok: bool
    record: RecordBrief


class LedgerPage(BaseModel):
    offset: int
    limit: int
    total: int
    records: list[RecordBrief]


class LedgerHead(BaseModel):
    records: int
    head: str | None
    record: RecordBrief | None


class VerifyResponse(BaseModel):
    ok: bool
    records: int
    first_bad: int | None
    reason: str | None
    head: str | None
    root: str | None = None
    signed: bool = False
    key_id: str | None = None
    checkpoints: int = 0
    message: dict[str, str]


class JobAccepted(BaseModel):
    job: str


def _brief_fields(record: LedgerRecord) -> dict[str, Any]:
    name, on_behalf_of = split_actor(record.actor)
    out: dict[str, Any] = {
        "seq": record.seq,
        "kind": record.kind,
        "project_id": record.project_id,
        "ruleset_id": record.ruleset_id,
        "ruleset_version": record.ruleset_version,
        "actor": name,
        "on_behalf_of": on_behalf_of,
        "ts": record.ts,
        "outcome": record.outcome,
        "ref_seq": record.ref_seq,
        "record_hash": record.record_hash,
        "prev_hash": record.prev_hash,
    }
    if record.assessment_json:
        try:
            data = json.loads(record.assessment_json)
            out.update(level=data.get("level"), decision=data.get("decision"), in_scope=data.get("in_scope"))
        except ValueError:
            pass
    return out


def record_brief(record: LedgerRecord) -> RecordBrief:
    """The brief form of ``record``."""
    return RecordBrief.model_validate(_brief_fields(record))


def record_full(record: LedgerRecord) -> RecordFull:
    """Every column of ``record``, with ``project`` and ``assessment`` parsed."""
    try:
        project = json.loads(record.project_json)
    except ValueError:
        project = {"raw": record.project_json}
    assessment: Any = None
    if record.assessment_json:
        try:
            assessment = json.loads(record.assessment_json)
        except ValueError:
            assessment = {"raw": record.assessment_json}
    return RecordFull.model_validate(
        {
            **_brief_fields(record),
            "project_hash": record.project_hash,
            "ruleset_hash": record.ruleset_hash,
            "ref_hash": record.ref_hash,
            "project": project if isinstance(project, dict) else {"value": project},
            "assessment": assessment if isinstance(assessment, dict) or assessment is None else {"value": assessment},
        }
    )
