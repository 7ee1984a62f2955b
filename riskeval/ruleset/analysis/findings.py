"""The findings of ``riskeval check`` other than score reachability, each a located :class:`Problem`.

Conditions are decided over the regions of :mod:`.domain`: a condition never holds, always holds
or implies another exactly when it does so on every combination of its facts' regions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

from ...model.rulefile import LEVEL_ORDER
from ..compiled import RuleSet
from ..conditions import Always, And, Condition, evaluate, facts_read, render
from ..problems import Problem
from .bounds import MAX_COMBINATIONS, TooLarge, inexact_items, item_span
from .domain import ruleset_regions
from .messages import Text
from .spans import NotAnalysable, Span

__all__ = ["locate", "problem", "truth_rows", "item_findings", "trigger_findings", "scope_findings", "fact_findings"]


def locate(rs: RuleSet, section: str, ident: str, *sub: str | int, key: bool = False) -> tuple[str, int, int]:
    """``(file, line, column)`` of an entity of ``rs`` (or of a part of it)."""
    origin = rs.origins.get((section, ident))
    if origin is None:
        return str(rs.path), 1, 1
    try:
        return tuple(origin.at(*sub, key=key))
    except (KeyError, IndexError, TypeError):
        return tuple(origin.at(key=key))


def problem(where: tuple[str, int, int], code: str, severity: str = "error", **params: Any) -> Problem:
    return Problem(where[0], where[1], where[2], code, params, severity=severity)  # type: ignore[arg-type]


def truth_rows(rs: RuleSet, conds: list[Condition]) -> Iterator[tuple[bool, ...]]:
    """The truth values of ``conds`` on every combination of their facts' regions."""
    names: set[str] = set()
    for cond in conds:
        names |= facts_read(cond)
    regions = ruleset_regions(rs, names)
    ordered = sorted(regions)
    if math.prod(len(regions[n]) for n in ordered) > MAX_COMBINATIONS:
        raise TooLarge("combinations", math.prod(len(regions[n]) for n in ordered))
    for combo in itertools.product(*(regions[n] for n in ordered)):
        values = {n: r.value for n, r in zip(ordered, combo, strict=True) if r.value is not None}
        yield tuple(evaluate(c, values) for c in conds)


def _when(rs: RuleSet, text: str | None) -> Condition:
    from ..conditions import parse_condition

    return parse_condition(text, rs.specs) if text else Always()


def item_findings(rs: RuleSet) -> list[Problem]:
    """Items that never apply, bands that never apply, items whose attainable maximum is not their ``max``."""
    out: list[Problem] = []
    inexact = set(inexact_items(rs))
    for item in rs.items:
        try:
            out.extend(_item(rs, item, inexact))
        except TooLarge as exc:
            out.append(too_large(locate(rs, "items", item.id), exc))
    return out


def too_large(where: tuple[str, int, int], exc: TooLarge) -> Problem:
    """The "not analysed" warning for a domain too large to enumerate."""
    if exc.what == "list members":
        from .domain import MAX_LIST_MEMBERS

        return problem(where, "check.not_analysed", "warning", what=Text("check.why.list", limit=MAX_LIST_MEMBERS))
    return problem(where, "check.not_analysed", "warning", what=Text("check.why.too_large", size=exc.size))


def _item(rs: RuleSet, item: Any, inexact: set[str]) -> list[Problem]:
    out: list[Problem] = []
    when = _when(rs, item.when)
    if not isinstance(when, Always) and not any(row[0] for row in truth_rows(rs, [when])):
        return [problem(locate(rs, "items", item.id, "when"), "check.item_never", item=item.label)]
    for field, spec in rs.item_values.get(item.id, {}).items():
        declared = getattr(item, field, None)
        bands = getattr(declared, "bands", None)
        if spec.kind != "table" or not bands or spec.fact is None:
            continue
        decl = rs.facts[spec.fact]
        domain = Span(
            decl.min if decl.min is not None else -math.inf,
            decl.max if decl.max is not None else math.inf,
            decl.min is not None,
            decl.max is not None,
        )
        for key, (cond, _, _) in zip(bands, spec.branches, strict=False):
            where = locate(rs, "items", item.id, field, "bands", key, key=True)
            rows = list(truth_rows(rs, [cond, when]))
            if not any(row[0] for row in rows):
                out.append(problem(where, "check.band_empty", item=item.label, band=key, fact=decl.label, domain=domain.text()))
            elif not any(row[0] and row[1] for row in rows):
                out.append(problem(where, "check.band_unused", "warning", item=item.label, band=key, condition=item.when))
    if rs.scoring.method == "points" and item.max is not None and not item.panel and item.id not in inexact:
        top = _item_max(rs, item, when)
        if top is not None and abs(top - item.max) > 1e-9:
            out.append(problem(locate(rs, "items", item.id, "max"), "check.item_max", "warning", item=item.label,
                               attained=_fmt(top), max=_fmt(item.max)))
    return out


def _fmt(x: float) -> str:
    return f"{round(x, 6):g}"


def _item_max(rs: RuleSet, item: Any, when: Condition) -> float | None:
    """The largest value the item attains over its facts' regions where it applies."""
    spec = rs.item_values.get(item.id, {}).get("points")
    if spec is None:
        return None
    names = facts_read(when)
    names |= {spec.fact} if spec.fact else set()
    if spec.formula is not None:
        from ..formula import formula_facts

        names |= formula_facts(spec.formula)
    regions = ruleset_regions(rs, names)
    ordered = sorted(regions)
    if math.prod(len(regions[n]) for n in ordered) > MAX_COMBINATIONS:
        raise TooLarge("combinations", math.prod(len(regions[n]) for n in ordered))
    best: float | None = None
    for combo in itertools.product(*(regions[n] for n in ordered)):
        values = {n: r.value for n, r in zip(ordered, combo, strict=True) if r.value is not None}
        spans = {n: r.span for n, r in zip(ordered, combo, strict=True) if r.value is not None and r.span is not None}
        if not evaluate(when, values):
            continue
        try:
            got = item_span(rs, item, values, spans)
        except (KeyError, NotAnalysable):
            continue
        if got is not None and (best is None or got.high > best):
            best = got.high
    return best


def trigger_findings(rs: RuleSet) -> list[Problem]:
    """Triggers that never fire and triggers subsumed by another."""
    out: list[Problem] = []
    rules = {r.ref: r for r in rs.rules if r.kind == "trigger"}
    triggers = [t for t in rs.triggers if t.id in rules]
    never: set[str] = set()
    for trig in triggers:
        if rules[trig.id].compound:
            continue
        try:
            fires = any(row[0] for row in truth_rows(rs, [rules[trig.id].condition]))
        except TooLarge as exc:
            never.add(trig.id)  # not analysed: left out of the comparisons below
            out.append(too_large(locate(rs, "triggers", trig.id), exc))
            continue
        if not fires:
            never.add(trig.id)
            out.append(problem(locate(rs, "triggers", trig.id, "when"), "check.trigger_never", trigger=trig.label))
    simple = [t for t in triggers if not rules[t.id].compound and t.id not in never]
    for k, a in enumerate(simple):
        for m, b in enumerate(simple):
            if a is b or LEVEL_ORDER[b.level] < LEVEL_ORDER[a.level]:
                continue
            try:
                rows = list(truth_rows(rs, [rules[a.id].condition, rules[b.id].condition]))
            except TooLarge:
                continue  # two triggers over too many combinations are not compared
            if any(ra and not rb for ra, rb in rows):
                continue
            mutual = b.level == a.level and not any(rb and not ra for ra, rb in rows)
            if mutual and m > k:
                continue  # the same condition and level twice: report the later one only
            out.append(problem(locate(rs, "triggers", a.id, "when"), "check.trigger_subsumed", "warning", trigger=a.label,
                               other=b.label, level=Text(f"level.{a.level}"), other_level=Text(f"level.{b.level}")))
            break
    return out


def scope_findings(rs: RuleSet) -> list[Problem]:
    """Scope entries that hold for every project or for none."""
    out: list[Problem] = []
    for i, (label, cond) in enumerate(rs.scope or []):
        where = locate(rs, "scope", "", i)
        try:
            rows = [row[0] for row in truth_rows(rs, [cond])]
        except TooLarge as exc:
            out.append(too_large(where, exc))
            continue
        if not any(rows):
            out.append(problem(where, "check.scope_never", entry=label))
        elif all(rows) and len(rs.scope or []) > 1:
            out.append(problem(where, "check.scope_always", "warning", entry=label))
    return out


def fact_findings(rs: RuleSet) -> list[Problem]:
    """Declared facts nothing reads; option facts with a numeric value on some options only."""
    out: list[Problem] = []
    used = set(rs.read_facts)
    for cond, _ in rs.panel_conditions:
        used |= facts_read(cond)
    for cond in rs.required_when.values():
        used |= facts_read(cond)
    for name, decl in rs.facts.items():
        if name not in used and not decl.required:
            out.append(problem(locate(rs, "facts", name, key=True), "check.fact_unused", "warning", fact=decl.label))
        valued = [o.value is not None for o in decl.options]
        if decl.type == "option" and any(valued) and not all(valued):
            for k, option in enumerate(decl.options):
                if option.value is None:
                    out.append(problem(locate(rs, "facts", name, "options", k), "check.option_value_partial", "warning",
                                       fact=decl.label, option=option.label))
    return out


__all__ += ["render_condition"]


def render_condition(cond: Condition) -> str:
    """A readable form of a compiled condition (for messages)."""
    return render(cond) if not isinstance(cond, And) or cond.parts else "true"
