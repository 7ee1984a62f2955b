"""The ledger read once, per matter: what the audit needs of each record.

Record kinds (see :mod:`riskeval.ledger.records` and, for ``tracking`` and ``measure``, the tracking
module of :mod:`riskeval.gate`): ``assessment`` and ``tracking`` carry an assessment (level,
decision, scope) and the matter as assessed (unit, facts, measures with their due dates);
``tracking`` also an ``outcome`` JSON with ``escalated``; ``measure`` an ``outcome`` JSON with
``measure_id`` and ``status``. Days are calendar days in the audit's zone (UTC+08:00 by default).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from ..ledger import LedgerRecord

__all__ = ["MatterRecord", "Matters", "due_date"]


def due_date(value: Any) -> date | None:
    """A measure's due date when it is a calendar date (``2026-06-30``), else ``None`` (``开工前``).

    Examples
    --------
    >>> due_date("2026-06-30"), due_date("开工前"), due_date(None)
    (datetime.date(2026, 6, 30), None, None)
    """
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class MatterRecord:
    """What the audit uses of one ledger record."""

    seq: int
    kind: str
    moment: datetime
    day: date
    project: dict[str, Any]
    level: str | None = None
    in_scope: bool = True
    outcome: Any = None

    @property
    def assessed(self) -> bool:
        """An assessment or a tracking (re-assessment) record."""
        return self.kind in ("assessment", "tracking")

    @property
    def facts(self) -> dict[str, Any]:
        facts = self.project.get("facts")
        return facts if isinstance(facts, dict) else {}

    @property
    def measures(self) -> list[dict[str, Any]]:
        measures = self.project.get("measures")
        return [m for m in measures if isinstance(m, dict)] if isinstance(measures, list) else []

    @property
    def escalated(self) -> bool:
        return isinstance(self.outcome, dict) and self.outcome.get("escalated") is True


@dataclass
class Matters:
    """The records of each matter, in ledger order."""

    by_id: dict[str, list[MatterRecord]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def read(cls, records: Iterable[LedgerRecord], tz: tzinfo) -> Matters:
        out = cls()
        for r in records:
            moment = r.timestamp
            assessment = _json(r.assessment_json) if r.kind in ("assessment", "tracking") else None
            level = assessment.get("level") if isinstance(assessment, dict) else None
            in_scope = bool(assessment.get("in_scope", True)) if isinstance(assessment, dict) else True
            outcome = _json(r.outcome) if r.kind in ("tracking", "measure") else r.outcome
            project = _json(r.project_json)
            out.by_id[r.project_id].append(
                MatterRecord(
                    seq=r.seq, kind=r.kind, moment=moment, day=moment.astimezone(tz).date(),
                    project=project if isinstance(project, dict) else {}, level=level, in_scope=in_scope,
                    outcome=outcome,
                )
            )
        return out

    def of(self, project_id: str) -> list[MatterRecord]:
        return self.by_id.get(project_id, [])

    def basis(self, project_id: str, before: datetime) -> MatterRecord | None:
        """The latest assessment or tracking record before ``before``."""
        found = [r for r in self.of(project_id) if r.assessed and r.moment < before]
        return found[-1] if found else None

    def first_assessment(self, project_id: str, before: datetime) -> MatterRecord | None:
        """The matter's first assessment record before ``before``."""
        return next((r for r in self.of(project_id) if r.kind == "assessment" and r.moment < before), None)

    def latest(self, project_id: str, until: date) -> MatterRecord | None:
        """The latest assessment or tracking record on or before the day ``until``."""
        found = [r for r in self.of(project_id) if r.assessed and r.day <= until]
        return found[-1] if found else None

    def unit(self, project_id: str) -> str | None:
        """The unit recorded with the matter (its latest record naming one)."""
        for r in reversed(self.of(project_id)):
            unit = r.project.get("unit")
            if isinstance(unit, str) and unit.strip():
                return unit.strip()
        return None

    def name(self, project_id: str) -> str | None:
        for r in reversed(self.of(project_id)):
            name = r.project.get("name")
            if isinstance(name, str) and name.strip():
                return name.strip()
        return None

    def done_day(self, project_id: str, measure_id: str) -> tuple[date, int] | None:
        """The day (and record) the measure was first reported ``done``, or ``None``."""
        for r in self.of(project_id):
            if r.kind == "measure" and isinstance(r.outcome, dict):
                if r.outcome.get("measure_id") == measure_id and r.outcome.get("status") == "done":
                    return r.day, r.seq
        return None

    def trackings(self, project_id: str, after: datetime) -> list[MatterRecord]:
        """The tracking records after ``after``."""
        return [r for r in self.of(project_id) if r.kind == "tracking" and r.moment >= after]
