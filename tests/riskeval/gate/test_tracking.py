"""Tracking (跟踪评估) and measure-status records through the Gate API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from riskeval import Measure
from riskeval.errors import exit_code_for
from riskeval.gate import (
    AssessmentStale,
    Gate,
    GateBlocked,
    Ledger,
    LedgerError,
    MeasureStatusInvalid,
    NotDecided,
    TrackingBlocked,
    UnknownMatter,
    UnknownMeasure,
)
from riskeval.ledger import files as ledger_files
from riskeval.ledger.views import record_brief, record_line, record_lines


def _decided(gate, project):
    gate.assess(project, actor="张三")
    return gate.record_decision(project, "批准实施", actor="李四")


def test_tracking_without_a_decision_is_refused(gate, make):
    project = make()
    gate.assess(project, actor="张三")
    with pytest.raises(NotDecided) as info:
        gate.track(project, actor="王五")
    assert info.value.project_id == "P-1" and exit_code_for(info.value) == 1
    assert "尚无决策记录" in info.value.message("zh") and "no decision" in info.value.message("en")
    assert len(gate.ledger) == 1  # nothing recorded
    with pytest.raises(NotDecided):
        gate.track(make(pid="从未评估"), actor="王五")


def test_tracking_record_format_not_escalated(gate, make):
    project = make()
    decision = _decided(gate, project)
    result = gate.track(project, actor="王五", note="进展顺利")
    record = gate.last_record
    assert record.kind == "tracking" and record.seq == 3 and record.actor == "王五"
    assert (record.ref_seq, record.ref_hash) == (decision.seq, decision.record_hash)
    assert record.assessment == result and record.inconsistency() is None
    assert json.loads(record.outcome) == {
        "escalated": False,
        "level": "low",
        "note": "进展顺利",
        "previous_level": "low",
        "previous_seq": 1,
    }
    # require now answers on the tracking record, and a further decision rests on it
    assert gate.require(project).seq == 3
    assert gate.record_decision(project, "开工", actor="李四").ref_seq == 3
    assert gate.ledger.verify().ok


def test_escalation_blocks_the_next_stage_naming_the_tracking_record(gate, make):
    project = make()
    _decided(gate, project)
    later = make(facts={"opposition_rate": 60})
    result = gate.track(later, actor="王五", note="群众反映强烈")
    assert result.level == "high"
    tracking = gate.last_record
    info = json.loads(tracking.outcome)
    assert info["escalated"] is True and info["previous_level"] == "low" and info["level"] == "high"
    count = len(gate.ledger)
    for call in (lambda: gate.require(later), lambda: gate.record_decision(later, "征收决定", actor="李四")):
        with pytest.raises(GateBlocked) as blocked:
            call()
        exc = blocked.value
        assert isinstance(exc, TrackingBlocked) and exc.record.seq == tracking.seq and exc.reason == "reject"
        assert f"第 {tracking.seq} 号跟踪评估记录" in exc.message("zh") and "低风险" in exc.message("zh")
        assert f"tracking record #{tracking.seq}" in exc.message("en")
        assert exc.to_dict()["seq"] == tracking.seq
    assert len(gate.ledger) == count  # no decision recorded
    # the project as first decided is stale against the tracking record
    with pytest.raises(AssessmentStale) as stale:
        gate.require(project)
    assert stale.value.record.seq == tracking.seq


def test_tracking_in_the_ledger_listing(gate, make):
    _decided(gate, make())
    gate.track(make(facts={"opposition_rate": 60}), actor="王五")
    record = gate.last_record
    line = record_line(record)
    assert "跟踪评估" in line and "风险升级（决策时为低风险）" in line and "跟踪第 2 号决策" in line
    assert "escalated (was low risk at the decision)" in record_line(record, "en")
    assert record_brief(record)["escalated"] is True and record_brief(record)["level"] == "high"
    assert record_brief(gate.ledger.get(1))["escalated"] is None
    assert any("跟踪评估" in line for line in record_lines(gate.ledger, record))


MEASURES = [
    Measure(id="M1", label="入户走访", owner="区政府", partners=["街道"], due="2026-03-31"),
    Measure(id="M2", label="公示", owner="住建局", due="开工前"),
]


def test_measure_updates(gate, make):
    project = make(measures=MEASURES)
    gate.assess(project, actor="张三")
    record = gate.update_measure("P-1", "M1", "in_progress", actor="区政府", note="已走访 40 户")
    assert record.kind == "measure" and record.ref_seq == 1 and record.assessment is None
    assert record.project_hash == gate.ledger.get(1).project_hash and record.inconsistency() is None
    assert json.loads(record.outcome) == {
        "due": "2026-03-31",
        "label": "入户走访",
        "measure_id": "M1",
        "note": "已走访 40 户",
        "owner": "区政府",
        "status": "in_progress",
    }
    assert gate.last_record == record
    assert "措施 M1：落实中" in record_line(record)
    assert gate.update_measure("P-1", "M2", "done", actor="住建局").seq == 3
    # measure records are no basis for a decision: require still answers on the assessment
    assert gate.require(project).seq == 1
    assert gate.ledger.verify().ok


def test_measure_update_refusals(gate, make):
    gate.assess(make(measures=MEASURES), actor="张三")
    with pytest.raises(UnknownMatter) as info:
        gate.update_measure("P-9", "M1", "done", actor="x")
    assert exit_code_for(info.value) == 2 and "P-9" in info.value.message("zh")
    with pytest.raises(UnknownMeasure) as unknown:
        gate.update_measure("P-1", "M9", "done", actor="x")
    assert exit_code_for(unknown.value) == 2
    assert "M9" in unknown.value.message("zh") and "M1、M2" in unknown.value.message("zh")
    assert "M1, M2" in unknown.value.message("en") and unknown.value.record.seq == 1
    with pytest.raises(MeasureStatusInvalid) as bad:
        gate.update_measure("P-1", "M1", "finished", actor="x")
    assert "finished" in bad.value.message("en") and exit_code_for(bad.value) == 2
    with pytest.raises(ValueError):
        gate.update_measure("P-1", "M1", "done", actor=" ")
    assert len(gate.ledger) == 1


def test_measures_follow_the_tracked_project(gate, make):
    _decided(gate, make())
    gate.track(make(measures=MEASURES[:1]), actor="王五")
    assert gate.update_measure("P-1", "M1", "done", actor="区政府").ref_seq == 3


def test_clock_stamps_records(rs, ledger_path, make):
    moments = iter([datetime(2026, 1, 5, 2, tzinfo=UTC), datetime(2026, 2, 1, 3, tzinfo=UTC)])
    gate = Gate(rs, ledger=ledger_path, clock=lambda: next(moments))
    project = make()
    gate.assess(project, actor="张三")
    gate.record_decision(project, "批准", actor="李四")
    assert [r.ts for r in gate.ledger.records()] == ["2026-01-05T02:00:00.000000Z", "2026-02-01T03:00:00.000000Z"]
    assert gate.ledger.verify().ok and gate.ledger.checkpoint().ts == "2026-02-01T03:00:00.000000Z"


def test_ledger_from_before_tracking_stays_valid_and_refuses_new_kinds(rs, ledger_path, make, monkeypatch):
    ledger_files._expected_sql()  # cache the current schema first
    old = tuple(s.replace(", 'tracking', 'measure', 'activation'", "") for s in ledger_files._SCHEMA)
    assert old != ledger_files._SCHEMA
    monkeypatch.setattr(ledger_files, "_SCHEMA", old)
    gate = Gate(rs, ledger=ledger_path)
    project = make(measures=MEASURES)
    _decided(gate, project)
    monkeypatch.undo()
    gate = Gate(rs, ledger=Ledger(ledger_path))
    assert gate.ledger.verify().ok and gate.require(project).seq == 1
    with pytest.raises(LedgerError) as info:
        gate.track(project, actor="王五")
    assert info.value.code == "ledger.kind_unsupported" and "新建台账" in info.value.message("zh")
    assert len(gate.ledger) == 2 and gate.ledger.verify().ok


def test_measure_statuses_derive_overdue_as_of_a_date(rs, ledger_path, make):
    from datetime import date, timedelta, timezone

    from riskeval.gate.measures import measure_statuses

    china = timezone(timedelta(hours=8))
    now = [datetime(2026, 3, 1, 10, tzinfo=china)]
    gate = Gate(rs, ledger=ledger_path, clock=lambda: now[0])
    measures = [*MEASURES, Measure(id="M3", label="稳控", owner="公安分局", due="2026/4/15")]
    gate.assess(make(measures=measures), actor="张三")
    now[0] = datetime(2026, 3, 20, 23, 30, tzinfo=china)  # 15:30 UTC: still the 20th in Beijing
    gate.update_measure("P-1", "M1", "in_progress", actor="区政府")
    now[0] = datetime(2026, 4, 10, 9, tzinfo=china)
    gate.update_measure("P-1", "M1", "done", actor="区政府")
    now[0] = datetime(2026, 4, 12, 9, tzinfo=china)
    gate.update_measure("P-1", "M1", "done", actor="区政府", note="复核")

    def by_id(day):
        return {s.measure_id: s for s in measure_statuses(gate.ledger, day)}

    march = by_id(date(2026, 3, 20))
    assert march["M1"].status == "in_progress" and march["M1"].status_date == date(2026, 3, 20)
    assert not march["M1"].overdue and march["M3"].status == "planned" and march["M3"].status_seq is None
    april = by_id(date(2026, 4, 5))
    assert april["M1"].overdue and april["M1"].days_overdue == 5 and april["M1"].status == "in_progress"
    assert by_id(date(2026, 3, 31))["M1"].overdue is False  # due that day: not yet overdue
    may = by_id(date(2026, 5, 1))
    assert may["M1"].status == "done" and may["M1"].done_on == date(2026, 4, 10) and may["M1"].late
    assert not may["M1"].overdue and may["M1"].days_overdue == 0
    assert may["M2"].due == "开工前" and may["M2"].due_date is None and not may["M2"].overdue  # never overdue
    assert may["M3"].overdue and may["M3"].days_overdue == 16 and may["M3"].owner == "公安分局"
    assert [s.measure_id for s in measure_statuses(gate.ledger, date(2026, 2, 28))] == []  # not yet assessed
    assert not may["M1"].decided
    now[0] = datetime(2026, 5, 2, 9, tzinfo=china)
    gate.record_decision(make(measures=measures), "批准实施", actor="李四")
    assert by_id(date(2026, 5, 2))["M3"].decided and not by_id(date(2026, 5, 1))["M3"].decided


def test_the_audit_judges_later_decisions_on_the_tracked_assessment(gate, make, tmp_path):
    from riskeval.gate import audit, read_decisions

    _decided(gate, make())
    gate.track(make(facts={"opposition_rate": 60}), actor="王五")
    path = tmp_path / "decisions.csv"
    path.write_text("project_id,date,outcome\nP-1,2999-01-01,征收决定\n", encoding="utf-8")
    report = audit(gate.ledger, read_decisions(path))
    assert not report.ok
    (finding,) = report.findings
    assert finding.error.reason == "reject" and finding.error.record.seq == 3 and finding.error.record.kind == "tracking"
