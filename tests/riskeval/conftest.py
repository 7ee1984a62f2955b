from __future__ import annotations

import copy
from typing import Any

import pytest

import riskeval


@pytest.fixture(scope="session")
def jiangsu() -> riskeval.RuleSet:
    return riskeval.load_ruleset("jiangsu-db32-4013-2021")


@pytest.fixture()
def good_facts(jiangsu: riskeval.RuleSet) -> dict[str, Any]:
    """Facts of a well-prepared project under DB32/T 4013 (score 0.63, low)."""
    return copy.deepcopy(jiangsu.tests[0].project["facts"])
