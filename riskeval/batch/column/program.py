"""The column program: a checked rule set's IR compiled to whole-column operations.

The program reads the same IR as the durable-rules rules and the reference evaluation
(:class:`riskeval.ruleset.compiled.RuleSet`: rule conditions, option maps and bands, formulas, triggers with
their factors, scope, procedures, level bands and decisions) and evaluates many projects at once.  A fact
column is given as *codes* into a short list of distinct, already checked values (``uniq``); every atom of a
condition is decided once per distinct value by the reference evaluator itself
(:func:`riskeval.ruleset.conditions.evaluate`) and broadcast to the rows, so conditions mean exactly what they
mean to the reference.  Arithmetic (formulas, weights, sums) is done in float64 in the row path's order, and
everything that is rounded for the output is rounded row by row with Python's own :func:`round`.

A rule set the program cannot express raises :class:`Unsupported` naming the constructs; the batch then uses
the row path.  :func:`aggregate` is the one place where item contributions become a score.

Examples
--------
>>> from riskeval import load_ruleset
>>> program = compile_program(load_ruleset("jiangsu-db32-4013-2021"))
>>> program.method, len(program.items) > 10
('points', True)
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...model.rulefile import LEVEL_ORDER
from ...ruleset.compiled import CompiledValue, Rule, RuleSet
from ...ruleset.conditions import Always, And, Cmp, Condition, Has, Or, evaluate, facts_read
from ...ruleset.formula import Call, Formula, Num, Var, formula_facts

__all__ = ["Unsupported", "Stage", "StageResult", "ColumnProgram", "compile_program", "aggregate", "IDENTITY_FACTS"]

#: Identity fields a condition may read, and which the column path supplies (``domains`` is not one).
IDENTITY_FACTS = ("kind", "regime", "decision_level", "unit", "location", "investment")
LEVELS = ("low", "medium", "high")
_LEVEL_INDEX = {name: i for i, name in enumerate(LEVELS)}
_NEUMAIER = sys.version_info >= (3, 12)


class Unsupported(Exception):
    """The rule set uses constructs the column program does not express (``reasons``, in English)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class AtomMemo:
    """The values of atoms on fact values, for the stages of a run: each distinct value of a fact gets an id
    once, and each atom is evaluated (by :func:`riskeval.ruleset.conditions.evaluate`) once per id."""

    def __init__(self) -> None:
        self.index: dict[str, dict[tuple[type, Any], int]] = {}
        self.values: dict[str, list[Any]] = {}
        self.tables: dict[Any, np.ndarray] = {}

    def __len__(self) -> int:
        return sum(map(len, self.values.values()))

    def ids(self, fact: str, uniq: Sequence[Any]) -> np.ndarray:
        """The ids of ``uniq``, values of ``fact`` (new ones registered)."""
        index = self.index.setdefault(fact, {})
        values = self.values.setdefault(fact, [])
        out = np.empty(len(uniq), dtype=np.int64)
        for k, value in enumerate(uniq):
            key = (type(value), value)
            got = index.get(key)
            if got is None:
                got = index[key] = len(values)
                values.append(value)
            out[k] = got
        return out

    def table(self, cond: Cmp | Has) -> np.ndarray:
        """The atom's value on every registered value of its fact, by id."""
        values = self.values.get(cond.fact, [])
        table = self.tables.get(cond)
        done = 0 if table is None else len(table)
        if table is None or done < len(values):
            fresh = np.fromiter(
                (evaluate(cond, {cond.fact: v}) for v in values[done:]), dtype=bool, count=len(values) - done
            )
            table = self.tables[cond] = fresh if table is None else np.concatenate((table, fresh))
        return table


class Stage:
    """The facts of one evaluation (initial or residual) of ``n`` projects, by columns.

    ``facts[name] = (codes, uniq)``: row ``r`` holds ``uniq[codes[r]]``; a code equal to ``len(uniq)`` means
    the fact is missing (``None``).  Conditions and formulas are memoised per stage.
    """

    def __init__(
        self,
        n: int,
        facts: Mapping[str, tuple[np.ndarray, Sequence[Any]]],
        memo: AtomMemo | None = None,
    ) -> None:
        self.n = n
        self.facts = dict(facts)
        self._atoms: dict[Any, np.ndarray] = {}
        self._numeric: dict[str, np.ndarray] = {}
        self._ids: dict[str, np.ndarray] = {}
        # Atoms' values on fact values, shared by the stages of a run (the same values recur in every chunk).
        self._memo = AtomMemo() if memo is None else memo

    def atom(self, cond: Cmp | Has) -> np.ndarray:
        got = self._atoms.get(cond)
        if got is None:
            entry = self.facts.get(cond.fact)
            if entry is None:
                got = np.zeros(self.n, dtype=bool)
            else:
                codes, uniq = entry
                ids = self._ids.get(cond.fact)
                if ids is None:
                    ids = self._ids[cond.fact] = np.append(self._memo.ids(cond.fact, uniq), -1)
                table = np.append(self._memo.table(cond), False)  # id -1: a missing fact
                got = table[ids][codes]
            self._atoms[cond] = got
        return got

    def holds(self, cond: Condition) -> np.ndarray:
        """The rows on which ``cond`` holds (the reference semantics: an atom on a missing fact is false)."""
        if isinstance(cond, Cmp | Has):
            return self.atom(cond)
        if isinstance(cond, And):
            out = np.ones(self.n, dtype=bool)
            for part in cond.parts:
                out &= self.holds(part)
            return out
        if isinstance(cond, Or):
            out = np.zeros(self.n, dtype=bool)
            for part in cond.parts:
                out |= self.holds(part)
            return out
        if isinstance(cond, Always):
            return np.ones(self.n, dtype=bool)
        raise TypeError(cond)  # pragma: no cover

    def numeric(self, name: str, ruleset: RuleSet) -> np.ndarray:
        """The fact as :meth:`RuleSet.numeric` gives it (NaN where it has no numeric value)."""
        got = self._numeric.get(name)
        if got is None:
            entry = self.facts.get(name)
            if entry is None:
                got = np.full(self.n, np.nan)
            else:
                codes, uniq = entry
                table = [ruleset.numeric({name: value}).get(name, np.nan) for value in uniq]
                got = np.asarray([*table, np.nan], dtype=float)[codes]
            self._numeric[name] = got
        return got


def _compute(formula: Formula, stage: Stage, ruleset: RuleSet) -> np.ndarray:
    """:func:`riskeval.ruleset.formula.compute` over columns (same operations in the same order)."""
    if isinstance(formula, Num):
        return np.full(stage.n, formula.value)
    if isinstance(formula, Var):
        return stage.numeric(formula.name, ruleset)
    if isinstance(formula, Call):
        args = [_compute(a, stage, ruleset) for a in formula.args]
        out = args[0]
        for arg in args[1:]:
            # Python's min/max keep the first argument unless a later one is strictly smaller/larger.
            out = np.where(arg < out, arg, out) if formula.func == "min" else np.where(arg > out, arg, out)
        return out
    left, right = _compute(formula.left, stage, ruleset), _compute(formula.right, stage, ruleset)
    if formula.op == "+":
        return left + right
    if formula.op == "-":
        return left - right
    if formula.op == "*":
        return left * right
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(right != 0, left / np.where(right != 0, right, 1.0), 0.0)


@dataclass
class ItemPlan:
    """How one item is valued: its rules (in rule order) and its compiled values."""

    id: str
    dimension: str
    weight: float
    cap: float | None
    rules: list[Rule]
    values: dict[str, CompiledValue]
    label: str


@dataclass
class StageResult:
    """One evaluation of ``n`` projects: per item its contribution and whether it is a finding; the score
    (rounded as the row path rounds it), the score's level and the level after triggers; the triggers and
    procedure gaps per row; ``fired`` per rule id (for the sample's coverage); ``bad`` rows the row path
    must take (a formula that needs a missing fact)."""

    contributions: np.ndarray  # (items, n)
    finding: np.ndarray  # (items, n) bool
    score: np.ndarray  # float
    score_level: np.ndarray  # level index
    level: np.ndarray
    triggers: np.ndarray  # (triggers, n) bool
    gaps: np.ndarray  # (procedures, n) bool
    fired: dict[str, np.ndarray]
    in_scope: np.ndarray
    bad: np.ndarray


def rounded(values: np.ndarray, digits: int) -> np.ndarray:
    """Python's ``round(x, digits)`` of every value, bit for bit.

    ``round`` gives the double nearest to the decimal ``k / 10**digits``, ``k`` the integer nearest to the
    exact ``x * 10**digits`` (ties to even); the division ``k / 10.0**digits`` of two exact doubles gives
    that same double.  The product computed in floating point can be wrong about ``k`` only close to a tie,
    so values within a wide margin of one (and very large ones) are rounded by ``round`` itself.

    >>> xs = [0.1 + 0.2, 2.675, -1e-12, 0.0, 1.0000000005, 35.0, 1e300]
    >>> rounded(np.asarray(xs), 9).tolist() == [round(x, 9) for x in xs]
    True
    """
    flat = np.ascontiguousarray(values, dtype=float).reshape(-1)
    scale = 10.0**digits
    with np.errstate(over="ignore", invalid="ignore"):
        product = flat * scale
        out = np.rint(product) / scale
        margin = np.abs(product - np.floor(product) - 0.5)
        risky = ~(margin > np.abs(product) * 2.0**-45 + 2.0**-40) | ~(np.abs(product) < 2.0**50)
    for k in np.flatnonzero(risky).tolist():
        out[k] = round(float(flat[k]), digits)
    return out.reshape(np.shape(values))


def _builtin_sum(terms: list[np.ndarray], n: int) -> np.ndarray:
    """``sum(terms)`` as the running Python's built-in computes it for floats, row by row."""
    if not _NEUMAIER:
        out = np.zeros(n)
        for term in terms:
            out = out + term
        return out
    total = np.zeros(n)
    comp = np.zeros(n)
    for term in terms:  # CPython >= 3.12: Neumaier's compensated summation
        t = total + term
        comp = comp + np.where(np.abs(total) >= np.abs(term), (total - t) + term, (term - t) + total)
        total = t
    return np.where((comp != 0) & np.isfinite(comp), total + comp, total)


def aggregate(program: ColumnProgram, values: np.ndarray, applies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Item contributions and the unrounded score: the one function of the scoring method
    (:func:`riskeval.scoring.aggregate`, per row).

    ``values[k]`` is item ``k``'s points (points method) or ``P × I`` (index method) where ``applies[k]``
    (its rule fired and its values could be read).  Points: the sum of the dimension subtotals.  Index with
    ``not_applicable: zero``: ``Σ W_dim · Σ w·P·I`` with the declared weights.  Index with ``renormalise``
    (default): within each dimension the weights of the items that apply are renormalised to 1, a dimension
    where none applies drops out and the dimension weights are renormalised over the others.  Sums run in
    the row path's order with Python's ``sum`` (:func:`_builtin_sum`); the dimensions of the score are
    summed in the order their first applying item comes, as the row path's dictionaries keep them.

    Returns
    -------
    tuple
        ``(contributions, score)``: what each item adds (the findings' ``contribution``) and the score.
    """
    n = values.shape[1]
    items = program.items
    if program.method == "points":
        contributions = np.where(applies, values, 0.0)
        subtotals: dict[str, np.ndarray] = {d: np.zeros(n) for d in program.dimension_order}
        for k, item in enumerate(items):
            current = subtotals.get(item.dimension, np.zeros(n))
            subtotals[item.dimension] = np.where(applies[k], current + values[k], current)
        return contributions, _builtin_sum(list(subtotals.values()), n)
    weights = program.dimension_weights
    if program.not_applicable == "zero":
        contributions = np.zeros_like(values)
        subtotals = {d: np.zeros(n) for d in program.dimension_order}
        for k, item in enumerate(items):
            contributions[k] = np.where(applies[k], values[k] * item.weight, 0.0)
            current = subtotals.get(item.dimension, np.zeros(n))
            subtotals[item.dimension] = np.where(applies[k], current + contributions[k], current)
        return contributions, _builtin_sum([weights.get(d, 0.0) * v for d, v in subtotals.items()], n)
    dims: dict[str, list[int]] = {}
    for k, item in enumerate(items):
        dims.setdefault(item.dimension, []).append(k)
    names = list(dims)
    contributions = np.zeros_like(values)
    subtotal = np.zeros((len(names), n))
    valid = np.zeros((len(names), n), dtype=bool)
    first = np.full((len(names), n), len(items))
    for j, name in enumerate(names):
        members = dims[name]
        total = _builtin_sum([np.where(applies[k], items[k].weight, 0.0) for k in members], n)
        any_item = np.zeros(n, dtype=bool)
        for k in reversed(members):
            any_item |= applies[k]
            first[j] = np.where(applies[k], k, first[j])
        valid[j] = any_item & (total > 0)
        safe = np.where(valid[j], total, 1.0)
        acc = np.zeros(n)
        for k in members:
            take = applies[k] & valid[j]
            part = (items[k].weight / safe) * values[k]
            contributions[k] = np.where(take, part, 0.0)
            acc = np.where(take, acc + part, acc)
        subtotal[j] = acc
    order = np.argsort(first, axis=0, kind="stable")
    signature = np.where(np.take_along_axis(valid, order, axis=0), order, -1).T
    groups, inverse = np.unique(signature, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    score = np.zeros(n)
    for g, row_order in enumerate(groups.tolist()):
        used = [j for j in row_order if j >= 0]
        rows = inverse == g
        dim_total = sum(weights.get(names[j], 0.0) for j in used)
        if dim_total > 0:
            terms = [weights.get(names[j], 0.0) * subtotal[j][rows] for j in used]
            score[rows] = _builtin_sum(terms, int(rows.sum())) / dim_total
    return contributions, score


MEMO_LIMIT = 1_000_000


@dataclass
class ColumnProgram:
    """A rule set compiled for columns (build with :func:`compile_program`)."""

    ruleset: RuleSet
    method: str
    items: list[ItemPlan]
    dimension_order: list[str]
    dimension_weights: dict[str, float]
    reads: set[str]
    required: set[str] = field(default_factory=set)
    not_applicable: str = "renormalise"
    #: atoms' values on fact values, for the stages of a run (see :class:`Stage`)
    memo: AtomMemo = field(default_factory=AtomMemo, repr=False, compare=False)

    def stage(self, n: int, facts: Mapping[str, tuple[np.ndarray, Sequence[Any]]]) -> Stage:
        """A :class:`Stage` of ``n`` rows sharing this program's memo (kept below ``MEMO_LIMIT`` entries)."""
        if len(self.memo) > MEMO_LIMIT:
            self.memo = AtomMemo()
        return Stage(n, facts, self.memo)

    # -- evaluation ---------------------------------------------------------------------------------
    def fired_rules(self, stage: Stage) -> dict[str, np.ndarray]:
        """Every rule's firing per row, compound triggers decided from the factors (as the reference does)."""
        rs = self.ruleset
        fired = {rule.id: stage.holds(rule.condition) for rule in rs.rules if not rule.compound}
        if any(rule.compound for rule in rs.rules):
            factors = self.factors(stage, fired)
            for rule in rs.rules:
                if rule.compound:
                    count = np.zeros(stage.n, dtype=int)
                    for item in rule.factors:
                        count += factors.get(item, np.zeros(stage.n, dtype=bool))
                    fired[rule.id] = stage.holds(rule.condition) & (count >= rule.min_factors)
        return fired

    def factors(self, stage: Stage, fired: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """:meth:`RuleSet.fired_factors` per row: an item rule fired and, for a formula's points, the value is positive."""
        out: dict[str, np.ndarray] = {}
        for rule in self.ruleset.rules:
            if rule.kind != "item":
                continue
            hit = fired[rule.id]
            spec = self.ruleset.item_values.get(rule.ref, {}).get("points")
            if spec is not None and spec.kind == "formula" and spec.formula is not None:
                value = _compute(spec.formula, stage, self.ruleset)
                missing = self._formula_missing(spec.formula, stage)
                hit = hit & ~missing & (value > 0)
            out[rule.ref] = out.get(rule.ref, np.zeros(stage.n, dtype=bool)) | hit
        return out

    def _formula_missing(self, formula: Formula, stage: Stage) -> np.ndarray:
        out = np.zeros(stage.n, dtype=bool)
        for name in formula_facts(formula):
            out |= np.isnan(stage.numeric(name, self.ruleset))
        return out

    def _lookup(self, spec: CompiledValue, stage: Stage) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``CompiledValue.lookup`` per row: (value, found, needs-the-row-path)."""
        n = stage.n
        if spec.kind == "const":
            return np.full(n, float(spec.const)), np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
        if spec.kind == "table":
            value = np.zeros(n)
            found = np.zeros(n, dtype=bool)
            for cond, branch_value, _label in spec.branches:
                hit = stage.holds(cond) & ~found
                value = np.where(hit, float(branch_value), value)
                found |= hit
            return value, found, np.zeros(n, dtype=bool)
        assert spec.formula is not None
        return _compute(spec.formula, stage, self.ruleset), np.ones(n, dtype=bool), self._formula_missing(spec.formula, stage)

    def evaluate(self, stage: Stage) -> StageResult:
        """Score ``stage`` as :func:`riskeval.scoring.score_evaluation` scores each of its rows."""
        rs, n = self.ruleset, stage.n
        fired = self.fired_rules(stage)
        bad = np.zeros(n, dtype=bool)
        values = np.zeros((len(self.items), n))
        applies = np.zeros((len(self.items), n), dtype=bool)
        for k, item in enumerate(self.items):
            first = np.zeros(n, dtype=bool)
            rule_value = np.zeros(n)
            for rule in item.rules:
                hit = fired[rule.id] & ~first
                rule_value = np.where(hit, float(rule.value or 0.0), rule_value)
                first |= hit
            if self.method == "points":
                spec = item.values["points"]
                if spec.kind == "formula":
                    points, _found, missing = self._lookup(spec, stage)
                    bad |= first & missing
                    if item.cap is not None:
                        points = np.where(item.cap < points, item.cap, points)
                    points = np.where(0.0 > points, 0.0, points)
                else:
                    points = rule_value
                values[k] = np.where(first, points, 0.0)
                applies[k] = first
            else:
                p, p_found, p_bad = self._lookup(item.values["probability"], stage)
                i, i_found, i_bad = self._lookup(item.values["impact"], stage)
                ok = first & p_found & i_found
                bad |= first & (p_bad | i_bad)
                values[k] = np.where(ok, p * i, 0.0)
                applies[k] = ok
        contributions, raw = aggregate(self, values, applies)
        finding = applies & (contributions > 0)
        score = rounded(raw, 9)
        score_level = self._levels(score)
        level = score_level.copy()
        triggers = np.zeros((len(rs.triggers), n), dtype=bool)
        for k, trig in enumerate(rs.triggers):
            trigger_hit = fired.get(f"trigger:{trig.id}")
            if trigger_hit is None:
                continue
            triggers[k] = trigger_hit
            level = np.where(trigger_hit & (_LEVEL_INDEX[trig.level] > level), _LEVEL_INDEX[trig.level], level)
        gaps = np.zeros((len(rs.procedures), n), dtype=bool)
        for k, proc in enumerate(rs.procedures):
            required = fired.get(f"proc-required:{proc.id}", np.zeros(n, dtype=bool))
            satisfied = fired.get(f"proc-satisfied:{proc.id}", np.zeros(n, dtype=bool))
            gaps[k] = required & ~satisfied
        if rs.scope is not None:
            in_scope = np.zeros(n, dtype=bool)
            for j in range(len(rs.scope)):
                in_scope |= fired.get(f"scope:{j}", np.zeros(n, dtype=bool))
        else:
            in_scope = np.ones(n, dtype=bool)
        return StageResult(contributions, finding, score, score_level, level, triggers, gaps, fired, in_scope, bad)

    def _levels(self, score: np.ndarray) -> np.ndarray:
        """:meth:`RuleSet.level_for` per row; a score in no band (below every band) is left to the row path (-1)."""
        out = np.full(score.shape, -1, dtype=int)
        bands = self.ruleset.level_bands
        for name in LEVELS:  # the first band that holds the score wins, as in level_for
            band = bands[name]
            above = score >= band.low if band.low_closed else score > band.low
            below = score <= band.high if band.high_closed else score < band.high
            out = np.where((out < 0) & above & below, _LEVEL_INDEX[name], out)
        top = max(bands.values(), key=lambda b: b.high)
        out = np.where((out < 0) & (score > top.high), _LEVEL_INDEX["high"], out)
        return out


def compile_program(ruleset: RuleSet) -> ColumnProgram:
    """Compile ``ruleset`` for columns.

    Raises
    ------
    Unsupported
        Panel-scored items (their values come with each project), conditions over the ``domains`` list of a
        project, list facts, or a level ordering other than low < medium < high.
    """
    reasons: list[str] = []
    reads: set[str] = set()
    for rule in ruleset.rules:
        reads |= facts_read(rule.condition)
    for values in ruleset.item_values.values():
        for spec in values.values():
            for cond, _v, _l in spec.branches:
                reads |= facts_read(cond)
            if spec.formula is not None:
                reads |= formula_facts(spec.formula)
    for cond in ruleset.required_when.values():
        reads |= facts_read(cond)
    panel_items = [i.id for i in ruleset.items if i.panel]
    if panel_items:
        reasons.append(f"panel-scored items ({', '.join(panel_items)})")
    if "domains" in reads:
        reasons.append("conditions on the project's domains")
    lists = sorted(name for name, decl in ruleset.facts.items() if decl.type == "list")
    if lists:
        reasons.append(f"list facts ({', '.join(lists)})")
    unknown = sorted(reads - set(ruleset.facts) - set(IDENTITY_FACTS))
    if unknown:
        reasons.append(f"facts that are neither declared nor identity fields ({', '.join(unknown)})")
    if [LEVEL_ORDER[x] for x in LEVELS] != sorted(LEVEL_ORDER[x] for x in LEVELS):
        reasons.append("a level order other than low < medium < high")
    method = ruleset.scoring.method
    items: list[ItemPlan] = []
    by_item: dict[str, list[Rule]] = {}
    for rule in ruleset.rules:
        if rule.kind == "item":
            by_item.setdefault(rule.ref, []).append(rule)
    for item in ruleset.items:
        values = ruleset.item_values.get(item.id, {})
        if method == "points" and "points" not in values and not item.panel:
            reasons.append(f"item {item.id} has no points")
        if method != "points" and ("probability" not in values or "impact" not in values) and not item.panel:
            reasons.append(f"item {item.id} has no probability or impact")
        items.append(
            ItemPlan(
                item.id,
                item.dimension,
                float(item.weight or 0.0),
                float(item.max) if item.max is not None else None,
                by_item.get(item.id, []),
                values,
                item.label,
            )
        )
    if reasons:
        raise Unsupported(reasons)
    dims = [d.id for d in ruleset.dimensions]
    weights = {d.id: float(d.weight or 0.0) for d in ruleset.dimensions}
    return ColumnProgram(
        ruleset, method, items, dims, weights, reads, set(ruleset.required_facts),
        str(getattr(ruleset.scoring, "not_applicable", "renormalise")),
    )

