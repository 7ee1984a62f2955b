"""Load a rule set: read the file and its ``extends`` chain, validate everything, build a :class:`RuleSet`.

Every problem is collected (not just the first) with ``file:line:column``. Reading one file is
:mod:`.source`, following ``extends`` is :mod:`.extends`, the checks and compilation are
:mod:`.build`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .compiled import RuleSet
from .extends import (
    Layered,
    bundled_names,
    configured_rule_dirs,
    find_ruleset,
    merge_layer,
    merge_raw,
    read_chain,
)
from .problems import Problem, RuleSetError, RuleSetNotFound
from .source import Origin, ParsedFile, bundled_rules_dir, condition_problem, dedupe, read_rule_file

__all__ = [
    "Layered",
    "Origin",
    "ParsedFile",
    "bundled_names",
    "bundled_rules_dir",
    "condition_problem",
    "content_hash",
    "find_ruleset",
    "load_ruleset",
    "read_rule_file",
    "validate_file",
]

RuleDirs = Sequence[str | os.PathLike[str]] | None


def _layers(path: Path, problems: list[Problem], rule_dirs: RuleDirs) -> Layered:
    chain = read_chain(path, configured_rule_dirs(rule_dirs))
    layered: Layered | None = None
    for file_path, raw in reversed(chain):
        parent_raw = layered.raw if layered is not None else None
        pf = read_rule_file(file_path, parent_raw, raw=raw)
        new = merge_layer(layered, pf, problems)
        new.raw = merge_raw(parent_raw, pf.raw)
        layered = new
    assert layered is not None
    return layered


def load_ruleset(name_or_path: str | os.PathLike[str], *, strict_tests: bool = True, rule_dirs: RuleDirs = None) -> RuleSet:
    """Load a bundled rule set by name (``"guiyang"``) or a rule file by path, fully validated.

    Parameters
    ----------
    name_or_path
        A bundled name (see :func:`bundled_names`), which always means the bundled rule set,
        or a path to a YAML rule file (write ``./guiyang.yaml`` for a file named like a bundled set).
    strict_tests
        Also check the embedded tests' project data against the declared facts.
    rule_dirs
        Directories that ``extends`` paths may also point into (default: ``RISKEVAL_RULE_DIRS``).

    Returns
    -------
    RuleSet

    Raises
    ------
    RuleSetNotFound
        No such file and no bundled rule set of that name.
    RuleSetError
        The file (or a parent) has errors; ``.problems`` holds each with its position.

    Examples
    --------
    >>> rs = load_ruleset("jiangsu-db32-4013-2021")
    >>> rs.id, rs.scoring.method
    ('jiangsu-db32-4013-2021', 'points')
    """
    from .build import build_ruleset

    path = find_ruleset(name_or_path)
    if path is None:
        name = os.fspath(name_or_path)[:200]
        raise RuleSetNotFound([Problem(name, 1, 1, "file.not_found", {"name": name, "bundled": ", ".join(bundled_names())})])
    problems: list[Problem] = []
    layered = _layers(path, problems, rule_dirs)
    ruleset = build_ruleset(layered, problems, strict_tests=strict_tests)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RuleSetError(dedupe(errors))
    ruleset.warnings = [p for p in problems if p.severity == "warning"]
    return ruleset


def validate_file(path: str | os.PathLike[str], *, rule_dirs: RuleDirs = None) -> list[Problem]:
    """Every problem (errors and warnings) of one rule file; an empty list means valid."""
    try:
        ruleset = load_ruleset(path, rule_dirs=rule_dirs)
    except RuleSetError as exc:
        return list(exc.problems)
    return list(ruleset.warnings)


def content_hash(data: Any) -> str:
    """sha256 of canonical JSON (sorted keys, no whitespace)."""
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
