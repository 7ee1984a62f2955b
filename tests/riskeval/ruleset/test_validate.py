"""The broken-rule-file corpus: each file names the exact location and message it must produce."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.cli.rules_cmd import ruleset_json_schema
from riskeval.ruleset import RuleSetError, bundled_names, load_ruleset, validate_file

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.glob("*.yaml") if p.name != "valid.yaml")


def expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: ")
    return first[len("# expect: ") :]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_corpus_file_reports_exact_location_and_message(path: Path):
    rendered = [p.render("en") for p in validate_file(path) if p.severity == "error"]
    expected = f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}:{expectation(path)}"
    assert any(line.startswith(expected) for line in rendered), rendered


def test_valid_base_has_no_problems():
    assert validate_file(CORPUS / "valid.yaml") == []


def test_cli_validate_exit_status_and_chinese_default(monkeypatch):
    monkeypatch.chdir(Path(__file__).parents[3])
    runner = CliRunner()
    bad = runner.invoke(app, ["validate", "tests/riskeval/ruleset/corpus/unknown_fact.yaml"])
    assert bad.exit_code == 1
    assert "unknown_fact.yaml:36:33: 未声明的事实 “oposition_rate”（是否想写 “opposition_rate”？）" in bad.stderr
    assert "Traceback" not in bad.output
    good = runner.invoke(app, ["validate", "tests/riskeval/ruleset/corpus/valid.yaml", *bundled_names()])
    assert good.exit_code == 0, good.output


def test_alias_bomb_is_refused_quickly(tmp_path: Path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = validate_file(path)  # work is bounded by the node budget (MAX_NODES), not by a clock
    assert [p.code for p in problems] == ["yaml.too_many_nodes"]


def test_huge_file_is_refused_without_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import riskeval.io.yaml as reader

    def no_parsing(*args: object) -> None:
        raise AssertionError("a file over the size limit must not be parsed")

    monkeypatch.setattr(reader, "_events", no_parsing)
    path = tmp_path / "huge.yaml"
    path.write_text("x: " + "y" * 3_000_000 + "\n", encoding="utf-8")
    problems = validate_file(path)
    assert problems[0].code == "yaml.too_big" and (problems[0].line, problems[0].column) == (1, 1)


def test_no_python_objects_from_tags(tmp_path: Path):
    path = tmp_path / "tag.yaml"
    path.write_text("id: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    problems = validate_file(path)
    assert problems and problems[0].severity == "error"


def test_missing_ruleset_name_lists_bundled():
    with pytest.raises(RuleSetError) as info:
        load_ruleset("no-such-ruleset")
    assert "jiangsu-db32-4013-2021" in info.value.render("en")


def test_committed_json_schema_is_current():
    committed = Path(__file__).parents[3] / "riskeval" / "schema" / "ruleset.schema.json"
    assert json.loads(committed.read_text(encoding="utf-8")) == ruleset_json_schema()


def test_schema_command_prints_the_schema():
    result = CliRunner().invoke(app, ["schema"])
    data = json.loads(result.stdout)
    assert "items" in data["properties"] and data["title"].startswith("riskeval")


def test_extends_overrides_by_id_and_removes(tmp_path: Path):
    child = tmp_path / "child.yaml"
    child.write_text(
        """id: child
title: 子规则集
version: "9"
extends: jiangsu-db32-4013-2021
regime: major_decision
remove: {triggers: [JS-TRG-M2]}
items:
  - {id: JS-FEA-2, points: {fact: environmental_impact, map: {none: 0, some: 1, nimby: 4}}}
""",
        encoding="utf-8",
    )
    rs = load_ruleset(child)
    assert rs.regime == "major_decision" and "JS-TRG-M2" not in {t.id for t in rs.triggers}
    item = rs.item("JS-FEA-2")
    assert item.label == "环境影响" and item.max == 4  # inherited fields kept
    assert [v for _, v, _ in rs.item_values["JS-FEA-2"]["points"].branches] == [0, 1, 4]
    assert [x["id"] for x in rs.lineage] == ["jiangsu-db32-4013-2021", "child"]
    assert rs.content_hash != load_ruleset("jiangsu-db32-4013-2021").content_hash


def test_cli_validate_chinese_syntax_error_at_the_mistake(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text('id: a\ntitle：标题\nversion: "1"\n', encoding="utf-8")
    runner = CliRunner()
    zh = runner.invoke(app, ["validate", str(path)])
    assert zh.exit_code == 1 and "Traceback" not in zh.output
    assert "bad.yaml:2:6: “：” 是全角（中文）冒号，键后面要写英文冒号加空格：title: 标题" in zh.stderr
    en = runner.invoke(app, ["validate", "--lang", "en", str(path)])
    assert "bad.yaml:2:6: '：' is a full-width colon" in en.stderr
    assert "could not find expected" not in zh.stderr + en.stderr
