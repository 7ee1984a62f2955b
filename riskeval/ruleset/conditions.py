"""Readable conditions (``opposition_rate > 50 and possible_incident_size >= 200``).

A condition is parsed with Python's own parser (``ast.parse(mode="eval")``) and accepted
only if every node is on a small whitelist; it is never evaluated by Python. The result
is a tiny intermediate representation (IR) in negation normal form that the engine
compiles to durable-rules JSON and that :func:`evaluate` runs as the plain reference.

Semantics: a comparison on a fact the project does not have is false, and so is its
negation (``not`` is pushed down to the comparisons, so ``not x > 5`` means ``x <= 5``).

Examples
--------
>>> facts = {"rate": FactSpec("number"), "nimby": FactSpec("bool")}
>>> cond = parse_condition("rate > 50 and not nimby", facts)
>>> cond
And(parts=(Cmp(fact='rate', op='>', value=50), Cmp(fact='nimby', op='==', value=False)))
>>> evaluate(cond, {"rate": 60, "nimby": False}), evaluate(cond, {"rate": 60})
(True, False)
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .hints import MAX_CONSTANT, suggest, syntax_problem

__all__ = [
    "FactSpec",
    "Cmp",
    "Has",
    "And",
    "Or",
    "Always",
    "Condition",
    "ConditionError",
    "parse_condition",
    "parse_expression",
    "evaluate",
    "facts_read",
    "render",
]

FactType = Literal["number", "integer", "bool", "option", "text", "list"]
Op = Literal["==", "!=", "<", "<=", ">", ">="]
Scalar = int | float | str | bool


@dataclass(frozen=True)
class FactSpec:
    """What the parser needs to know about a fact: its type and, for options, code -> label."""

    type: FactType
    options: Mapping[str, str] = field(default_factory=dict)
    #: the Chinese label, so that ``满意度 > 80`` can be answered with the fact's name
    label: str = ""

    def option_code(self, value: str) -> str | None:
        """Return the option code for a code or its Chinese label, or ``None``."""
        if value in self.options:
            return value
        for code, label in self.options.items():
            if label == value:
                return code
        return None


@dataclass(frozen=True)
class Cmp:
    """``fact op value``."""

    fact: str
    op: Op
    value: Scalar


@dataclass(frozen=True)
class Has:
    """``member in fact`` (``positive``) or ``member not in fact`` for a list fact."""

    fact: str
    member: str
    positive: bool = True


@dataclass(frozen=True)
class And:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Always:
    """The condition that always holds (an item with no ``when``)."""


Condition = Cmp | Has | And | Or | Always


class ConditionError(Exception):
    """A condition that cannot be accepted; ``offset`` is a 0-based character offset."""

    def __init__(self, code: str, offset: int, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.offset = offset
        self.params = params


_NEGATE: dict[str, Op] = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP: dict[str, Op] = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPS: dict[type, Op] = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_LITERALS: dict[str, bool] = {"true": True, "false": False, "True": True, "False": False, "是": True, "否": False}
MAX_CONDITION_LENGTH = 2000
#: deepest nesting of an expression (operators, calls, brackets); real rules need fewer than 10
MAX_NESTING = 100


def _char_offset(text: str, byte_offset: int) -> int:
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


class _Parser:
    def __init__(self, text: str, facts: Mapping[str, FactSpec]) -> None:
        self.text = text
        self.facts = facts

    def at(self, node: ast.AST) -> int:
        return _char_offset(self.text, getattr(node, "col_offset", 0))

    def fail(self, code: str, node: ast.AST, **params: object) -> ConditionError:
        return ConditionError(code, self.at(node), **params)

    def fact(self, node: ast.Name) -> tuple[str, FactSpec]:
        spec = self.facts.get(node.id)
        if spec is None:
            hint = suggest(self.text, {name: s.label for name, s in self.facts.items()})
            if hint is not None:
                raise ConditionError(hint[1], hint[0], **hint[2])
            close = difflib.get_close_matches(node.id, list(self.facts), n=1)
            raise self.fail("cond.unknown_fact", node, name=node.id, suggestion=close[0] if close else "")
        return node.id, spec

    def literal(self, node: ast.AST) -> Scalar | list[Scalar]:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool):
            return node.value
        if isinstance(node, ast.Name) and node.id in _LITERALS:
            return _LITERALS[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            value = node.operand.value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return -value
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.literal(elt) for elt in node.elts]
            if any(isinstance(item, list) for item in items):
                raise self.fail("cond.nested_list", node)
            return items  # type: ignore[return-value]
        raise self.fail("cond.not_literal", node)

    def is_fact(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id not in _LITERALS

    def convert(self, node: ast.AST) -> Condition:
        if isinstance(node, ast.BoolOp):
            parts = tuple(self.convert(v) for v in node.values)
            return And(parts) if isinstance(node.op, ast.And) else Or(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return negate(self.convert(node.operand))
        if isinstance(node, ast.Compare):
            left = node.left
            pairs: list[Condition] = []
            for op_node, right in zip(node.ops, node.comparators, strict=True):
                pairs.append(self.compare(left, op_node, right))
                left = right
            return pairs[0] if len(pairs) == 1 else And(tuple(pairs))
        if isinstance(node, ast.Name):
            if node.id in _LITERALS:
                return Always() if _LITERALS[node.id] else Or(())
            name, spec = self.fact(node)
            if spec.type != "bool":
                raise self.fail("cond.bare_not_bool", node, name=name, type=spec.type)
            return Cmp(name, "==", True)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return Always() if node.value else Or(())
        raise self.fail("cond.unsupported", node, what=type(node).__name__)

    def compare(self, left: ast.AST, op_node: ast.cmpop, right: ast.AST) -> Condition:
        if isinstance(op_node, ast.In | ast.NotIn):
            positive = isinstance(op_node, ast.In)
            if self.is_fact(right) and not self.is_fact(left):
                assert isinstance(right, ast.Name)
                name, spec = self.fact(right)
                if spec.type != "list":
                    raise self.fail("cond.in_needs_list", right, name=name, type=spec.type)
                member = self.literal(left)
                if not isinstance(member, str):
                    raise self.fail("cond.member_not_text", left)
                return Has(name, member, positive)
            if self.is_fact(left) and not self.is_fact(right):
                assert isinstance(left, ast.Name)
                name, spec = self.fact(left)
                values = self.literal(right)
                if not isinstance(values, list):
                    raise self.fail("cond.in_needs_values", right)
                if spec.type == "list":
                    raise self.fail("cond.list_in_values", left, name=name)
                checked = [self.check_value(name, spec, "==", v, right) for v in values]
                if positive:
                    return Or(tuple(Cmp(name, "==", v) for v in checked))
                return And(tuple(Cmp(name, "!=", v) for v in checked))
            raise self.fail("cond.one_fact_one_value", op_node if hasattr(op_node, "col_offset") else left)
        op = _OPS.get(type(op_node))
        if op is None:
            raise self.fail("cond.unsupported", left, what=type(op_node).__name__)
        if self.is_fact(left) and not self.is_fact(right):
            fact_node, value_node = left, right
        elif self.is_fact(right) and not self.is_fact(left):
            fact_node, value_node, op = right, left, _FLIP[op]
        else:
            raise self.fail("cond.one_fact_one_value", left)
        assert isinstance(fact_node, ast.Name)
        name, spec = self.fact(fact_node)
        value = self.literal(value_node)
        if isinstance(value, list):
            raise self.fail("cond.list_compare", value_node)
        return Cmp(name, op, self.check_value(name, spec, op, value, value_node))

    def check_value(self, name: str, spec: FactSpec, op: Op, value: Scalar, node: ast.AST) -> Scalar:
        kind = spec.type
        if kind in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail("cond.type_mismatch", node, name=name, type=kind, value=value)
            if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_CONSTANT:
                raise self.fail("cond.number_out_of_range", node, value=_short_number(value), limit=MAX_CONSTANT)
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise self.fail("cond.type_mismatch", node, name=name, type=kind, value=value)
            if op not in ("==", "!="):
                raise self.fail("cond.bad_operator", node, name=name, type=kind, op=op)
            return value
        if kind == "list":
            raise self.fail("cond.list_compare_fact", node, name=name)
        if not isinstance(value, str):
            raise self.fail("cond.type_mismatch", node, name=name, type=kind, value=value)
        if op not in ("==", "!="):
            raise self.fail("cond.bad_operator", node, name=name, type=kind, op=op)
        if kind == "option":
            code = spec.option_code(value)
            if code is None:
                raise self.fail("cond.unknown_option", node, name=name, value=value, options=", ".join(spec.options))
            return code
        return value


def negate(cond: Condition) -> Condition:
    """Negation pushed down to the comparisons (negation normal form)."""
    if isinstance(cond, Cmp):
        if isinstance(cond.value, bool):
            return Cmp(cond.fact, "==", (not cond.value) if cond.op == "==" else cond.value)
        return Cmp(cond.fact, _NEGATE[cond.op], cond.value)
    if isinstance(cond, Has):
        return Has(cond.fact, cond.member, not cond.positive)
    if isinstance(cond, And):
        return Or(tuple(negate(p) for p in cond.parts))
    if isinstance(cond, Or):
        if not cond.parts:
            return Always()
        return And(tuple(negate(p) for p in cond.parts))
    return Or(())


def parse_condition(text: str, facts: Mapping[str, FactSpec]) -> Condition:
    """Parse ``text`` against the declared ``facts``.

    Raises
    ------
    ConditionError
        With a message code and the character offset of the offending part.
    """
    if not isinstance(text, str):
        raise ConditionError("cond.not_text", 0)
    tree, stripped, lead = parse_expression(text, {name: spec.label for name, spec in facts.items()})
    try:
        return _Parser(stripped, facts).convert(tree.body)
    except ConditionError as exc:
        exc.offset += lead
        raise


def _short_number(value: float) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:12]}…（{len(text)} 位）"


def _depth_offset(tree: ast.AST, limit: int) -> int | None:
    """The column of a node nested deeper than ``limit``, found without recursion; else ``None``."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return int(getattr(node, "col_offset", 0))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def parse_expression(text: str, labels: Mapping[str, str], *, empty: str = "cond.empty") -> tuple[ast.Expression, str, int]:
    """Parse a condition or formula with Python's parser, safely: ``(tree, stripped text, lead)``.

    Length, nesting depth and number size are bounded; every failure is a :class:`ConditionError`
    with a catalogue code (paper spellings such as ``满意度＞80`` get ``cond.write_instead``).
    """
    if len(text) > MAX_CONDITION_LENGTH:
        raise ConditionError("cond.too_long", 0, limit=MAX_CONDITION_LENGTH)
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    if not stripped:
        raise ConditionError(empty, 0)
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        hint = suggest(stripped, labels)
        if hint is not None:
            raise ConditionError(hint[1], lead + hint[0], **hint[2]) from None
        code, params = syntax_problem(exc)
        raise ConditionError(code, lead + max((exc.offset or 1) - 1, 0), **params) from None
    except (RecursionError, MemoryError, ValueError):
        raise ConditionError("cond.too_deep", lead) from None
    deep = _depth_offset(tree, MAX_NESTING)
    if deep is not None:
        raise ConditionError("cond.too_deep", lead + _char_offset(stripped, deep))
    return tree, stripped, lead


def _compare(actual: Any, op: str, expected: Scalar) -> bool:
    if op == "==":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return False
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return False
    if op == "<":
        return actual < expected
    if op == "<=":
        return actual <= expected
    if op == ">":
        return actual > expected
    return actual >= expected


def evaluate(cond: Condition, facts: Mapping[str, Any]) -> bool:
    """The plain reference evaluation of ``cond`` on ``facts`` (missing facts make atoms false)."""
    if isinstance(cond, Cmp):
        if cond.fact not in facts or facts[cond.fact] is None:
            return False
        return _compare(facts[cond.fact], cond.op, cond.value)
    if isinstance(cond, Has):
        values = facts.get(cond.fact)
        if not isinstance(values, Sequence) or isinstance(values, str):
            return False
        return (cond.member in values) == cond.positive
    if isinstance(cond, And):
        return all(evaluate(p, facts) for p in cond.parts)
    if isinstance(cond, Or):
        return any(evaluate(p, facts) for p in cond.parts)
    return True


def facts_read(cond: Condition) -> set[str]:
    """The fact names a condition reads."""
    if isinstance(cond, Cmp | Has):
        return {cond.fact}
    if isinstance(cond, And | Or):
        out: set[str] = set()
        for part in cond.parts:
            out |= facts_read(part)
        return out
    return set()


def render(cond: Condition) -> str:
    """A readable text form of the (normalised) condition."""
    if isinstance(cond, Cmp):
        value = cond.value
        shown = ("true" if value else "false") if isinstance(value, bool) else repr(value).replace("'", '"')
        return f"{cond.fact} {cond.op} {shown}"
    if isinstance(cond, Has):
        return f'"{cond.member}" {"in" if cond.positive else "not in"} {cond.fact}'
    if isinstance(cond, And):
        return " and ".join(_wrap(p) for p in cond.parts) if cond.parts else "true"
    if isinstance(cond, Or):
        return " or ".join(_wrap(p) for p in cond.parts) if cond.parts else "false"
    return "true"


def _wrap(cond: Condition) -> str:
    text = render(cond)
    return f"({text})" if isinstance(cond, And | Or) and len(cond.parts) > 1 else text
