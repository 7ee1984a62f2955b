"""Leniency calibration: recovers a known synthetic bias; refused on a disconnected review graph."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import riskeval
from expert_pool.review import Score, ScoredItem, fit_leniency, review_graph, review_panel

from ._helpers import raw

ITEMS = {
    "A": ScoredItem("A", "A", "points", "a", "d", "D", 0.0, 10.0, 1.0),
    "B": ScoredItem("B", "B", "points", "b", "d", "D", 0.0, 35.0, 1.0),
}
BIAS = {"E1": 0.08, "E2": -0.06, "E3": 0.0, "E4": 0.03, "E5": -0.05, "E6": 0.0}


def synthetic(noise: float, seed: int = 7) -> tuple[list[Score], dict[tuple[str, str], float]]:
    """12 projects, panels of 3 drawn from 6 experts on a ring (connected), two items of different ranges."""
    rng = np.random.default_rng(seed)
    experts = sorted(BIAS)
    scores: list[Score] = []
    truth: dict[tuple[str, str], float] = {}
    for p in range(12):
        panel = [experts[(p + k) % 6] for k in range(3)]
        for key, item in ITEMS.items():
            theta = float(rng.uniform(0.25, 0.75))
            truth[(f"P{p}", key)] = theta
            for e in panel:
                z = theta + BIAS[e] + float(rng.normal(0, noise))
                scores.append(Score(f"P{p}", e, key, item.low + z * item.span))
    return scores, truth


def test_recovers_known_bias() -> None:
    scores, _ = synthetic(noise=0.01)
    fit = fit_leniency(scores, ITEMS)
    assert fit.ok, fit.reason_en
    assert sum(fit.biases.values()) == pytest.approx(0.0, abs=1e-9)
    for expert, bias in BIAS.items():
        centred = bias - np.mean(list(BIAS.values()))
        assert fit.biases[expert] == pytest.approx(centred, abs=0.015)
    assert fit.residual_std is not None and fit.residual_std < 0.02
    assert "E1 +0.0" in fit.message("zh") or "E1 +0.1" in fit.message("zh")


def test_exact_without_noise() -> None:
    scores, _ = synthetic(noise=0.0)
    fit = fit_leniency(scores, ITEMS)
    mean = np.mean(list(BIAS.values()))
    assert {e: round(b, 9) for e, b in fit.biases.items()} == {e: round(b - mean, 9) for e, b in BIAS.items()}


def test_disconnected_graph_is_refused() -> None:
    scores = [Score("P1", "E1", "A", 2), Score("P1", "E2", "A", 3), Score("P2", "E3", "A", 5), Score("P2", "E4", "A", 6)]
    assert not review_graph(scores).number_of_edges() == 0
    fit = fit_leniency(scores, ITEMS)
    assert not fit.ok and not fit.biases
    assert "不连通" in fit.message("zh") and "2 个互不相连的组" in fit.message("zh")
    assert "not connected" in fit.message("en") and "{E1, E2 | P1}" in fit.message("en")
    assert fit.reason == "pool.calibration.disconnected"
    assert fit.message("en").startswith("calibration not done")


def test_single_expert_is_refused() -> None:
    fit = fit_leniency([Score("P1", "E1", "A", 2)], ITEMS)
    assert not fit.ok and "two experts" in fit.message("en")


def test_disconnected_item_by_item_is_refused() -> None:
    scores = [Score("P1", "E1", "A", 2), Score("P1", "E2", "B", 3)]
    fit = fit_leniency(scores, ITEMS)
    assert not fit.ok and "item by item" in fit.message("en")


def test_calibrated_values_beside_raw(panel_rules: riskeval.RuleSet, tmp_path: Path) -> None:
    # E1 scores 4 points higher than E2 and E3 on every JS-CTL-1; panels overlap so the graph is connected
    truth = {"P1": 10, "P2": 14, "P3": 18}
    panels = {"P1": ["E1", "E2", "E3"], "P2": ["E1", "E2", "E4"], "P3": ["E2", "E3", "E4"]}
    bias = {"E1": 4, "E2": 0, "E3": 0, "E4": 0}
    rows = [
        raw(p, e, "JS-CTL-1", truth[p] + bias[e], row=2 + i)
        for i, (p, e) in enumerate((p, e) for p, es in panels.items() for e in es)
    ]
    review = review_panel(rows, panel_rules, calibrate=True, method="mean")
    assert review.calibration is not None and review.calibration.ok
    assert review.calibration.biases["E1"] == pytest.approx(4 / 35 * 3 / 4, abs=1e-9)
    by_project = {r.project: r for r in review.final}
    assert by_project["P1"].raw_value == pytest.approx(10 + 4 / 3)
    assert by_project["P1"].calibrated_value == pytest.approx(10 + 1.0)  # common level: mean bias 1 point
    assert by_project["P3"].raw_value == pytest.approx(18)
    # calibration removes E1's excess: P1 and P2 shift down relative to P3 (E1-free)
    assert by_project["P1"].calibrated_value - by_project["P3"].calibrated_value == pytest.approx(-8)
    path = tmp_path / "PANEL.csv"
    review.write(path)
    with open(path, encoding="utf-8-sig") as handle:
        rows_out = list(csv.DictReader(handle))
    p1 = next(r for r in rows_out if r["project"] == "P1" and r["kind"] == "value")
    assert float(p1["raw_value"]) == pytest.approx(11.333333) and float(p1["calibrated_value"]) == pytest.approx(11)
    assert float(p1["value"]) == pytest.approx(11)
    biases = {r["expert"]: float(r["value"]) for r in rows_out if r["kind"] == "bias"}
    assert set(biases) == {"E1", "E2", "E3", "E4"}


def test_calibration_refused_keeps_raw(panel_rules: riskeval.RuleSet) -> None:
    rows = [raw("P1", "E1", "JS-CTL-1", 10), raw("P1", "E2", "JS-CTL-1", 11), raw("P2", "E3", "JS-CTL-1", 12)]
    review = review_panel(rows, panel_rules, calibrate=True)
    assert review.calibration is not None and not review.calibration.ok
    assert all(r.calibrated_value is None and r.value == r.raw_value for r in review.final)
    assert "未做宽严校准" in review.summary("zh")
