"""Restricted arithmetic for item values: numbers, numeric facts, ``+ - * /``, ``min``, ``max``.

Option facts enter a formula through the numeric ``value`` of their options, booleans as 1/0.
Parsed with ``ast`` against a whitelist and computed by :func:`compute`; never ``eval``.

Examples
--------
>>> f = parse_formula("35 * min(rate, 100) / 100 * w", {"rate", "w"})
>>> round(compute(f, {"rate": 40, "w": 0.7}), 6)
9.8
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from .conditions import ConditionError, _char_offset, parse_expression
from .hints import MAX_CONSTANT, suggest

__all__ = ["Formula", "parse_formula", "compute", "formula_facts", "formula_risks", "value_range", "FormulaMissingFact"]


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Formula
    right: Formula


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Formula, ...]


Formula = Num | Var | BinOp | Call

_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_FUNCS: dict[str, Callable[..., float]] = {"min": min, "max": max}


class FormulaMissingFact(KeyError):
    """A formula needs a fact the project does not have."""


def parse_formula(text: str, numeric_facts: Collection[str], labels: Mapping[str, str] | None = None) -> Formula:
    """Parse ``text``; names must be in ``numeric_facts``. Raises :class:`ConditionError`.

    ``labels`` (fact name -> Chinese label) lets a label written instead of a name be answered
    with the name. Constants must be finite and at most ``1e15`` in absolute value.
    """
    text = str(text)
    tree, stripped, lead = parse_expression(text, labels or {}, empty="formula.empty")

    def at(node: ast.AST) -> int:
        return lead + _char_offset(stripped, getattr(node, "col_offset", 0))

    def conv(node: ast.AST) -> Formula:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            value = node.value
            if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_CONSTANT:
                raise ConditionError("cond.number_out_of_range", at(node), value=_short(value), limit=MAX_CONSTANT)
            return Num(float(value))
        if isinstance(node, ast.Name):
            if node.id not in numeric_facts:
                hint = suggest(stripped, labels or {})
                if hint is not None:
                    raise ConditionError(hint[1], lead + hint[0], **hint[2])
                close = difflib.get_close_matches(node.id, list(numeric_facts), n=1)
                raise ConditionError(
                    "formula.unknown_fact", at(node), name=node.id, suggestion=close[0] if close else ""
                )
            return Var(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return BinOp(_BINOPS[type(node.op)], conv(node.left), conv(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return BinOp("-", Num(0.0), conv(node.operand))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCS
            and not node.keywords
            and node.args
        ):
            return Call(node.func.id, tuple(conv(a) for a in node.args))
        raise ConditionError("formula.unsupported", at(node), what=type(node).__name__)

    return conv(tree.body)


def _short(value: float) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:16]}…"


Range = tuple[float, float]
_ANY: Range = (-math.inf, math.inf)


def _corners(a: Range, b: Range, op: Callable[[float, float], float]) -> Range:
    values = []
    for x in a:
        for y in b:
            v = op(x, y)
            values.append(0.0 if math.isnan(v) else v)  # 0 * inf: the other corners carry the bound
    return min(values), max(values)


def value_range(formula: Formula, bounds: Mapping[str, Range]) -> Range:
    """The interval a formula can take when each fact stays within ``bounds`` (default: unbounded).

    A division whose divisor can be 0 is unbounded (``compute`` counts ``x / 0`` as 0).

    Examples
    --------
    >>> value_range(parse_formula("35 * min(rate / 50, 1)", {"rate"}), {"rate": (0, 100)})
    (0.0, 35.0)
    """
    if isinstance(formula, Num):
        return formula.value, formula.value
    if isinstance(formula, Var):
        return bounds.get(formula.name, _ANY)
    if isinstance(formula, Call):
        ranges = [value_range(a, bounds) for a in formula.args]
        pick = min if formula.func == "min" else max
        return pick(r[0] for r in ranges), pick(r[1] for r in ranges)
    a, b = value_range(formula.left, bounds), value_range(formula.right, bounds)
    if formula.op == "+":
        low, high = a[0] + b[0], a[1] + b[1]
        return (-math.inf if math.isnan(low) else low, math.inf if math.isnan(high) else high)
    if formula.op == "-":
        low, high = a[0] - b[1], a[1] - b[0]
        return (-math.inf if math.isnan(low) else low, math.inf if math.isnan(high) else high)
    if formula.op == "*":
        return _corners(a, b, lambda x, y: x * y)
    if b == (0.0, 0.0):
        return 0.0, 0.0
    if b[0] <= 0 <= b[1]:
        return _ANY
    return _corners(a, b, lambda x, y: x / y if math.isfinite(y) else 0.0)


def divisions(formula: Formula) -> list[BinOp]:
    """Every division in ``formula``."""
    out: list[BinOp] = []
    stack: list[Formula] = [formula]
    while stack:
        node = stack.pop()
        if isinstance(node, BinOp):
            if node.op == "/":
                out.append(node)
            stack.extend((node.left, node.right))
        elif isinstance(node, Call):
            stack.extend(node.args)
    return out


def formula_risks(formula: Formula, bounds: Mapping[str, Range]) -> list[tuple[str, str]]:
    """What can go wrong when ``formula`` is computed: ``[(code, severity), ...]``.

    ``formula.not_finite`` (error): the value can be infinite or not a number although every fact
    it reads is bounded (``1e300 * 1e300``). ``formula.divide_by_zero`` (error): a divisor that is
    always 0. ``formula.divisor_may_be_zero`` (warning): a divisor that can be 0 within the facts'
    declared ranges; ``compute`` then counts the quotient as 0.

    Examples
    --------
    >>> formula_risks(parse_formula("rate / days", {"rate", "days"}), {"days": (0, 30)})
    [('formula.divisor_may_be_zero', 'warning')]
    >>> formula_risks(parse_formula(" * ".join(["1e15"] * 21), set()), {})
    [('formula.not_finite', 'error')]
    """
    risks: list[tuple[str, str]] = []
    for division in divisions(formula):
        low, high = value_range(division.right, bounds)
        if (low, high) == (0.0, 0.0):
            risks.append(("formula.divide_by_zero", "error"))
        elif low <= 0 <= high:
            risks.append(("formula.divisor_may_be_zero", "warning"))
    if risks:
        return risks  # a divisor that can be 0 makes the range unbounded by design
    bounded = all(name in bounds and all(math.isfinite(x) for x in bounds[name]) for name in formula_facts(formula))
    low, high = value_range(formula, bounds)
    if math.isnan(low) or math.isnan(high) or (bounded and not (math.isfinite(low) and math.isfinite(high))):
        risks.append(("formula.not_finite", "error"))
    return risks


def compute(formula: Formula, values: Mapping[str, float]) -> float:
    """Compute ``formula``; division by zero gives 0 (documented), a missing fact raises."""
    if isinstance(formula, Num):
        return formula.value
    if isinstance(formula, Var):
        if formula.name not in values:
            raise FormulaMissingFact(formula.name)
        return float(values[formula.name])
    if isinstance(formula, Call):
        return float(_FUNCS[formula.func](*(compute(a, values) for a in formula.args)))
    left, right = compute(formula.left, values), compute(formula.right, values)
    if formula.op == "+":
        return left + right
    if formula.op == "-":
        return left - right
    if formula.op == "*":
        return left * right
    return left / right if right else 0.0


def formula_facts(formula: Formula) -> set[str]:
    """The fact names a formula reads."""
    if isinstance(formula, Var):
        return {formula.name}
    if isinstance(formula, BinOp):
        return formula_facts(formula.left) | formula_facts(formula.right)
    if isinstance(formula, Call):
        out: set[str] = set()
        for arg in formula.args:
            out |= formula_facts(arg)
        return out
    return set()
