from __future__ import annotations

import hashlib

import pytest

import riskeval
from riskeval import Measure
from riskeval.gate import (
    AssessmentIncomplete,
    AssessmentRequired,
    AssessmentStale,
    Gate,
    GateBlocked,
    GateError,
    LedgerError,
    LedgerTampered,
)
from riskeval.ledger import canonical_project
from riskeval.pipeline import project_hash

from .conftest import PANEL, PROCEDURE, SCOPE_POSTPONE, raw


def test_required_then_assess_then_pass(gate, make):
    project = make()
    with pytest.raises(AssessmentRequired) as info:
        gate.require(project)
    assert info.value.project_id == "P-1" and info.value.reason == "no_assessment"
    result = gate.assess(project, actor="张三")
    assert result.level == "low" and result.decision == "proceed"
    record = gate.require(project)
    assert record.seq == 1 and record.kind == "assessment" and record.actor == "张三"
    assert record.assessment == result
    assert gate.head == record.record_hash == gate.last_record.record_hash


def test_every_gate_error_is_a_gate_error_with_zh_and_en(gate, make):
    with pytest.raises(GateError) as info:
        gate.require(make(pid="无评估"))
    exc = info.value
    assert str(exc) == exc.message() == exc.message("zh")
    assert "无评估" in exc.message("zh") and "须评估" in exc.message("zh")
    assert "must be assessed" in exc.message("en") and "无评估" in exc.message("en")
    assert exc.to_dict("en")["error"] == "AssessmentRequired"
    for cls in (AssessmentRequired, AssessmentStale, AssessmentIncomplete, GateBlocked):
        assert issubclass(cls, GateError)
    # a broken or busy ledger is not a gate refusal: a sibling under RiskevalError
    assert not issubclass(LedgerError, GateError) and issubclass(LedgerError, riskeval.RiskevalError)


def test_project_hash_is_the_canonical_json_hash(make):
    project = make(facts={"opposition_rate": 7})
    assert hashlib.sha256(canonical_project(project).encode()).hexdigest() == project_hash(project)


# -- staleness: every kind of change ---------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason", "mentions"),
    [
        ({"facts": {"opposition_rate": 4}}, "facts", "opposition_rate"),
        ({"facts": {"possible_incident_size": 5}}, "facts", "possible_incident_size"),
        ({"measures": [Measure(id="M1", label="加强宣传", sets={"publicity_guidance": "full"})]}, "measures", ""),
        ({"name": "改名后的项目"}, "identity", "name"),
        ({"investment": 5000.0}, "identity", "investment"),
        ({"regime": "major_decision"}, "identity", "regime"),
        ({"panel": {"JS-CTL-3": 1}}, "panel", "panel"),
    ],
)
def test_stale_when_the_project_changes(gate, make, change, reason, mentions):
    gate.assess(make(), actor="张三")
    facts = change.pop("facts", {})
    changed = make(facts=facts, **change)
    with pytest.raises(AssessmentStale) as info:
        gate.require(changed)
    exc = info.value
    assert exc.reason == reason and exc.project_id == "P-1" and exc.record.seq == 1
    assert mentions in exc.message("zh") and mentions in exc.message("en")
    assert "过期" in exc.message("zh") and "stale" in exc.message("en")
    gate.assess(changed, actor="张三")  # re-assessment clears it
    assert gate.require(changed).seq == 2
    with pytest.raises(AssessmentStale):  # and the old version is now stale
        gate.require(make())


def test_stale_when_the_rule_set_version_changes(rule_file, make, ledger_path):
    v1 = rule_file("v1", "", rid="test-versions", version="1")
    v2 = rule_file("v2", "", rid="test-versions", version="2")
    Gate(v1, ledger=ledger_path).assess(make(), actor="张三")
    with pytest.raises(AssessmentStale) as info:
        Gate(v2, ledger=ledger_path).require(make())
    assert info.value.reason == "ruleset_version"
    assert "版本由 1 变为 2" in info.value.message("zh")
    assert "from version 1 to 2" in info.value.message("en")


def test_stale_when_the_rule_set_content_changes_under_the_same_version(rule_file, make, ledger_path):
    before = rule_file("c1", "", rid="test-content", version="7")
    after = rule_file(
        "c2",
        "triggers:\n  - {id: JS-TRG-M1, when: opposition_rate >= 25 and opposition_rate <= 50}\n",
        rid="test-content",
        version="7",
    )
    assert before.content_hash != after.content_hash and before.version == after.version
    Gate(before, ledger=ledger_path).assess(make(), actor="张三")
    with pytest.raises(AssessmentStale) as info:
        Gate(after, ledger=ledger_path).require(make())
    assert info.value.reason == "ruleset_content"
    assert [code for code, _ in info.value.changes] == ["ruleset_content"]
    assert "内容已变化" in info.value.message("zh")


def test_stale_when_another_rule_set_is_used(rs, rule_file, make, ledger_path):
    Gate(rs, ledger=ledger_path).assess(make(), actor="张三")
    with pytest.raises(AssessmentStale) as info:
        Gate(rule_file("v1", "", rid="test-versions", version="1"), ledger=ledger_path).require(make())
    assert info.value.reason == "ruleset_id"


# -- incomplete ------------------------------------------------------------------------------


def test_incomplete_when_a_procedure_is_missing(rule_file, make, ledger_path):
    gate = Gate(rule_file("procedure", PROCEDURE), ledger=ledger_path)
    gate.assess(make(), actor="张三")
    with pytest.raises(AssessmentIncomplete) as info:
        gate.require(make())
    exc = info.value
    assert exc.reason == "procedures" and exc.params["procedures"] == ["社会公示"]
    assert "缺少必经程序：社会公示" in exc.message("zh")
    assert "missing procedure: 社会公示" in exc.message("en")
    done = make(facts={"public_notice_days": 15})
    gate.assess(done, actor="张三")
    assert gate.require(done).assessment.incomplete is False


def test_incomplete_when_panel_scores_are_missing(rule_file, make, ledger_path):
    gate = Gate(rule_file("panel", PANEL), ledger=ledger_path)
    gate.assess(make(), actor="张三")
    with pytest.raises(AssessmentIncomplete) as info:
        gate.require(make())
    assert info.value.reason == "panel" and info.value.params["panel_items"] == ["JS-CTL-3"]
    assert "JS-CTL-3" in info.value.message("en")
    scored = make(panel={"JS-CTL-3": 1})
    gate.assess(scored, actor="专家组")
    assert gate.require(scored).seq == 2


# -- blocked ---------------------------------------------------------------------------------


def test_blocked_when_high(gate, make):
    project = make(facts={"opposition_rate": 60})
    assert gate.assess(project, actor="张三").level == "high"
    with pytest.raises(GateBlocked) as info:
        gate.require(project)
    assert info.value.reason == "reject" and info.value.params["level"] == "high"
    assert "高风险" in info.value.message("zh") and "high risk" in info.value.message("en")


def test_blocked_when_medium_under_ndrc_project(gate, make):
    project = make(facts={"opposition_rate": 30})
    result = gate.assess(project, actor="张三")
    assert (result.level, result.decision, result.regime) == ("medium", "reject", "ndrc_project")
    with pytest.raises(GateBlocked) as info:
        gate.require(project)
    assert info.value.reason == "reject" and info.value.params["regime"] == "ndrc_project"
    assert "中风险" in str(info.value)


def test_medium_major_decision_needs_measures(gate, make):
    bare = make(facts={"opposition_rate": 30}, regime="major_decision")
    result = gate.assess(bare, actor="张三")
    assert (result.level, result.decision) == ("medium", "proceed_after_measures")
    with pytest.raises(GateBlocked) as info:
        gate.require(bare)
    assert info.value.reason == "measures_missing"
    assert "未列出任何措施" in info.value.message("zh") and "lists none" in info.value.message("en")
    with_measures = make(
        facts={"opposition_rate": 30},
        regime="major_decision",
        measures=[Measure(id="M1", label="入户解释", sets={"publicity_guidance": "full"})],
    )
    result = gate.assess(with_measures, actor="张三")
    assert (result.level, result.decision, result.has_measures) == ("medium", "proceed_after_measures", True)
    assert gate.require(with_measures).seq == 2


def test_blocked_when_postponed(rule_file, make, ledger_path):
    gate = Gate(rule_file("scope", SCOPE_POSTPONE), ledger=ledger_path)
    project = make(facts={"opposition_rate": 30}, investment=5000.0)
    assert gate.assess(project, actor="张三").decision == "postpone"
    with pytest.raises(GateBlocked) as info:
        gate.require(project)
    assert info.value.reason == "postpone" and "暂缓实施" in info.value.message("zh")


# -- scope -----------------------------------------------------------------------------------


def test_out_of_scope_passes_with_a_record(rule_file, make, ledger_path):
    gate = Gate(rule_file("scope", SCOPE_POSTPONE), ledger=ledger_path)
    small = make(investment=10.0)
    result = gate.assess(small, actor="张三")
    assert result.in_scope is False
    record = gate.require(small)
    assert record.seq == 1 and record.assessment.in_scope is False


def test_out_of_scope_without_assessment_writes_its_own_record(rule_file, make, ledger_path):
    gate = Gate(rule_file("scope", SCOPE_POSTPONE), ledger=ledger_path)
    record = gate.require(make(pid="small", investment=10.0))
    assert record.actor == "riskeval.gate" and record.assessment.in_scope is False
    assert gate.require(make(pid="small", investment=10.0)).seq == 1  # no second record
    with pytest.raises(AssessmentRequired):
        gate.require(make(pid="big", investment=5000.0))
    with pytest.raises(AssessmentStale) as info:  # grew into scope
        gate.require(make(pid="small", investment=5000.0))
    assert info.value.reason == "identity"


def test_scope_unknown_when_facts_do_not_check(rule_file, make, ledger_path):
    gate = Gate(rule_file("scope", SCOPE_POSTPONE), ledger=ledger_path)
    with pytest.raises(AssessmentRequired) as info:
        gate.require(make(investment=10.0, facts={"opposition_rate": "很多"}))
    assert info.value.reason == "scope_unknown"
    assert len(gate.ledger) == 0


# -- decorator and decisions -----------------------------------------------------------------


def test_guard_runs_require_first(gate, make):
    calls = []

    @gate.guard
    def approve(project, note="", *, by="局长"):
        """Approve."""
        calls.append((project.id, note, by))
        return "ok"

    assert approve.__name__ == "approve" and approve.__doc__ == "Approve."
    with pytest.raises(AssessmentRequired):
        approve(make(), "x")
    assert calls == []
    gate.assess(make(), actor="张三")
    assert approve(make(), "同意", by="市长") == "ok"
    assert calls == [("P-1", "同意", "市长")]
    with pytest.raises(AssessmentStale):
        approve(make(facts={"opposition_rate": 5}))
    assert len(calls) == 1


def test_guard_accepts_a_project_mapping(gate, facts):
    @gate.guard
    def approve(project):
        return project["id"]

    data = {"id": "D-1", "kind": "project", "facts": facts}
    with pytest.raises(AssessmentRequired):
        approve(data)
    gate.assess(data, actor="张三")
    assert approve(data) == "D-1"


def test_record_decision(gate, make):
    project = make()
    with pytest.raises(AssessmentRequired):
        gate.record_decision(project, "批准实施", actor="李四")
    assert len(gate.ledger) == 0
    gate.assess(project, actor="张三")
    record = gate.record_decision(project, "批准实施", actor="李四")
    assert (record.seq, record.kind, record.outcome, record.ref_seq) == (2, "decision", "批准实施", 1)
    assert record.ref_hash == gate.ledger.get(1).record_hash and record.assessment is None
    risky = make(pid="P-2", facts={"opposition_rate": 60})
    gate.assess(risky, actor="张三")
    with pytest.raises(GateBlocked):
        gate.record_decision(risky, "批准实施", actor="李四")
    assert len(gate.ledger) == 3
    with pytest.raises(ValueError):
        gate.record_decision(project, " ", actor="李四")
    assert gate.ledger.verify().ok


def test_actor_is_required(gate, make):
    with pytest.raises(ValueError):
        gate.assess(make(), actor="")


def test_on_append_and_gate_from_name(ledger_path, make):
    seen = []
    gate = Gate("jiangsu-db32-4013-2021", ledger=ledger_path, on_append=seen.append)
    gate.assess(make(), actor="张三")
    assert [r.seq for r in seen] == [1]


def test_invalid_project_records_nothing(gate, make):
    with pytest.raises(riskeval.ProjectError):
        gate.assess(make(facts={"opposition_rate": 500}), actor="张三")
    assert len(gate.ledger) == 0


# -- the gate trusts no tampered record --------------------------------------------------------


def test_require_refuses_a_tampered_record(gate, make, ledger_path):
    risky = make(facts={"opposition_rate": 60})
    gate.assess(risky, actor="张三")
    conn = raw(ledger_path)
    (text,) = conn.execute("SELECT assessment_json FROM records WHERE seq = 1").fetchone()
    forged = text.replace('"decision":"reject"', '"decision":"proceed"').replace('"level":"high"', '"level":"low"')
    conn.execute("UPDATE records SET assessment_json = ? WHERE seq = 1", (forged,))
    conn.close()
    with pytest.raises(LedgerTampered) as info:
        gate.require(risky)
    # the open gate saw another hand change the file, re-hashed what it had verified, and names the record
    assert info.value.reason == "tampered" and info.value.report.bad_seq == 1
    assert info.value.exit_code == 1 and info.value.code == "ledger.tampered"
    assert "第 1 号记录" in str(info.value) and "拒绝" in str(info.value)
    # a gate opened afterwards finds it by its full verification
    with pytest.raises(LedgerTampered) as info:
        Gate(risky_rs(gate), ledger=ledger_path).require(risky)
    assert info.value.report is not None and info.value.report.bad_seq == 1


def risky_rs(gate):
    return gate.ruleset


def test_signed_gate_and_keys(rs, make, ledger_path, tmp_path):
    from riskeval.ledger import LedgerKeyError, generate_keys

    key, pub = generate_keys(tmp_path / "keys")
    gate = Gate(rs, ledger=ledger_path, signing_key=key)
    gate.assess(make(), actor="张三")
    assert gate.require(make()).seq == 1 and gate.ledger.signed
    # writing to a signed ledger needs the key
    with pytest.raises(LedgerKeyError) as info:
        Gate(rs, ledger=ledger_path).assess(make(pid="P-2"), actor="张三")
    assert info.value.reason == "key_required" and info.value.exit_code == 2
    # reading works without it (checked with the ledger's own key)
    assert Gate(rs, ledger=ledger_path).require(make()).seq == 1
    # another key is a replaced ledger or a wrong key: refused
    other, _ = generate_keys(tmp_path / "other")
    with pytest.raises(LedgerTampered) as tampered:
        Gate(rs, ledger=ledger_path, signing_key=other).require(make())
    assert tampered.value.report.problem == "wrong_key"
    with pytest.raises(LedgerKeyError):
        Gate(rs, ledger=ledger_path, signing_key=tmp_path / "missing.key")
    with pytest.raises(LedgerKeyError) as info:
        Gate(rs, ledger=ledger_path, signing_key=pub)  # a public key cannot sign
    assert info.value.reason == "key_invalid"


def test_require_signed_refuses_an_unsigned_ledger(rs, make, ledger_path, tmp_path):
    Gate(rs, ledger=ledger_path).assess(make(), actor="张三")
    strict = Gate(rs, ledger=ledger_path, require_signed=True)
    with pytest.raises(LedgerTampered) as info:
        strict.require(make())
    assert info.value.reason == "unsigned_refused"
    assert strict.allows(make()) is False
    assert Gate(rs, ledger=tmp_path / "new.sqlite", require_signed=True).allows(make()) is False


def test_allows_never_raises(gate, make, monkeypatch):
    gate.assess(make(), actor="张三")
    assert gate.allows(make()) is True

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gate.ledger, "last_assessment", broken)
    assert gate.allows(make()) is False
    assert gate.allows({"id": "x", "facts": "not a mapping"}) is False


def test_integral_floats_do_not_make_a_project_changed(gate, make):
    gate.assess(make(facts={"opposition_rate": 5}), actor="张三")
    assert gate.require(make(facts={"opposition_rate": 5.0})).seq == 1
    assert project_hash(make(facts={"opposition_rate": 5})) == project_hash(make(facts={"opposition_rate": 5.0}))
    with pytest.raises(AssessmentStale):
        gate.require(make(facts={"opposition_rate": 5.5}))


def test_a_signed_but_inconsistent_record_is_not_a_basis(rs, make, ledger_path, tmp_path):
    """A record whose columns disagree (written by other code with the key) is refused."""
    from riskeval import assess
    from riskeval.ledger import Ledger, generate_keys

    key, _ = generate_keys(tmp_path / "keys")
    ledger = Ledger(ledger_path, signing_key=key)
    risky, other = make(pid="P-1", facts={"opposition_rate": 60}), make(pid="P-1", facts={"opposition_rate": 3})
    record = ledger._append(
        {
            "kind": "assessment", "project_id": "P-1", "project_json": canonical_project(risky),
            "project_hash": project_hash(risky), "ruleset_id": rs.id, "ruleset_version": rs.version,
            "ruleset_hash": rs.content_hash, "assessment_json": assess(other, rs).to_json(indent=None), "actor": "x",
        }
    )
    assert record.inconsistency() == "assessment_json"
    with pytest.raises(LedgerTampered) as info:
        Gate(rs, ledger=ledger_path, signing_key=key).require(risky)
    assert info.value.reason == "record_inconsistent"


def test_gate_is_strict_about_unknown_facts_unless_told(tmp_path):
    """A misspelled fact (petition_12m for petitions_12m) must not let a matter through the gate."""
    import riskeval
    from riskeval import Gate, Project, ProjectError

    rules = riskeval.load_ruleset("guiyang")
    facts = {**rules.tests[0].project["facts"], "petition_12m": 45}
    project = Project(id="GY-STRICT", kind="project", facts=facts)
    gate = Gate(rules, ledger=tmp_path / "strict.sqlite")
    with pytest.raises(ProjectError) as info:
        gate.assess(project, actor="t")
    assert info.value.problems[0].code == "project.unknown_fact"
    assert "petitions_12m" in info.value.render("en")
    assert gate.ledger.head() is None  # nothing recorded
    lenient = Gate(rules, ledger=tmp_path / "lenient.sqlite", strict=False)
    result = lenient.assess(project, actor="t")
    assert any("petition_12m" in w for w in result.warnings)


def test_gate_assess_cli_lenient(tmp_path):
    import yaml
    from typer.testing import CliRunner

    import riskeval
    from riskeval.cli import app

    rules = riskeval.load_ruleset("guiyang")
    facts = {**rules.tests[0].project["facts"], "petition_12m": 45}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"id": "GY-CLI", "kind": "project", "facts": facts}, allow_unicode=True), encoding="utf-8")
    args = ["gate", "assess", str(path), "--rules", "guiyang", "--ledger", str(tmp_path / "l.sqlite"), "--actor", "t"]
    strict = CliRunner().invoke(app, args)
    assert strict.exit_code == 1 and "petitions_12m" in strict.output
    lenient = CliRunner().invoke(app, [*args, "--lenient"])
    assert lenient.exit_code == 0, lenient.output
