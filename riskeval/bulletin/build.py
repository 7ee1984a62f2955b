"""Build the monthly bulletin from a ledger alone.

Definitions (calendar days in UTC+08:00; a record counts on the day it was stamped there)
    * **Records used**: those stamped on or before the month's last day; the bulletin names the last of
      them (``head_seq``, ``head_hash``), so the same ledger and month always give the same content, even
      after later records were appended.
    * **New assessments**: ``assessment`` records stamped in the month, one per matter (its last one in
      the month), by level (``out_of_scope`` when outside the scope), by kind, by unit and by location
      of the matter as assessed. Tracking records are not new assessments.
    * **Escalated**: ``tracking`` records of the month whose ``escalated`` is true, one per matter (its
      last one), each named with id and name.
    * **Awaiting a decision** (at the month's end): matters whose latest assessment or tracking record is
      an ``assessment`` record, in scope, high or medium, on which no decision rests (no ``decision``
      record names it in ``ref_seq``).
    * **Decisions**: ``decision`` records of the month, with the level of the record each rests on.
    * **Overdue measures**: :func:`riskeval.gate.measures.measure_statuses` as of the month's last day,
      of matters decided on by then (the measures of a matter not decided on are not under way).
    * **Trend**: the same counts for each of the 12 months ending with the month.
    * **Matters to watch**: escalated in the month, high risk awaiting a decision, or medium/high risk
      with a measure 30 or more days overdue; why, from the matter's latest assessment or tracking
      record (the triggers that fired, then the findings that weigh most, in the rule set's labels);
      at most 10: the escalated first, then by level (highest first) and number of grounds.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from ..errors import InputError
from ..gate.audit import CHINA_TZ
from ..gate.measures import local_date, measure_statuses
from ..gate.tracking import level_rank
from ..i18n import normalize_lang, register_messages
from ..ledger import Ledger, LedgerRecord
from ..model.assessment import Assessment
from ..model.explaining import finding_phrase, trigger_phrase
from .model import (
    LEVEL_KEYS,
    Bulletin,
    Count,
    DecisionTaken,
    EscalatedMatter,
    MatterAwaiting,
    OverdueMeasure,
    TrendPoint,
    WatchItem,
)

__all__ = ["MonthInvalid", "build_bulletin", "month_bounds"]

WATCH_LIMIT = 10
WATCH_OVERDUE_DAYS = 30
TREND_MONTHS = 12

register_messages(
    {
        "bulletin.bad_month": {
            "zh": "月份“{month}”无效，应写作 YYYY-MM，如 2026-11",
            "en": "invalid month '{month}': write it as YYYY-MM, e.g. 2026-11",
        },
    }
)


class MonthInvalid(InputError):
    """The month is not ``YYYY-MM`` (exit 2)."""

    code = "bulletin.bad_month"

    def __init__(self, month: str) -> None:
        super().__init__("bulletin.bad_month", month=month)


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of ``month`` (``YYYY-MM``).

    Examples
    --------
    >>> month_bounds("2026-02")
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    """
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", str(month).strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise MonthInvalid(str(month))
    year, mon = int(match.group(1)), int(match.group(2))
    first = date(year, mon, 1)
    following = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _months(first: date, count: int) -> list[tuple[str, date, date]]:
    out = []
    year, mon = first.year, first.month
    for _ in range(count):
        key = f"{year:04d}-{mon:02d}"
        out.append((key, *month_bounds(key)))
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return out[::-1]


def _level(assessment: Assessment | None) -> str:
    if assessment is None or not assessment.in_scope or assessment.level is None:
        return "out_of_scope"
    return str(assessment.level)


def _info(record: LedgerRecord) -> dict[str, Any]:
    try:
        data = json.loads(record.outcome or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _counts(values: list[str]) -> list[Count]:
    counter = Counter(values)
    return [Count(key=k, count=n) for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def reasons_for(assessment: Assessment | None, lang: str = "zh", limit: int = 3) -> list[str]:
    """Why a matter stands where it stands, in the rule set's labels: triggers fired, then weightiest findings."""
    if assessment is None or not assessment.in_scope or assessment.residual is None:
        return []
    ev = assessment.residual
    out = [trigger_phrase(hit, assessment.vocabulary, lang) for hit in ev.triggers]
    findings = sorted(ev.findings, key=lambda f: (-abs(f.contribution), f.label))
    out += [finding_phrase(f, assessment.vocabulary, lang) for f in findings]
    return out[:limit]


class _Month:
    """The per-month tallies of one pass over the records."""

    def __init__(self) -> None:
        self.assessed: dict[str, LedgerRecord] = {}
        self.escalated: dict[str, LedgerRecord] = {}
        self.decisions: list[LedgerRecord] = []


def build_bulletin(ledger: Ledger, month: str, *, lang: str = "zh", tz: tzinfo = CHINA_TZ, verify: bool = True) -> Bulletin:
    """The bulletin of ``month`` (``YYYY-MM``) from ``ledger``; see the module docstring for each figure.

    Parameters
    ----------
    ledger
        The ledger (read only).
    month
        ``YYYY-MM``.
    lang
        The language of the reasons of the matters to watch (the rest is rendered later).
    tz
        The zone of calendar days (default UTC+08:00).
    verify
        Verify the ledger first (default): a bulletin rests on a ledger that verifies.

    Raises
    ------
    MonthInvalid
        ``month`` is not ``YYYY-MM``.
    LedgerTampered, LedgerError
        The ledger fails verification or cannot be read.
    """
    lang = normalize_lang(lang)
    start, end = month_bounds(month)
    if verify:
        ledger.ensure_verified()
    limit = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    months = _months(start, TREND_MONTHS)
    tallies = {key: _Month() for key, _, _ in months}
    records: list[LedgerRecord] = []
    for record in ledger.records():
        if record.timestamp >= limit:
            continue
        records.append(record)
    by_seq = {r.seq: r for r in records}
    latest: dict[str, LedgerRecord] = {}  # matter -> latest assessment/tracking record
    decided_on: set[int] = set()
    for record in records:
        day = local_date(record, tz)
        key = f"{day.year:04d}-{day.month:02d}"
        tally = tallies.get(key)
        if record.kind in ("assessment", "tracking"):
            latest[record.project_id] = record
        if record.kind == "decision" and record.ref_seq is not None:
            decided_on.add(record.ref_seq)
        if tally is None:
            continue
        if record.kind == "assessment":
            tally.assessed[record.project_id] = record
        elif record.kind == "tracking" and _info(record).get("escalated"):
            tally.escalated[record.project_id] = record
        elif record.kind == "decision":
            tally.decisions.append(record)
    this = tallies[months[-1][0]]
    head = max(records, key=lambda r: r.seq) if records else None

    new = [(r, r.project, _level(r.assessment)) for r in sorted(this.assessed.values(), key=lambda r: r.seq)]
    levels = Counter(level for _, _, level in new)
    escalated = [
        EscalatedMatter(
            project_id=r.project_id,
            name=r.project.name,
            unit=r.project.unit,
            level=_info(r).get("level"),
            previous_level=_info(r).get("previous_level"),
            seq=r.seq,
            date=local_date(r, tz),
            decision_seq=r.ref_seq or 0,
            note=_info(r).get("note"),
        )
        for r in sorted(this.escalated.values(), key=lambda r: r.seq)
    ]
    awaiting = []
    for pid, r in latest.items():
        assessment = r.assessment
        level = _level(assessment)
        if r.kind != "assessment" or level not in ("high", "medium") or r.seq in decided_on:
            continue
        assessed = local_date(r, tz)
        awaiting.append(
            MatterAwaiting(
                project_id=pid,
                name=r.project.name,
                unit=r.project.unit,
                level=level,
                decision=assessment.decision if assessment else None,
                seq=r.seq,
                assessed=assessed,
                days_waiting=(end - assessed).days,
            )
        )
    awaiting.sort(key=lambda m: (-level_rank(m.level), m.assessed, m.project_id))
    decisions = []
    for r in this.decisions:
        basis = by_seq.get(r.ref_seq or 0)
        basis_level = _level(basis.assessment) if basis is not None else "out_of_scope"
        decisions.append(
            DecisionTaken(
                project_id=r.project_id,
                name=r.project.name,
                unit=r.project.unit,
                outcome=r.outcome or "",
                level=None if basis_level == "out_of_scope" else basis_level,
                seq=r.seq,
                basis_seq=r.ref_seq or 0,
                date=local_date(r, tz),
            )
        )
    overdue = [
        OverdueMeasure(
            project_id=s.project_id,
            name=s.project_name,
            measure_id=s.measure_id,
            label=s.label,
            owner=s.owner,
            due=s.due or "",
            status=s.status,
            days_overdue=s.days_overdue,
        )
        for s in measure_statuses(ledger, end, tz=tz)
        if s.overdue and s.decided
    ]
    overdue.sort(key=lambda m: (-m.days_overdue, m.project_id, m.measure_id))
    trend = [
        TrendPoint(
            month=key,
            escalated=len(tallies[key].escalated),
            decisions=len(tallies[key].decisions),
            **{lv: n for lv, n in Counter(_level(r.assessment) for r in tallies[key].assessed.values()).items()},
        )
        for key, _, _ in months
    ]
    watch = _watch(latest, escalated, awaiting, overdue, lang)
    return Bulletin(
        month=months[-1][0],
        start=start,
        end=end,
        lang=lang,
        ruleset=sorted({f"{r.ruleset_id}@{r.ruleset_version}" for r, _, _ in new}),
        head_seq=head.seq if head else 0,
        head_hash=head.record_hash if head else None,
        new_total=len(new),
        new_by_level=[Count(key=k, count=levels.get(k, 0)) for k in LEVEL_KEYS],
        new_by_kind=_counts([p.kind or "" for _, p, _ in new]),
        new_by_unit=_counts([p.unit or "" for _, p, _ in new]),
        new_by_location=_counts([p.location or "" for _, p, _ in new]),
        escalated=escalated,
        awaiting=awaiting,
        decisions=decisions,
        overdue=overdue,
        trend=trend,
        watch=watch,
    )


def _watch(
    latest: dict[str, LedgerRecord],
    escalated: list[EscalatedMatter],
    awaiting: list[MatterAwaiting],
    overdue: list[OverdueMeasure],
    lang: str,
) -> list[WatchItem]:
    grounds: dict[str, list[str]] = {}
    for e in escalated:
        grounds.setdefault(e.project_id, []).append("escalated")
    for a in awaiting:
        if a.level == "high":
            grounds.setdefault(a.project_id, []).append("awaiting")
    for m in overdue:
        record = latest.get(m.project_id)
        level = _level(record.assessment) if record is not None else "out_of_scope"
        if m.days_overdue >= WATCH_OVERDUE_DAYS and level in ("high", "medium"):
            found = grounds.setdefault(m.project_id, [])
            if "overdue" not in found:
                found.append("overdue")
    items = []
    for pid, why in grounds.items():
        record = latest[pid]
        assessment = record.assessment
        level = _level(assessment)
        items.append(
            WatchItem(
                project_id=pid,
                name=record.project.name,
                unit=record.project.unit,
                level=None if level == "out_of_scope" else level,
                grounds=why,
                reasons=reasons_for(assessment, lang),
                seq=record.seq,
            )
        )
    items.sort(key=lambda w: ("escalated" not in w.grounds, -level_rank(w.level), -len(w.grounds), w.project_id))
    return items[:WATCH_LIMIT]
