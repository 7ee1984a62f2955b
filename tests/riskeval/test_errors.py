"""The one error tree: every error riskeval raises on purpose is a RiskevalError with code, params,
message(lang), location and to_dict(); one table gives the exit code of every command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import expert_pool
import riskeval
from riskeval.cli import app
from riskeval.errors import EXIT_INTERNAL, EXIT_PROBLEMS, EXIT_USAGE, exit_code_for, exit_code_table

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("GateError", "LedgerError", "RuleSetError", "ProjectError", "EngineError", "InputError")


def _exported_errors() -> list[type[BaseException]]:
    out = []
    for module in (riskeval, expert_pool):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, BaseException):
                out.append(obj)
    return out


def test_every_exported_error_is_a_riskeval_error() -> None:
    errors = _exported_errors()
    assert len(errors) >= 10
    for cls in errors:
        assert issubclass(cls, riskeval.RiskevalError), cls


def test_families_are_siblings() -> None:
    families = [getattr(riskeval, name) for name in FAMILIES] + [expert_pool.PoolError]
    for a in families:
        assert a.__bases__ == (riskeval.RiskevalError,), a
        for b in families:
            if a is not b:
                assert not issubclass(a, b), (a, b)
    for name in ("AssessmentRequired", "AssessmentStale", "AssessmentIncomplete", "GateBlocked"):
        assert issubclass(getattr(riskeval, name), riskeval.GateError)
    for name in ("LedgerNotFound", "LedgerKeyError", "LedgerTampered", "LedgerBusy"):
        cls = getattr(riskeval, name)
        assert issubclass(cls, riskeval.LedgerError) and not issubclass(cls, riskeval.GateError)


def _rule_error(tmp_path: Path) -> riskeval.RuleSetError:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\ntitle: t\nscoring:\n  method: points\n  nonsense_key: 1\n", encoding="utf-8")
    with pytest.raises(riskeval.RuleSetError) as info:
        riskeval.load_ruleset(bad)
    return info.value


def _project_error(jiangsu: riskeval.RuleSet) -> riskeval.ProjectError:
    facts = dict(jiangsu.tests[0].project["facts"])
    facts["opposition_rate"] = "很多"
    with pytest.raises(riskeval.ProjectError) as info:
        riskeval.assess(riskeval.Project(id="E-1", kind="project", facts=facts), jiangsu)
    return info.value


def test_errors_carry_code_location_and_json(tmp_path: Path, jiangsu: riskeval.RuleSet) -> None:
    samples: list[riskeval.RiskevalError] = [
        _rule_error(tmp_path),
        _project_error(jiangsu),
        riskeval.AssessmentRequired("P-1"),
        riskeval.EngineError("catch-all rule fired 0 times"),
        expert_pool.PoolError("pool.invalid_value.empty", file="e.csv", row=3, field="name"),
    ]
    for err in samples:
        data = err.to_dict("en")
        json.dumps(data, ensure_ascii=False)  # plain JSON
        assert data["code"] and isinstance(data["code"], str)
        assert data["message"] and data["type"] == type(err).__name__
        assert err.message("zh") != err.message("en")
        assert str(err) == err.render("zh")
    rule_err = samples[0].to_dict()
    assert rule_err["location"]["file"].endswith("bad.yaml") and rule_err["location"]["line"] == 5
    assert [p["location"]["line"] for p in rule_err["problems"]] == [5, 6]  # several problems, reported together
    assert samples[1].to_dict()["problems"][0]["field"] == "opposition_rate"
    assert samples[4].to_dict()["location"] == {"file": "e.csv", "row": 3, "field": "name"}


def test_exit_code_table() -> None:
    table = dict(exit_code_table())
    assert table["RuleSetError"] == EXIT_PROBLEMS and table["RuleSetNotFound"] == EXIT_USAGE
    assert table["ProjectError"] == EXIT_PROBLEMS and table["GateBlocked"] == EXIT_PROBLEMS
    assert table["InputError"] == EXIT_USAGE and table["LedgerNotFound"] == EXIT_USAGE
    assert table["LedgerTampered"] == EXIT_PROBLEMS
    assert exit_code_for(ValueError("bug")) == EXIT_INTERNAL
    assert EXIT_INTERNAL not in table.values()


def test_readme_documents_the_exit_code_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- exit-codes -->")[1].split("<!-- /exit-codes -->")[0]
    documented = dict(re.findall(r"`(\w+)`[^|\n]*\|\s*(\d)\s*\|", section))
    assert documented == {name: str(code) for name, code in exit_code_table()}


runner = CliRunner()


def test_same_error_same_exit_code_from_every_command(tmp_path: Path, jiangsu: riskeval.RuleSet) -> None:
    facts = dict(jiangsu.tests[0].project["facts"])
    facts["opposition_rate"] = "很多"
    project = tmp_path / "p.yaml"
    import yaml

    project.write_text(yaml.safe_dump({"id": "E-2", "kind": "project", "facts": facts}, allow_unicode=True), encoding="utf-8")
    rules = "jiangsu-db32-4013-2021"
    a = runner.invoke(app, ["assess", str(project), "--rules", rules])
    b = runner.invoke(app, ["gate", "assess", str(project), "--rules", rules, "--ledger", str(tmp_path / "l.sqlite"), "--actor", "t"])
    assert a.exit_code == b.exit_code == EXIT_PROBLEMS, (a.output, b.output)
    missing = runner.invoke(app, ["assess", str(tmp_path / "none.yaml"), "--rules", rules])
    assert missing.exit_code == EXIT_USAGE
    nosuch = runner.invoke(app, ["assess", str(project), "--rules", "no-such-rules"])
    assert nosuch.exit_code == EXIT_USAGE
    usage = runner.invoke(app, ["assess", str(project)])
    assert usage.exit_code == EXIT_USAGE and "用法错误" in usage.output


def test_version_and_usage_messages_in_both_languages() -> None:
    out = runner.invoke(app, ["--version"])
    assert out.exit_code == 0 and out.output.strip() == f"riskeval {riskeval.__version__}"
    en = runner.invoke(app, ["assess", "x.yaml", "--lang", "en"])
    assert en.exit_code == EXIT_USAGE and "usage error" in en.output


def test_no_inline_language_branches() -> None:
    """User-facing text comes from the one catalogue: no `lang == "en"` branches in either package."""
    pattern = re.compile(r"""lang\s*[!=]=\s*["'](en|zh)["']|==\s*["'](en|zh)["']\s+else""")
    offenders = []
    for package in ("riskeval", "expert_pool"):
        for path in (ROOT / package).rglob("*.py"):
            if path.parts[-2] == "i18n":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_registering_a_message_twice_is_an_error() -> None:
    from riskeval.i18n import DuplicateMessage, register_messages

    with pytest.raises(DuplicateMessage):
        register_messages({"cli.usage": {"zh": "x", "en": "x"}})
