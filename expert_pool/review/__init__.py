"""Expert review (专家评审): score sheets, aggregation, disagreement, Delphi rounds, calibration.

The steps after an assignment (``riskeval assign`` → ``OUT.csv``):

1. :func:`write_template` — an Excel score sheet per panel (``riskeval review template``);
2. :func:`read_score_rows` and :func:`review_panel` — validate the scores row by row, aggregate them
   per project and item (median, mean or trimmed mean), flag disagreements, replace flagged items by a
   second (Delphi) round and optionally calibrate expert leniency (``riskeval review aggregate``);
3. :meth:`PanelReview.write` — the PANEL.csv that ``riskeval assess --panel`` reads through
   :mod:`riskeval.panel_scores` (riskeval never imports this package: the panel's result travels as data).

Examples
--------
>>> import riskeval
>>> from expert_pool.review import RawRow, review_panel
>>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
>>> rows = [RawRow({"project": "P1", "expert": e, "item": "JS-LEG-1", "score": v}, "s.csv", i + 2)
...         for i, (e, v) in enumerate([("E1", "2"), ("E2", "2"), ("E3", "3")])]
>>> review = review_panel(rows, rs)
>>> review.panel_values("P1"), review.final[0].disagreement
({'JS-LEG-1': 2.0}, False)
"""

from __future__ import annotations

from .aggregate import METHODS, ItemResult, aggregate_scores, aggregate_value
from .calibrate import Calibration, calibrate_scores, fit_leniency, review_graph
from .delphi import delphi_list, merge_rounds
from .flags import (
    DEFAULT_AGREE_SHARE,
    DEFAULT_SPREAD,
    AssessmentLevelCheck,
    Flag,
    ScaleLevelCheck,
    disagreement_flags,
    panel_values,
)
from .items import ScoredItem, scored_items
from .panel_review import PanelReview, review_panel
from .score_files import load_assignment, load_expert_names, read_score_rows
from .scores import RawRow, ReviewFileError, Score, ScoreBatch, ScoreRowError, validate_rows
from .template import write_template
from .workflow import TemplateReport, aggregate_files, make_template

__all__ = [
    "DEFAULT_AGREE_SHARE",
    "DEFAULT_SPREAD",
    "METHODS",
    "AssessmentLevelCheck",
    "Calibration",
    "Flag",
    "ItemResult",
    "PanelReview",
    "RawRow",
    "ReviewFileError",
    "ScaleLevelCheck",
    "Score",
    "ScoreBatch",
    "ScoreRowError",
    "ScoredItem",
    "aggregate_scores",
    "aggregate_value",
    "calibrate_scores",
    "delphi_list",
    "disagreement_flags",
    "fit_leniency",
    "load_assignment",
    "load_expert_names",
    "merge_rounds",
    "panel_values",
    "read_score_rows",
    "review_graph",
    "review_panel",
    "scored_items",
    "validate_rows",
    "write_template",
    "TemplateReport",
    "aggregate_files",
    "make_template",
]
