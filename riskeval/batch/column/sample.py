"""Which rows the row path checks: a seeded share of the list, plus rows that exercise every rule and constant.

Every batch on the column path sends a sample through the full row path (durable-rules, the reference
evaluation, the project check and the scoring) and requires its output rows to equal the column path's byte
for byte.  The sample is at least 1 % of the rows and at least 1,000 rows (all rows of a shorter list), plus,
for every rule, the first row where it fires and the first where it does not (as far as the list has them),
plus the first row lying exactly on each numeric constant of a condition.

The share is drawn row by row (seeded) at a rate chosen from the estimated length of the list with a
margin of :data:`MARGIN_SD` standard deviations, so that it falls short only rarely.  A reservoir keeps the
*numbers* of a uniform sample of the rows not drawn (nothing else: building rows costs time that is almost
never needed); when the draw falls short, :meth:`Sampler.top_up` names the reservoir rows that complete it
and the driver reads and evaluates those rows again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ...ruleset.conditions import And, Cmp, Condition, Or
from .program import ColumnProgram, Stage, StageResult

__all__ = ["Sampler", "SAMPLE_SHARE", "SAMPLE_MIN", "MARGIN_SD", "required_sample", "sample_rate"]

SAMPLE_SHARE = 0.01
SAMPLE_MIN = 1000
RESERVE = 1000
#: Standard deviations of the binomial draw added to the expected sample (a shortfall then has a chance
#: below 1 in 30,000 when the estimate is right; the reservoir covers it anyway).
MARGIN_SD = 4.0


def required_sample(total: int) -> int:
    """How many rows a list of ``total`` rows must have checked: ≥ 1 % and ≥ 1,000 (all of a shorter list).

    >>> required_sample(500), required_sample(20_000), required_sample(1_000_000)
    (500, 1000, 10000)
    """
    return min(total, max(SAMPLE_MIN, math.ceil(SAMPLE_SHARE * total)))


def sample_rate(estimate: int | None) -> float:
    """The drawing rate for a list of about ``estimate`` rows: :func:`required_sample` plus a margin of
    :data:`MARGIN_SD` standard deviations of the binomial draw (every row of a short or unknown list).

    >>> [round(sample_rate(n), 5) for n in (5_000, 100_000, 1_000_000)], sample_rate(900), sample_rate(None)
    ([0.22263, 0.01126, 0.0104], 1.0, 1.0)
    """
    if not estimate:
        return 1.0
    need = required_sample(estimate)
    return min(1.0, (need + MARGIN_SD * math.sqrt(need * (1 - need / estimate))) / estimate)


def _constants(cond: Condition, out: set[tuple[str, float]]) -> None:
    if isinstance(cond, Cmp):
        if isinstance(cond.value, int | float) and not isinstance(cond.value, bool):
            out.add((cond.fact, float(cond.value)))
    elif isinstance(cond, And | Or):
        for part in cond.parts:
            _constants(part, out)


@dataclass
class Sampler:
    """Picks sample rows chunk by chunk (seeded); :meth:`top_up` completes the share at the end of the list.

    ``reserve`` holds the input row numbers of a uniform sample (reservoir) of the evaluable rows that were not
    picked (:meth:`keep`)."""

    program: ColumnProgram
    estimate: int | None
    seed: int = 20_240_601
    full: bool = False
    rng: np.random.Generator = field(init=False)
    rate: float = field(init=False)
    uncovered: set[tuple[str, bool]] = field(init=False)
    constants: set[tuple[str, float]] = field(init=False)
    picked: int = 0
    seen: int = 0
    reserve: list[int] = field(default_factory=list)
    reserve_seen: int = 0
    drawn: np.ndarray | None = None
    chosen: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.rate = 1.0 if self.full else sample_rate(self.estimate)
        self.uncovered = {(r.id, fires) for r in self.program.ruleset.rules for fires in (True, False)}
        consts: set[tuple[str, float]] = set()
        for rule in self.program.ruleset.rules:
            _constants(rule.condition, consts)
        self.constants = consts

    def draw(self, n: int) -> np.ndarray:
        """The seeded share of the next chunk of ``n`` rows, drawn before it is evaluated (so that these rows
        can go to the row path at once); :meth:`pick` then uses it."""
        self.drawn = np.ones(n, dtype=bool) if self.full else self.rng.random(n) < self.rate
        return self.drawn

    def pick(self, n: int, evaluable: np.ndarray, stage: Stage, result: StageResult) -> np.ndarray:
        """The rows of a chunk to check: the seeded share (:meth:`draw`, made here if it was not) and the
        rows that cover something new; only ``evaluable`` rows."""
        drawn = self.drawn if self.drawn is not None and len(self.drawn) == n else self.draw(n)
        self.drawn = None
        chosen = drawn.copy()
        for key in list(self.uncovered):
            rule_id, fires = key
            hit = result.fired.get(rule_id)
            if hit is None:
                continue
            mask = (hit if fires else ~hit) & evaluable
            if mask.any():
                chosen[int(np.argmax(mask))] = True
                self.uncovered.discard(key)
        for const in list(self.constants):
            fact, value = const
            mask = stage.atom(Cmp(fact, "==", value)) & evaluable
            if mask.any():
                chosen[int(np.argmax(mask))] = True
                self.constants.discard(const)
        chosen &= evaluable
        self.chosen = chosen
        self.picked += int(chosen.sum())
        self.seen += int(evaluable.sum())
        return chosen

    def keep(self, rows: np.ndarray) -> None:
        """Reservoir sampling over ``rows`` (input row numbers of evaluable rows not picked, in order)."""
        k = len(rows)
        if not k:
            return
        position = self.reserve_seen + 1 + np.arange(k)
        slot = np.where(position <= RESERVE, position - 1, self.rng.integers(0, position))
        self.reserve_seen += k
        entering = slot < RESERVE
        reserve = self.reserve
        for row, s in zip(rows[entering].tolist(), slot[entering].tolist(), strict=True):
            if s >= len(reserve):
                reserve.append(row)
            else:
                reserve[s] = row

    def top_up(self) -> list[int]:
        """Row numbers from the reservoir that bring the sample up to :func:`required_sample` of the rows
        seen (in input order; usually none)."""
        missing = required_sample(self.seen) - self.picked
        if missing <= 0:
            return []
        extra = self.reserve[:missing]
        self.picked += len(extra)
        return sorted(extra)
