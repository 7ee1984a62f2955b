"""Run a rule change over a project list: the library behind ``riskeval diff``.

:func:`run_diff` compares two rule sets, assesses every project under both, writes the changes
(``.csv``, ``.xlsx``, ``.jsonl`` rows, or one ``.json`` document with the rule changes too) and returns a
:class:`DiffOutcome` whose :meth:`~DiffOutcome.to_dict` is that JSON document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ruleset.compiled import RuleSet
from .diff import IMPACT_COLUMNS, ProjectChange, RuleSetDiff, diff_rulesets, impact
from .readers import open_rows
from .writers import open_writer

__all__ = ["DiffOutcome", "run_diff"]


@dataclass
class DiffOutcome:
    """What a rule change does: the rule differences and the projects whose level or decision changes."""

    rules: RuleSetDiff
    total: int = 0
    changed: int = 0
    changes: list[ProjectChange] = field(default_factory=list)
    interrupted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``{"rules", "projects": {"total", "changed"}, "changes"}``: the JSON of ``riskeval diff --out x.json``."""
        return {
            "rules": self.rules.as_dict(),
            "projects": {"total": self.total, "changed": self.changed},
            "changes": [c.as_dict() for c in self.changes],
        }


def run_diff(
    old: RuleSet,
    new: RuleSet,
    projects: str | Path,
    *,
    out: str | Path | None = None,
    keep: int | None = None,
    workers: int | None = None,
    lang: str = "zh",
    stop: Callable[[], bool] | None = None,
) -> DiffOutcome:
    """Compare ``old`` and ``new`` and assess every project of the list ``projects`` under both.

    Parameters
    ----------
    old, new
        The rule sets before and after the change.
    projects
        A project list (CSV, XLSX, JSON Lines, YAML).
    out
        Where to write the changes: ``.csv``/``.xlsx``/``.jsonl`` (one row per changed project) or ``.json``
        (the whole :meth:`DiffOutcome.to_dict`).
    keep
        How many changes to keep in memory for the caller (all when writing ``.json``; ``None``: all).
    workers, lang, stop
        As for :func:`riskeval.assess_many`; ``stop`` ends the run early (``interrupted``).

    Raises
    ------
    InputError
        The project list cannot be read.
    """
    outcome = DiffOutcome(diff_rulesets(old, new))
    as_json = out is not None and str(out).lower().endswith(".json")
    writer = open_writer(out, IMPACT_COLUMNS, sheet="changes") if out is not None and not as_json else None
    try:
        with open_rows(projects) as source:
            for _, _, change in impact(old, new, source, workers=workers, lang=lang, stop=stop):
                outcome.total += 1
                if change is None:
                    continue
                outcome.changed += 1
                if as_json or keep is None or len(outcome.changes) < keep:
                    outcome.changes.append(change)
                if writer is not None:
                    writer.write(change.as_row())
        outcome.interrupted = bool(stop and stop())
    finally:
        if writer is not None:
            writer.close()
    if as_json and out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2, default=str)
        Path(out).write_text(text, encoding="utf-8")
    return outcome
