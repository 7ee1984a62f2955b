"""The audit scheme: the bundled example loads; every problem is located, in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskeval.errors import exit_code_for
from riskeval.kaohe import SchemeError, load_scheme, scheme_from_text

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "kaohe-scheme.yaml"

GOOD = """\
id: s
title: 示例
indicators:
  coverage: {weight: 40}
  timeliness: {weight: 20, min_days: 10}
  measures: {weight: 20, deduct: 5}
  tracking: {weight: 10, interval_days: 90, levels: [high, medium]}
  incidents:
    weight: 10
    facts:
      - {fact: prior_mass_incident, equals: true}
"""


def test_the_bundled_example_loads_and_marks_every_weight_unsourced() -> None:
    scheme = load_scheme(EXAMPLE)
    assert scheme.max_total == 100 == scheme.total
    names = [n for n, _ in scheme.indicators.items()]
    assert names == ["coverage", "timeliness", "measures", "tracking", "incidents"]
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    weights = [line for line in lines if line.strip().startswith(("weight:", "deduct:", "min_days:", "interval_days:"))]
    assert weights and all("[U]" in line for line in weights)
    assert all("[U]" in (ind.label or "") for _, ind in scheme.indicators.items())


def test_a_good_scheme() -> None:
    scheme = scheme_from_text(GOOD)
    assert scheme.max_total == 100
    assert scheme.indicators.measures is not None and scheme.indicators.measures.deduct == 5
    assert scheme.indicators.incidents is not None and scheme.indicators.incidents.escalated is True


def _problems(text: str, lang: str = "zh") -> list[str]:
    with pytest.raises(SchemeError) as info:
        scheme_from_text(text, "s.yaml")
    assert exit_code_for(info.value) == 1
    return info.value.render(lang).splitlines()


def test_type_errors_and_unknown_keys_are_located() -> None:
    text = GOOD.replace("{weight: 40}", '{weight: "很多"}').replace("min_days: 10", "min_dayz: 10")
    lines = _problems(text)
    assert lines[0].startswith("s.yaml:4:22: ") and "indicators.coverage.weight" in lines[0] and "数" in lines[0]
    assert any(line.startswith("s.yaml:5:28: ") and "min_dayz" in line for line in lines)
    assert any(line.startswith("s.yaml:5:15: ") and "min_days" in line for line in lines)
    en = _problems(text, "en")
    assert en[0].startswith("s.yaml:4:22: scheme field 'indicators.coverage.weight'")


def test_value_problems_are_located() -> None:
    text = (
        GOOD.replace("{weight: 40}", "{weight: -5}")
        .replace("interval_days: 90", "interval_days: 0")
        .replace("[high, medium]", "[high, 中]")
        .replace("{fact: prior_mass_incident, equals: true}", "{fact: prior_mass_incident}")
        .replace("deduct: 5", "deduct: 50")
    )
    lines = _problems(text)
    assert lines[0] == "s.yaml:4:22: 考核方案字段“indicators.coverage.weight”：应为 0 或更大"
    assert "s.yaml:6:34: 考核方案字段“indicators.measures.deduct”：每项扣分 50 超过该指标的权重 20" in lines
    assert "s.yaml:7:41: 考核方案字段“indicators.tracking.interval_days”：应大于 0" in lines
    assert any(line.startswith("s.yaml:7:59: ") and "“中”" in line for line in lines)
    assert any(line.startswith("s.yaml:11:9: ") and "equals、min、max" in line for line in lines)


def test_total_and_syntax() -> None:
    (line,) = _problems("total: 90\n" + GOOD)
    assert line.startswith("s.yaml:1:8: ") and "100" in line and "90" in line
    (line,) = _problems(GOOD.replace("coverage: {weight: 40}", "coverage：{weight: 40}"))
    assert line.startswith("s.yaml:4:") and "考核方案" in line
    (line,) = _problems("id: s\ntitle: t\nindicators: {}\n")
    assert "至少要有一项指标" in line


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    from riskeval.errors import InputError

    with pytest.raises(InputError) as info:
        load_scheme(tmp_path / "none.yaml")
    assert exit_code_for(info.value) == 2
