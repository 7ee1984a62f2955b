"""The resolved, checked rule set and its compiled rules (engine-independent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..model.rulefile import (
    LEVEL_ORDER,
    Decision,
    Dimension,
    FactDecl,
    Item,
    Level,
    PanelSpec,
    Procedure,
    RuleTest,
    Scoring,
    Trigger,
)
from .conditions import Condition, FactSpec, evaluate
from .formula import Formula, compute
from .intervals import Interval
from .problems import Problem

__all__ = ["Rule", "CompiledValue", "RuleSet", "REGIME_DECISIONS"]

RuleKind = Literal["scope", "item", "trigger", "proc_required", "proc_satisfied", "seen"]

REGIME_DECISIONS: dict[str, dict[str, Decision]] = {
    "ndrc_project": {"high": "reject", "medium": "reject", "low": "proceed"},
    "major_decision": {"high": "reject", "medium": "proceed_after_measures", "low": "proceed"},
}


@dataclass(frozen=True)
class Rule:
    """One compiled rule: a condition over one project and what its firing means.

    ``id`` is unique within the rule set: ``item:J-01#2`` is the third branch of item ``J-01``.
    """

    id: str
    kind: RuleKind
    ref: str
    condition: Condition
    value: float | None = None
    branch: str | None = None
    factors: tuple[str, ...] = ()
    min_factors: int = 0

    @property
    def compound(self) -> bool:
        """A rule over the factors (items) that fired first: the engine's forward chaining."""
        return bool(self.factors)


@dataclass(frozen=True)
class CompiledValue:
    """How a value is read: a constant, a table (one branch per row), a formula or the panel."""

    kind: Literal["const", "table", "formula", "panel"]
    const: float = 0.0
    fact: str | None = None
    branches: tuple[tuple[Condition, float, str], ...] = ()
    formula: Formula | None = None
    formula_text: str | None = None

    def lookup(self, facts: dict[str, Any], numeric: dict[str, float]) -> tuple[float, str] | None:
        """The value and the branch description for ``facts`` (plain reference)."""
        if self.kind == "const":
            return self.const, ""
        if self.kind == "table":
            for cond, value, label in self.branches:
                if evaluate(cond, facts):
                    return value, label
            return None
        if self.kind == "formula" and self.formula is not None:
            return compute(self.formula, numeric), self.formula_text or ""
        return None


@dataclass
class RuleSet:
    """A loaded rule set: metadata, declarations, scoring, compiled rules and tests.

    Build one with :func:`riskeval.load_ruleset`; it is immutable in use.
    """

    id: str
    title: str
    version: str
    effective: str | None
    authority: str | None
    sources: list[str]
    description: str | None
    regime: str | None
    decisions: dict[str, str] | None
    facts: dict[str, FactDecl]
    specs: dict[str, FactSpec]
    dimensions: list[Dimension]
    scoring: Scoring
    level_bands: dict[str, Interval]
    items: list[Item]
    triggers: list[Trigger]
    procedures: list[Procedure]
    panel: PanelSpec | None
    tests: list[RuleTest]
    scope: list[tuple[str, Condition]] | None
    rules: list[Rule]
    item_values: dict[str, dict[str, CompiledValue]]
    panel_conditions: list[tuple[Condition, int]]
    read_facts: set[str]
    required_facts: set[str]
    option_values: dict[str, dict[str, float]]
    path: Path
    lineage: list[dict[str, str]]
    content_hash: str
    required_when: dict[str, Condition] = field(default_factory=dict)
    test_origins: list[Any] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: where each entity was written: ``("items", id)``, ``("facts", name)``, ``("scoring", "")``, ...
    origins: dict[tuple[str, str], Any] = field(default_factory=dict)

    # -- lookups ----------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """``id@version``, the rule set's name in records and engine registrations."""
        return f"{self.id}@{self.version}"

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def dimension_label(self, dim_id: str) -> str:
        return next((d.label for d in self.dimensions if d.id == dim_id), dim_id)

    def level_for(self, score: float) -> Level:
        """The level whose band holds ``score``; outside every band fails loudly."""
        for level in ("low", "medium", "high"):
            if self.level_bands[level].contains(score):
                return level
        top = max(self.level_bands.values(), key=lambda b: b.high)
        if score > top.high:
            return "high"
        raise ValueError(f"score {score} lies in no level band of {self.name}")

    def decision_for(self, level: Level, regime: str | None) -> tuple[Decision, str]:
        """The decision for ``level`` and the regime that gave it (project's regime wins)."""
        if regime in REGIME_DECISIONS:
            return REGIME_DECISIONS[regime][level], regime
        if self.decisions:
            return self.decisions[level], "custom"  # type: ignore[return-value]
        default = self.regime or "major_decision"
        return REGIME_DECISIONS[default][level], default

    def panel_size(self, project: Any) -> int | None:
        """Panel size for a project (a :class:`Project` or a mapping of identity fields and facts).

        Returns ``None`` when the rule set has no panel rule.
        """
        if self.panel is None:
            return None
        values = _flat(project)
        for cond, size in self.panel_conditions:
            if evaluate(cond, values):
                return size
        return self.panel.default

    def numeric(self, values: dict[str, Any]) -> dict[str, float]:
        """Values usable in formulas: numbers, booleans as 1/0, options through their ``value``."""
        out: dict[str, float] = {}
        for name, value in values.items():
            if isinstance(value, bool):
                out[name] = 1.0 if value else 0.0
            elif isinstance(value, int | float):
                out[name] = float(value)
            elif isinstance(value, str) and value in self.option_values.get(name, {}):
                out[name] = self.option_values[name][value]
        return out

    def fired_factors(self, fired: set[str], values: dict[str, Any]) -> list[str]:
        """The items that count as factors for compound triggers: a rule of theirs fired and, for a
        formula item, its value is positive (so factors are the findings of a points rule set)."""
        out: list[str] = []
        numeric: dict[str, float] | None = None
        for rule in self.rules:
            if rule.kind != "item" or rule.id not in fired or rule.ref in out:
                continue
            spec = self.item_values.get(rule.ref, {}).get("points")
            if spec is not None and spec.kind == "formula":
                numeric = numeric if numeric is not None else self.numeric(values)
                try:
                    found = spec.lookup(values, numeric)
                except KeyError:
                    found = None
                if found is None or found[0] <= 0:
                    continue
            out.append(rule.ref)
        return out

    @staticmethod
    def max_level(a: Level, b: Level) -> Level:
        return a if LEVEL_ORDER[a] >= LEVEL_ORDER[b] else b


def _flat(project: Any) -> dict[str, Any]:
    if hasattr(project, "identity"):
        values = dict(project.identity())
        values.update(project.facts)
        return values
    values = dict(project)
    facts = values.pop("facts", None)
    if isinstance(facts, dict):
        values.update(facts)
    for key in ("investment",):
        if isinstance(values.get(key), str):
            try:
                values[key] = float(values[key])
            except ValueError:
                values.pop(key)
    if isinstance(values.get("domains"), str):
        values["domains"] = [d for d in values["domains"].split(";") if d]
    return values
