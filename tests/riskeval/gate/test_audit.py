from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.gate import AuditInputError, DecisionRow, Gate, audit, read_decisions
from riskeval.gate.audit import parse_tz

from .conftest import PROCEDURE, raw

runner = CliRunner()
LATER = "2999-01-01"


def row(pid, when, line=2, **kw):
    return DecisionRow(line=line, project_id=pid, date=str(when), before=when, **kw)


def test_audit_findings_of_each_kind(gate, make, rule_file, ledger_path):
    gate.assess(make(pid="ok"), actor="张三")
    gate.assess(make(pid="high", facts={"opposition_rate": 60}), actor="张三")
    Gate(rule_file("procedure", PROCEDURE), ledger=ledger_path).assess(make(pid="inc"), actor="张三")
    future = datetime(2999, 1, 1, tzinfo=UTC)
    past = datetime(2000, 1, 1, tzinfo=UTC)
    rows = [
        row("ok", future),
        row("ok", past, line=3),  # decided before it was assessed
        row("high", future, line=4),
        row("inc", future, line=5),
        row("nobody", future, line=6),
    ]
    report = audit(gate.ledger, rows)
    got = {(f.row.line, type(f.error).__name__, f.error.reason) for f in report.findings}
    assert got == {
        (3, "AssessmentRequired", "none_before"),
        (4, "GateBlocked", "reject"),
        (5, "AssessmentIncomplete", "procedures"),
        (6, "AssessmentRequired", "none_before"),
    }
    assert report.total == 5 and not report.ok
    text = report.message("zh")
    assert "共 5 项决策，4 项没有有效的事前评估" in text
    assert "4 without a valid prior assessment" in report.message("en")


def test_audit_stale_rule_set_inferred_from_the_ledger(rule_file, make, ledger_path):
    v1 = rule_file("v1", "", rid="test-versions", version="1")
    v2 = rule_file("v2", "", rid="test-versions", version="2")
    Gate(v1, ledger=ledger_path).assess(make(pid="A"), actor="张三")
    ledger = Gate(v2, ledger=ledger_path).ledger
    before_v2 = datetime.now(UTC) + timedelta(seconds=0)
    Gate(v2, ledger=ledger_path).assess(make(pid="B"), actor="张三")
    future = datetime(2999, 1, 1, tzinfo=UTC)
    # decided while v1 was still the version in use: fine
    assert audit(ledger, [row("A", before_v2)]).ok
    # decided after v2 came into use: A's assessment is stale
    report = audit(ledger, [row("A", future), row("B", future, line=3)])
    assert [(f.row.project_id, f.error.reason) for f in report.findings] == [("A", "ruleset_version")]
    # an explicit rule set in force overrides the inference
    report = audit(ledger, [row("A", future), row("B", future, line=3)], ruleset=v1)
    assert [(f.row.project_id, f.error.reason) for f in report.findings] == [("B", "ruleset_version")]


def test_audit_project_hash_column(gate, make):
    gate.assess(make(), actor="张三")
    record = gate.ledger.get(1)
    future = datetime(2999, 1, 1, tzinfo=UTC)
    assert audit(gate.ledger, [row("P-1", future, project_hash=record.project_hash)]).ok
    report = audit(gate.ledger, [row("P-1", future, project_hash="ab" * 32)])
    assert report.findings[0].error.reason == "project_hash"


def test_audit_of_a_tampered_ledger_gives_no_verdict(gate, make):
    gate.assess(make(), actor="张三")
    raw(gate.ledger.path).execute("UPDATE records SET actor = '王五'")
    report = audit(gate.ledger, [row("P-1", datetime(2999, 1, 1, tzinfo=UTC))])
    assert not report.ok and not report.integrity.ok and report.findings == []


def test_read_decisions_dates_and_headers(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "\ufeff项目编号,决策日期,决策结果\nA,2024-05-10,批准\n\nB,2024/05/11,\nC,2024-05-12T09:30,否决\nD,2024-05-12T09:30+00:00,x\n",
        encoding="utf-8",
    )
    rows = read_decisions(path)
    assert [r.project_id for r in rows] == ["A", "B", "C", "D"]
    assert [r.line for r in rows] == [2, 4, 5, 6]
    cst = parse_tz("+08:00")
    assert rows[0].before == datetime(2024, 5, 11, tzinfo=cst)  # the whole day counts
    assert rows[1].outcome is None and rows[0].outcome == "批准"
    assert rows[2].before == datetime(2024, 5, 12, 9, 30, tzinfo=cst)
    assert rows[3].before == datetime(2024, 5, 12, 9, 30, tzinfo=UTC)
    assert read_decisions(path, parse_tz("Z"))[0].before == datetime(2024, 5, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("project_id,outcome\nA,x\n", "columns"),
        ("project_id,date\n,2024-01-01\n", "project"),
        ("project_id,date\nA,2024-13-01\n", "date"),
        ("", "columns"),
    ],
)
def test_read_decisions_errors(tmp_path, text, code):
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AuditInputError) as info:
        read_decisions(path)
    assert info.value.reason == code
    assert info.value.message("en") and info.value.message("zh")


def test_audit_cli(gate, make, ledger_path, tmp_path):
    gate.assess(make(pid="ok"), actor="张三")
    gate.assess(make(pid="high", facts={"opposition_rate": 60}), actor="张三")
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(f"project_id,date,outcome\nok,{LATER},批准\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(ledger_path), "--decisions", str(decisions)])
    assert result.exit_code == 0 and "均有有效的事前评估" in result.output
    decisions.write_text(f"project_id,date,outcome\nok,{LATER},批准\nhigh,{LATER},批准\nnew,2001-01-01,批准\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(ledger_path), "--decisions", str(decisions), "--lang", "en"])
    assert result.exit_code == 1
    assert "line 3 (project high" in result.output and "line 4 (project new" in result.output
    result = runner.invoke(app, ["audit", str(ledger_path), "--decisions", str(decisions), "--format", "json"])
    assert result.exit_code == 1 and '"reason": "none_before"' in result.output
    result = runner.invoke(
        app, ["audit", str(ledger_path), "--decisions", str(decisions), "--rules", "jiangsu-db32-4013-2021"]
    )
    assert result.exit_code == 1
    # input errors: exit 2, no traceback
    for args in (
        ["--decisions", str(tmp_path / "none.csv")],
        ["--decisions", str(decisions), "--tz", "eight"],
        ["--decisions", str(decisions), "--format", "xml"],
        ["--decisions", str(decisions), "--rules", "no-such-rules"],
    ):
        result = runner.invoke(app, ["audit", str(ledger_path), *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("project_id,date\nA,yesterday\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(ledger_path), "--decisions", str(bad)])
    assert result.exit_code == 2 and "第 2 行" in result.output
    raw(ledger_path).execute("UPDATE records SET actor = '王五' WHERE seq = 1")
    result = runner.invoke(app, ["audit", str(ledger_path), "--decisions", str(decisions)])
    assert result.exit_code == 1 and "审计结果不可信" in result.output
