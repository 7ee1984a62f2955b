"""The complete examples in docs/rules-guide.zh.md validate and pass their tests."""

from __future__ import annotations

import re
from pathlib import Path

import riskeval
from riskeval.ruleset import validate_file
from riskeval.ruleset.testing import run_tests

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "rules-guide.zh.md"

CHILD_TEST = """tests:
  - name: 中风险暂缓
    project:
      kind: project
      facts: {opposition_rate: 15, opposition_intensity: strong, environmental_impact: some,
              public_notice_days: 10, households_relocated: 10}
    expect: {level: medium, decision: postpone, incomplete: false}
"""


def _blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def test_guide_examples_work(tmp_path: Path) -> None:
    blocks = _blocks()
    parent = tmp_path / "demo-city.yaml"
    parent.write_text(blocks[0], encoding="utf-8")
    child = tmp_path / "demo-county.yaml"
    child.write_text(next(b for b in blocks if b.startswith("id: demo-county")) + CHILD_TEST, encoding="utf-8")
    for path in (parent, child):
        assert [p.render() for p in validate_file(path)] == []
        results = run_tests(riskeval.load_ruleset(path))
        assert results and all(r.passed for r in results), [r.differences for r in results]
    county = riskeval.load_ruleset(child)
    assert [p.id for p in county.procedures] == ["D-P1"]


def _common_errors() -> list[tuple[str, str]]:
    """``(yaml example, expected "line:column: message")`` pairs of the guide's 常见错误 section."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## 14. 常见错误") :]
    return re.findall(r"```yaml\n(.*?)```\s*\n报错：`([^`]*)`", section, re.S)


def test_common_errors_section_has_the_examples() -> None:
    examples = _common_errors()
    assert len(examples) >= 11
    messages = " ".join(expected for _, expected in examples)
    for needle in ("全角（中文）冒号", "Tab", "引号", "缩进不对", "冒号后面要有一个空格", "“≥” 应写成 “>=”", "“50%”", "opposition_rate > 50"):
        assert needle in messages, needle


def test_common_errors_examples_give_the_documented_message(tmp_path: Path) -> None:
    from riskeval.i18n import t
    from riskeval.ruleset.conditions import ConditionError, parse_condition

    parent = tmp_path / "demo-city.yaml"
    parent.write_text(_blocks()[0], encoding="utf-8")
    specs = riskeval.load_ruleset(parent).specs
    for i, (example, expected) in enumerate(_common_errors()):
        if example.startswith("when: ") and example.count("\n") == 1:
            condition = example[len("when: ") :].rstrip("\n")
            try:
                parse_condition(condition, specs)
            except ConditionError as exc:
                got = f"1:{len('when: ') + exc.offset + 1}: {t(exc.code, 'zh', **exc.params)}"
            else:
                got = "accepted"
        else:
            path = tmp_path / f"example{i}.yaml"
            path.write_text(example, encoding="utf-8")
            problems = validate_file(path)
            got = f"{problems[0].line}:{problems[0].column}: {problems[0].message('zh')}" if problems else "valid"
        assert got == expected, example
