"""Real intervals that remember whether their ends are attained, and formula ranges over them.

A :class:`Span` is the set of values a quantity can take (or its hull): ``[0.1, 0.9]``,
``(0.4, 1]``. Ends are ``attained`` (closed) or only approached (open), so that a level band
``[0.64, 1]`` is told apart from a supremum of 0.64 that no project reaches.

:func:`formula_span` computes the range of a formula over a box of fact spans by interval
arithmetic. It is exact when every fact occurs at most once in the formula (each operation is
monotone in each argument and the arguments are independent); :func:`formula_exact` says
whether that holds.

Examples
--------
>>> from riskeval.ruleset.formula import parse_formula
>>> f = parse_formula("min(rate / 50, 1)", {"rate"})
>>> formula_span(f, {"rate": Span(0, 20, True, False)})
Span(low=0.0, high=0.4, low_closed=True, high_closed=False)
>>> formula_span(f, {"rate": Span(20, 100, False, True)})
Span(low=0.4, high=1.0, low_closed=False, high_closed=True)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ..formula import Call, Formula, Num, Var

__all__ = ["Span", "point", "formula_span", "formula_exact", "formula_vars"]


@dataclass(frozen=True)
class Span:
    """``low``–``high`` with closed (attained) or open ends; infinite ends are open."""

    low: float
    high: float
    low_closed: bool = True
    high_closed: bool = True

    def scale(self, k: float) -> Span:
        """``k · span``."""
        if k >= 0:
            return Span(_mul(self.low, k), _mul(self.high, k), self.low_closed, self.high_closed)
        return Span(_mul(self.high, k), _mul(self.low, k), self.high_closed, self.low_closed)

    def __add__(self, other: Span) -> Span:
        return Span(
            self.low + other.low,
            self.high + other.high,
            self.low_closed and other.low_closed,
            self.high_closed and other.high_closed,
        )

    def hull(self, other: Span) -> Span:
        """The smallest span holding both."""
        low, low_closed = _pick_low((self.low, self.low_closed), (other.low, other.low_closed))
        high, high_closed = _pick_high((self.high, self.high_closed), (other.high, other.high_closed))
        return Span(low, high, low_closed, high_closed)

    def meets(self, low: float, high: float, low_closed: bool, high_closed: bool) -> bool:
        """Whether this span shares a point with the interval ``low``–``high``."""
        lo, lo_c = max((self.low, self.low_closed), (low, low_closed), key=lambda e: (e[0], not e[1]))
        hi, hi_c = min((self.high, self.high_closed), (high, high_closed), key=lambda e: (e[0], e[1]))
        return lo < hi or (lo == hi and lo_c and hi_c)

    def text(self) -> str:
        """``[0.1, 0.576)`` with six significant digits."""
        return f"{'[' if self.low_closed else '('}{_fmt(self.low)}, {_fmt(self.high)}{']' if self.high_closed else ')'}"


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{round(x, 6):g}"


def point(x: float) -> Span:
    return Span(float(x), float(x), True, True)


def _mul(a: float, b: float) -> float:
    if a == 0 or b == 0:
        return 0.0
    return a * b


def _pick_low(*ends: tuple[float, bool]) -> tuple[float, bool]:
    value = min(e[0] for e in ends)
    return value, any(c for v, c in ends if v == value)


def _pick_high(*ends: tuple[float, bool]) -> tuple[float, bool]:
    value = max(e[0] for e in ends)
    return value, any(c for v, c in ends if v == value)


class NotAnalysable(Exception):
    """A formula whose range interval arithmetic cannot bound (division by a span holding 0)."""


def _times(a: Span, b: Span) -> Span:
    ends = []
    for x, xc in ((a.low, a.low_closed), (a.high, a.high_closed)):
        for y, yc in ((b.low, b.low_closed), (b.high, b.high_closed)):
            if (x == 0 and xc) or (y == 0 and yc):
                ends.append((0.0, True))
            elif (x == 0 or y == 0) and (math.isinf(x) or math.isinf(y)):
                raise NotAnalysable("0 * inf")
            else:
                ends.append((x * y, xc and yc))
    low, low_closed = _pick_low(*ends)
    high, high_closed = _pick_high(*ends)
    return Span(low, high, low_closed, high_closed)


def _min(a: Span, b: Span) -> Span:
    low, low_closed = _pick_low((a.low, a.low_closed), (b.low, b.low_closed))
    if a.high < b.high:
        high, high_closed = a.high, a.high_closed
    elif b.high < a.high:
        high, high_closed = b.high, b.high_closed
    else:
        high, high_closed = a.high, a.high_closed and b.high_closed
    return Span(low, high, low_closed, high_closed)


def _max(a: Span, b: Span) -> Span:
    high, high_closed = _pick_high((a.high, a.high_closed), (b.high, b.high_closed))
    if a.low > b.low:
        low, low_closed = a.low, a.low_closed
    elif b.low > a.low:
        low, low_closed = b.low, b.low_closed
    else:
        low, low_closed = a.low, a.low_closed and b.low_closed
    return Span(low, high, low_closed, high_closed)


def formula_span(formula: Formula, spans: Mapping[str, Span]) -> Span:
    """The range of ``formula`` when each fact ranges over its span (see the module notes).

    Raises
    ------
    NotAnalysable
        Division by a span that holds 0 (the evaluator then gives 0 at that point), or 0 × ∞.
    KeyError
        A fact of the formula has no span.
    """
    if isinstance(formula, Num):
        return point(formula.value)
    if isinstance(formula, Var):
        return spans[formula.name]
    if isinstance(formula, Call):
        parts = [formula_span(a, spans) for a in formula.args]
        out = parts[0]
        for part in parts[1:]:
            out = _min(out, part) if formula.func == "min" else _max(out, part)
        return out
    left, right = formula_span(formula.left, spans), formula_span(formula.right, spans)
    if formula.op == "+":
        return left + right
    if formula.op == "-":
        return left + right.scale(-1)
    if formula.op == "*":
        return _times(left, right)
    if right.meets(0, 0, True, True):
        if right.low == right.high == 0:
            return point(0.0)
        raise NotAnalysable("division by a span holding 0")
    return _divide(left, right)


def _divide(a: Span, b: Span) -> Span:
    """``a / b`` for ``b`` not holding 0: the quotients of the ends (∞ / ∞ is not analysable)."""
    ends = []
    for x, xc in ((a.low, a.low_closed), (a.high, a.high_closed)):
        for y, yc in ((b.low, b.low_closed), (b.high, b.high_closed)):
            if math.isinf(x) and math.isinf(y):
                raise NotAnalysable("inf / inf")
            if math.isinf(y):
                ends.append((0.0, False if x != 0 or not xc else True))
            else:
                ends.append((x / y, xc and yc))
    low, low_closed = _pick_low(*ends)
    high, high_closed = _pick_high(*ends)
    return Span(low, high, low_closed, high_closed)


def formula_vars(formula: Formula) -> Counter[str]:
    """How often each fact occurs in ``formula``."""
    if isinstance(formula, Var):
        return Counter({formula.name: 1})
    if isinstance(formula, Num):
        return Counter()
    out: Counter[str] = Counter()
    for part in formula.args if isinstance(formula, Call) else (formula.left, formula.right):
        out.update(formula_vars(part))
    return out


def formula_exact(formula: Formula) -> bool:
    """Whether interval arithmetic gives ``formula`` its exact range (each fact used once)."""
    return all(n <= 1 for n in formula_vars(formula).values())
