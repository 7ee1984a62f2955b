"""The measures of a ledger's matters with their status, owner, due date and days overdue, as of a date.

A matter's measures are those listed in its latest assessment or tracking record; a measure's
status is that of its latest ``measure`` record (:mod:`riskeval.gate.tracking`), ``planned`` when it
has none. Dates are calendar dates in ``tz`` (default UTC+08:00): a record counts on the day it
was stamped there, and only records stamped on or before ``as_of`` count.

Overdue
    A measure is overdue when its ``due`` is a date, ``as_of`` is after it and the measure is not
    ``done``; ``days_overdue`` is ``as_of - due`` in days. ``due`` may be a text that is not a date
    (``开工前``, ``长期``): such a measure is **never** overdue. Dates are read as ``2026-06-30``,
    ``2026/6/30``, ``2026.6.30`` or ``2026年6月30日``. A measure done after its due date is ``late``.

Examples
--------
>>> parse_due("2026年6月30日"), parse_due("开工前"), parse_due(None)
(datetime.date(2026, 6, 30), None, None)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..ledger import Ledger, LedgerRecord
from .audit import CHINA_TZ

__all__ = ["MeasureState", "local_date", "measure_statuses", "parse_due"]

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_due(text: str | None) -> date | None:
    """``text`` as a date, or ``None`` when it is not one (then the measure is never overdue)."""
    if not text:
        return None
    match = _DATE.match(str(text))
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def local_date(record: LedgerRecord, tz: tzinfo = CHINA_TZ) -> date:
    """The calendar day (in ``tz``) on which ``record`` was stamped."""
    return record.timestamp.astimezone(tz).date()


class MeasureState(BaseModel):
    """One measure of one matter as of a date."""

    model_config = ConfigDict(frozen=True)

    project_id: str
    project_name: str | None
    unit: str | None
    measure_id: str
    label: str
    owner: str | None
    partners: list[str]
    due: str | None
    due_date: date | None
    status: str
    status_seq: int | None
    """The seq of the measure record that set ``status`` (``None``: never reported, ``planned``)."""
    status_date: date | None
    done_on: date | None
    """The day it was first reported done (since it last was not), when ``status`` is ``done``."""
    overdue: bool
    days_overdue: int
    late: bool
    decided: bool
    """Whether a decision on the matter was recorded by ``as_of`` (implementation under way)."""


def _states(records: Iterable[LedgerRecord], as_of: date, tz: tzinfo) -> list[MeasureState]:
    listed: dict[str, LedgerRecord] = {}  # project id -> latest assessment/tracking record, first-seen order
    status: dict[tuple[str, str], tuple[str, int, date, date | None]] = {}
    decided: set[str] = set()
    for record in records:
        day = local_date(record, tz)
        if day > as_of:
            continue
        if record.kind == "decision":
            decided.add(record.project_id)
        elif record.kind in ("assessment", "tracking"):
            listed[record.project_id] = record
        elif record.kind == "measure":
            info: dict[str, Any] = json.loads(record.outcome or "{}")
            key = (record.project_id, str(info.get("measure_id")))
            new = str(info.get("status"))
            old = status.get(key)
            done_on = (old[3] if old is not None and old[0] == "done" else day) if new == "done" else None
            status[key] = (new, record.seq, day, done_on)
    out: list[MeasureState] = []
    for pid, record in listed.items():
        project = record.project
        for m in project.measures:
            state, seq, when, done_on = status.get((pid, m.id), ("planned", None, None, None))
            due_date = parse_due(m.due)
            overdue = due_date is not None and state != "done" and as_of > due_date
            out.append(
                MeasureState(
                    project_id=pid,
                    project_name=project.name,
                    unit=project.unit,
                    measure_id=m.id,
                    label=m.label,
                    owner=m.owner,
                    partners=list(m.partners),
                    due=m.due,
                    due_date=due_date,
                    status=state,
                    status_seq=seq,
                    status_date=when,
                    done_on=done_on,
                    overdue=overdue,
                    days_overdue=(as_of - due_date).days if overdue and due_date is not None else 0,
                    late=bool(done_on and due_date and done_on > due_date),
                    decided=pid in decided,
                )
            )
    return out


def measure_statuses(ledger: Ledger, as_of: date | None = None, *, tz: tzinfo = CHINA_TZ) -> list[MeasureState]:
    """Every measure of the ledger's matters with its status as of ``as_of`` (default: today in ``tz``).

    Parameters
    ----------
    ledger
        The ledger (read, not verified: verify it first when it matters).
    as_of
        The day to report on; records stamped after it are ignored.
    tz
        The zone of calendar days (default UTC+08:00).

    Returns
    -------
    list of MeasureState
        By matter (in the order first assessed), then in the order the matter lists them.

    Examples
    --------
    >>> import tempfile, os
    >>> from datetime import UTC
    >>> from riskeval import Measure, Project, load_ruleset
    >>> from riskeval.gate import Gate
    >>> rs = load_ruleset("jiangsu-db32-4013-2021")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> gate = Gate(rs, ledger=os.path.join(tmp.name, "l.sqlite"), clock=lambda: datetime(2026, 3, 1, tzinfo=UTC))
    >>> m = [Measure(id="M1", label="走访", owner="区政府", due="2026-02-20"), Measure(id="M2", label="公示", due="开工前")]
    >>> _ = gate.assess(Project(id="P-1", kind="project", facts=rs.tests[0].project["facts"], measures=m), actor="张三")
    >>> [(s.measure_id, s.status, s.overdue, s.days_overdue) for s in measure_statuses(gate.ledger, date(2026, 3, 10))]
    [('M1', 'planned', True, 18), ('M2', 'planned', False, 0)]
    >>> tmp.cleanup()
    """
    day = as_of if as_of is not None else datetime.now(tz).date()
    return _states(ledger.records(), day, tz)
