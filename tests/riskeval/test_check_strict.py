"""Strict facts: a fact neither declared by the rule set nor standard is an error (issue 12).

The case that motivated it: under the Guiyang rule set a misspelled ``petition_12m: 45`` was ignored
with a hint, so the trigger "近 12 个月相关信访 30 件次以上" did not fire and the matter passed.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import riskeval
from riskeval import Project, assess
from riskeval.check import ProjectError, check_project
from riskeval.cli import app
from riskeval.model.vocabulary import STANDARD_FACTS
from riskeval.pipeline import evaluate_project, project_from_data

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ("guiyang", "jiangsu-db32-4013-2021", "national")

#: domain.md §8, the standard project facts (identity fields apart).
DOMAIN_VOCABULARY = """
subject_authority legal_compliance procedure_compliant
stakeholders_defined information_disclosed satisfaction_rate comparison_risk expert_feasible compensation_adequacy
local_support fiscal_capacity environmental_impact technical_readiness
opposition_rate opposition_intensity negative_publicity malicious_hype activist_involvement hostile_forces
instability_ledger contingency_plan publicity_guidance
possible_incident_size possible_violent_case possible_extreme_event
households_relocated land_area_mu affected_population workers_affected event_attendance price_change_pct
petitions_12m prior_mass_incident distance_to_residents_m
public_notice_days hearing_held survey_sample_size legality_reviewed expert_reviewed collective_decision
""".split()


@pytest.fixture(scope="module")
def guiyang() -> riskeval.RuleSet:
    return riskeval.load_ruleset("guiyang")


@pytest.fixture()
def gy_facts(guiyang: riskeval.RuleSet) -> dict[str, Any]:
    """The Guiyang rule set's first embedded test: a well-prepared matter, low risk."""
    return copy.deepcopy(guiyang.tests[0].project["facts"])


def policy(facts: dict[str, Any], **extra: Any) -> Project:
    return Project(id="GY-P", kind="policy", facts=facts, **extra)


def test_misspelled_petitions_is_an_error_with_did_you_mean(guiyang, gy_facts):
    with pytest.raises(ProjectError) as info:
        assess(policy({**gy_facts, "petition_12m": 45}), guiyang)
    [problem] = info.value.problems
    assert (problem.code, problem.field) == ("project.unknown_fact", "petition_12m")
    assert problem.params["suggestion"] == "petitions_12m"
    assert "petitions_12m" in problem.message("zh") and "是否想写" in problem.message("zh")
    assert info.value.to_dict("en")["problems"][0]["code"] == "project.unknown_fact"


def test_correct_spelling_fires_the_petitions_trigger(guiyang, gy_facts):
    result = assess(policy({**gy_facts, "petitions_12m": 45}), guiyang)
    assert result.initial is not None
    assert "GY-TRG-M2" in {h.trigger for h in result.initial.triggers}
    assert result.level == "medium"


def test_lenient_ignores_the_misspelling_with_a_warning(guiyang, gy_facts):
    """What strict mode prevents: the misspelled fact is dropped and the trigger does not fire."""
    result = assess(policy({**gy_facts, "petition_12m": 45}), guiyang, strict=False)
    assert result.level == "low"
    assert len(result.warnings) == 1 and "petitions_12m" in result.warnings[0]


def test_measure_setting_an_unknown_fact_is_an_error(guiyang, gy_facts):
    measures = [{"id": "M1", "label": "信访化解", "sets": {"petition_12m": 3}}]
    with pytest.raises(ProjectError) as info:
        assess(policy(gy_facts, measures=measures), guiyang)
    [problem] = info.value.problems
    assert problem.code == "project.unknown_measure_fact"
    assert problem.params["measure"] == "M1" and problem.params["suggestion"] == "petitions_12m"
    checked = check_project(policy(gy_facts, measures=measures), guiyang, strict=False)
    assert [w.code for w in checked.warnings] == ["project.unknown_measure_fact_ignored"]


def test_every_unknown_fact_is_listed(guiyang, gy_facts):
    with pytest.raises(ProjectError) as info:
        assess(policy({**gy_facts, "petition_12m": 45, "oposition_rate": 3, "colour": "red"}), guiyang)
    assert sorted(p.field for p in info.value.problems) == ["colour", "oposition_rate", "petition_12m"]
    suggestions = {p.field: p.params["suggestion"] for p in info.value.problems}
    assert suggestions == {"petition_12m": "petitions_12m", "oposition_rate": "opposition_rate", "colour": ""}


def test_did_you_mean_reaches_vocabulary_facts_the_rule_set_does_not_declare(good_facts):
    jiangsu = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    assert "petitions_12m" not in jiangsu.facts
    with pytest.raises(ProjectError) as info:
        assess(Project(id="J", kind="project", facts={**good_facts, "petition_12m": 45}), jiangsu)
    assert info.value.problems[0].params["suggestion"] == "petitions_12m"


def test_vocabulary_facts_the_rule_set_does_not_use_are_ignored_with_a_note(good_facts):
    jiangsu = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    unused = sorted(STANDARD_FACTS - set(jiangsu.facts))[:2]
    facts = {**good_facts, **{name: 1 for name in unused}}
    outcome = evaluate_project(Project(id="J", kind="project", facts=facts), jiangsu)
    assert outcome.checked.warnings == []
    [note] = outcome.checked.notes
    assert note.code == "project.unused_facts" and note.params["facts"] == unused
    assert note.message("en").endswith(", ".join(unused))
    assert note.message("zh").endswith("、".join(unused))
    assert not set(unused) & set(outcome.checked.initial)
    assert assess(Project(id="J", kind="project", facts=facts), jiangsu).warnings == []


def test_vocabulary_is_domain_section_8():
    assert set(DOMAIN_VOCABULARY) == STANDARD_FACTS


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_rule_sets_declare_only_vocabulary_names_or_their_own(name):
    """Every fact of every bundled embedded test is known to its rule set (the embedded tests pass strict)."""
    rs = riskeval.load_ruleset(name)
    for case in rs.tests:
        project = project_from_data({"id": "t", **case.project})
        unknown = set(project.facts) - set(rs.facts) - STANDARD_FACTS
        assert not unknown, (case.name, unknown)


@pytest.mark.parametrize("rules", BUNDLED)
@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "projects").glob("*.yaml")), ids=lambda p: p.stem)
def test_example_projects_pass_strict_under_every_bundled_rule_set(path: Path, rules: str):
    project = riskeval.load_project(path)
    check_project(project, riskeval.load_ruleset(rules), require=False)  # raises on an unknown fact


def write_project(path: Path, facts: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"id": "GY-P", "kind": "policy", "facts": facts}, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_assess_refuses_unknown_fact_and_lenient_warns(tmp_path, gy_facts):
    path = write_project(tmp_path / "p.yaml", {**gy_facts, "petition_12m": 45})
    strict = CliRunner().invoke(app, ["assess", str(path), "--rules", "guiyang", "--lang", "en"])
    assert strict.exit_code == 1
    assert "unknown fact 'petition_12m'" in strict.stderr and "did you mean 'petitions_12m'" in strict.stderr
    assert f"{path}:" in strict.stderr
    lenient = CliRunner().invoke(app, ["assess", str(path), "--rules", "guiyang", "--format", "json", "--lenient"])
    assert lenient.exit_code == 0, lenient.output
    assert json.loads(lenient.stdout)["level"] == "low"
    assert "petition_12m" in lenient.stderr


def test_cli_assess_notes_unused_vocabulary_facts(tmp_path, good_facts):
    path = write_project(tmp_path / "p.yaml", {**good_facts, "petitions_12m": 3})
    result = CliRunner().invoke(app, ["assess", str(path), "--rules", "jiangsu-db32-4013-2021", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "note: standard facts not used by this rule set are ignored: petitions_12m" in result.stderr
