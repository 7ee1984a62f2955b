"""What-if (counterfactuals): the smallest sets of fact changes that bring the level down one step.

For an assessment at level ``L`` (after the measures), :func:`what_if` searches, exactly over a
finite grid, every set of at most three fact changes of the smallest size that gives a level below
``L``. The facts searched are those that contributed: the facts of the findings and of the direct
triggers that fired. Candidate values come from the rule set's declarations: every other option, the
other boolean, and for numbers the band edges (every constant a condition compares the fact with,
and the value one step either side of it: 1 for integers, 0.1 for numbers), the declared minimum and
maximum. Among the working changes of one set of facts only the smallest ones are kept (no other
working change is at least as close to the current value in every fact).

Candidates are evaluated with the plain reference evaluation (:func:`riskeval.engine.reference_fired`
and the scoring of :mod:`riskeval.scoring`), incrementally: only the rules and items that read a
changed fact are evaluated again. The work is bounded (``max_evaluations``); :class:`WhatIfResult`
reports how many candidates were evaluated and whether the search was complete. Every reported
change is finally checked with a full reference evaluation.

Examples
--------
>>> from riskeval import Project, assess, load_ruleset
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> facts = dict(rs.tests[0].project["facts"], opposition_rate=30)
>>> result = assess(Project(id="demo", kind="project", facts=facts), rs)
>>> result.level, [(w.changes, w.level) for w in result.what_if]
('medium', [({'opposition_rate': 19.9}, 'low')])
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .engine import condition_test, reference_fired
from .model.assessment import Evaluation, WhatIf, WhatIfSearch
from .model.rulefile import LEVEL_ORDER, Level
from .ruleset.compiled import Rule, RuleSet
from .ruleset.conditions import And, Cmp, Condition, Or, facts_read
from .ruleset.formula import formula_facts
from .scoring import ItemScore, aggregate, level_of, score_evaluation, score_item

__all__ = ["MAX_CHANGES", "MAX_EVALUATIONS", "WhatIfResult", "candidate_values", "what_if"]

MAX_CHANGES = 3
"""The largest set of fact changes searched."""

MAX_EVALUATIONS = 20000
"""The default bound on the candidates evaluated for one assessment."""

_NUMBER_STEP = 0.1
_SEARCHED_TYPES = ("option", "bool", "number", "integer")


@dataclass
class WhatIfResult:
    """The changes found and how the search went."""

    changes: list[WhatIf] = field(default_factory=list)
    search: WhatIfSearch = field(default_factory=WhatIfSearch)


def _constants(cond: Condition, fact: str, out: set[float]) -> None:
    if isinstance(cond, Cmp):
        if cond.fact == fact and isinstance(cond.value, int | float) and not isinstance(cond.value, bool):
            out.add(float(cond.value))
    elif isinstance(cond, And | Or):
        for part in cond.parts:
            _constants(part, fact, out)


def _all_conditions(ruleset: RuleSet) -> Iterable[Condition]:
    """Every condition whose constants are candidate values: those of the rule set's check
    (:func:`riskeval.ruleset.analysis.domain.all_conditions`: rules, value tables, ``required_when`` and each item's
    own ``when``, which an item with an all-zero points table holds in no rule, yet where it applies matters)."""
    from .ruleset.analysis.domain import all_conditions

    return all_conditions(ruleset)


def candidate_values(ruleset: RuleSet, fact: str, current: Any) -> list[Any]:
    """The values :func:`what_if` tries for ``fact`` (all but ``current``).

    Examples
    --------
    >>> from riskeval import load_ruleset
    >>> rs = load_ruleset("jiangsu-db32-4013-2021")
    >>> candidate_values(rs, "malicious_hype", "some")
    ['none', 'serious']
    >>> candidate_values(rs, "possible_incident_size", 300)
    [0, 99, 100, 101, 199, 200, 201]
    >>> candidate_values(rs, "satisfaction_rate", 60)
    [0.0, 0.1, 69.9, 70.0, 70.1, 84.9, 85.0, 85.1, 99.9, 100.0]
    """
    decl = ruleset.facts.get(fact)
    if decl is None:
        return []
    if decl.type == "option":
        return [o.code for o in decl.options if o.code != current]
    if decl.type == "bool":
        return [not current] if isinstance(current, bool) else [True, False]
    if decl.type not in ("number", "integer"):
        return []
    constants: set[float] = set()
    for cond in _all_conditions(ruleset):
        _constants(cond, fact, constants)
    step = 1.0 if decl.type == "integer" else _NUMBER_STEP
    values: set[float] = set()
    for c in constants:
        values.update((c - step, c, c + step))
    for bound in (decl.min, decl.max):
        if bound is not None:
            values.add(float(bound))
    lo = decl.min if decl.min is not None else float("-inf")
    hi = decl.max if decl.max is not None else float("inf")
    out: list[Any] = []
    for v in sorted(values):
        v = round(v, 9)
        if not lo <= v <= hi or v == current:
            continue
        if decl.type == "integer":
            if v != int(v):
                continue
            out.append(int(v))
        else:
            out.append(v)
    return out


def _distance(ruleset: RuleSet, fact: str, current: Any, value: Any) -> float:
    decl = ruleset.facts[fact]
    if decl.type == "option":
        codes = [o.code for o in decl.options]
        if current in codes and value in codes:
            return float(abs(codes.index(value) - codes.index(current)))
        return float(len(codes))
    if decl.type == "bool":
        return 1.0
    if isinstance(current, int | float) and not isinstance(current, bool):
        return abs(float(value) - float(current))
    return float("inf")


class _Evaluator:
    """Incremental reference evaluation of one set of values with a few facts changed."""

    def __init__(self, ruleset: RuleSet, values: Mapping[str, Any], panel: dict[str, Any] | None) -> None:
        self.ruleset = ruleset
        self.values = dict(values)
        self.panel = panel
        self.numeric = ruleset.numeric(self.values)
        self.fired = reference_fired(ruleset, self.values)
        self.compound = [r for r in ruleset.rules if r.compound]
        self.rules_reading: dict[str, list[Rule]] = {}
        for rule in ruleset.rules:
            if rule.compound:
                continue
            for name in facts_read(rule.condition):
                self.rules_reading.setdefault(name, []).append(rule)
        self.item_rules: dict[str, list[Rule]] = {}
        for rule in ruleset.rules:
            if rule.kind == "item":
                self.item_rules.setdefault(rule.ref, []).append(rule)
        self.items_reading: dict[str, list[str]] = {}
        for item in ruleset.items:
            deps: set[str] = set()
            for rule in self.item_rules.get(item.id, []):
                deps |= facts_read(rule.condition)
            for compiled in ruleset.item_values.get(item.id, {}).values():
                if compiled.fact:
                    deps.add(compiled.fact)
                for cond, _, _ in compiled.branches:
                    deps |= facts_read(cond)
                if compiled.formula is not None:
                    deps |= formula_facts(compiled.formula)
            for name in deps:
                self.items_reading.setdefault(name, []).append(item.id)
        self.base = {item.id: self._score(item.id, self.fired, self.values, self.numeric) for item in ruleset.items}

    def _score(self, item_id: str, fired: set[str], values: dict[str, Any], numeric: dict[str, float]) -> ItemScore:
        rule = next((r for r in self.item_rules.get(item_id, []) if r.id in fired), None)
        return score_item(self.ruleset, self.ruleset.item(item_id), rule, values, numeric, self.panel)

    def evaluate(self, changes: Mapping[str, Any]) -> tuple[float, Level]:
        values = {**self.values, **changes}
        numeric = {**self.numeric}
        for name in changes:
            numeric.pop(name, None)
        numeric.update(self.ruleset.numeric(dict(changes)))
        fired = set(self.fired)
        for name in changes:
            for rule in self.rules_reading.get(name, []):
                fired.discard(rule.id)
        for name in changes:
            for rule in self.rules_reading.get(name, []):
                if condition_test(rule.condition)(values):
                    fired.add(rule.id)
        if self.compound:
            for rule in self.compound:
                fired.discard(rule.id)
            factors = self.ruleset.fired_factors(fired, values)
            for rule in self.compound:
                if condition_test(rule.condition)(values) and sum(1 for i in rule.factors if i in factors) >= rule.min_factors:
                    fired.add(rule.id)
        scores = dict(self.base)
        for name in changes:
            for item_id in self.items_reading.get(name, []):
                scores[item_id] = self._score(item_id, fired, values, numeric)
        _, _, score = aggregate(self.ruleset, list(scores.values()))
        return score, level_of(self.ruleset, score, fired)


def _contributing(ruleset: RuleSet, ev: Evaluation) -> list[str]:
    names: set[str] = set()
    for f in ev.findings:
        names.update(f.facts)
    for hit in ev.triggers:
        names.update(hit.facts)
        for item_id in hit.factors:
            names.update(next((f.facts for f in ev.findings if f.item == item_id), {}))
    declared = ruleset.facts
    return sorted(n for n in names if n in declared and declared[n].type in _SEARCHED_TYPES)


def _required_groups(ruleset: RuleSet, ev: Evaluation, target: int, facts: list[str]) -> list[set[str]]:
    """For each fired trigger at or above the current level, the searched facts that could switch it off."""
    groups = []
    for hit in ev.triggers:
        if LEVEL_ORDER[hit.level] < target:
            continue
        rule = next(r for r in ruleset.rules if r.id == f"trigger:{hit.trigger}")
        names = facts_read(rule.condition)
        for item_id in rule.factors:
            names |= {n for f in ev.findings if f.item == item_id for n in f.facts}
        groups.append(names & set(facts))
    return groups


def _pareto(ruleset: RuleSet, base: Mapping[str, Any], found: list[tuple[dict[str, Any], float, Level]]) -> list[tuple[dict[str, Any], float, Level]]:
    def dist(changes: dict[str, Any]) -> list[float]:
        return [_distance(ruleset, k, base.get(k), v) for k, v in sorted(changes.items())]

    kept = []
    for i, (changes, score, level) in enumerate(found):
        d = dist(changes)
        dominated = False
        for j, (other, _, _) in enumerate(found):
            if i == j:
                continue
            e = dist(other)
            if all(a <= b for a, b in zip(e, d, strict=True)) and (e != d or j < i):
                dominated = True
                break
        if not dominated:
            kept.append((changes, score, level))
    return kept


def what_if(
    ruleset: RuleSet,
    evaluation: Evaluation,
    values: Mapping[str, Any],
    panel: dict[str, Any] | None = None,
    *,
    max_changes: int = MAX_CHANGES,
    max_evaluations: int = MAX_EVALUATIONS,
) -> WhatIfResult:
    """The smallest sets of fact changes that lower ``evaluation.level`` (see the module docstring).

    Parameters
    ----------
    ruleset
        The rule set the evaluation was made with.
    evaluation
        The evaluation to lower (the residual one of an assessment).
    values
        The checked facts of that evaluation (defaults applied, identity fields included).
    panel
        The expert-panel values used.
    max_changes
        The largest number of facts changed together.
    max_evaluations
        Stop after evaluating this many candidates (``search.complete`` is then ``False``).
    """
    result = WhatIfResult()
    current = LEVEL_ORDER[evaluation.level]
    if current == 0:
        return result
    facts = _contributing(ruleset, evaluation)
    result.search.facts = len(facts)
    evaluator = _Evaluator(ruleset, values, panel)
    options = {name: candidate_values(ruleset, name, values.get(name)) for name in facts}
    groups = _required_groups(ruleset, evaluation, current, facts)
    if any(not g for g in groups):
        return result  # a trigger reads no fact that may change
    count = 0
    for size in range(1, max_changes + 1):
        found: list[tuple[dict[str, Any], float, Level]] = []
        for combo in itertools.combinations(facts, size):
            chosen = set(combo)
            if any(not (g & chosen) for g in groups):
                continue
            for picked in itertools.product(*(options[n] for n in combo)):
                if count >= max_evaluations:
                    result.search.evaluated = count
                    result.search.complete = False
                    result.changes = _report(ruleset, values, panel, found)
                    return result
                count += 1
                changes = dict(zip(combo, picked, strict=True))
                score, level = evaluator.evaluate(changes)
                if LEVEL_ORDER[level] < current:
                    found.append((changes, score, level))
        if found:
            result.search.size = size
            result.changes = _report(ruleset, values, panel, found)
            break
    result.search.evaluated = count
    return result


def _report(
    ruleset: RuleSet, values: Mapping[str, Any], panel: dict[str, Any] | None, found: list[tuple[dict[str, Any], float, Level]]
) -> list[WhatIf]:
    by_facts: dict[tuple[str, ...], list[tuple[dict[str, Any], float, Level]]] = {}
    for entry in found:
        by_facts.setdefault(tuple(sorted(entry[0])), []).append(entry)
    out: list[WhatIf] = []
    for group in by_facts.values():
        for changes, score, level in _pareto(ruleset, values, group):
            # every reported change is confirmed by a full reference evaluation
            full = {**values, **changes}
            check = score_evaluation(ruleset, "residual", full, reference_fired(ruleset, full), panel)
            if abs(check.score - score) > 1e-6 or check.level != level:  # pragma: no cover - a bug guard
                raise AssertionError(f"what-if evaluation disagrees with the reference for {changes}")
            out.append(WhatIf(changes=changes, score=round(score, 6), level=level))
    out.sort(key=lambda w: (LEVEL_ORDER[w.level], w.score, sorted(w.changes)))
    return out
