"""Batch evaluation of project lists, and impact analysis of rule changes.

Readers (CSV, Excel, JSON Lines, YAML) → row → project conversion (names or Chinese labels) → a process pool
that assesses each row under the rule set → writers (CSV, Excel, JSON Lines) and report statistics.

The names below are imported on first use: a module of the package (``riskeval.batch.run``, the column path,
a pool worker) loads only what it imports itself, not the rule-change analysis or the writers of the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

#: public name -> the module that defines it
_SOURCES: dict[str, str] = {
    "BadRow": ".readers",
    "BatchRow": ".runner",
    "BatchStats": ".stats",
    "ColumnResolver": ".columns",
    "DiffOutcome": ".impact_run",
    "InputError": ".readers",
    "OUTPUT_COLUMNS": ".runner",
    "ProjectChange": ".diff",
    "RuleSetDiff": ".diff",
    "TableWriter": ".writers",
    "assess_frame": ".runner",
    "assess_many": ".runner",
    "diff_rulesets": ".diff",
    "impact": ".diff",
    "open_rows": ".readers",
    "open_writer": ".writers",
    "run_diff": ".impact_run",
}

if TYPE_CHECKING:  # what type checkers and readers see; at run time each name is imported on first use
    from .columns import ColumnResolver
    from .diff import ProjectChange, RuleSetDiff, diff_rulesets, impact
    from .impact_run import DiffOutcome, run_diff
    from .readers import BadRow, InputError, open_rows
    from .runner import OUTPUT_COLUMNS, BatchRow, assess_frame, assess_many
    from .stats import BatchStats
    from .writers import TableWriter, open_writer


__getattr__, __dir__ = lazy_names(__name__, _SOURCES, globals())


__all__ = [
    "BadRow",
    "BatchRow",
    "BatchStats",
    "ColumnResolver",
    "DiffOutcome",
    "InputError",
    "OUTPUT_COLUMNS",
    "ProjectChange",
    "RuleSetDiff",
    "TableWriter",
    "assess_frame",
    "assess_many",
    "diff_rulesets",
    "impact",
    "open_rows",
    "open_writer",
    "run_diff",
]
