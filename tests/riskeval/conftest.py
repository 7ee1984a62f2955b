from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import riskeval


@pytest.fixture(scope="session")
def jiangsu() -> riskeval.RuleSet:
    return riskeval.load_ruleset("jiangsu-db32-4013-2021")


@pytest.fixture()
def good_facts(jiangsu: riskeval.RuleSet) -> dict[str, Any]:
    """Facts of a well-prepared project under DB32/T 4013 (score 0.315, low)."""
    return copy.deepcopy(jiangsu.tests[0].project["facts"])


@pytest.fixture(scope="session")
def rs() -> riskeval.RuleSet:
    return riskeval.load_ruleset("jiangsu-db32-4013-2021")


@pytest.fixture()
def facts(rs: riskeval.RuleSet) -> dict[str, Any]:
    """A low-risk, complete project under DB32/T 4013."""
    return copy.deepcopy(rs.tests[0].project["facts"])


@pytest.fixture()
def make(facts: dict[str, Any]) -> Callable[..., riskeval.Project]:
    """Build a project from the low-risk facts, with overrides."""

    def _make(pid: str = "P-1", **kw: Any) -> riskeval.Project:
        merged = {**facts, **kw.pop("facts", {})}
        return riskeval.Project(id=pid, kind=kw.pop("kind", "project"), facts=merged, **kw)

    return _make


@pytest.fixture()
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite"
