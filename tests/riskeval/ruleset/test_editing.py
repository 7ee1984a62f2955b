"""Checking edited rule files: problems by line, embedded tests, impact, saving versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskeval import load_ruleset
from riskeval.errors import InputError
from riskeval.ruleset import RuleSetError
from riskeval.ruleset.editing import EDIT_NAME, MAX_RULE_TEXT, edit_session
from riskeval.ruleset.source import bundled_rules_dir
from riskeval.ruleset.versions import RuleDirectory, RuleVersionExists, version_file_name

ROOT = Path(__file__).resolve().parents[3]
GUIYANG = (bundled_rules_dir() / "guiyang.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_a_typo_is_reported_at_its_line_in_chinese() -> None:
    text = GUIYANG.replace("authority:", "authorty:")
    with edit_session(text) as session:
        assert not session.report.ok
        assert session.ruleset is None
        [problem] = session.report.problems
    assert (problem.file, problem.line, problem.column) == (EDIT_NAME, _line_of(text, "authorty:"), 1)
    assert "未知的键" in problem.message and "authority" in problem.message
    assert session.report.by_line() == {problem.line: [problem]}


def test_english_messages_on_request() -> None:
    with edit_session(GUIYANG.replace("authority:", "authorty:"), lang="en") as session:
        assert "authority" in session.report.problems[0].message
        assert "未知" not in session.report.problems[0].message


def test_a_yaml_syntax_error_is_located() -> None:
    lines = GUIYANG.splitlines()
    at = _line_of(GUIYANG, "regime: major_decision")
    lines[at - 1] = "regime: [major_decision"
    with edit_session("\n".join(lines) + "\n") as session:
        assert not session.report.ok
        assert all(p.file == EDIT_NAME for p in session.report.problems)
        assert session.report.problems[0].line >= at


def test_the_valid_file_loads_and_its_tests_pass() -> None:
    with edit_session(GUIYANG) as session:
        assert session.report.ok and session.report.problems == []
        results = session.run_tests()
    assert results and all(r.passed for r in results)


def test_a_broken_expectation_fails_its_embedded_test() -> None:
    first = load_ruleset("guiyang").tests[0]
    assert first.expect.level == "low"
    old = "expect: {in_scope: true, level: low, initial_level: low"
    assert GUIYANG.count(old) == 1
    with edit_session(GUIYANG.replace(old, old.replace("level: low, initial", "level: high, initial"))) as session:
        assert session.report.ok
        failed = [r for r in session.run_tests() if not r.passed]
    assert [r.name for r in failed] == [first.name]
    assert any("high" in d and "low" in d for d in failed[0].differences)


def test_impact_of_a_change_on_a_project_list(tmp_path: Path) -> None:
    lines = (ROOT / "examples" / "projects.csv").read_text(encoding="utf-8").splitlines()[:61]
    projects = tmp_path / "projects.csv"
    projects.write_text("\n".join(lines) + "\n", encoding="utf-8")
    jiangsu = (bundled_rules_dir() / "jiangsu-db32-4013-2021.yaml").read_text(encoding="utf-8")
    base = load_ruleset("jiangsu-db32-4013-2021")
    with edit_session(jiangsu.replace('version: "2021.1"', 'version: "2021.1-t"')) as session:
        same = session.impact(base, projects)
    assert (same.total, same.changed) == (60, 0)
    stricter = jiangsu.replace('range: "[0, 20]"', 'range: "[0, 10]"').replace('range: "(20, 35]"', 'range: "(10, 35]"')
    with edit_session(stricter) as session:
        outcome = session.impact(base, projects)
    assert outcome.total == 60 and outcome.changed > 0
    # only the low band shrank: a change moves a level from low to medium, before or after measures
    for c in outcome.changes:
        moved = {(c.old.initial_level, c.new.initial_level), (c.old.residual_level, c.new.residual_level)}
        assert moved - {("low", "medium"), ("low", "low"), ("medium", "medium"), ("high", "high")} == set()
        assert ("low", "medium") in moved


def test_extends_into_the_rule_directory(tmp_path: Path) -> None:
    rules = RuleDirectory(tmp_path)
    rules.save(GUIYANG)
    child = "id: child\ntitle: 子规则集\nversion: '1'\nextends: ./guiyang@2014.1.yaml\n"
    with edit_session(child, rule_dirs=[tmp_path]) as session:
        assert session.report.ok, session.report.to_dict()
        assert session.ruleset is not None and session.ruleset.id == "child"


def test_too_large_and_not_text_are_input_errors() -> None:
    with pytest.raises(InputError), edit_session("#" * (MAX_RULE_TEXT + 1)):
        pass
    with pytest.raises(InputError), edit_session(b"\xff\xfe id: x"):
        pass


def test_saving_never_overwrites(tmp_path: Path) -> None:
    rules = RuleDirectory(tmp_path)
    saved = rules.save(GUIYANG)
    assert saved.path == tmp_path / version_file_name("guiyang", "2014.1")
    assert saved.hash == load_ruleset("guiyang").content_hash
    before = saved.path.read_bytes()
    with pytest.raises(RuleVersionExists) as err:
        rules.save(GUIYANG.replace("# 贵阳", "# 改过的贵阳"))
    assert "2014.1" in err.value.message() and "不覆盖" in err.value.message()
    assert saved.path.read_bytes() == before
    newer = rules.save(GUIYANG.replace('version: "2014.1"', 'version: "2014.2"'))
    assert [(v.id, v.version) for v in rules.versions()] == [("guiyang", "2014.1"), ("guiyang", "2014.2")]
    assert rules.find("guiyang", "2014.2") == newer


def test_a_version_kept_under_another_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(GUIYANG, encoding="utf-8")
    with pytest.raises(RuleVersionExists):
        RuleDirectory(tmp_path).save(GUIYANG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]


def test_saving_a_file_with_errors_is_refused_with_its_problems(tmp_path: Path) -> None:
    text = GUIYANG.replace("authority:", "authorty:")
    with pytest.raises(RuleSetError) as err:
        RuleDirectory(tmp_path).save(text)
    assert err.value.problems[0].line == _line_of(text, "authorty:")
    assert list(tmp_path.iterdir()) == []


def test_the_static_checks_are_used_when_riskeval_has_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import riskeval
    from riskeval.ruleset import Problem

    seen: list[str] = []

    def check_ruleset(rs: object) -> list[Problem]:
        seen.append(rs.id)  # type: ignore[attr-defined]
        path = str(rs.path)  # type: ignore[attr-defined]
        return [Problem(path, 7, 1, "schema.missing", {"key": "x"}, severity="warning")]

    monkeypatch.setattr(riskeval, "check_ruleset", check_ruleset, raising=False)
    with edit_session(GUIYANG) as session:
        report = session.report
    assert seen == ["guiyang"] and report.checked and report.ok
    assert [(p.file, p.line, p.severity) for p in report.problems] == [(EDIT_NAME, 7, "warning")]
    with edit_session(GUIYANG, check=False) as session:
        assert not session.report.checked and session.report.problems == []
