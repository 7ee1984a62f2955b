"""The declared domain of every fact, cut into regions on which every condition is constant.

Every comparison ``fact op value`` in the rule set (conditions, band edges) cuts the fact's
declared range at ``value``. The regions are then the cut points and the open stretches between
them (for an integer fact, the integers of each stretch); options and booleans are one region per
value; a fact that may be left out (not required, no default) also has the region "absent". Within
one region every condition of the rule set has one truth value, so evaluating the conditions on
one representative value per region decides them for the whole domain; formulas are bounded over
the region's :class:`~.spans.Span`.

Examples
--------
>>> from riskeval.model.rulefile import FactDecl
>>> decl = FactDecl(type="integer", label="人数", min=0, default=0)
>>> [r.label for r in fact_regions("n", decl, {100.0, 200.0})]
['0', '1–99', '100', '101–199', '200', '≥ 201']
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...model.rulefile import FactDecl, Item
from ...model.vocabulary import DECISION_LEVEL_OPTIONS, KIND_OPTIONS, REGIME_OPTIONS
from ..compiled import RuleSet
from ..conditions import Always, And, Cmp, Condition, Has, Or, parse_condition
from .spans import Span, point

__all__ = ["Region", "ABSENT", "fact_regions", "ruleset_regions", "atoms_of", "all_conditions", "item_condition"]

#: the representative of "the project does not give this fact"
ABSENT: Any = None
OTHER_TEXT = "\x00other"
MAX_LIST_MEMBERS = 6


@dataclass(frozen=True)
class Region:
    """One region of a fact's domain: a representative value, its numeric span, a label."""

    value: Any
    span: Span | None
    label: str


def atoms_of(cond: Condition) -> Iterable[Cmp | Has]:
    """The comparisons of a condition."""
    if isinstance(cond, Cmp | Has):
        yield cond
    elif isinstance(cond, And | Or):
        for part in cond.parts:
            yield from atoms_of(part)


def item_condition(rs: RuleSet, item: Item) -> Condition:
    """The item's own ``when`` (:class:`Always` without one), as the analysis evaluates it.

    It is read from the item, not from its compiled rules: a points table compiles to one rule per
    *non-zero* branch (``item.when`` and the branch's condition), so an item whose branches are all
    zero has no rule at all, yet it still applies where its ``when`` holds.
    """
    rule = next((r for r in rs.rules if r.kind == "item" and r.ref == item.id and r.branch is None), None)
    if rule is not None:
        return rule.condition
    return parse_condition(item.when, rs.specs) if item.when else Always()


def all_conditions(rs: RuleSet) -> list[Condition]:
    """Every condition of the rule set: its rules, value-table branches, ``required_when`` and item ``when``s.

    The items' own conditions are listed separately because an item does not always have a rule
    that holds its ``when`` (see :func:`item_condition`); a comparison missing here would leave
    its cut point out of the regions, and a region would then hold projects on which the item
    applies and projects on which it does not.
    """
    out = [rule.condition for rule in rs.rules]
    for values in rs.item_values.values():
        for spec in values.values():
            out.extend(cond for cond, _, _ in spec.branches)
    out.extend(rs.required_when.values())
    out.extend(item_condition(rs, item) for item in rs.items)
    return out


def _num(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _numeric_regions(decl_type: str, low: float, high: float, cuts: set[float]) -> list[Region]:
    """Points at the finite ends and cuts, open stretches between them (integers: the integers inside)."""
    integer = decl_type == "integer"
    if integer:
        low = math.ceil(low) if math.isfinite(low) else low
        high = math.floor(high) if math.isfinite(high) else high
    if low > high:
        return []
    inside = {c for c in cuts if low < c < high and (not integer or float(c).is_integer())}
    bounds = sorted(inside | {low, high})
    regions: list[Region] = []
    for k, a in enumerate(bounds):
        if math.isfinite(a):
            regions.append(Region(_int(a, integer), point(a), _num(a)))
        if k + 1 == len(bounds):
            break
        b = bounds[k + 1]
        if integer:
            lo = a + 1 if math.isfinite(a) else a
            hi = b - 1 if math.isfinite(b) else b
            if lo > hi:
                continue
            rep = lo if math.isfinite(lo) else (hi if math.isfinite(hi) else 0)
            if lo == hi:
                label = _num(lo)
            elif math.isinf(hi):
                label = f"≥ {_num(lo)}"
            elif math.isinf(lo):
                label = f"≤ {_num(hi)}"
            else:
                label = f"{_num(lo)}–{_num(hi)}"
            regions.append(Region(int(rep), Span(lo, hi, math.isfinite(lo), math.isfinite(hi)), label))
        else:
            if math.isfinite(a) and math.isfinite(b):
                rep = (a + b) / 2
            elif math.isfinite(a):
                rep = a + 1
            elif math.isfinite(b):
                rep = b - 1
            else:
                rep = 0.0
            regions.append(Region(rep, Span(a, b, False, False), f"({_num(a)}, {_num(b)})"))
    return regions


def _int(x: float, integer: bool) -> float | int:
    return int(x) if integer or float(x).is_integer() else x


def fact_regions(name: str, decl: FactDecl, cuts: set[float], members: Iterable[Any] = (), optional: bool | None = None) -> list[Region]:
    """The regions of one declared fact (``cuts`` from numeric comparisons, ``members`` compared texts).

    ``optional`` says whether a project may leave the fact out (default: not required and no default).
    """
    if optional is None:
        optional = not decl.required and decl.default is None
    regions: list[Region]
    if decl.type in ("number", "integer"):
        low = decl.min if decl.min is not None else -math.inf
        high = decl.max if decl.max is not None else math.inf
        regions = _numeric_regions(decl.type, low, high, cuts)
    elif decl.type == "bool":
        regions = [Region(True, point(1), "是"), Region(False, point(0), "否")]
    elif decl.type == "option":
        regions = [Region(o.code, point(o.value) if o.value is not None else None, o.label) for o in decl.options]
    elif decl.type == "text":
        regions = [Region(m, None, str(m)) for m in sorted(set(members), key=str)] + [Region(OTHER_TEXT, None, "…")]
    else:
        listed = sorted({str(m) for m in members})
        if len(listed) > MAX_LIST_MEMBERS:
            from .bounds import TooLarge

            raise TooLarge("list members", 2 ** len(listed))
        regions = []
        for n in range(len(listed) + 1):
            for combo in itertools.combinations(listed, n):
                regions.append(Region(list(combo), None, "[" + ", ".join(combo) + "]"))
    if optional:
        regions.append(Region(ABSENT, None, "—"))
    return regions


def _identity_decls() -> dict[str, FactDecl]:
    def options(table: dict[str, str]) -> list[dict[str, str]]:
        return [{"code": code, "label": label} for code, label in table.items()]

    raw: dict[str, dict[str, Any]] = {
        "kind": {"type": "option", "label": "事项类型", "options": options(KIND_OPTIONS)},
        "regime": {"type": "option", "label": "决策规则", "options": options(REGIME_OPTIONS)},
        "decision_level": {"type": "option", "label": "决策层级", "options": options(DECISION_LEVEL_OPTIONS)},
        "investment": {"type": "number", "label": "总投资", "min": 0},
        "unit": {"type": "text", "label": "单位"},
        "location": {"type": "text", "label": "地点"},
        "domains": {"type": "list", "label": "领域"},
    }
    return {name: FactDecl.model_validate(data) for name, data in raw.items()}


def ruleset_regions(rs: RuleSet, facts: Iterable[str]) -> dict[str, list[Region]]:
    """The regions of each named fact (declared facts and identity fields) of ``rs``."""
    wanted = set(facts)
    cuts: dict[str, set[float]] = {n: set() for n in wanted}
    members: dict[str, set[Any]] = {n: set() for n in wanted}
    for cond in all_conditions(rs):
        for atom in atoms_of(cond):
            if atom.fact not in wanted:
                continue
            if isinstance(atom, Has):
                members[atom.fact].add(atom.member)
            elif isinstance(atom.value, int | float) and not isinstance(atom.value, bool):
                cuts[atom.fact].add(float(atom.value))
            else:
                members[atom.fact].add(atom.value)
    identity = _identity_decls()
    out: dict[str, list[Region]] = {}
    for name in sorted(wanted):
        decl = rs.facts.get(name) or identity.get(name)
        if decl is None:
            continue
        out[name] = fact_regions(name, decl, cuts[name], members[name], optional=None if name in rs.facts else True)
    return out
