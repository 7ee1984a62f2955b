"""Intervals written the way staff read them: ``[70, 85)``, ``(20, 35]``, ``[85, inf)``.

Examples
--------
>>> band = parse_interval("[70, 85)")
>>> band.contains(70), band.contains(85), str(band)
(True, False, '[70, 85)')
>>> find_gaps_and_overlaps([parse_interval("[0, 20]"), parse_interval("(20, 35]")], 0, 35)
[]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Interval", "IntervalError", "parse_interval", "find_gaps_and_overlaps"]

_NUM = r"[-+]?(?:inf|\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_PATTERN = re.compile(rf"^\s*([\[(])\s*({_NUM})\s*[,，]\s*({_NUM})\s*([\])])\s*$")


class IntervalError(ValueError):
    """Not an interval; ``code`` is a message key."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(code)
        self.code = code
        self.text = text


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    low_closed: bool
    high_closed: bool

    def contains(self, x: float) -> bool:
        above = x >= self.low if self.low_closed else x > self.low
        below = x <= self.high if self.high_closed else x < self.high
        return above and below

    def __str__(self) -> str:
        def fmt(v: float) -> str:
            if math.isinf(v):
                return "inf" if v > 0 else "-inf"
            return str(int(v)) if float(v).is_integer() else str(v)

        return f"{'[' if self.low_closed else '('}{fmt(self.low)}, {fmt(self.high)}{']' if self.high_closed else ')'}"


def parse_interval(text: str) -> Interval:
    """Parse ``[a, b]``, ``[a, b)``, ``(a, b]`` or ``(a, b)``; ``inf`` is allowed as an open end."""
    match = _PATTERN.match(str(text))
    if not match:
        raise IntervalError("interval.syntax", str(text))
    left, a, b, right = match.groups()
    low, high = float(a), float(b)
    if low > high or (low == high and not (left == "[" and right == "]")):
        raise IntervalError("interval.empty", str(text))
    return Interval(low, high, left == "[" and not math.isinf(low), right == "]" and not math.isinf(high))


def find_gaps_and_overlaps(bands: list[Interval], low: float | None, high: float | None) -> list[tuple[str, str]]:
    """Return ``[("gap"|"overlap", description), ...]`` for bands meant to tile ``[low, high]``."""
    problems: list[tuple[str, str]] = []
    ordered = sorted(bands, key=lambda b: (b.low, not b.low_closed))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.high > after.low or (
            before.high == after.low and before.high_closed and after.low_closed
        ):
            problems.append(("overlap", f"{before} / {after}"))
        elif before.high < after.low or (not before.high_closed and not after.low_closed):
            problems.append(("gap", f"{before} … {after}"))
    if ordered and low is not None:
        first = ordered[0]
        if first.low > low or (first.low == low and not first.low_closed):
            problems.append(("gap", f"{low} … {first}"))
    if ordered and high is not None:
        last = ordered[-1]
        if last.high < high or (last.high == high and not last.high_closed):
            problems.append(("gap", f"{last} … {high}"))
    return problems
