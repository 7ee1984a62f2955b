"""The corpus of deliberately flawed rule files: every finding of ``check`` with its exact position and message.

Each file is valid for ``riskeval validate`` (except ``does_not_load.yaml`` and ``option_without_points.yaml``:
overlapping bands and a map that leaves an option without points are load errors, which ``check`` returns in
the same list) and has exactly the findings listed here, as ``line:column: severity: message`` (en).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from riskeval.ruleset import validate_file
from riskeval.ruleset.analysis import check_file

CORPUS = Path(__file__).parent / "corpus"

EXPECTED: dict[str, list[str]] = {
    'bands.yaml': [
        "14:10: warning: level 'low risk' cannot be reached by score in 1 of 2 cases of applicable items, e.g. when only '信访积累' apply the attainable score is [5, 10], the level's band is [0, 3]",
        "16:11: error: level 'high risk' cannot be reached by score by a project to which no conditional item ('信访积累') applies: without a direct trigger the attainable score is [0, 5], the level's band is (6, 10]",
        "26:45: error: band (100, 200] of item '群众满意度' lies outside the declared range [0, 100] of fact '满意度': it never applies",
        "36:15: warning: band [0, 10) of item '信访积累' never applies while the item applies (n >= 10)",
    ],
    'base_case.yaml': [
        "14:10: warning: level 'low risk' cannot be reached by score in 1 of 2 cases of applicable items, e.g. when only '征收拆迁' apply the attainable score is [0.8, 1], the level's band is [0, 0.36)",
        "15:13: error: level 'medium risk' cannot be reached by score by a project to which no conditional item ('征收拆迁') applies: without a direct trigger the attainable score is [0, 0.2], the level's band is [0.36, 0.64)",
        "16:11: error: level 'high risk' cannot be reached by score by a project to which no conditional item ('征收拆迁') applies: without a direct trigger the attainable score is [0, 0.2], the level's band is [0.64, 1]",
    ],
    'base_case_renormalised.yaml': [
        "13:10: warning: level 'low risk' cannot be reached by score in 1 of 2 cases of applicable items, e.g. when only '征收拆迁' apply the attainable score is [0.8, 1], the level's band is [0, 0.36)",
        "14:13: warning: level 'medium risk' cannot be reached by score in 1 of 2 cases of applicable items, e.g. when only '征收拆迁' apply the attainable score is [0.8, 1], the level's band is [0.36, 0.64)",
    ],
    'cases_warning.yaml': [
        "14:10: warning: level 'low risk' cannot be reached by score in 1 of 2 cases of applicable items, e.g. when only '征收拆迁' apply the attainable score is [0.45, 0.95], the level's band is [0, 0.36)",
        "16:11: error: level 'high risk' cannot be reached by score by a project to which no conditional item ('征收拆迁') applies: without a direct trigger the attainable score is [0, 0.5], the level's band is [0.64, 1]",
    ],
    'does_not_load.yaml': [
        "18:31: error: bands of 'x' overlap: [0, 60] / [50, 100]",
    ],
    'facts_scope.yaml': [
        "7:3: warning: fact '没人读的事实' is declared but no item, trigger, procedure, scope entry or panel rule reads it",
        "8:79: warning: option '一般' of fact '强烈程度' has no value while other options have one: formulas cannot use the fact",
        "10:5: warning: scope entry 'x >= 0' holds for every project: the other entries have no effect",
        "11:5: error: scope entry 'x > 100' holds for no project",
        "24:82: error: the condition of item '强烈程度' never holds within the declared values of its facts: it never scores",
    ],
    'item_max.yaml': [
        "8:31: warning: dimension '合法性' attains at most 6, not its declared maximum 10",
        "15:11: error: decision 'do not implement (not approvable)' cannot result from the score: none of its levels (high risk) can be reached by score",
        "15:11: error: level 'high risk' cannot be reached by score: without a direct trigger the attainable score is [0, 6], the level's band is (6, 10]",
        "17:78: warning: item '实施主体的法定权限' attains at most 6, not its declared maximum 10",
    ],
    'level_unreachable.yaml': [
        "13:13: error: decision 'implement after measures' cannot result from the score: none of its levels (medium risk) can be reached by score",
        "13:13: error: level 'medium risk' cannot be reached by score: without a direct trigger the attainable score is [0, 0.25], the level's band is [0.36, 0.64)",
        "14:11: error: decision 'do not implement (not approvable)' cannot result from the score: none of its levels (high risk) can be reached by score",
        "14:11: error: level 'high risk' cannot be reached by score: without a direct trigger the attainable score is [0, 0.25], the level's band is [0.64, 1]",
    ],
    'not_analysed.yaml': [
        "17:5: warning: not analysed exactly: the formula of item '群众反对' uses a fact more than once; its score bounds are outer bounds only",
    ],
    'option_without_points.yaml': [
        "18:29: error: map does not cover options of 's': basic",
    ],
    'required_unread.yaml': [
        "7:61: warning: 'r' is required but no rule reads it; it will not be required",
    ],
    'too_large.yaml': [
        '8:5: warning: not analysed exactly: more than 6 members are compared with a list fact: not enumerated',
        '9:5: warning: not analysed exactly: more than 6 members are compared with a list fact: not enumerated',
        '13:11: warning: not analysed exactly: more than 6 members are compared with a list fact: not enumerated',
    ],
    'triggers.yaml': [
        "15:11: error: decision 'do not implement (not approvable)' cannot result from the score: none of its levels (high risk) can be reached by score",
        "15:11: error: level 'high risk' cannot be reached by score: without a direct trigger the attainable score is [0, 5), the level's band is (6, 10]",
        "21:33: warning: trigger '六成反对' is subsumed by '过半反对': whenever it holds '过半反对' holds too, at a level (high risk) no lower than its own (medium risk)",
        "22:33: error: the condition of trigger '超过全部' never holds within the declared values of its facts",
        "23:37: warning: trigger '过半反对（重复）' is subsumed by '过半反对': whenever it holds '过半反对' holds too, at a level (high risk) no lower than its own (high risk)",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_finding_has_its_position_and_message(name: str) -> None:
    path = CORPUS / name
    found = check_file(path)
    assert [f"{p.line}:{p.column}: {p.severity}: {p.message('en')}" for p in found] == EXPECTED[name]
    assert all(p.file.endswith(f"corpus/{name}") for p in found)


def test_every_corpus_file_is_listed() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)


LOAD_ERRORS = {"does_not_load.yaml", "option_without_points.yaml"}


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n not in LOAD_ERRORS))
def test_corpus_files_pass_validate_so_only_check_finds_these(name: str) -> None:
    assert [p for p in validate_file(CORPUS / name) if p.severity == "error"] == []


def test_messages_are_chinese_by_default() -> None:
    found = check_file(CORPUS / "triggers.yaml")
    assert found[-1].message() == (
        "直接认定情形“过半反对（重复）”被“过半反对”涵盖：凡满足本条时“过半反对”也成立，且其等级（高风险）不低于本条（高风险）"
    )
    assert found[3].message() == "直接认定情形“超过全部”的条件在事实声明的取值范围内永远不成立"
