"""Item values: constants, option tables (``map``), numeric bands (``bands``) and formulas.

Each is checked (numbers finite and in range, bands without gaps or overlaps, maps covering every
option, formulas that cannot produce infinity or NaN) and compiled to a :class:`CompiledValue`.
"""

from __future__ import annotations

import difflib
import math
from typing import TYPE_CHECKING, Any

from ..model.rulefile import FactDecl, Item
from .compiled import CompiledValue
from .conditions import And, Cmp, Condition, ConditionError
from .facts import FactValueError, coerce_fact_value
from .formula import Range, formula_facts, formula_risks, parse_formula
from .hints import MAX_CONSTANT
from .intervals import IntervalError, find_gaps_and_overlaps, parse_interval
from .problems import Problem
from .source import Origin, condition_problem

if TYPE_CHECKING:
    from .build import Ctx

__all__ = ["compile_value", "fact_bounds", "numeric_facts"]


def fact_bounds(facts: dict[str, FactDecl]) -> dict[str, Range]:
    """The declared range of each numeric fact as a formula sees it (bools 0–1, options by value)."""
    out: dict[str, Range] = {}
    for name, decl in facts.items():
        if decl.type in ("number", "integer"):
            out[name] = (decl.min if decl.min is not None else -math.inf, decl.max if decl.max is not None else math.inf)
        elif decl.type == "bool":
            out[name] = (0.0, 1.0)
        elif decl.type == "option" and decl.options and all(o.value is not None for o in decl.options):
            values = [float(o.value) for o in decl.options if o.value is not None]
            out[name] = (min(values), max(values))
    out.setdefault("investment", (0.0, math.inf))
    return out


def numeric_facts(facts: dict[str, FactDecl]) -> set[str]:
    out = set()
    for name, decl in facts.items():
        if decl.type in ("number", "integer", "bool"):
            out.add(name)
        elif decl.type == "option" and decl.options and all(o.value is not None for o in decl.options):
            out.add(name)
    return out | {"investment"}


def compile_value(
    ctx: Ctx, item: Item, field: str, spec: Any, origin: Origin, unit_range: bool
) -> CompiledValue | None:
    sub: tuple[str | int, ...] = (field,)
    if isinstance(spec, int | float):
        _check_number(ctx, item, field, float(spec), origin, sub, unit_range)
        return CompiledValue("const", const=float(spec))
    shapes = [k for k in ("map", "bands", "formula") if getattr(spec, k) is not None]
    if len(shapes) != 1:
        ctx.error(origin, sub, "value.shape")
        return None
    if spec.formula is not None:
        facts = ctx.layered.facts
        try:
            formula = parse_formula(spec.formula, numeric_facts(facts), {n: d.label for n, d in facts.items()})
        except ConditionError as exc:
            ctx.problems.append(condition_problem(origin, (*sub, "formula"), exc, spec.formula))
            return None
        for code, severity in formula_risks(formula, fact_bounds(facts)):
            f, line, col = origin.at(*sub, "formula")
            ctx.problems.append(Problem(f, line, col, code, {"formula": spec.formula[:80]}, severity=severity))  # type: ignore[arg-type]
        ctx.read |= formula_facts(formula)
        return CompiledValue("formula", formula=formula, formula_text=spec.formula)
    if spec.fact is None:
        ctx.error(origin, sub, "value.fact_missing")
        return None
    decl = ctx.layered.facts.get(spec.fact)
    if decl is None:
        close = difflib.get_close_matches(spec.fact, list(ctx.layered.facts), n=1)
        ctx.error(origin, (*sub, "fact"), "value.unknown_fact", name=spec.fact, suggestion=close[0] if close else "")
        return None
    ctx.read.add(spec.fact)
    branches: list[tuple[Condition, float, str]] = []
    if spec.map is not None:
        if decl.type not in ("option", "bool"):
            ctx.error(origin, (*sub, "fact"), "value.map_type", name=spec.fact, type=decl.type)
            return None
        seen: set[Any] = set()
        for key, value in spec.map.items():
            try:
                code = coerce_fact_value(decl, key)
            except FactValueError:
                options = ", ".join(o.code for o in decl.options) if decl.type == "option" else "true, false"
                ctx.error(origin, (*sub, "map", key), "value.unknown_option", key=True, value=key, name=spec.fact, options=options)
                continue
            seen.add(code)
            _check_number(ctx, item, field, value, origin, (*sub, "map", key), unit_range)
            label = next((o.label for o in decl.options if o.code == code), "是" if code is True else "否")
            code_text = code if isinstance(code, str) else ("true" if code else "false")
            branches.append((Cmp(spec.fact, "==", code), float(value), f"{spec.fact} = {code_text}（{label}）"))
        expected = {o.code for o in decl.options} if decl.type == "option" else {True, False}
        missing = expected - seen
        if missing:
            ctx.error(origin, (*sub, "map"), "value.map_incomplete", name=spec.fact, missing=", ".join(sorted(map(str, missing))))
        return CompiledValue("table", fact=spec.fact, branches=tuple(branches))
    if decl.type not in ("number", "integer"):
        ctx.error(origin, (*sub, "fact"), "value.bands_type", name=spec.fact, type=decl.type)
        return None
    intervals = []
    assert spec.bands is not None
    for key, value in spec.bands.items():
        try:
            band = parse_interval(key)
        except IntervalError as exc:
            ctx.error(origin, (*sub, "bands", key), exc.code, key=True, text=exc.text)
            continue
        intervals.append(band)
        _check_number(ctx, item, field, value, origin, (*sub, "bands", key), unit_range)
        parts: list[Condition] = []
        if not math.isinf(band.low):
            parts.append(Cmp(spec.fact, ">=" if band.low_closed else ">", _int(band.low)))
        if not math.isinf(band.high):
            parts.append(Cmp(spec.fact, "<=" if band.high_closed else "<", _int(band.high)))
        cond: Condition = And(tuple(parts)) if len(parts) != 1 else parts[0]
        branches.append((cond, float(value), f"{spec.fact} ∈ {band}"))
    for kind, detail in find_gaps_and_overlaps(intervals, decl.min, decl.max):
        ctx.error(origin, (*sub, "bands"), f"bands.{kind}", fact=spec.fact, detail=detail)
    return CompiledValue("table", fact=spec.fact, branches=tuple(branches))


def _int(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def _check_number(
    ctx: Ctx, item: Item, field: str, value: float, origin: Origin, sub: tuple[str | int, ...], unit_range: bool
) -> None:
    if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
        ctx.error(origin, sub, "cond.number_out_of_range", value=value, limit=MAX_CONSTANT)
    elif unit_range and not 0 <= value <= 1:
        ctx.error(origin, sub, "item.unit_range", id=item.id, field=field, value=value)
    elif not unit_range:
        if value < 0:
            ctx.error(origin, sub, "item.negative", id=item.id, value=value)
        elif item.max is not None and value > item.max + 1e-9:
            ctx.error(origin, sub, "item.over_max", id=item.id, value=value, max=item.max)
