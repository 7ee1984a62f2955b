"""Write the broken-rule-file corpus: a small valid base and one edit per file.

Run once (python tests/riskeval/ruleset/make_corpus.py); the files are committed and each
carries on its first line the exact location and message the validator must report.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent / "corpus"

BASE = """\
id: mini
title: 最小规则集
version: "1"
regime: major_decision
facts:
  opposition_rate: {type: number, label: 反对率, unit: "%", min: 0, max: 100, required: true}
  environmental_impact: {type: option, label: 环境影响, required: true, options: {none: 不涉及, nimby: 涉邻避}}
  hearing_held: {type: bool, label: 已听证, default: false}
dimensions:
  - {id: legality, label: 合法性, max: 4}
  - {id: controllability, label: 可控性, max: 6}
scoring:
  method: points
  total: 10
  levels:
    low: "[0, 3]"
    medium: "(3, 6]"
    high: "(6, 10]"
items:
  - id: A
    label: 环境影响
    dimension: legality
    max: 4
    points: {fact: environmental_impact, map: {none: 0, nimby: 4}}
    source: test
    confidence: S
  - id: B
    label: 反对
    dimension: controllability
    max: 6
    points: {fact: opposition_rate, bands: {"[0, 20)": 0, "[20, 100]": 6}}
    source: test
    confidence: S
triggers:
  - {id: T1, label: 过半反对, when: opposition_rate > 50, level: high, source: test, confidence: S}
tests:
  - name: 低
    project: {facts: {opposition_rate: 1, environmental_impact: none}}
    expect: {level: low}
"""

CASES: dict[str, tuple[str, str, str]] = {
    # name: (old text, new text, expectation "line:col: english message part")
    "yaml_syntax": ("title: 最小规则集", "title: [最小规则集", "4:8: the '[' opened at line 3, column 8 is never closed: add ']', or quote the text if '[' belongs to it"),
    "misspelled_key": ("    dimension: legality\n    max: 4", "    dimenssion: legality\n    max: 4",
                       "23:5: unknown key 'dimenssion' (did you mean 'dimension'?)"),
    "wrong_type": ("    max: 6\n", "    max: six\n", "31:10: wrong type: expected a number, got \"six\""),
    "unknown_fact": ("when: opposition_rate > 50", "when: oposition_rate > 50",
                     "36:33: undeclared fact 'oposition_rate' (did you mean 'opposition_rate'?)"),
    "type_mismatch": ("when: opposition_rate > 50", 'when: opposition_rate == "high"',
                      "36:52: type mismatch: 'opposition_rate' is number, cannot compare with high"),
    "undeclared_option_in_condition": ("when: opposition_rate > 50", 'when: environmental_impact == "huge"',
                                       "36:57: 'huge' is not an option of 'environmental_impact' (options: none, nimby)"),
    "undeclared_option_in_map": ("map: {none: 0, nimby: 4}", "map: {none: 0, nimbi: 4}",
                                 "25:57: 'nimbi' is not an option of 'environmental_impact' (options: none, nimby)"),
    "duplicate_id": ("  - id: B\n", "  - id: A\n", "28:9: duplicate id 'A' in items"),
    "levels_out_of_order": ('    medium: "(3, 6]"\n    high: "(6, 10]"', '    medium: "(6, 10]"\n    high: "(3, 6]"',
                            "19:11: levels out of order: medium must lie below high"),
    "levels_gap": ('    medium: "(3, 6]"', '    medium: "(4, 6]"', "17:5: gap between level bands: [0, 3] … (4, 6]"),
    "levels_overlap": ('    medium: "(3, 6]"', '    medium: "[3, 6]"', "17:5: level bands overlap: [0, 3] / [3, 6]"),
    "dimension_total": ("  - {id: controllability, label: 可控性, max: 6}", "  - {id: controllability, label: 可控性, max: 7}",
                        "11:5: dimension maxima add up to 11.0, not 10.0"),
    "bands_gap": ('"[0, 20)": 0, "[20, 100]": 6', '"[0, 20)": 0, "(20, 100]": 6',
                  "32:44: bands of 'opposition_rate' leave a gap: [0, 20) … (20, 100]"),
    "test_data_mismatch": ("opposition_rate: 1, environmental_impact: none", "opposition_rate: 1, environmental_impact: big",
                           "39:14: test '低': bad project data: fact 'environmental_impact' (环境影响): 'big' is not an allowed option"),
    "duplicate_yaml_key": ("version: \"1\"\n", "version: \"1\"\nversion: \"2\"\n", "5:1: duplicate key 'version'"),
    "missing_parent": ("regime: major_decision\n", "regime: major_decision\nextends: ./no-such-parent.yaml\n",
                       "6:10: parent rule set './no-such-parent.yaml' not found"),
    "cycle_a": ("regime: major_decision\n", "regime: major_decision\nextends: ./cycle_b.yaml\n",
                "6:10: extends cycle: cycle_a.yaml → cycle_b.yaml → cycle_a.yaml"),
    "missing_regime": ("regime: major_decision\n", "", "2:1: a rule set needs a regime or a decisions table"),
    "bad_interval": ('    high: "(6, 10]"', '    high: "(6; 10]"', "19:11: bad interval '(6; 10]'"),
    "scope_unknown_fact": ("regime: major_decision\n", 'regime: major_decision\nscope:\n  - kind == "project" and hearing_hold\n',
                           "7:27: undeclared fact 'hearing_hold' (did you mean 'hearing_held'?)"),
    "block_scalar_condition": (
        "  - {id: T1, label: 过半反对, when: opposition_rate > 50, level: high, source: test, confidence: S}",
        "  - id: T1\n    label: 过半反对\n    level: high\n    source: test\n    confidence: S\n"
        "    when: >-\n      opposition_rate > 50 and\n      oposition_rate < 90",
        "41:11: undeclared fact 'oposition_rate' (did you mean 'opposition_rate'?)"),
    "bool_operator": ("when: opposition_rate > 50", "when: hearing_held > 1",
                      "36:48: type mismatch: 'hearing_held' is bool, cannot compare with 1"),
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    (HERE / "valid.yaml").write_text("# expect: valid\n" + BASE, encoding="utf-8")
    for name, (old, new, expect) in CASES.items():
        assert old in BASE, name
        text = BASE.replace(old, new, 1)
        (HERE / f"{name}.yaml").write_text(f"# expect: {expect}\n" + text, encoding="utf-8")
    cycle_b = BASE.replace("regime: major_decision\n", "regime: major_decision\nextends: ./cycle_a.yaml\n")
    (HERE / "cycle_b.yaml").write_text("# expect: 6:10: extends cycle: cycle_b.yaml → cycle_a.yaml → cycle_b.yaml\n" + cycle_b, encoding="utf-8")


if __name__ == "__main__":
    main()
