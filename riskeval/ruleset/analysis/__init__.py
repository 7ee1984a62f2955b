"""Static analysis of a compiled rule set (``riskeval check``) and test coverage (``riskeval test --coverage``).

:func:`check_ruleset` returns every finding as a located :class:`~riskeval.ruleset.Problem`
(severity ``error`` or ``warning``); :func:`check_file` also returns the load problems of a file
that does not load, in the same form. The score analysis is exact over the declared domains of
the facts (:mod:`.bounds`); the aggregation rule it assumes is in :mod:`.aggregate`.

Examples
--------
>>> from riskeval import load_ruleset
>>> [p.code for p in check_ruleset(load_ruleset("jiangsu-db32-4013-2021")) if p.severity == "error"]
[]
"""

from __future__ import annotations

import os

from ..compiled import RuleSet
from ..loader import load_ruleset
from ..problems import Problem, RuleSetError, RuleSetNotFound
from . import messages as _messages  # noqa: F401  (registers the catalogue)
from .bounds import ScoreBounds, TooLarge, score_bounds
from .coverage import Coverage, coverage
from .findings import fact_findings, item_findings, scope_findings, trigger_findings
from .reach import score_findings

__all__ = ["Coverage", "ScoreBounds", "TooLarge", "check_file", "check_ruleset", "coverage", "score_bounds"]


def check_ruleset(rs: RuleSet) -> list[Problem]:
    """Every finding of the static analysis of ``rs`` (with its load warnings), in file order."""
    found = list(rs.warnings)
    found += score_findings(rs)
    found += item_findings(rs)
    found += trigger_findings(rs)
    found += scope_findings(rs)
    found += fact_findings(rs)
    return sorted(found, key=lambda p: (p.file, p.line, p.column, p.code))


def check_file(name_or_path: str | os.PathLike[str]) -> list[Problem]:
    """:func:`check_ruleset` of a file or bundled name; a file that does not load gives its load problems.

    Raises
    ------
    RuleSetNotFound
        No such file or bundled rule set (a usage error, exit code 2).
    """
    try:
        rs = load_ruleset(name_or_path)
    except RuleSetNotFound:
        raise
    except RuleSetError as exc:
        return list(exc.problems)
    return check_ruleset(rs)
