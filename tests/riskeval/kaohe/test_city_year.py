"""考核 on the example year (examples/make_city_year.py), checked against figures computed here from the raw
ledger file (sqlite3 + json) and decisions.csv, without riskeval's readers or the audit code."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from riskeval.kaohe import load_scheme, score_units

from ...city_year import city_year

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "kaohe-scheme.yaml"
CST = timezone(timedelta(hours=8))
START, END = date(2026, 1, 1), date(2026, 12, 31)
REFUSE = ("不予", "不同意", "不批准", "暂缓", "暂不", "否决", "驳回", "终止", "reject", "postpone")


def _local(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(CST)


def _independent(ledger: Path, decisions: Path) -> dict[str, dict[str, list[int]]]:
    """``{unit: {indicator: [items, failures]}}`` under the example scheme, computed from the raw files."""
    conn = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    rows = conn.execute("SELECT seq, kind, project_id, project_json, assessment_json, outcome, ts FROM records ORDER BY seq")
    recs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for seq, kind, pid, pj, aj, outcome, ts in rows:
        a = json.loads(aj) if aj else {}
        recs[pid].append({
            "seq": seq, "kind": kind, "at": _local(ts), "project": json.loads(pj), "a": a,
            "out": json.loads(outcome) if kind in ("tracking", "measure") else outcome,
        })  # fmt: skip
    conn.close()
    with open(decisions, encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))

    def count(unit: str, ind: str, failed: bool) -> None:
        counts[unit][ind][0] += 1
        counts[unit][ind][1] += int(failed)

    def basis(pid: str, day: date) -> dict[str, Any] | None:
        cut = datetime.combine(day + timedelta(days=1), datetime.min.time(), CST)
        found = [r for r in recs[pid] if r["kind"] in ("assessment", "tracking") and r["at"] < cut]
        return found[-1] if found else None

    approved: dict[str, tuple[date, str]] = {}
    for row in sorted(table, key=lambda r: r["date"]):
        day, unit, pid = date.fromisoformat(row["date"]), row["unit"], row["project_id"]
        goes_ahead = not any(w in row["outcome"] for w in REFUSE)
        if day <= END and goes_ahead and pid not in approved:
            approved[pid] = (day, unit)
        if not START <= day <= END:
            continue
        b = basis(pid, day)
        if b is not None and not b["a"]["in_scope"]:
            continue
        bad = (
            b is None
            or b["a"]["incomplete"]
            or (b["a"]["decision"] in ("reject", "postpone") and goes_ahead)
            or (b["a"]["decision"] == "proceed_after_measures" and not b["a"]["has_measures"])
        )
        count(unit, "coverage", bad)
        if not bad:
            first = next(r for r in recs[pid] if r["kind"] == "assessment" and r["at"].date() <= day)
            count(unit, "timeliness", (day - first["at"].date()).days < 10)
    for pid, (day, unit) in approved.items():
        b = basis(pid, day)
        latest = [r for r in recs[pid] if r["kind"] in ("assessment", "tracking") and r["at"].date() <= END]
        for m in latest[-1]["project"]["measures"] if latest else []:
            due = m.get("due") or ""
            if not due[:1].isdigit() or not START <= date.fromisoformat(due) <= END:
                continue
            done = [r["at"].date() for r in recs[pid] if r["kind"] == "measure" and r["out"]["measure_id"] == m["id"]
                    and r["out"]["status"] == "done"]  # fmt: skip
            count(unit, "measures", not done or done[0] > date.fromisoformat(due))
        tracked = sorted({r["at"].date() for r in recs[pid] if r["kind"] == "tracking" and r["at"].date() > day})
        if b is not None and b["a"]["level"] in ("high", "medium"):
            last = day
            while last + timedelta(days=90) <= END:
                due_day = last + timedelta(days=90)
                within = [d for d in tracked if last < d <= due_day]
                if due_day >= START:
                    count(unit, "tracking", not within)
                last = within[-1] if within else due_day
        before = b["project"]["facts"] if b is not None else {}
        incident = False
        for r in recs[pid]:
            if r["kind"] != "tracking" or not (day < r["at"].date() and START <= r["at"].date() <= END):
                continue
            facts = r["project"]["facts"]
            new = [k for k in ("prior_mass_incident", "possible_violent_case") if facts.get(k) is True and before.get(k) is not True]
            incident = incident or r["out"]["escalated"] is True or bool(new)
        count(unit, "incidents", incident)
    return {u: {k: list(v) for k, v in inds.items()} for u, inds in counts.items()}


@pytest.fixture(scope="module")
def year() -> Any:
    return city_year()


def test_the_example_year_against_independent_figures(year: Any) -> None:
    scheme = load_scheme(EXAMPLE)
    result = score_units(year.ledger, year.decisions_csv, scheme, "2026")
    expected = _independent(year.ledger, year.decisions_csv)
    assert len(result.units) == len(expected) == 27
    weights = {n: ind.weight for n, ind in scheme.indicators.items()}
    totals = {}
    for unit, inds in expected.items():
        got = result.unit(unit)
        for name in weights:
            items, failures = inds.get(name, [0, 0])
            assert (got.indicators[name].applicable, got.indicators[name].failures) == (items, failures), (unit, name)
        total = 0.0
        for name, w in weights.items():
            items, failures = inds.get(name, [0, 0])
            if items == 0:
                total += w
            elif name == "incidents":
                total += max(0.0, w - 5 * failures)
            else:
                total += w * (1 - failures / items)
        totals[unit] = total
        assert got.total == pytest.approx(total)
    order = sorted(totals, key=lambda u: (-round(totals[u], 6), u))
    assert [u.unit for u in result.units] == order
    # the year's features all show: decisions without an assessment, late measures, missed tracking, escalations
    flat = {name: sum(inds.get(name, [0, 0])[1] for inds in expected.values()) for name in weights}
    assert all(flat[name] > 0 for name in weights), flat
    no_assessment = {d.project_id for d in result.deductions if d.indicator == "coverage"}
    assert set(year.decisions_without_assessment) <= no_assessment
    incidents = {d.project_id for d in result.deductions if d.indicator == "incidents"}
    assert set(year.escalated) <= incidents  # every escalation of the year is an incident on a decided matter
    assert len(result.deductions) == sum(flat.values())
