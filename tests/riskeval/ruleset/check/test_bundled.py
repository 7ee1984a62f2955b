"""The bundled rule sets under ``check`` and ``test --coverage``."""

from __future__ import annotations

from pathlib import Path

import pytest

import riskeval
from riskeval.ruleset.analysis import check_ruleset, coverage, score_bounds
from riskeval.ruleset.analysis.aggregate import renormalises

ROOT = Path(__file__).parents[4]


@pytest.mark.parametrize("name", ["jiangsu-db32-4013-2021", "guiyang"])
def test_points_sets_have_no_findings(name: str) -> None:
    assert check_ruleset(riskeval.load_ruleset(name)) == []


def test_national_reaches_every_level_by_score() -> None:
    """With the index weights re-normalised over the items that apply (issue 18), nothing is found."""
    rs = riskeval.load_ruleset("national")
    assert renormalises(rs)
    assert riskeval.check_ruleset(rs) == []


def test_national_with_fixed_weights_cannot_reach_high_by_score(tmp_path: Path) -> None:
    """``not_applicable: zero`` (items that do not apply keep their weight): the ordinary project — no
    relocation, workers, price change or NIMBY facility — cannot reach 高 by score (issue 18's finding)."""
    text = (ROOT / "rules" / "national.yaml").read_text(encoding="utf-8")
    assert "  not_applicable: renormalise\n" in text
    path = tmp_path / "national-zero.yaml"
    path.write_text(text.replace("  not_applicable: renormalise\n", "  not_applicable: zero\n"), encoding="utf-8")
    errors = [p for p in check_ruleset(riskeval.load_ruleset(path)) if p.severity == "error"]
    assert [(p.code, p.line) for p in errors] == [("check.level_unreachable_base", 106)]
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
