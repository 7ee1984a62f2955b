"""Every error of the service as ``application/problem+json`` (RFC 9457), built from ``RiskevalError.to_dict``.

The status comes from the error's class (:func:`status_for`); the body carries ``type``, ``title``,
``status``, ``detail`` (in the request's language), and riskeval's ``code``, ``message`` in zh and en,
``location`` and ``problems``. No response ever carries a traceback; unexpected errors are logged
with a reference that the response names.

Examples
--------
>>> from riskeval.gate import AssessmentRequired
>>> status_for(AssessmentRequired("P-1")), problem_code(AssessmentRequired("P-1"))
(409, 'assessment_required')
>>> body = problem_body(AssessmentRequired("P-1"), "en")
>>> body["status"], body["code"], body["title"], sorted(body["message"])
(409, 'assessment_required', 'Conflict', ['en', 'zh'])
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..check import ProjectError
from ..engine import EngineError
from ..errors import InputError, RiskevalError, jsonable
from ..gate import AssessmentIncomplete, AssessmentRequired, AssessmentStale, GateBlocked, GateError
from ..i18n import LANGS, normalize_lang
from ..ledger import LedgerBusy, LedgerError, LedgerTampered
from ..ruleset import RuleSetError
from .errors import ServiceError

__all__ = ["PROBLEM_JSON", "Problem", "ProblemDetail", "problem_body", "problem_code", "status_for", "unexpected"]

PROBLEM_JSON = "application/problem+json"

log = logging.getLogger("riskeval.service")

_GATE_CODES: tuple[tuple[type[GateError], str], ...] = (
    (AssessmentRequired, "assessment_required"),
    (AssessmentStale, "assessment_stale"),
    (AssessmentIncomplete, "assessment_incomplete"),
    (GateBlocked, "gate_blocked"),
)


class ProblemDetail(BaseModel):
    """One of several problems of an input (a rule-file line, a project field)."""

    model_config = ConfigDict(extra="allow")


class Problem(BaseModel):
    """An RFC 9457 problem document with riskeval's fields."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    key: str
    message: dict[str, str] = Field(description="the message in Chinese (zh) and English (en)")
    location: dict[str, Any] | None = None
    problems: list[ProblemDetail] | None = None


def problem_code(exc: RiskevalError) -> str:
    """The ``code`` of the problem: ``assessment_required``, ``gate_blocked``..., else the catalogue key."""
    for cls, code in _GATE_CODES:
        if isinstance(exc, cls):
            return code
    if isinstance(exc, LedgerError):
        return f"ledger_{exc.reason}"
    return exc.code


def status_for(exc: RiskevalError) -> int:
    """The HTTP status of ``exc``, by class."""
    if isinstance(exc, ServiceError):
        return exc.status
    if isinstance(exc, LedgerTampered):
        return 409
    if isinstance(exc, LedgerBusy | LedgerError):
        return 503
    if isinstance(exc, GateError):
        return 409
    if isinstance(exc, ProjectError | RuleSetError | EngineError):
        return 422
    if isinstance(exc, InputError):
        return 400
    return 422


def problem_body(exc: RiskevalError, lang: str | None = "zh", status: int | None = None) -> dict[str, Any]:
    """The problem document of ``exc`` (``detail`` in ``lang``)."""
    lang = normalize_lang(lang)
    status = status or status_for(exc)
    by_lang = {name: exc.to_dict(name) for name in LANGS}
    zh, en = by_lang["zh"], by_lang["en"]
    code = problem_code(exc)
    body: dict[str, Any] = {
        "type": f"urn:riskeval:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": exc.render(lang),
        "code": code,
        "key": exc.code,
        "message": {"zh": zh["message"], "en": en["message"]},
        "location": zh.get("location"),
    }
    chosen = by_lang[lang]
    if chosen.get("problems"):
        body["problems"] = jsonable(chosen["problems"])
    params = chosen.get("params")
    if params:
        body["params"] = params
    for extra in ("reason", "project_id", "seq"):
        if extra in chosen:
            body[extra] = chosen[extra]
    return body


def unexpected(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """A bug: log it with a reference; the response names the reference and nothing else."""
    from .errors import ServiceError as _Base

    ref = uuid.uuid4().hex[:12]
    log.error("internal error %s", ref, exc_info=exc)
    err = _Base("service.internal", ref=ref)
    return 500, problem_body(err, "zh", status=500)
