"""考核 scores on a small hand-built ledger, checked against numbers computed by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import riskeval
import riskeval.ledger.store as store
from riskeval import Measure, Project, assess
from riskeval.cli import app
from riskeval.kaohe import AuditResult, scheme_from_text, score_units
from riskeval.ledger import Ledger, LedgerTampered
from riskeval.ledger.records import format_ts

CST = timezone(timedelta(hours=8))

SCHEME = """\
id: test
title: 测试考核方案
indicators:
  coverage: {weight: 40}
  timeliness: {weight: 20, min_days: 10}
  measures: {weight: 20}
  tracking: {weight: 10, interval_days: 90, levels: [low]}
  incidents: {weight: 10, deduct: 5}
"""

DECISIONS = """\
project_id,date,outcome,unit
P-1,2026-02-01,批准实施,
P-2,2026-03-05,同意实施,
P-3,2026-04-01,批准实施,=SUM(1)
P-4,2026-01-10,批准,市住建局
P-5,2025-11-01,不予批准,
"""


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """Records are stamped with ``now[0]`` (a simulated calendar)."""
    now = [datetime(2025, 1, 1, tzinfo=CST)]
    monkeypatch.setattr(store, "utcnow", lambda: format_ts(now[0]))
    yield now


@pytest.fixture()
def city(tmp_path: Path, rs: riskeval.RuleSet, facts: dict[str, Any], clock: list[datetime]) -> tuple[Ledger, Path]:
    """Two units' matters: P-1, P-2 of 市交通局, P-4 recorded as 某区政府 (the file says 市住建局), P-5."""
    ledger = Ledger(tmp_path / "city.sqlite")
    m1 = Measure(id="M1", label="公示补偿方案", owner="市交通局", due="2026-06-30")
    m2 = Measure(id="M1", label="设立矛盾调处点", owner="某区政府", due="2027-01-15")
    m3 = Measure(id="M2", label="开工前说明会", due="开工前")
    plan = [
        ("P-1", "一号线东延", "市交通局", [m1], datetime(2026, 1, 5, 10, tzinfo=CST)),
        ("P-2", "公交线网调整", "市交通局", [], datetime(2026, 3, 1, 10, tzinfo=CST)),
        ("P-4", "棚户区改造", "某区政府", [m2, m3], datetime(2025, 12, 1, 10, tzinfo=CST)),
        ("P-5", "垃圾焚烧厂", "市城管局", [], datetime(2025, 10, 1, 10, tzinfo=CST)),
    ]
    for pid, name, unit, measures, when in plan:
        clock[0] = when
        project = Project(id=pid, name=name, unit=unit, kind="project", facts=facts, measures=measures)
        ledger.append_assessment(project, assess(project, rs), actor="张三")
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(DECISIONS, encoding="utf-8")
    return ledger, decisions


def test_scores_by_hand(city: tuple[Ledger, Path]) -> None:
    ledger, decisions = city
    result = score_units(ledger, decisions, scheme_from_text(SCHEME), "2026")
    # 市交通局: coverage 2/2 ok = 40; timeliness P-1 27 days ok, P-2 4 days < 10: 20 × 1/2 = 10;
    # measures P-1 M1 due 2026-06-30 never reported done: 0; tracking (low, every 90 days) P-1 decided
    # 02-01 misses 05-02, 07-31, 10-29 and P-2 decided 03-05 misses 06-03, 09-01, 11-30: 0 of 10;
    # incidents: 2 approved matters, none: 10.  Total 60.
    # =SUM(1) (P-3, never assessed): coverage 0/40; timeliness, measures, tracking: nothing applies
    # (full marks 20 + 20 + 10); incidents 10.  Total 60.
    # 市住建局 (P-4, assessed 2025-12-01, 40 days before): 40 + 20; measures: M1 due 2027, M2 "开工前":
    # none apply, 20; tracking misses 04-10, 07-09, 10-07: 0; incidents 10.  Total 90.
    # P-5 was refused in 2025: outside the period and not approved, so it counts nowhere.
    got = {u.unit: (u.rank, round(u.total, 2)) for u in result.units}
    assert got == {"市住建局": (1, 90.0), "市交通局": (2, 60.0), "=SUM(1)": (2, 60.0)}
    assert [u.unit for u in result.units] == ["市住建局", "=SUM(1)", "市交通局"]
    traffic = result.unit("市交通局")
    counts = {name: (s.applicable, s.failures, round(s.score, 2)) for name, s in traffic.indicators.items()}
    assert counts == {
        "coverage": (2, 0, 40.0),
        "timeliness": (2, 1, 10.0),
        "measures": (1, 1, 0.0),
        "tracking": (6, 6, 0.0),
        "incidents": (2, 0, 10.0),
    }
    assert result.unit("=SUM(1)").indicators["coverage"].applicable == 1
    assert result.unit("市住建局").indicators["measures"].applicable == 0
    assert result.unit("市住建局").indicators["tracking"].applicable == 3
    assert len(result.deductions) == 1 + 1 + 6 + 1 + 3
    timeliness = next(d for d in traffic.deductions if d.indicator == "timeliness")
    assert timeliness.project_id == "P-2" and timeliness.points == 10
    assert timeliness.reason_text() == "首次评估于 2026-03-01（台账第 2 号记录），距 2026-03-05 决策仅 4 天，少于 10 天"
    measure = next(d for d in traffic.deductions if d.indicator == "measures")
    assert "公示补偿方案" in measure.reason_text() and "逾期 184 天" in measure.reason_text()
    assert "184 days overdue" in measure.reason_text("en")
    tracking = [d for d in traffic.deductions if d.indicator == "tracking"]
    assert [d.params["due"] for d in tracking] == ["2026-05-02", "2026-07-31", "2026-10-29", "2026-06-03", "2026-09-01", "2026-11-30"]
    assert all(abs(d.points - 10 / 6) < 1e-9 for d in tracking)
    coverage = result.unit("=SUM(1)").deductions[0]
    assert coverage.project_id == "P-3" and coverage.points == 40 and "P-3" in coverage.reason_text()


def test_text_json_and_workbook(city: tuple[Ledger, Path], tmp_path: Path) -> None:
    ledger, decisions = city
    result: AuditResult = score_units(ledger, decisions, scheme_from_text(SCHEME), "2026")
    text = result.message()
    assert "1. 市住建局：90 分" in text and "扣分明细（12 项）" in text and "一号线东延" in text
    en = result.message("en")
    assert "1. 市住建局: 90 points" in en and "deductions (12)" in en and "fewer than 10" in en
    data = result.to_dict("en")
    assert data["units"][0]["total"] == 90 and data["period"]["start"] == "2026-01-01"
    out = tmp_path / "audit.xlsx"
    from riskeval.kaohe import write_audit_xlsx

    write_audit_xlsx(result, out)
    wb = load_workbook(out)
    ranking = [[c.value for c in row] for row in wb["排名"].iter_rows(min_row=3)]
    assert [(r[0], r[1], r[2]) for r in ranking] == [(1, "市住建局", 90), (2, "=SUM(1)", 60), (2, "市交通局", 60)]
    cell = wb["排名"]["B4"]
    assert cell.data_type == "s" and cell.quotePrefix  # shown as text, never run
    assert wb["扣分明细"].max_row == 13


def test_cli(city: tuple[Ledger, Path], tmp_path: Path) -> None:
    ledger, decisions = city
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(SCHEME, encoding="utf-8")
    out = tmp_path / "audit.xlsx"
    runner = CliRunner()
    args = ["audit", str(ledger.path), "--decisions", str(decisions), "--scheme", str(scheme), "--period", "2026"]
    result = runner.invoke(app, [*args, "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "1. 市住建局: 90 points" in result.output and out.is_file()
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0
    import json

    assert [u["rank"] for u in json.loads(result.stdout)["units"]] == [1, 2, 2]
    result = runner.invoke(app, ["audit", str(ledger.path), "--decisions", str(decisions), "--scheme", str(scheme)])
    assert result.exit_code == 2 and "--period" in result.output
    result = runner.invoke(app, [*args[:-1], "2026-13"])
    assert result.exit_code == 2 and "2026-13" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCHEME.replace("{weight: 40}", "{weight: -1}"), encoding="utf-8")
    result = runner.invoke(app, [*args[:4], "--scheme", str(bad), "--period", "2026"])
    assert result.exit_code == 1 and f"{bad}:4:22:" in result.output
    # the plain audit is unchanged: P-3 has no assessment
    result = runner.invoke(app, ["audit", str(ledger.path), "--decisions", str(decisions)])
    assert result.exit_code == 1 and "P-3" in result.output


def test_period_and_tampered_ledger(city: tuple[Ledger, Path]) -> None:
    ledger, decisions = city
    q1 = score_units(ledger, decisions, scheme_from_text(SCHEME), "2026-Q1")
    # Q1: P-1 (02-01), P-2 (03-05), P-4 (01-10) decided; P-3 (04-01) is not; no tracking due yet but
    # P-4's first due 04-10 is after the quarter.
    assert sorted(u.unit for u in q1.units) == ["市交通局", "市住建局"]
    assert q1.unit("市交通局").indicators["tracking"].applicable == 0
    import sqlite3

    conn = sqlite3.connect(ledger.path)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET actor = '王五' WHERE seq = 2")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerTampered):
        score_units(Ledger(ledger.path, create=False, read_only=True), decisions, scheme_from_text(SCHEME), "2026")


def test_tracking_measures_and_incidents_by_hand(tmp_path: Path, rs: riskeval.RuleSet, facts: dict[str, Any]) -> None:
    """One matter through the gate on a simulated calendar: measures on time and late, tracking on time
    and late, one escalation."""
    from riskeval.gate import Gate

    now = [datetime(2026, 1, 2, 10, tzinfo=CST)]
    gate = Gate(rs, ledger=tmp_path / "l.sqlite", clock=lambda: now[0])
    measures = [Measure(id="M1", label="公示方案", due="2026-03-31"), Measure(id="M2", label="设调处点", due="2026-05-31")]
    project = Project(id="P-7", name="水厂扩建", unit="市水务局", kind="project", facts=facts, measures=measures)

    def at(month: int, day: int) -> None:
        now[0] = datetime(2026, month, day, 10, tzinfo=CST)

    gate.assess(project, actor="张三")
    at(1, 20)
    gate.record_decision(project, "批准实施", actor="市政府常务会议")
    at(3, 20)
    gate.update_measure("P-7", "M1", "done", actor="市水务局")
    at(4, 10)
    gate.track(project, actor="群工中心")
    at(6, 10)
    gate.update_measure("P-7", "M2", "done", actor="市水务局")
    at(7, 20)
    worse = project.model_copy(update={"facts": {**facts, "opposition_rate": 60}})
    gate.track(worse, actor="群工中心")
    decisions = tmp_path / "d.csv"
    decisions.write_text("project_id,date,outcome\nP-7,2026-01-20,批准实施\n", encoding="utf-8")
    result = score_units(gate.ledger, decisions, scheme_from_text(SCHEME), "2026")
    (unit,) = result.units
    # coverage 40; timeliness 18 days: 20; measures M1 on time, M2 10 days late: 10; tracking (every 90
    # days from 01-20): due 04-20 met (04-10), due 07-09 missed (07-20 is late), due 10-07 met by 07-20,
    # due 10-18 missed: 2 of 4, 5; incidents: escalated to high on 07-20: 10 - 5 = 5.  Total 80.
    assert unit.unit == "市水务局" and unit.total == pytest.approx(80)
    got = {n: (s.applicable, s.failures) for n, s in unit.indicators.items()}
    assert got == {"coverage": (1, 0), "timeliness": (1, 0), "measures": (2, 1), "tracking": (4, 2), "incidents": (1, 1)}
    by = {d.indicator: d for d in unit.deductions}
    assert "迟 10 天" in by["measures"].reason_text() and "设调处点" in by["measures"].reason_text()
    assert [d.params["due"] for d in unit.deductions if d.indicator == "tracking"] == ["2026-07-09", "2026-10-18"]
    assert "风险等级升至高" in by["incidents"].reason_text() and by["incidents"].points == 5
    assert "risk level raised to high" in by["incidents"].reason_text("en")
    assert "medium-risk" not in by["tracking"].reason_text("en") and "a low-risk matter" in by["tracking"].reason_text("en")
