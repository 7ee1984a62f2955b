"""Tracking (跟踪评估) and measure-status records: what :meth:`Gate.track` and :meth:`Gate.update_measure` write.

Two record kinds join ``assessment`` and ``decision`` in the ledger (same table, same hashing,
chain and checkpoints; see :mod:`riskeval.ledger.records`). Their formats are stable.

``tracking`` (a re-assessment during implementation, 决策实施跟踪)
    ==================================  ===================================================================
    column                              content
    ==================================  ===================================================================
    ``kind``                            ``"tracking"``
    ``project_id``                      the matter's id (the same id as its assessment and decision)
    ``project_json``, ``project_hash``  the canonical matter as observed during implementation (new facts:
                                        petitions, opposition, incidents, progress) and its sha256
    ``ruleset_id/_version/_hash``       the rule set it was re-assessed under
    ``assessment_json``                 the full :class:`~riskeval.Assessment` (as in an assessment record)
    ``outcome``                         canonical JSON, see below
    ``ref_seq``, ``ref_hash``           the matter's last **decision** record at the time of tracking
    ``actor``, ``ts``                   who tracked, when (UTC)
    ==================================  ===================================================================

    ``outcome`` is canonical JSON (sorted keys, no spaces)::

        {"escalated": true, "level": "high", "note": "..." | null,
         "previous_level": "medium", "previous_seq": 12}

    ``level`` is the tracked (residual) level (``null`` out of scope); ``previous_level`` and
    ``previous_seq`` are the level and seq of the assessment (or earlier tracking) record the
    decision rested on; ``escalated`` is true when ``level`` ranks above ``previous_level``
    (low < medium < high; out of scope ranks lowest).

    A tracking record is a re-assessment: :meth:`Ledger.last_assessment
    <riskeval.ledger.Ledger.last_assessment>` returns it, so :meth:`Gate.require` and the audit answer
    on the tracked assessment from then on, and a later decision may rest on it (``ref_seq``).

``measure`` (a measure's status, 措施落实情况)
    ==================================  ===================================================================
    column                              content
    ==================================  ===================================================================
    ``kind``                            ``"measure"``
    ``project_id``, ``project_json``,   copied from the record the measure is listed in: the matter's
    ``project_hash``, ``ruleset_*``     latest assessment or tracking record at the time of the update
    ``assessment_json``                 ``NULL``
    ``outcome``                         canonical JSON, see below
    ``ref_seq``, ``ref_hash``           that assessment or tracking record
    ``actor``, ``ts``                   who reported the status, when (UTC)
    ==================================  ===================================================================

    ``outcome``::

        {"due": "2026-06-30" | "开工前" | null, "label": "...", "measure_id": "M1",
         "note": "..." | null, "owner": "..." | null, "status": "planned" | "in_progress" | "done"}

    ``label``, ``owner`` and ``due`` are copied from the measure as listed (for readers of the
    record alone). A measure without any ``measure`` record is ``planned``.

Tracking a matter that has no decision yet is refused (:class:`NotDecided`): before a decision
the matter is simply assessed again with :meth:`Gate.assess`.

Examples
--------
>>> tracking_outcome(escalated=True, level="high", previous_level="medium", previous_seq=3, note=None)
'{"escalated":true,"level":"high","note":null,"previous_level":"medium","previous_seq":3}'
>>> level_rank("high") > level_rank("medium") > level_rank(None)
True
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar, Literal, cast, get_args

from ..errors import EXIT_USAGE
from ..i18n import register_messages, t
from ..ledger import Ledger, LedgerRecord, LedgerTampered
from ..ledger.records import canonical_json
from ..model.assessment import Assessment
from ..model.project import Project
from ..model.rulefile import LEVEL_ORDER
from .errors import GateBlocked, GateError

__all__ = [
    "MEASURE_STATUSES",
    "MeasureStatusInvalid",
    "MeasureStatus",
    "NotDecided",
    "TrackingBlocked",
    "UnknownMatter",
    "UnknownMeasure",
    "append_measure",
    "append_tracking",
    "last_of",
    "level_rank",
    "measure_outcome",
    "tracked_problem",
    "tracking_info",
    "tracking_outcome",
]

MeasureStatus = Literal["planned", "in_progress", "done"]
MEASURE_STATUSES: tuple[str, ...] = get_args(MeasureStatus)

register_messages(
    {
        "gate.tracking.not_decided": {
            "zh": "项目 {id} 在台账中尚无决策记录：跟踪评估用于决策实施期间；决策前请重新评估（gate assess）。",
            "en": "project {id} has no decision in the ledger: tracking is for the implementation of a decision; "
            "before one, assess the matter again (gate assess).",
        },
        "gate.tracking.unknown_matter": {
            "zh": "台账中没有项目 {id} 的评估记录。",
            "en": "the ledger holds no assessment of project {id}.",
        },
        "gate.tracking.unknown_measure": {
            "zh": "项目 {id} 的评估（台账第 {seq} 号记录）中没有编号为 {measure} 的措施；已列措施：{known}。",
            "en": "the assessment of project {id} (ledger record #{seq}) lists no measure {measure}; its measures: {known}.",
        },
        "gate.tracking.no_measures": {"zh": "（无）", "en": "(none)"},
        "gate.tracking.bad_status": {
            "zh": "措施状态“{status}”无效，应为 planned（计划）、in_progress（落实中）或 done（已完成）。",
            "en": "measure status '{status}' is invalid: use planned, in_progress or done.",
        },
        "gate.tracked.reject": {
            "zh": "项目 {id} 实施中跟踪评估为{level}（台账第 {seq} 号跟踪评估记录；决策时为{previous}）：按{regime}，"
            "决策为“{decision}”，后续决策不得作出。",
            "en": "project {id} was tracked during implementation as {level} (tracking record #{seq}; {previous} at "
            "the decision): under the {regime} the decision is '{decision}', so no further decision may be taken.",
        },
        "gate.tracked.postpone": {
            "zh": "项目 {id} 实施中跟踪评估为{level}（台账第 {seq} 号跟踪评估记录；决策时为{previous}），决策为“{decision}”："
            "后续决策暂不得作出。",
            "en": "project {id} was tracked during implementation as {level} (tracking record #{seq}; {previous} at "
            "the decision); the decision is '{decision}': no further decision for now.",
        },
        "gate.tracked.measures_missing": {
            "zh": "项目 {id} 实施中跟踪评估为{level}（台账第 {seq} 号跟踪评估记录；决策时为{previous}），须落实防范化解措施，"
            "但未列出任何措施。",
            "en": "project {id} was tracked during implementation as {level} (tracking record #{seq}; {previous} at "
            "the decision) and needs risk-mitigation measures, but lists none.",
        },
        "gate.tracked.none": {"zh": "不属于须评估事项", "en": "out of scope"},
    }
)


def level_rank(level: str | None) -> int:
    """The rank of a level (low 0, medium 1, high 2); ``None`` (out of scope) is -1."""
    return LEVEL_ORDER.get(level, -1) if level is not None else -1


class NotDecided(GateError):
    """Tracking refused: the ledger holds no decision on the matter (``reason``: ``not_decided``)."""

    prefix = "gate.tracking"

    def __init__(self, project_id: str) -> None:
        super().__init__(project_id, "not_decided")


class UnknownMatter(GateError):
    """No assessment or tracking record of the matter (``reason``: ``unknown_matter``; exit 2)."""

    prefix = "gate.tracking"
    exit_code: ClassVar[int] = EXIT_USAGE

    def __init__(self, project_id: str) -> None:
        super().__init__(project_id, "unknown_matter")


class UnknownMeasure(GateError):
    """The matter's latest assessment lists no measure with that id (``reason``: ``unknown_measure``; exit 2).

    ``params``: ``measure`` (the id asked for) and ``known`` (the ids listed).
    """

    prefix = "gate.tracking"
    exit_code: ClassVar[int] = EXIT_USAGE

    def __init__(self, project_id: str, measure_id: str, record: LedgerRecord, known: list[str]) -> None:
        super().__init__(project_id, "unknown_measure", record=record, measure=measure_id, known=known)

    def render_params(self, lang: str) -> dict[str, Any]:
        params = super().render_params(lang)
        known = self.params.get("known") or []
        params["known"] = t("punct.enum", lang).join(known) if known else t("gate.tracking.no_measures", lang)
        return params


class MeasureStatusInvalid(GateError):
    """A status other than ``planned``, ``in_progress``, ``done`` (``reason``: ``bad_status``; exit 2)."""

    prefix = "gate.tracking"
    exit_code: ClassVar[int] = EXIT_USAGE

    def __init__(self, project_id: str, status: str) -> None:
        super().__init__(project_id, "bad_status", status=status)


class TrackingBlocked(GateBlocked):
    """:class:`GateBlocked` on a tracked assessment: the message names the tracking record and the level at
    the decision (``params['previous']``)."""

    prefix = "gate.tracked"

    def render_params(self, lang: str) -> dict[str, Any]:
        params = super().render_params(lang)
        previous = self.params.get("previous")
        params["previous"] = t(f"level.{previous}", lang) if previous else t("gate.tracked.none", lang)
        return params


def tracking_info(record: LedgerRecord) -> dict[str, Any]:
    """The parsed ``outcome`` of a tracking record (``escalated``, ``level``, ``previous_level``, ...)."""
    data: dict[str, Any] = json.loads(record.outcome or "{}")
    return data


def tracked_problem(problem: GateError, record: LedgerRecord) -> GateError:
    """``problem`` as a :class:`TrackingBlocked` when ``record`` is a tracking record that blocks."""
    if record.kind != "tracking" or not isinstance(problem, GateBlocked) or isinstance(problem, TrackingBlocked):
        return problem
    previous = tracking_info(record).get("previous_level")
    return TrackingBlocked(problem.project_id, problem.reason, record=record, previous=previous, **problem.params)


def tracking_outcome(*, escalated: bool, level: str | None, previous_level: str | None, previous_seq: int, note: str | None) -> str:
    """The ``outcome`` text of a tracking record."""
    data = {"escalated": escalated, "level": level, "previous_level": previous_level, "previous_seq": previous_seq, "note": note}
    return canonical_json(data)


def measure_outcome(measure: Any, status: str, note: str | None) -> str:
    """The ``outcome`` text of a measure record (``measure`` a :class:`~riskeval.model.project.Measure`)."""
    data = {"measure_id": measure.id, "label": measure.label, "owner": measure.owner, "due": measure.due, "status": status, "note": note}
    return canonical_json(data)


def last_of(ledger: Ledger, project_id: str, kinds: tuple[str, ...]) -> LedgerRecord | None:
    """The latest record of ``project_id`` whose kind is in ``kinds`` (not verified)."""
    found: LedgerRecord | None = None
    for record in ledger.records(project_id=project_id):
        if record.kind in kinds:
            found = record
    return found


def _trusted(ledger: Ledger, record: LedgerRecord) -> LedgerRecord:
    if not ledger.check(record):
        raise LedgerTampered("record_tampered", record=record, path=str(ledger.path))
    detail = record.inconsistency()
    if detail is not None:
        raise LedgerTampered("record_inconsistent", record=record, path=str(ledger.path), detail=detail)
    return record


def append_tracking(ledger: Ledger, project: Project, result: Assessment, actor: str, note: str | None) -> LedgerRecord:
    """Append the tracking record of ``project`` re-assessed as ``result``; see the module docstring.

    Raises
    ------
    NotDecided
        The ledger holds no decision on the matter.
    LedgerTampered
        The decision record, or the record it rests on, fails verification.
    """
    ledger.ensure_verified()
    decision = last_of(ledger, project.id, ("decision",))
    if decision is None:
        raise NotDecided(project.id)
    _trusted(ledger, decision)
    basis = ledger.get(decision.ref_seq) if decision.ref_seq is not None else None
    if basis is None or basis.record_hash != decision.ref_hash or basis.assessment is None:
        raise LedgerTampered("record_inconsistent", record=decision, path=str(ledger.path), detail="ref_hash")
    previous = _trusted(ledger, basis).assessment
    assert previous is not None
    previous_level = previous.level if previous.in_scope else None
    level = result.level if result.in_scope else None
    outcome = tracking_outcome(
        escalated=level_rank(level) > level_rank(previous_level),
        level=level,
        previous_level=previous_level,
        previous_seq=basis.seq,
        note=note,
    )
    project_json = canonical_json(project.model_dump(mode="json"))
    digest = hashlib.sha256(project_json.encode("utf-8")).hexdigest()
    if digest != result.project_hash or project.id != result.project_id:
        raise ValueError(f"the assessment is not of project {project.id!r} as given")
    return ledger._append(
        {
            "kind": "tracking",
            "project_id": project.id,
            "project_json": project_json,
            "project_hash": digest,
            "ruleset_id": result.ruleset.id,
            "ruleset_version": result.ruleset.version,
            "ruleset_hash": result.ruleset.hash,
            "assessment_json": result.to_json(indent=None),
            "outcome": outcome,
            "ref_seq": decision.seq,
            "ref_hash": decision.record_hash,
            "actor": actor,
        }
    )


def append_measure(ledger: Ledger, project_id: str, measure_id: str, status: str, actor: str, note: str | None) -> LedgerRecord:
    """Append a measure-status record; see the module docstring.

    Raises
    ------
    MeasureStatusInvalid, UnknownMatter, UnknownMeasure
        As their names say (nothing is recorded).
    LedgerTampered
        The record listing the measure fails verification.
    """
    if status not in MEASURE_STATUSES:
        raise MeasureStatusInvalid(project_id, str(status))
    ledger.ensure_verified()
    basis = ledger.last_assessment(project_id)
    if basis is None:
        raise UnknownMatter(project_id)
    _trusted(ledger, basis)
    measures = basis.project.measures
    measure = next((m for m in measures if m.id == measure_id), None)
    if measure is None:
        raise UnknownMeasure(project_id, measure_id, basis, [m.id for m in measures])
    return ledger._append(
        {
            "kind": "measure",
            "project_id": project_id,
            "project_json": basis.project_json,
            "project_hash": basis.project_hash,
            "ruleset_id": basis.ruleset_id,
            "ruleset_version": basis.ruleset_version,
            "ruleset_hash": basis.ruleset_hash,
            "outcome": measure_outcome(measure, cast(str, status), note),
            "ref_seq": basis.seq,
            "ref_hash": basis.record_hash,
            "actor": actor,
        }
    )
