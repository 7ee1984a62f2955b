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
