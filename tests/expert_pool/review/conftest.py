"""Fixtures of the expert-review tests: small rule files that extend the bundled ones."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import riskeval

RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture(scope="session")
def panel_rules_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DB32/T 4013 with 引发攀比 (JS-RSN-4, 0–4) and 群众意见分析 (JS-CTL-1, 0–35) scored by the panel."""
    path = tmp_path_factory.mktemp("rules") / "panel-rules.yaml"
    path.write_text(
        "id: test-panel\ntitle: 专家评分测试规则集\nversion: '1'\n"
        f"extends: {(RULES / 'jiangsu-db32-4013-2021.yaml').as_posix()}\n"
        "items:\n  - {id: JS-RSN-4, panel: true}\n  - {id: JS-CTL-1, panel: true}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def panel_rules(panel_rules_path: Path) -> riskeval.RuleSet:
    return riskeval.load_ruleset(panel_rules_path)


@pytest.fixture(scope="session")
def index_rules(tmp_path_factory: pytest.TempPathFactory) -> riskeval.RuleSet:
    """The national (index) rule set with N-LEG-1 scored by the panel (probability and impact)."""
    path = tmp_path_factory.mktemp("rules") / "index-rules.yaml"
    path.write_text(
        "id: test-index\ntitle: 指数法专家评分测试\nversion: '1'\n"
        f"extends: {(RULES / 'national.yaml').as_posix()}\n"
        "items:\n  - {id: N-LEG-1, panel: true}\n",
        encoding="utf-8",
    )
    return riskeval.load_ruleset(path)


@pytest.fixture(scope="session")
def jiangsu() -> riskeval.RuleSet:
    return riskeval.load_ruleset("jiangsu-db32-4013-2021")


@pytest.fixture()
def good_facts(jiangsu: riskeval.RuleSet) -> dict[str, Any]:
    """Facts of a well-prepared project under DB32/T 4013 (computed score 0.315, low)."""
    return copy.deepcopy(jiangsu.tests[0].project["facts"])
