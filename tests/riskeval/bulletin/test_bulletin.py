"""The bulletin on the example year, checked against figures computed here from the raw ledger rows."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from riskeval.bulletin import MonthInvalid, build_bulletin, month_bounds
from riskeval.bulletin.render import render_html, sections, write_bulletin
from riskeval.errors import InputError
from riskeval.gate import Gate
from riskeval.ledger import Ledger

from ...city_year import city_year

CHINA = timezone(timedelta(hours=8))
MONTHS = ["2026-11", "2026-06"]


def _day(ts: str) -> date:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(CHINA).date()


def _level(assessment_json: str | None) -> str:
    data = json.loads(assessment_json or "{}")
    return data.get("level") if data.get("in_scope") and data.get("level") else "out_of_scope"


class Raw:
    """The ledger's rows up to a day, read with sqlite3 and json only."""

    def __init__(self, path, end: date) -> None:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        cols = "seq, kind, project_id, project_json, assessment_json, outcome, ref_seq, ts, record_hash"
        rows = conn.execute(f"SELECT {cols} FROM records ORDER BY seq").fetchall()
        conn.close()
        keys = cols.split(", ")
        self.rows = [dict(zip(keys, r, strict=True)) for r in rows if _day(r[7]) <= end]
        for r in self.rows:
            r["day"] = _day(r["ts"])
            r["project"] = json.loads(r["project_json"])
            r["info"] = json.loads(r["outcome"]) if r["kind"] in ("tracking", "measure") else {}

    def in_month(self, first: date, last: date, kind: str) -> list[dict]:
        return [r for r in self.rows if r["kind"] == kind and first <= r["day"] <= last]

    def latest(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for r in self.rows:
            if r["kind"] in ("assessment", "tracking"):
                out[r["project_id"]] = r
        return out


def _new(raw: Raw, first: date, last: date) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for r in raw.in_month(first, last, "assessment"):
        out[r["project_id"]] = r
    return out


def _escalated(raw: Raw, first: date, last: date) -> dict[str, dict]:
    return {r["project_id"]: r for r in raw.in_month(first, last, "tracking") if r["info"]["escalated"]}


@pytest.fixture(scope="module")
def year():
    return city_year()


@pytest.fixture(scope="module")
def ledger(year):
    return Ledger(year.ledger, read_only=True, public_key=year.public_key)


@pytest.mark.parametrize("month", MONTHS)
def test_figures_match_the_raw_rows(year, ledger, month):
    first, last = month_bounds(month)
    b = build_bulletin(ledger, month)
    raw = Raw(year.ledger, last)
    assert b.head_seq == raw.rows[-1]["seq"] and b.head_hash == raw.rows[-1]["record_hash"]
    new = _new(raw, first, last)
    assert b.new_total == len(new) > 0
    levels = Counter(_level(r["assessment_json"]) for r in new.values())
    assert {c.key: c.count for c in b.new_by_level} == {k: levels.get(k, 0) for k in ("high", "medium", "low", "out_of_scope")}
    for field, counts in (("kind", b.new_by_kind), ("unit", b.new_by_unit), ("location", b.new_by_location)):
        assert {c.key: c.count for c in counts} == Counter(r["project"].get(field) or "" for r in new.values())
    escalated = _escalated(raw, first, last)
    assert [(e.project_id, e.name) for e in b.escalated] == [
        (pid, r["project"].get("name")) for pid, r in sorted(escalated.items(), key=lambda kv: kv[1]["seq"])
    ]
    decided_on = {r["ref_seq"] for r in raw.rows if r["kind"] == "decision"}
    awaiting = {
        pid
        for pid, r in raw.latest().items()
        if r["kind"] == "assessment" and _level(r["assessment_json"]) in ("high", "medium") and r["seq"] not in decided_on
    }
    assert {m.project_id for m in b.awaiting} == awaiting and awaiting
    decisions = raw.in_month(first, last, "decision")
    assert [d.seq for d in b.decisions] == [r["seq"] for r in decisions] and decisions
    # overdue measures of decided matters, as of the month's last day
    decided = {r["project_id"] for r in raw.rows if r["kind"] == "decision"}
    status: dict[tuple[str, str], str] = {}
    for r in raw.rows:
        if r["kind"] == "measure":
            status[(r["project_id"], r["info"]["measure_id"])] = r["info"]["status"]
    overdue = set()
    for pid, r in raw.latest().items():
        for m in r["project"].get("measures") or []:
            due = m.get("due") or ""
            if pid in decided and due[:1].isdigit() and status.get((pid, m["id"]), "planned") != "done":
                days = (last - date.fromisoformat(due)).days
                if days > 0:
                    overdue.add((pid, m["id"], days, m.get("owner")))
    assert {(m.project_id, m.measure_id, m.days_overdue, m.owner) for m in b.overdue} == overdue
    # the trend: 12 months ending with this one
    assert [p.month for p in b.trend][-1] == month and len(b.trend) == 12
    for point in b.trend:
        f, la = month_bounds(point.month)
        assert point.assessed == len(_new(raw, f, la)) and point.escalated == len(_escalated(raw, f, la))
        assert point.decisions == len(raw.in_month(f, la, "decision"))


def test_matters_to_watch_say_why_in_labels(year, ledger):
    b = build_bulletin(ledger, "2026-11")
    first, last = month_bounds("2026-11")
    raw = Raw(year.ledger, last)
    escalated = set(_escalated(raw, first, last))
    awaiting_high = {m.project_id for m in b.awaiting if m.level == "high"}
    assert 0 < len(b.watch) <= 10
    assert escalated <= {w.project_id for w in b.watch}  # few escalations: all are watched
    latest = raw.latest()
    for w in b.watch:
        assert ("escalated" in w.grounds) == (w.project_id in escalated)
        assert ("awaiting" in w.grounds) == (w.project_id in awaiting_high)
        assessment = json.loads(latest[w.project_id]["assessment_json"])
        labels = [h["label"] for h in assessment["residual"]["triggers"]] + [f["label"] for f in assessment["residual"]["findings"]]
        assert w.reasons and all(any(reason.startswith(label) for label in labels) for reason in w.reasons)
        ids = [h["trigger"] for h in assessment["residual"]["triggers"]] + [f["item"] for f in assessment["residual"]["findings"]]
        assert not any(i in reason for reason in w.reasons for i in ids)  # labels, never ids


def test_same_ledger_and_month_same_content(year, ledger, tmp_path):
    a, b = build_bulletin(ledger, "2026-11"), build_bulletin(Ledger(year.ledger, read_only=True), "2026-11")
    assert a == b
    write_bulletin(a, tmp_path / "a.html")
    write_bulletin(b, tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    write_bulletin(a, tmp_path / "a.docx")
    write_bulletin(b, tmp_path / "b.docx")
    assert _docx_text(tmp_path / "a.docx") == _docx_text(tmp_path / "b.docx")
    text = _docx_text(tmp_path / "a.docx")
    assert "社会稳定风险预警参考（2026年11月）" in text and a.head_hash in text
    assert all(e.project_id in text and e.name in text for e in a.escalated)
    # records appended after the month do not change it
    copy = tmp_path / "later.sqlite"
    shutil.copyfile(year.ledger, copy)
    gate = Gate("guiyang", ledger=copy, signing_key=year.ledger.parent / "signing.key",
                clock=lambda: datetime(2027, 1, 6, 2, tzinfo=UTC))  # fmt: skip
    pending = next(m for m in a.overdue)
    gate.update_measure(pending.project_id, pending.measure_id, "done", actor="测试")
    assert build_bulletin(Ledger(copy, read_only=True), "2026-11") == a


def _docx_text(path) -> str:
    import docx

    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_chart_and_languages(ledger):
    b = build_bulletin(ledger, "2026-11")
    page = render_html(b)
    assert page.count("<svg") == 1 and page.count('class="bar"') >= 12 and "近 12 个月趋势" in page
    english = render_html(b, "en")
    assert "Matters escalated by tracking" in english and "六、近 12 个月趋势" not in english
    assert '<html lang="en">' in english and '<html lang="zh-CN">' in page
    assert [s.key for s in sections(b)] == ["new", "escalated", "awaiting", "decisions", "overdue", "trend", "watch"]


def test_an_empty_month_and_bad_input(ledger, tmp_path):
    b = build_bulletin(ledger, "2024-03")
    assert b.head_seq == 0 and b.head_hash is None and b.new_total == 0 and not b.escalated and not b.awaiting
    assert sum(p.assessed for p in b.trend) == 0
    for bad in ("2026-13", "2026/11", "Nov"):
        with pytest.raises(MonthInvalid) as info:
            build_bulletin(ledger, bad)
        assert info.value.exit_code == 2 and bad in info.value.message("zh")
    with pytest.raises(InputError) as suffix:
        write_bulletin(b, tmp_path / "b.pdf")
    assert suffix.value.code == "bulletin.bad_suffix" and not (tmp_path / "b.pdf").exists()
