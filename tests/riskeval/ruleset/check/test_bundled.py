"""The bundled rule sets under ``check`` and ``test --coverage``."""

from __future__ import annotations

import pytest

import riskeval
from riskeval.ruleset.analysis import check_ruleset, coverage, score_bounds
from riskeval.ruleset.analysis.aggregate import renormalises


@pytest.mark.parametrize("name", ["jiangsu-db32-4013-2021", "guiyang"])
def test_points_sets_have_no_findings(name: str) -> None:
    assert check_ruleset(riskeval.load_ruleset(name)) == []


def test_national_errors() -> None:
    """Before the index method re-normalises over the items that apply (issue 18), the ordinary project
    (no relocation, workers, price change, NIMBY facility) cannot reach 高 by score; after it, every level is reachable."""
    rs = riskeval.load_ruleset("national")
    errors = [p for p in riskeval.check_ruleset(rs) if p.severity == "error"]
    if renormalises(rs):
        assert errors == []
    else:
        assert [(p.code, p.line) for p in errors] == [("check.level_unreachable_base", 98)]
        assert "[0.047885, 0.544065)" in errors[0].message("en") and "[0.64, 1]" in errors[0].message("en")


def test_national_score_bounds_without_triggers() -> None:
    bounds = score_bounds(riskeval.load_ruleset("national"), score_only=True)
    assert bounds.total is not None and bounds.total.meets(0.64, 1, True, True)
    assert len(bounds.cases) == 64


@pytest.mark.parametrize("name", riskeval.bundled_names())
def test_bundled_sets_cover_every_item_and_trigger(name: str) -> None:
    cov = coverage(riskeval.load_ruleset(name))
    assert cov.kinds["items"][0] == cov.kinds["items"][1]
    assert cov.kinds["triggers"][0] == cov.kinds["triggers"][1]
    assert cov.uncovered == []
