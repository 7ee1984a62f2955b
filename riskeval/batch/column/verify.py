"""The rule check made when a rule set is first compiled for columns: durable-rules against the column program.

For every rule, each fact its condition reads takes every value the conditions distinguish: each numeric
constant, a value between each pair of neighbouring constants and beyond the outermost (within the fact's
declared bounds), each option, both booleans, each text constant and another text, and "missing".  The other
facts keep a base value.  On each such project the rules fired by durable-rules (through
:meth:`riskeval.engine.CompiledRuleSet.fired`, which itself checks them against the reference evaluation)
must equal the rules the column program fires.  A rule set that passed is remembered by its content hash in
the user's cache directory (``$RISKEVAL_CACHE_DIR``, else ``$XDG_CACHE_HOME/riskeval`` or
``~/.cache/riskeval``), and in this process.

Examples
--------
>>> from riskeval import load_ruleset
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> check_ruleset(rs)
[]
"""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from ...ruleset.compiled import RuleSet
from ...ruleset.conditions import And, Cmp, Condition, Has, Or, facts_read
from .program import IDENTITY_FACTS, Stage, Unsupported, compile_program

__all__ = ["check_ruleset", "check_intervals", "cache_dir", "representatives"]

#: Most projects tried per rule (the combinations of its facts' values beyond that are sampled, seeded).
MAX_PER_RULE = 256
_CHECKED: set[str] = set()
_VERSION = "1"


def cache_dir() -> Path:
    """Where passed rule checks are remembered."""
    explicit = os.environ.get("RISKEVAL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "riskeval"


def _atoms(cond: Condition, out: list[Cmp | Has]) -> None:
    if isinstance(cond, Cmp | Has):
        out.append(cond)
    elif isinstance(cond, And | Or):
        for part in cond.parts:
            _atoms(part, out)


def representatives(ruleset: RuleSet) -> dict[str, list[Any]]:
    """Per fact, the values that the rule set's conditions tell apart (``None``: missing)."""
    atoms: list[Cmp | Has] = []
    for rule in ruleset.rules:
        _atoms(rule.condition, atoms)
    for compiled in ruleset.item_values.values():
        for spec in compiled.values():
            for cond, _v, _l in spec.branches:
                _atoms(cond, atoms)
    out: dict[str, list[Any]] = {}
    names = {a.fact for a in atoms}
    for name in sorted(names):
        decl = ruleset.facts.get(name)
        consts = [a.value for a in atoms if isinstance(a, Cmp) and a.fact == name]
        kind = decl.type if decl is not None else ("number" if name == "investment" else "text")
        values: list[Any] = [None]
        if kind in ("number", "integer"):
            nums = sorted({float(c) for c in consts if isinstance(c, int | float) and not isinstance(c, bool)})
            low = decl.min if decl is not None and decl.min is not None else -math.inf
            high = decl.max if decl is not None and decl.max is not None else math.inf
            points = list(nums)
            points += [(a + b) / 2 for a, b in itertools.pairwise(nums)]
            if nums:
                points += [nums[0] - 1, nums[-1] + 1]
            else:
                points += [0.0, 1.0]
            for p in sorted(set(points)):
                if low <= p <= high:
                    if kind == "integer":
                        if float(p).is_integer():
                            values.append(int(p))
                    else:
                        values.append(p)
            for bound in (low, high):
                if math.isfinite(bound) and bound not in values:
                    values.append(int(bound) if kind == "integer" else float(bound))
        elif kind == "bool":
            values += [True, False]
        elif kind == "option" and decl is not None:
            values += [o.code for o in decl.options]
        elif kind == "list":
            members = sorted({a.member for a in atoms if isinstance(a, Has) and a.fact == name})
            values += [[], *([m] for m in members)]
        else:
            texts = sorted({str(c) for c in consts})
            values += [*texts, "\u2003other"]
        out[name] = values
    return out


def _base(ruleset: RuleSet, reps: dict[str, list[Any]]) -> dict[str, Any]:
    """A project of values every fact accepts (the first non-missing representative, or a default)."""
    base: dict[str, Any] = {}
    for name, decl in ruleset.facts.items():
        if decl.default is not None:
            from ...ruleset.facts import coerce_fact_value

            base[name] = coerce_fact_value(decl, decl.default)
        elif name in reps and len(reps[name]) > 1:
            base[name] = reps[name][1]
    return base


def check_ruleset(ruleset: RuleSet) -> list[str]:
    """Every rule on each interval of its facts: durable-rules = column program (see the module docstring).

    Returns
    -------
    list[str]
        One line per disagreement (empty when they agree).
    """
    from ...engine import EngineError, compile_ruleset

    try:
        program = compile_program(ruleset)
    except Unsupported:
        return []
    reps = representatives(ruleset)
    base = _base(ruleset, reps)
    rng = np.random.default_rng(7)
    projects: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rule in ruleset.rules:
        names = sorted(facts_read(rule.condition))
        if rule.compound:
            for item in rule.factors:
                for r in ruleset.rules:
                    if r.kind == "item" and r.ref == item:
                        names = sorted(set(names) | facts_read(r.condition))
        grids = [reps.get(n, [None]) for n in names]
        combos = list(itertools.islice(itertools.product(*grids), 20_000))
        if len(combos) > MAX_PER_RULE:
            picks = rng.choice(len(combos), MAX_PER_RULE, replace=False)
            combos = [combos[int(k)] for k in sorted(picks)]
        for combo in combos:
            values = dict(base)
            for name, value in zip(names, combo, strict=True):
                if value is None:
                    values.pop(name, None)
                else:
                    values[name] = value
            key = repr(sorted(values.items()))
            if key not in seen:
                seen.add(key)
                projects.append(values)
    problems: list[str] = []
    compiled = compile_ruleset(ruleset)
    names = sorted({n for p in projects for n in p} | set(IDENTITY_FACTS) & set(reps))
    stage_facts: dict[str, tuple[np.ndarray, list[Any]]] = {}
    for name in names:
        uniq: list[Any] = []
        codes = np.empty(len(projects), dtype=np.int64)
        for i, project in enumerate(projects):
            if name not in project:
                codes[i] = -1
                continue
            value = project[name]
            try:
                k = next(j for j, u in enumerate(uniq) if type(u) is type(value) and u == value)
            except StopIteration:
                k = len(uniq)
                uniq.append(value)
            codes[i] = k
        stage_facts[name] = (np.where(codes < 0, len(uniq), codes), uniq)
    fired = program.fired_rules(Stage(len(projects), stage_facts))
    for i, project in enumerate(projects):
        try:
            engine = compiled.fired(project)
        except EngineError as exc:
            problems.append(f"{sorted(project.items())}: {exc.params.get('detail', exc)}")
            continue
        columns = {rule_id for rule_id, mask in fired.items() if mask[i]}
        if engine != columns:
            problems.append(
                f"{sorted(project.items())}: durable-rules only {sorted(engine - columns)}, "
                f"columns only {sorted(columns - engine)}"
            )
        if len(problems) >= 20:
            break
    return problems


def check_intervals(path: str, content_hash: str) -> list[str]:
    """:func:`check_ruleset` for the rule set at ``path`` (checked against ``content_hash``), once per content
    hash: remembered in this process and in :func:`cache_dir` when it passed."""
    from .phases import mark

    mark("rule_check_start")
    key = f"{content_hash}-v{_VERSION}"
    if key in _CHECKED:
        return []
    marker = cache_dir() / "column-checks" / key
    if marker.exists():
        _CHECKED.add(key)
        return []
    from ..runner import _loaded

    ruleset, _ = _loaded(path, content_hash)
    problems = check_ruleset(ruleset)
    if not problems:
        _CHECKED.add(key)
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("passed\n", encoding="utf-8")
        except OSError:
            pass  # the in-process memory still holds it
    return problems
