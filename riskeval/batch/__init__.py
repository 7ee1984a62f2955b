"""Batch evaluation of project lists, and impact analysis of rule changes.

Readers (CSV, Excel, JSON Lines, YAML) → row → project conversion (names or Chinese labels) → a process pool
that assesses each row under the rule set → writers (CSV, Excel, JSON Lines) and report statistics.
"""

from .columns import ColumnResolver
from .diff import ProjectChange, RuleSetDiff, diff_rulesets, impact
from .impact_run import DiffOutcome, run_diff
from .readers import BadRow, InputError, open_rows
from .runner import OUTPUT_COLUMNS, BatchRow, assess_frame, assess_many
from .stats import BatchStats
from .writers import TableWriter, open_writer

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
