"""Searching the ledger for the 台账 page: filters over the records, newest first, a page at a time.

The records are read in order with :meth:`Ledger.records` (nothing is written); a record's unit and
name come from its stored project, its level and decision from its stored assessment.

Examples
--------
>>> f = LedgerFilter.from_query({"project": "地铁", "from": "2026-01-01", "level": "high", "page": "2"})
>>> f.project, f.date_from, f.level, f.page, f.date_to
('地铁', '2026-01-01', 'high', 2, '')
>>> g = LedgerFilter.from_query({"from": "yesterday", "level": "huge", "page": "-3"})
>>> g.date_from, g.level, g.page, f.query(page=3)["page"]
('', '', 1, '3')
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..i18n import t
from ..ledger import Ledger, LedgerRecord
from ..ledger.views import record_summary

__all__ = ["DECISIONS", "LEVELS", "PAGE_SIZE", "LedgerFilter", "LedgerRow", "search"]

PAGE_SIZE = 50
LEVELS = ("low", "medium", "high")
DECISIONS = ("proceed", "proceed_after_measures", "postpone", "reject")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class LedgerFilter:
    """What the user searches for (empty: any)."""

    project: str = ""
    unit: str = ""
    date_from: str = ""
    date_to: str = ""
    level: str = ""
    decision: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> LedgerFilter:
        """The filter of the page's query string (invalid values are ignored)."""

        def date(name: str) -> str:
            value = (query.get(name) or "").strip()
            return value if _DATE.match(value) else ""

        try:
            page = max(1, min(int(query.get("page") or 1), 10**9))
        except ValueError:
            page = 1
        level = query.get("level") or ""
        decision = query.get("decision") or ""
        return cls(
            project=(query.get("project") or "").strip()[:200],
            unit=(query.get("unit") or "").strip()[:200],
            date_from=date("from"),
            date_to=date("to"),
            level=level if level in LEVELS else "",
            decision=decision if decision in DECISIONS else "",
            page=page,
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The query string of this filter (with ``changes``), for links."""
        values = {
            "project": self.project,
            "unit": self.unit,
            "from": self.date_from,
            "to": self.date_to,
            "level": self.level,
            "decision": self.decision,
            "page": str(self.page),
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}


@dataclass(frozen=True)
class LedgerRow:
    """One line of the 台账 list."""

    seq: int
    ts: str
    kind: str
    project_id: str
    project_name: str
    unit: str
    ruleset: str
    level: str | None
    decision: str | None
    summary: str
    actor: str
    record_hash: str
    hash_ok: bool


def _loads(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _row(record: LedgerRecord, project: dict[str, Any], assessment: dict[str, Any], lang: str) -> LedgerRow:
    level = assessment.get("level") if assessment else None
    decision = assessment.get("decision") if assessment else None
    try:
        summary = record_summary(record, lang)  # the library's words for every kind of record
    except ValueError:  # a stored assessment that no longer reads: the verify button says why
        summary = "-"
    return LedgerRow(
        seq=record.seq,
        ts=record.ts.replace("T", " ")[:19],
        kind=t(f"ledger.view.kind.{record.kind}", lang),
        project_id=record.project_id,
        project_name=str(project.get("name") or ""),
        unit=str(project.get("unit") or ""),
        ruleset=f"{record.ruleset_id}@{record.ruleset_version}",
        level=level if level in LEVELS else None,
        decision=decision if decision in DECISIONS else None,
        summary=summary,
        actor=record.actor,
        record_hash=record.record_hash,
        hash_ok=record.matches(),
    )


def _keep(flt: LedgerFilter, record: LedgerRecord, project: dict[str, Any], assessment: dict[str, Any]) -> bool:
    if flt.project:
        needle = flt.project.lower()
        if needle not in record.project_id.lower() and needle not in str(project.get("name") or "").lower():
            return False
    if flt.unit and flt.unit.lower() not in str(project.get("unit") or "").lower():
        return False
    day = record.ts[:10]
    if flt.date_from and day < flt.date_from:
        return False
    if flt.date_to and day > flt.date_to:
        return False
    if flt.level and assessment.get("level") != flt.level:
        return False
    if flt.decision and assessment.get("decision") != flt.decision:
        return False
    return True


def search(ledger: Ledger, flt: LedgerFilter, lang: str = "zh", page_size: int = PAGE_SIZE) -> tuple[list[LedgerRow], int]:
    """The rows of page ``flt.page`` (newest first) and the number of matching records."""
    matches: list[tuple[LedgerRecord, dict[str, Any], dict[str, Any]]] = []
    for record in ledger.records():
        project = _loads(record.project_json)
        assessment = _loads(record.assessment_json)
        if _keep(flt, record, project, assessment):
            matches.append((record, project, assessment))
    matches.reverse()
    start = (flt.page - 1) * page_size
    rows = [_row(r, p, a, lang) for r, p, a in matches[start : start + page_size]]
    return rows, len(matches)
