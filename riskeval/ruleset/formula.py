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
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from .conditions import ConditionError, _char_offset

__all__ = ["Formula", "parse_formula", "compute", "formula_facts", "FormulaMissingFact"]


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


def parse_formula(text: str, numeric_facts: Collection[str]) -> Formula:
    """Parse ``text``; names must be in ``numeric_facts``. Raises :class:`ConditionError`."""
    stripped = str(text).strip()
    lead = len(str(text)) - len(str(text).lstrip())
    if not stripped:
        raise ConditionError("formula.empty", 0)
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        raise ConditionError("cond.syntax", lead + (exc.offset or 1) - 1, detail=exc.msg) from None

    def at(node: ast.AST) -> int:
        return lead + _char_offset(stripped, getattr(node, "col_offset", 0))

    def conv(node: ast.AST) -> Formula:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return Num(float(node.value))
        if isinstance(node, ast.Name):
            if node.id not in numeric_facts:
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

    try:
        return conv(tree.body)
    except RecursionError:
        raise ConditionError("cond.too_deep", 0) from None


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
