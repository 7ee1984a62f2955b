"""Is a ledger record a valid basis for a decision? Shared by :class:`~riskeval.gate.Gate` and the audit.

A record is valid when it is not stale (same canonical project, same rule set id, version and
content hash), and, for a project in scope, complete and not blocked. A low-risk ``ndrc_project``
with neither measures nor a contingency plan is incomplete (2492号: low risk is approvable only with
reliable control measures).

Examples
--------
>>> project_changes({"id": "P", "facts": {"a": 1}}, {"id": "P", "facts": {"a": 2}})
[('facts', {'names': 'a'})]
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..ledger import LedgerRecord
from ..ledger.records import canonical_json
from ..model.assessment import Assessment
from .errors import AssessmentIncomplete, AssessmentStale, GateBlocked, GateError

__all__ = ["RELIABLE_PLANS", "RuleSetKey", "lacks_control_measures", "outcome_problem", "project_changes", "record_problem", "ruleset_changes"]

RuleSetKey = tuple[str, str, str]
"""``(id, version, content_hash)`` of a rule set."""

_IDENTITY = ("name", "kind", "regime", "unit", "domains", "decision_level", "investment", "location", "id")


def _names(keys: list[str]) -> str:
    return ", ".join(keys)


def project_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """What changed between two canonical projects, as ``(code, params)`` pairs.

    Codes: ``facts`` (with the fact names), ``measures``, ``identity`` (field names), ``panel``
    (``panel`` / ``panel_record``), ``project`` (anything else).
    """
    changes: list[tuple[str, dict[str, Any]]] = []
    old_facts, new_facts = old.get("facts") or {}, new.get("facts") or {}
    facts = sorted(k for k in set(old_facts) | set(new_facts) if old_facts.get(k, ...) != new_facts.get(k, ...))
    if facts:
        changes.append(("facts", {"names": _names(facts)}))
    if old.get("measures") != new.get("measures"):
        changes.append(("measures", {}))
    identity = [k for k in _IDENTITY if old.get(k) != new.get(k)]
    if identity:
        changes.append(("identity", {"names": _names(identity)}))
    panel = [k for k in ("panel", "panel_record") if old.get(k) != new.get(k)]
    if panel:
        changes.append(("panel", {"names": _names(panel)}))
    known = {"facts", "measures", "panel", "panel_record", *_IDENTITY}
    if not changes and any(old.get(k) != new.get(k) for k in (set(old) | set(new)) - known):
        changes.append(("project", {}))
    return changes


def ruleset_changes(record: LedgerRecord, current: RuleSetKey) -> list[tuple[str, dict[str, Any]]]:
    """How the rule set ``current`` differs from the one ``record`` was assessed under."""
    rid, version, digest = current
    if record.ruleset_id != rid:
        old = f"{record.ruleset_id}@{record.ruleset_version}"
        return [("ruleset_id", {"old": old, "new": f"{rid}@{version}"})]
    changes: list[tuple[str, dict[str, Any]]] = []
    if record.ruleset_version != version:
        changes.append(("ruleset_version", {"rid": rid, "old": record.ruleset_version, "new": version}))
    if record.ruleset_hash != digest:
        params = {"rid": rid, "version": version, "old": record.ruleset_hash[:12], "new": digest[:12]}
        changes.append(("ruleset_content", params))
    return changes


RELIABLE_PLANS = ("detailed", "basic")
"""``contingency_plan`` values that count as a 风险防范化解预案 (详实 / 基本详实)."""


def lacks_control_measures(assessment: Assessment) -> bool:
    """A low-risk ``ndrc_project`` approvable under 2492号 only with reliable control measures, and it has none.

    发改投资〔2012〕2492号: "存在低风险但有可靠防控措施的，可以审批、核准". The assessment lists no
    measures and its ``contingency_plan`` (风险防范化解预案) is missing or 不完整.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> a = NS(in_scope=True, regime="ndrc_project", level="low", has_measures=False, facts={"contingency_plan": "incomplete"})
    >>> lacks_control_measures(a)
    True
    >>> lacks_control_measures(NS(**{**vars(a), "facts": {"contingency_plan": "basic"}}))
    False
    >>> lacks_control_measures(NS(**{**vars(a), "regime": "major_decision"}))
    False
    """
    if not assessment.in_scope or assessment.regime != "ndrc_project" or assessment.level != "low":
        return False
    if assessment.has_measures:
        return False
    return assessment.facts.get("contingency_plan") not in RELIABLE_PLANS


def outcome_problem(record: LedgerRecord, assessment: Assessment) -> GateError | None:
    """``AssessmentIncomplete`` or ``GateBlocked`` for an in-scope assessment, else ``None``."""
    pid = record.project_id
    if not assessment.in_scope:
        return None
    if assessment.incomplete:
        residual = assessment.residual
        procedures = [g.label for g in residual.missing_procedures] if residual else []
        items = list(residual.missing_panel_items) if residual else []
        reason = "procedures" if procedures else "panel"
        return AssessmentIncomplete(pid, reason, record=record, procedures=procedures, panel_items=items)
    if lacks_control_measures(assessment):
        return AssessmentIncomplete(pid, "control_measures", record=record, control_measures=True)
    params = {"level": assessment.level, "decision": assessment.decision, "regime": assessment.regime}
    if assessment.decision in ("reject", "postpone"):
        return GateBlocked(pid, str(assessment.decision), record=record, **params)
    if assessment.decision == "proceed_after_measures" and not assessment.has_measures:
        return GateBlocked(pid, "measures_missing", record=record, **params)
    return None


def record_problem(
    record: LedgerRecord,
    *,
    project: dict[str, Any] | None = None,
    ruleset: RuleSetKey | None = None,
) -> GateError | None:
    """Why ``record`` cannot support a decision now, or ``None`` when it can.

    Parameters
    ----------
    record
        An assessment record.
    project
        The canonical project as it stands now (``None``: do not compare).
    ruleset
        The rule set in force (``None``: do not compare).

    Returns
    -------
    GateError or None
        ``AssessmentStale`` first, then ``AssessmentIncomplete`` or ``GateBlocked``.
    """
    changes: list[tuple[str, dict[str, Any]]] = []
    if project is not None:
        changes += project_changes(record.project_data, project)
        blob = canonical_json(project)
        if not changes and hashlib.sha256(blob.encode("utf-8")).hexdigest() != record.project_hash:
            changes.append(("project", {}))
    if ruleset is not None:
        changes += ruleset_changes(record, ruleset)
    if changes:
        return AssessmentStale(record.project_id, changes, record=record)
    assessment = record.assessment
    if assessment is None:  # pragma: no cover - only assessment records are passed
        raise ValueError(f"record #{record.seq} is not an assessment")
    return outcome_problem(record, assessment)
